"""The frame of every page: its style and language, plain error messages, the demo notice, "Was heißt das?"."""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Iterator

import streamlit as st

from app_pages.ui.scripts import read_script
from app_pages.ui.text import LOG, lang, plain, t
from geo.core import files, glossary, i18n
from geo.core.errors import SozialraumError
from geo.data import dataset


@contextlib.contextmanager
def friendly_errors() -> Iterator[None]:
    """Show a data problem as one plain sentence in the user's language, never a traceback."""
    try:
        yield
    except SozialraumError as exc:
        st.error(exc.markdown(lang()))
    except OSError as exc:  # a full disk, a read-only or missing folder: the operator can fix it
        LOG.exception("file system error on a page")
        st.error(t("error.os", reason=files.reason(exc)))
    except Exception as exc:  # the last line of defence: a sentence for the user, the traceback in the log
        LOG.exception("unexpected error on a page")
        st.error(t("app.internal_error", kind=type(exc).__name__))


def demo_notice(meta: dataset.DatasetMeta) -> None:
    """A visible notice when the data shown is the synthetic demo."""
    if meta.demo:  # one line, so that the map stays in the first screen; the map itself says it again
        st.caption(f":material/science: **{t('map.demo_mark')}**: {t('app.demo_notice_short')}")


#: Streamlit draws captions in the text colour at 60 % opacity: #828180 on white, 3.88:1, below WCAG's
#: 4.5:1 for text. Full opacity in #5f5e5d is 6.4:1 and still reads as secondary.
#: (`html body` in front: Streamlit adds its own rules later, and an equally specific later rule would win.)
#: A Steckbrief the phone scrolls to (`geo/output/web/map.js`, `bringIntoView`) stops below the page's header,
#: which had covered its heading.
#: Someone whose device asks for less motion (vestibular disorders, WCAG 2.3.3) gets no sliding sidebar,
#: fading map or pulsing placeholder. Transitions are off (a 0.01 ms one still cost the browser as much work
#: as the full one when the window changed size); animations end at once, so their end events still come.
PAGE_CSS = """
html body [data-testid="stCaptionContainer"] { color: #5f5e5d; opacity: 1; }
html body [data-testid="stMainBlockContainer"] { padding-top: 4rem; }
html body [data-testid="stHeading"] h1 { font-size: 2rem; padding-top: 0.25rem; }
html body [data-testid="stBaseButton-tertiary"] { justify-content: flex-start; text-align: start; }
html body [data-testid^="stBaseButton-"], html body [data-testid="stButtonGroup"] button,
html body [data-testid="stPopoverButton"] { min-height: 44px; }
html body [data-testid="stExpandSidebarButton"] { min-width: 44px; height: 44px; width: auto; gap: 4px;
  padding: 0 10px; border: 1px solid #8a8886; border-radius: 8px; }
html body [data-testid="stExpandSidebarButton"]::after { content: var(--sk-menu); font-size: 15px;
  font-weight: 600; white-space: nowrap; }
html body .st-key-explore_profile { scroll-margin-top: 4.5rem; }
@media (prefers-reduced-motion: reduce) {
  html body *, html body *::before, html body *::after { transition: none !important;
    animation-duration: 0.01ms !important; animation-iteration-count: 1 !important;
    scroll-behavior: auto !important; }
}
"""
#: Right-to-left languages: the text runs right to left, but Streamlit's frame stays as it is built (its
#: sidebar slides out to the left; with ``<html dir="rtl">`` a folded phone sidebar stayed half on the page).
#: The map keeps Leaflet's own left-to-right geometry; its legend, source line and tooltips read right to left.
RTL_CSS = """
[data-testid="stMain"], [data-testid="stSidebarContent"], [role="dialog"] { direction: rtl; }
[data-testid="stMain"] .leaflet-container, [data-testid="stVegaLiteChart"] { direction: ltr; }
[data-testid="stMain"] .leaflet-container .sk-legend, [data-testid="stMain"] .leaflet-container .sk-source,
[data-testid="stMain"] .leaflet-container .leaflet-tooltip { direction: rtl; text-align: right; }
"""

# Sets the page's language on every run and adds the house CSS to the document once (it stays
# across reruns and page changes, unlike an element that a rerun replaces).
_PAGE_JS = read_script("page.js")
_page_language = st.components.v2.component("sk_page_language", js=_PAGE_JS)


def page_setup() -> None:
    """
    Once per run, before anything else is drawn: the page's language, the house CSS and the text direction.

    Streamlit writes ``<html lang="en">`` whatever the page says; screen readers pick their voice from it.
    """
    code = lang()
    menu = json.dumps(
        t("app.menu_button"), ensure_ascii=False
    )  # a CSS string: the label of the sidebar's toggle, in words
    css = PAGE_CSS + f":root {{ --sk-menu: {menu}; }}\n" + (RTL_CSS if i18n.direction(code) == "rtl" else "")
    _page_language(
        data={
            "lang": code,
            "css": css,
            "texts": i18n.streamlit_texts(code),
            "top": int(st.session_state.get("app_logins", 0)),  # a new login: back to the top of the page
        },
        key="app_page_language",
        height="content",
    )


def explain_words(page: str, *, first: list[tuple[str, str]] | None = None, where: object = st) -> None:
    """
    "Was heißt das?": the page's words a reader may not know, one plain sentence each (`geo.core.glossary`).

    `first` puts what matters most right now on top (the indicator shown on the map).
    """
    text = _words_markdown(page, lang(), tuple(first or ()))
    if not text:
        return
    with where.popover(t("app.explain_button"), icon=":material/help:", key=f"{page}_glossary"):  # type: ignore[attr-defined]
        st.markdown(text)


@functools.lru_cache(maxsize=256)
def _words_markdown(page: str, language: str, first: tuple[tuple[str, str], ...]) -> str:
    """The list `explain_words` shows, escaped; made once per page, language and first word (every rerun asks)."""
    pairs = [*first, *glossary.for_page(page, language)]
    return "\n".join(f"- **{plain(word)}**: {plain(sentence)}" for word, sentence in pairs)
