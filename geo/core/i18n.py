"""
Translations: one function for every string a user sees, German first.

Catalogues are JSON files in `geo/core/locales/<lang>.json` mapping a message key to a text with
`str.format` placeholders, or, for a text that counts something, to its plural forms by CLDR category
(``{"one": "{n} Zeile", "other": "{n} Zeilen"}``; Arabic has zero/one/two/few/many/other, Russian and
Ukrainian one/few/many/other). The form is chosen by the parameter ``n`` with Babel's CLDR rules (not
gettext's, which orders the Arabic forms differently). A key missing in a language falls back to German, then
to the key itself.

Numbers and dates are formatted by Babel for the language's locale (``12.345,6`` in German, ``12 345,6`` in
Russian); Arabic keeps Latin digits, as Düsseldorf's Arabic speakers read street numbers and phone numbers.
Which catalogues a native speaker has checked is recorded in `geo/core/locales/review.toml`.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd
from babel import Locale
from babel.dates import format_skeleton, format_time
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol

DEFAULT_LANGUAGE = "de"
#: The UI languages, each named in itself.
LANGUAGES = {
    "de": "Deutsch",
    "en": "English",
    "tr": "Türkçe",
    "ar": "العربية",
    "uk": "Українська",
    "ru": "Русский",
}
#: Languages written right to left (the page's ``dir``).
RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur"})
#: The Babel locale of a UI language where it is not the code itself (English as written in Europe:
#: 23/11/2026, not 11/23/2026).
_LOCALES = {"en": "en_GB"}


def direction(lang: str) -> str:
    """``"rtl"`` for a language written right to left, else ``"ltr"``."""
    return "rtl" if lang in RIGHT_TO_LEFT else "ltr"


@cache
def _locale(lang: str) -> Locale:
    code = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    return Locale.parse(_LOCALES.get(code, code))


@cache
def _german_language_codes() -> dict[str, str]:
    """German language names (as people type them: ``Arabisch``) -> their code, from CLDR via Babel."""
    names = {name.casefold(): code for code, name in Locale.parse("de").languages.items()}
    names |= {"farsi": "fa", "kurmandschi": "kmr"}  # names people use that CLDR spells otherwise
    return names


def language_name(german: str, lang: str) -> str:
    """
    A spoken language typed in German (``Persisch``) named in `lang` (``الفارسية``); as typed when unknown.

    Languages are stored as people type them in German (the programme's working language); a page in
    another language names them in its own.
    """
    code = _german_language_codes().get(german.strip().casefold())
    if code is None or lang == "de":
        return german.strip()
    named = _locale(lang).languages.get(code)
    return str(named) if named else german.strip()


def language_list(german: str, lang: str) -> str:
    """A comma-separated list of German language names (``Deutsch, Arabisch``) in `lang`."""
    parts = [p for p in (x.strip() for x in german.split(",")) if p]
    return ("، " if lang == "ar" else ", ").join(language_name(p, lang) for p in parts)


def ui_languages(codes: Iterable[str], lang: str) -> str:
    """
    The app's languages by code (``de``, ``ar``) as each names itself, as a list in `lang`.

    On a right-to-left page each name is isolated (U+2068 … U+2069) and the Arabic comma separates them, so
    ``Deutsch, English`` keeps its order inside an Arabic sentence.
    """
    names = [LANGUAGES.get(code, code) for code in codes]
    if direction(lang) == "rtl":
        return "، ".join(f"\u2068{name}\u2069" for name in names)
    return ", ".join(names)


def time_range(start: str, end: str, lang: str) -> str:
    """``09:00–11:00`` that reads in the right order in right-to-left text too (marks keep it together)."""
    mark = "\u200e" if direction(lang) == "rtl" else ""
    return f"{mark}{start}{mark}–{mark}{end}{mark}"


def plural_categories(lang: str) -> frozenset[str]:
    """The CLDR plural categories `lang` distinguishes (always including ``"other"``)."""
    return frozenset(_locale(lang).plural_form.tags) | {"other"}


def plural_category(n: float, lang: str) -> str:
    """The CLDR plural category of the count `n` in `lang` (``"one"``, ``"few"``, ...)."""
    return str(_locale(lang).plural_form(abs(n)))


Message = str | dict[str, str]


@cache
def catalogue(lang: str) -> dict[str, Message]:
    """The message catalogue of `lang` (empty for an unknown language)."""
    if lang not in LANGUAGES:
        return {}
    text = resources.files("geo.core").joinpath("locales", f"{lang}.json").read_text(encoding="utf-8")
    data: dict[str, Message] = json.loads(text)
    return data


@cache
def review_status() -> dict[str, dict[str, Any]]:
    """Per language: whether a native speaker has checked the catalogue (``reviewed``) and who/when."""
    text = resources.files("geo.core").joinpath("locales", "review.toml").read_text(encoding="utf-8")
    data: dict[str, dict[str, Any]] = tomllib.loads(text)
    return data


def needs_review(lang: str) -> bool:
    """True while no native speaker has confirmed the catalogue of `lang`."""
    return not review_status().get(lang, {}).get("reviewed", False)


# --- a city's words ------------------------------------------------------------------------------------
# The catalogues name the levels of units with Düsseldorf's words (Sozialraum, Stadtteil, Stadtbezirk) and
# the city by its name. A city profile (`geo.data.city`) says per language what to write instead: whole words or
# phrases (``"im Stadtteil" = "in der Bezirksregion"``), the longest first, a capital first letter kept.
# The words in use are, first, those given to a `city_words` block (a document made for a dataset); then
# those of the words source (the app registers one that reads the browser session's dataset); then the
# process's (`use_words`: the command line, after it has loaded its dataset).

#: Per language: the city's word for each of the catalogue's words.
Words = Mapping[str, Mapping[str, str]]
#: Phrases the catalogue uses that a city's words never change: the programme's own names.
KEEP_WORDS = ("Sozialraum-Karte", "Sozialraum-Karte'den")
_block_words: ContextVar[Words | None] = ContextVar("city_words", default=None)
#: ``process``: the process's words (`use_words`); ``source``: where a session's come from.
_WORDS: dict[str, Any] = {"process": {}, "source": None}


def set_words_source(source: Callable[[], Words | None] | None) -> None:
    """Where the words come from when no block gives them (the app: the session's dataset); None: nowhere."""
    _WORDS["source"] = source


def use_words(words: Words | None) -> None:
    """The words of the city whose data this process shows (None or empty: the catalogue's own)."""
    _WORDS["process"] = words or {}


@contextmanager
def city_words(words: Words | None) -> Iterator[None]:
    """Within the block, the catalogue speaks of the levels with `words` (a profile's)."""
    token = _block_words.set(words or {})
    try:
        yield
    finally:
        _block_words.reset(token)


def set_block_words(words: Words | None) -> Token[Words | None]:
    """`city_words` without the block (for a hot path): the words until `reset_block_words(token)`."""
    return _block_words.set(words or {})


def reset_block_words(token: Token[Words | None]) -> None:
    """Undo `set_block_words`."""
    _block_words.reset(token)


def active_words() -> Words:
    """The words in use here: a `city_words` block's, else the process's."""
    block = _block_words.get()
    if block is not None:
        return block
    source = _WORDS["source"]
    found = source() if source is not None else None
    process: Words = _WORDS["process"]
    return process if found is None else found


@cache
def _rewriter(pairs: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    table: dict[str, str] = {keep: keep for keep in KEEP_WORDS}
    for old, new in pairs:
        table.setdefault(old, new)
        table.setdefault(old[:1].upper() + old[1:], new[:1].upper() + new[1:])
    alternatives = "|".join(
        re.escape(old[:-1]) + r"\w*" if old.endswith("*") else re.escape(old)
        for old in sorted(table, key=lambda w: len(w.rstrip("*")), reverse=True)
    )
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)"), table


def _replacement(found: str, table: dict[str, str]) -> str:
    """The city's word for `found`: its own entry, or a stem's (``"ilçe*"``) with `found`'s ending."""
    if found in table:
        return table[found]
    stem = max((old for old in table if old.endswith("*") and found.startswith(old[:-1])), key=len)
    return table[stem].removesuffix("*") + found[len(stem) - 1 :]


def with_words(text: str, lang: str, words: Words | None = None) -> str:
    """
    `text` (a catalogue text in `lang`) with the city's `words` (default: the active ones).

    An entry replaces a whole word or phrase; one ending in ``*`` replaces a stem and keeps the ending
    (``"Stadtbezirk*" = "Bezirk*"``: Stadtbezirken -> Bezirken). A word that starts a sentence or a label keeps
    its capital.
    """
    table = (active_words() if words is None else words).get(lang)
    if not table:
        return text
    pattern, replacements = _rewriter(tuple(sorted(table.items())))

    def replace(match: re.Match[str]) -> str:
        new = _replacement(match.group(0), replacements)
        before = text[: match.start()].rstrip(' *»“«"(')
        if match.group(0)[:1].isupper() and (not before or before[-1] in ".!?:\n–—·"):
            return new[:1].upper() + new[1:]  # a sentence or a label starts with it
        return new

    return pattern.sub(replace, text)


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple | set):
        items = [str(v) for v in value]
        shown = ", ".join(items[:12])
        return shown + (f" … (+{len(items) - 12})" if len(items) > 12 else "")
    return value


def translate(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: Any) -> str:
    """
    The text for `key` in `lang`, with `params` filled in.

    Parameters
    ----------
    key
        Message key, for example ``"explore.title"``.
    lang
        Language code from `LANGUAGES`.
    **params
        Values for the placeholders; lists are joined with commas (at most 12 shown). A number given as
        ``n`` chooses the plural form and is written as `lang` writes numbers (``1.234``).

    Returns
    -------
    str
        The translated text; German when `lang` lacks the key; the key itself when no catalogue has it.
    """
    message = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    raw = params.get("n")
    count = float(raw) if isinstance(raw, int | float) and not isinstance(raw, bool) else None
    if isinstance(message, dict):
        form = plural_category(count, lang) if count is not None else "other"
        text = message.get(form) or message["other"]
    else:
        text = message
    text = with_words(text, lang)
    if not params:
        return text
    if count is not None:
        params = {
            **params,
            "n": format_number(count, lang, decimals=0 if count.is_integer() else 2, trim=True),
        }
    try:
        return text.format(**{k: _plain(v) for k, v in params.items()})
    except (KeyError, IndexError, ValueError):
        return text


def separators(lang: str = DEFAULT_LANGUAGE) -> tuple[str, str]:
    """The decimal mark and the thousands separator people in `lang` write: ``(",", ".")`` in German."""
    locale = _locale(lang)
    return get_decimal_symbol(locale), get_group_symbol(locale)


def format_number(
    value: float | None, lang: str = DEFAULT_LANGUAGE, *, decimals: int = 1, trim: bool = False
) -> str:
    """
    A number as people in `lang` write it: ``12.345,6`` in German, ``12,345.6`` in English.

    Missing values (None, NaN) become an en dash. With `trim`, trailing zero decimals are dropped
    (``1,50`` -> ``1,5``, ``2,0`` -> ``2``).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    places = ("#" if trim else "0") * decimals
    pattern = "#,##0" + (f".{places}" if decimals > 0 else "")
    return str(format_decimal(round(float(value), decimals), format=pattern, locale=_locale(lang)))


def format_date(value: date | datetime | None, lang: str = DEFAULT_LANGUAGE, *, time: bool = False) -> str:
    """
    A date (with `time`, date and hour:minute) as people in `lang` write it.

    ``23.11.2026`` / ``23.11.2026, 14:05`` in German, ``23/11/2026`` in English, ``23.11.2026`` in Russian.
    Missing values become an en dash.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value is pd.NaT:
        return "–"
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    locale = _locale(lang)
    # The locale's own order and separators, day and month with two digits: 03.02.2026, 03/02/2026.
    text = str(format_skeleton("yMMdd", value, locale=locale))
    if time and isinstance(value, datetime):
        text += ", " + str(format_time(value, "short", locale=locale))
    return text


def format_dates(values: Any, lang: str = DEFAULT_LANGUAGE, *, time: bool = False) -> Any:
    """`format_date` applied to every value of a pandas Series."""
    return values.map(lambda v: format_date(v, lang, time=time))


# --- Streamlit's own texts ------------------------------------------------------------------------------
# Streamlit writes its own controls' texts in English and has no setting for another language: the skip
# link, the sidebar's buttons, "Help for …" on the question marks, the file uploader, the table toolbar,
# date pickers. The page-setup component replaces them in the browser with these translations (exact texts
# and patterns; a pattern's `{label}` stands for what Streamlit put there, usually the app's own German
# label). Texts found by walking every page in Chromium with Streamlit 1.67; one that a newer Streamlit
# words differently simply stays English.

#: Streamlit's English text -> catalogue key (text nodes and the attributes aria-label, title, placeholder).
STREAMLIT_TEXTS = {
    "Skip to main content": "st.skip_to_main",
    "App pages": "st.app_pages",
    "Sidebar": "st.sidebar",
    "Collapse sidebar": "st.collapse_sidebar",
    "Expand sidebar": "st.expand_sidebar",
    "Open": "st.open",
    "Close": "st.close",
    "Link to heading": "st.link_to_heading",
    "Choose date range": "st.choose_date_range",
    "Choose a date": "st.choose_date",
    "Clear all": "st.clear_all",
    "Clear value": "st.clear_value",
    "Increment": "st.increment",
    "Decrement": "st.decrement",
    "Download as CSV": "st.download_csv",
    "Fullscreen": "st.fullscreen",
    "Close fullscreen": "st.close_fullscreen",
    "Search": "st.search",
    "Show/hide columns": "st.show_hide_columns",
    "Selected values": "st.selected_values",
    "Show password": "st.show_password",
    "Hide password": "st.hide_password",
    "No results": "st.no_results",
    "Choose an option": "st.choose_option",
    "Choose options": "st.choose_options",
    "Drag and drop a file here": "st.drop_file",
    "Drag and drop files here": "st.drop_files",
    "Upload": "st.upload",
    "Add files": "st.add_files",
    "Help": "st.help",
    "view more": "st.view_more",
    "view less": "st.view_less",
    "Page not found": "st.page_not_found",
    "The page that you have requested does not seem to exist. Running the app's main page.": "st.page_not_found_text",
}
#: Regular expressions over Streamlit's English texts (one group: the part kept) -> catalogue key with
#: `{label}`; the third item says where they apply (``"text"``, ``"attr"`` or ``"both"``).
STREAMLIT_PATTERNS = (
    (r"^Help for (.+)$", "st.help_for", "both"),
    (r"^Remove (.+)$", "st.remove", "attr"),
    (r"^(.+) per file$", "st.per_file", "text"),
    (r"^(.+) start date$", "st.start_date", "attr"),
    (r"^(.+) end date$", "st.end_date", "attr"),
    (r"^day, (.+)$", "st.day", "attr"),
    (r"^month, (.+)$", "st.month", "attr"),
    (r"^year, (.+)$", "st.year", "attr"),
    (r"^Selected Date: (.+)$", "st.selected_date", "text"),
    (r"^(.+) icon$", "st.icon", "attr"),
    (r"^View (\d+) more$", "st.view_n_more", "text"),  # the sidebar's page list when it is long
)


def streamlit_texts(lang: str) -> dict[str, Any]:
    """
    What the browser needs to put Streamlit's own texts into `lang` (empty for English).

    Returns
    -------
    dict
        ``exact``: English text -> translation; ``patterns``: ``[regex, replacement with $1, where]``.
    """
    if lang == "en" or lang not in LANGUAGES:
        return {"exact": {}, "patterns": []}
    exact = {english: translate(key, lang) for english, key in STREAMLIT_TEXTS.items()}
    patterns = [
        [regex, translate(key, lang, label="\x00").replace("\x00", "$1"), where]
        for regex, key, where in STREAMLIT_PATTERNS
    ]
    return {"exact": exact, "patterns": patterns}
