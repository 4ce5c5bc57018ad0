"""Translations: every key the code uses exists in German and English."""

from __future__ import annotations

import re
from pathlib import Path

from geo.core import i18n

ROOT = Path(__file__).resolve().parent.parent


def _used_keys() -> set[str]:
    pattern = re.compile(
        r"""(?:\bt|translate|Error|report\.(?:warning|error))\(\s*f?["']([a-z_]+\.[a-z_.{}]+|[a-z_]+)["']"""
    )
    keys = set()
    for path in [*ROOT.glob("geo/**/*.py"), *ROOT.glob("app_pages/**/*.py"), ROOT / "app.py"]:
        for key in pattern.findall(path.read_text(encoding="utf-8")):
            if "{" in key:
                continue
            keys.add(key if "." in key else f"issue.{key}")
    return keys


def _forms(message: object) -> list[str]:
    return list(message.values()) if isinstance(message, dict) else [str(message)]


FIELDS = re.compile(r"{(\w+)}")


def test_every_catalogue_has_exactly_the_german_keys() -> None:
    german = set(i18n.catalogue("de"))
    assert len(i18n.LANGUAGES) >= 6 and {"de", "en", "tr", "ar", "uk", "ru"} <= set(i18n.LANGUAGES)
    for lang in i18n.LANGUAGES:
        keys = set(i18n.catalogue(lang))
        assert keys == german, (lang, sorted(german - keys)[:5], sorted(keys - german)[:5])
        assert all(text.strip() for m in i18n.catalogue(lang).values() for text in _forms(m)), lang


def test_every_used_key_is_translated() -> None:
    used = _used_keys()
    assert len(used) > 40
    missing = sorted(k for k in used if k not in i18n.catalogue("de"))
    assert missing == []


def test_placeholders_match_between_languages() -> None:
    for key, german in i18n.catalogue("de").items():
        wanted = set().union(*(FIELDS.findall(f) for f in _forms(german)))
        for lang in i18n.LANGUAGES:
            message = i18n.catalogue(lang)[key]
            forms = _forms(message)
            # every form uses only German's placeholders; the general form ("other") uses all of them
            # (a singular form may say "one row" in words instead of {n})
            assert all(set(FIELDS.findall(f)) <= wanted for f in forms), (lang, key)
            general = message["other"] if isinstance(message, dict) else message
            assert set(FIELDS.findall(general)) == wanted, (lang, key)
            # Markdown emphasis survives translation (an odd number of ** breaks the page)
            assert all(f.count("**") % 2 == 0 for f in forms), (lang, key)
            assert all(f.count("**") == _forms(german)[-1].count("**") for f in forms), (lang, key)


def test_plural_forms_are_the_languages_own() -> None:
    for lang in i18n.LANGUAGES:
        categories = i18n.plural_categories(lang)
        for key, message in i18n.catalogue(lang).items():
            if isinstance(message, dict):
                assert set(message) == categories, (lang, key, sorted(message))
                assert "n" in FIELDS.findall(message["other"]), (lang, key)
    assert i18n.plural_categories("ar") == {"zero", "one", "two", "few", "many", "other"}
    assert i18n.plural_categories("ru") == {"one", "few", "many", "other"}


def test_plural_choice_follows_cldr() -> None:
    assert [i18n.plural_category(n, "ru") for n in (1, 2, 5, 11, 21, 22, 25)] == [
        "one", "few", "many", "many", "one", "few", "many",
    ]  # fmt: skip
    assert [i18n.plural_category(n, "ar") for n in (0, 1, 2, 3, 11, 100)] == [
        "zero", "one", "two", "few", "many", "other",
    ]  # fmt: skip
    assert i18n.translate("concerns.readable", "de", n=1) == "1 Zeile ist lesbar."
    assert i18n.translate("concerns.readable", "de", n=1234) == "1.234 Zeilen sind lesbar."
    assert i18n.translate("concerns.readable", "en", n=2) == "2 rows can be read."
    # Russian: 21 takes the "one" form, 22 the "few" form, 25 the "many" form
    forms = i18n.catalogue("ru")["concerns.readable"]
    assert isinstance(forms, dict)
    assert i18n.translate("concerns.readable", "ru", n=21) == forms["one"].format(n="21")
    assert i18n.translate("concerns.readable", "ru", n=22) == forms["few"].format(n="22")
    assert i18n.translate("concerns.readable", "ru", n=25) == forms["many"].format(n="25")
    assert forms["one"] != forms["many"]


def test_quotation_marks_are_the_languages_own() -> None:
    # German »...«; English and Turkish “...”; Russian, Ukrainian and Arabic «...» (not the German order)
    for lang in ("en", "tr", "uk", "ru", "ar"):
        texts = [f for m in i18n.catalogue(lang).values() for f in _forms(m)]
        assert not [f for f in texts if "»" in f.split("«")[0] and "«" in f], lang
        if lang in ("en", "tr"):
            assert not [f for f in texts if "»" in f or "«" in f], lang


def test_every_language_has_a_review_state() -> None:
    for lang in i18n.LANGUAGES:
        assert lang in i18n.review_status(), lang
    assert not i18n.needs_review("de")
    assert i18n.needs_review("ar")  # until a native speaker confirms it


