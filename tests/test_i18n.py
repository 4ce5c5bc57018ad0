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
    assert i18n.format_number(1000.5, "de", decimals=2, trim=True) == "1.000,5"  # trailing zeros dropped
    assert i18n.format_number(2.0, "de", decimals=1, trim=True) == "2"
    assert i18n.format_number(10, "en", decimals=2, trim=True) == "10"  # not "1"


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


def test_tables_show_numbers_as_the_reader_writes_them() -> None:
    import pandas as pd

    from geo.tables import localized

    frame = pd.DataFrame(
        {"Name": ["Flingern", "Lörick"], "Quote": [12.345, None], "Einwohner": [23456.0, 812.0]}
    )
    german = localized(frame, "de", decimals={"Einwohner": 0}).to_string()
    assert "12,3" in german and "23.456" in german and "–" in german
    assert "12.3" not in german
    english = localized(frame, "en", decimals={"Einwohner": 0}).to_string()
    assert "12.3" in english and "23,456" in english
    styled = localized(frame, "de")
    assert styled.data["Quote"].dtype == float  # the cells stay numbers: the table sorts by value
    by_row = pd.DataFrame({"Stadt": [3399.0, 12.34]}, index=["Bevölkerung", "SGB-II-Quote"])
    text = localized(by_row, "de", row_decimals=pd.Series([0, 1], index=by_row.index)).to_string()
    assert "3.399" in text and "12,3" in text and "3.399,0" not in text
