"""What a page says: the user's language, translated texts, labels for pickers, text from data made safe."""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from geo.core import i18n, tables

LOG = logging.getLogger("sozialraum_karte.ui")


def plain(text: object) -> str:
    """
    Text typed by a user or read from data, safe to put into Markdown: shown exactly as written.

    Without this, ``![x](https://host/p.png)`` in a concern would make every reader's browser fetch an image
    from an outside host, and ``**`` or ``$`` would change how the text looks. On a right-to-left page the
    text is isolated (U+2068 … U+2069, after the text's own bidi controls were removed), so a German title
    keeps its question mark at its end instead of jumping to the Arabic sentence's side.
    """
    shown = tables.markdown_text(text)
    if shown and i18n.direction(lang()) == "rtl":
        return f"\u2068{shown}\u2069"
    return shown


_BOUND_LANGUAGE: contextvars.ContextVar[str | None] = contextvars.ContextVar("bound_language", default=None)


def lang() -> str:
    """The language the user chose (German by default)."""
    bound_language = _BOUND_LANGUAGE.get()
    if bound_language is not None:
        return bound_language
    return str(st.session_state.get("lang", i18n.DEFAULT_LANGUAGE))


def bound(func: Callable[[Any], str]) -> Callable[[Any], str]:
    """
    A widget's `format_func` that speaks the language of the run that made it.

    Streamlit may call a format function after the run (the testing tree re-formats a chosen value outside
    any session), where the session's language cannot be read; the labels must stay those the user saw.
    """
    language = lang()
    words = i18n.active_words()
    made: dict[Any, str] = {}  # Streamlit formats each option once per run, the chosen one again

    def call(value: Any) -> str:
        try:
            return made[value]
        except (KeyError, TypeError):  # not made yet, or an option that is no dictionary key
            pass
        token = _BOUND_LANGUAGE.set(language)
        words_token = i18n.set_block_words(words)
        try:
            text = func(value)
        finally:
            i18n.reset_block_words(words_token)
            _BOUND_LANGUAGE.reset(token)
        with contextlib.suppress(TypeError):
            made[value] = text
        return text

    return call


#: The words of each browser session whose dataset names its levels otherwise than the catalogue (by session
#: id; Düsseldorf's sessions have no entry). A dictionary look-up: `t` asks for it with every text.
SESSION_WORDS: dict[str, i18n.Words] = {}


def _session_words() -> i18n.Words | None:
    """How this browser session's dataset names its levels (`speak_city`); None outside a session's run."""
    ctx = get_script_run_ctx()
    return None if ctx is None else SESSION_WORDS.get(ctx.session_id)


i18n.set_words_source(_session_words)


def labelled(labels: Mapping[Any, str]) -> Callable[[Any], str]:
    """A widget's `format_func` from a mapping of option -> label (the option itself when it has none)."""
    return lambda value: labels.get(value, str(value))


def t(key: str, **params: object) -> str:
    """Translate `key` into the user's language."""
    return i18n.translate(key, lang(), **params)


#: The language picker's label, in every language: someone who reads no German still finds it. Each name is a
#: bidirectional isolate (FSI ... PDI): in an Arabic page the Latin and Cyrillic names no longer pull the
#: separators out of place ("Мова · · اللغة").
LANGUAGE_LABEL = " · ".join(
    f"\u2068{name}\u2069"
    for name in dict.fromkeys(i18n.translate("app.language", code) for code in i18n.LANGUAGES)
)