def test_number_and_date_formats() -> None:
    from datetime import date, datetime

    assert i18n.format_number(12345.67, "de", decimals=1) == "12.345,7"
    assert i18n.format_number(12345.67, "en", decimals=1) == "12,345.7"
    assert i18n.format_number(12345.67, "ru", decimals=1) == "12\xa0345,7"
    assert i18n.format_number(12345.67, "tr", decimals=1) == "12.345,7"
    assert i18n.format_number(float("nan"), "de") == "–"
    assert i18n.format_number(1000.5, "de", decimals=2, trim=True) == "1.000,5"  # trailing zeros dropped
    assert i18n.format_number(2.0, "de", decimals=1, trim=True) == "2"
    assert i18n.format_number(10, "en", decimals=2, trim=True) == "10"  # not "1"
    assert i18n.separators("de") == (",", ".")
    assert i18n.format_date(date(2026, 2, 3), "de") == "03.02.2026"
    assert i18n.format_date(date(2026, 2, 3), "en") == "03/02/2026"
    assert i18n.format_date(datetime(2026, 2, 3, 14, 5), "de", time=True) == "03.02.2026, 14:05"
    assert i18n.format_date(None, "de") == "–"
    assert i18n.translate("tandems.imported", "de", n=1234) == "1.234 Zeilen übernommen."


def test_fallbacks() -> None:
    assert i18n.translate("nav.explore", "xx") == "Erkunden"
    assert i18n.translate("gibt.es.nicht", "de") == "gibt.es.nicht"
    assert i18n.translate("map.as_of", "de", date="1.1.2024") == "Stand 1.1.2024"


def test_catalogue_covers_the_quartiersatlas_columns() -> None:
    from geo.data.indicators import catalogue

    cat = catalogue()
    assert len(cat.indicators) == 49
    assert len({i.column for i in cat.indicators}) == 49
    assert all(i.source and i.reference_date == "2021-12-31" for i in cat.indicators)
    assert cat.get("sgb2_quote").direction == "up"
    assert cat.get("gymnasium_pct").direction == "down"
    assert cat.get("sgb2_quote").label("en") == "SGB II rate"


def test_tables_show_numbers_as_the_reader_writes_them() -> None:
    import pandas as pd

    from geo.core.tables import localized

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
    nothing = localized(pd.DataFrame({"Tage": [None, None], "Name": ["A", None]}), "de").to_string()
    assert "None" not in nothing and nothing.count("–") == 3  # a column with nothing in it is not "None"


def test_streamlits_own_texts_have_a_translation_in_every_language() -> None:
    import re

    keys = set(i18n.STREAMLIT_TEXTS.values()) | {key for _r, key, _w in i18n.STREAMLIT_PATTERNS}
    for lang in i18n.LANGUAGES:
        missing = sorted(k for k in keys if k not in i18n.catalogue(lang))
        assert missing == [], (lang, missing)
    assert i18n.streamlit_texts("en") == {"exact": {}, "patterns": []}  # Streamlit's texts are English
    german = i18n.streamlit_texts("de")
    assert german["exact"]["Skip to main content"] == "Zum Hauptinhalt springen"
    by_regex = {regex: replacement for regex, replacement, _where in german["patterns"]}
    help_regex = next(r for r, k, _w in i18n.STREAMLIT_PATTERNS if k == "st.help_for")
    # what the browser does: the English text, matched, with the kept part in place of $1
    english = "Help for Nah am Welcome Point"
    kept = re.match(help_regex, english).group(1)  # type: ignore[union-attr]
    assert by_regex[help_regex].replace("$1", kept) == "Hilfe zu Nah am Welcome Point"
    for lang in ("tr", "ar", "uk", "ru"):
        texts = i18n.streamlit_texts(lang)
        assert texts["exact"]["Skip to main content"] != "Skip to main content"
        for regex, replacement, _where in texts["patterns"]:
            if "(.+) icon" not in regex:  # an icon's English name is dropped: "Symbol"
                assert "$1" in replacement, (lang, regex, replacement)


def test_spoken_languages_typed_in_german_are_named_in_the_pages_language() -> None:
    assert i18n.language_list("Deutsch, Arabisch, Persisch", "ar") == "الألمانية، العربية، الفارسية"
    assert i18n.language_list("Türkisch, Farsi", "tr") == "Türkçe, Farsça"
    assert i18n.language_name("Ukrainisch", "uk") == "українська"
    assert i18n.language_name(" Arabisch ", "de") == "Arabisch"
    assert i18n.language_name("Plattdeutsch der Oma", "ar") == "Plattdeutsch der Oma"  # unknown: as typed
    assert i18n.language_list("", "ar") == ""


def test_a_time_range_keeps_its_order_in_right_to_left_text() -> None:
    assert i18n.time_range("09:00", "11:00", "de") == "09:00–11:00"
    rtl = i18n.time_range("09:00", "11:00", "ar")
    assert rtl.replace("\u200e", "") == "09:00–11:00" and rtl.count("\u200e") == 4


def test_the_apps_languages_keep_their_order_in_right_to_left_text() -> None:
    assert i18n.ui_languages(["de", "en"], "de") == "Deutsch, English"
    shown = i18n.ui_languages(["de", "en"], "ar")
    assert shown == "\u2068Deutsch\u2069، \u2068English\u2069"  # each name isolated, the Arabic comma


def test_the_language_label_keeps_its_order_in_a_right_to_left_page() -> None:
    """Each name of the many-language label is an isolate: in Arabic the separators stayed in place."""
    from app_pages.ui.text import LANGUAGE_LABEL

    names = LANGUAGE_LABEL.split(" · ")
    assert len(names) == len({i18n.translate("app.language", code) for code in i18n.LANGUAGES}) >= 5
    assert all(n.startswith("\u2068") and n.endswith("\u2069") for n in names), names
    assert "\u2068اللغة\u2069" in names and "\u2068Sprache\u2069" in names
