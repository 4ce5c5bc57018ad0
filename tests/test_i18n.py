"""Translations: every key the code uses exists in German and English."""

from __future__ import annotations

import re
from pathlib import Path

from geo import i18n

ROOT = Path(__file__).resolve().parent.parent


def _used_keys() -> set[str]:
    pattern = re.compile(
        r"""(?:\bt|translate|Error|report\.(?:warning|error))\(\s*f?["']([a-z_]+\.[a-z_.{}]+|[a-z_]+)["']"""
    )
    keys = set()
    for path in [*ROOT.glob("geo/*.py"), *ROOT.glob("app_pages/*.py"), ROOT / "app.py"]:
        for key in pattern.findall(path.read_text(encoding="utf-8")):
            if "{" in key:
                continue
            keys.add(key if "." in key else f"issue.{key}")
    return keys


def test_catalogues_have_the_same_keys() -> None:
    assert set(i18n.catalogue("de")) == set(i18n.catalogue("en"))


def test_every_used_key_is_translated() -> None:
    used = _used_keys()
    assert len(used) > 40
    missing = sorted(k for k in used if k not in i18n.catalogue("de"))
    assert missing == []


def test_placeholders_match_between_languages() -> None:
    fields = re.compile(r"{(\w+)}")
    for key, german in i18n.catalogue("de").items():
        assert set(fields.findall(german)) == set(fields.findall(i18n.catalogue("en")[key])), key


def test_number_formats() -> None:
    assert i18n.format_number(12345.67, "de", decimals=1) == "12.345,7"
    assert i18n.format_number(12345.67, "en", decimals=1) == "12,345.7"
    assert i18n.format_number(float("nan"), "de") == "–"


def test_fallbacks() -> None:
    assert i18n.translate("nav.explore", "xx") == "Erkunden"
    assert i18n.translate("gibt.es.nicht", "de") == "gibt.es.nicht"
    assert i18n.translate("map.as_of", "de", date="1.1.2024") == "Stand 1.1.2024"


def test_catalogue_covers_the_quartiersatlas_columns() -> None:
    from geo.indicators import catalogue

    cat = catalogue()
    assert len(cat.indicators) == 49
    assert len({i.column for i in cat.indicators}) == 49
    assert all(i.source and i.reference_date == "2021-12-31" for i in cat.indicators)
    assert cat.get("sgb2_quote").direction == "up"
    assert cat.get("gymnasium_pct").direction == "down"
    assert cat.get("sgb2_quote").label("en") == "SGB II rate"
