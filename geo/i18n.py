"""
Translations: one function for every string a user sees, German first.

Catalogues are JSON files in `geo/locales/<lang>.json` mapping a message key to a text with
`str.format` placeholders. A key missing in a language falls back to German, then to the key itself.
"""

from __future__ import annotations

import json
import math
from functools import cache
from importlib import resources
from typing import Any

DEFAULT_LANGUAGE = "de"
LANGUAGES = {"de": "Deutsch", "en": "English"}
#: Languages written right to left (the page's ``dir``).
RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur"})


def direction(lang: str) -> str:
    """``"rtl"`` for a language written right to left, else ``"ltr"``."""
    return "rtl" if lang in RIGHT_TO_LEFT else "ltr"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The message catalogue of `lang` (empty for an unknown language)."""
    if lang not in LANGUAGES:
        return {}
    text = resources.files("geo").joinpath("locales", f"{lang}.json").read_text(encoding="utf-8")
    data: dict[str, str] = json.loads(text)
    return data


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
        Values for the placeholders; lists are joined with commas (at most 12 shown).

    Returns
    -------
    str
        The translated text; German when `lang` lacks the key; the key itself when no catalogue has it.
    """
    text = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    if not params:
        return text
    try:
        return text.format(**{k: _plain(v) for k, v in params.items()})
    except (KeyError, IndexError, ValueError):
        return text


def separators(lang: str = DEFAULT_LANGUAGE) -> tuple[str, str]:
    """The decimal mark and the thousands separator people in `lang` write: ``(",", ".")`` in German."""
    return (",", ".") if lang == "de" else (".", ",")


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
    decimal, thousands = separators(lang)
    text = f"{value:,.{decimals}f}"
    if trim and decimals > 0:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", decimal).replace("\x00", thousands)
