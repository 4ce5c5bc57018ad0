"""Tables that are safe to open in a spreadsheet program, and tables shown with numbers as the reader writes them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from geo.core import i18n

if TYPE_CHECKING:  # the Styler (and jinja2 with it) is imported by pandas when a table is first styled
    from pandas.io.formats.style import Styler

#: A cell starting with one of these is read as a formula by Excel or LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: Control characters (C0 without tab, line feed and carriage return; DEL; C1), and the bidirectional
#: embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) that reorder the text around them
#: ("Trojan Source", CVE-2021-42574: a name that reads differently from what it is). The register keeps them
#: as typed; every output (HTML, Markdown, iCalendar, XLSX, PDF, mail) gets the text without them. The
#: plain marks LRM, RLM and ALM stay: they change no order outside their own word.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: object) -> str:
    """`text` as a string without control characters (see `CONTROL_CHARACTERS`)."""
    return CONTROL_CHARACTERS.sub("", str(text))


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """
    A copy of `frame` in which no text cell can run as a spreadsheet formula.

    Notes
    -----
    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe
    (OWASP's advice against CSV injection). Numbers are left as numbers.
    """
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(
                lambda v: f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_PREFIXES) else v
            )
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """`frame` as CSV for German spreadsheets: `;`-separated, decimal comma, UTF-8 with BOM, formulas inert."""
    text = neutralise_formulas(frame).to_csv(sep=";", decimal=",", index=False)
    return bytes(text.encode("utf-8-sig"))


def localized(
    frame: pd.DataFrame,
    lang: str,
    *,
    decimals: Mapping[str, int] | None = None,
    row_decimals: pd.Series | None = None,
) -> Styler:
    """
    `frame` for display with numbers as people in `lang` write them (``12.345,6`` in German).

    The cells keep their numbers, so a table stays sortable by value; only what is shown changes. Missing
    values show as an en dash.

    Parameters
    ----------
    frame
        The table; its index and columns are shown as they are.
    lang
        Language code (``de`` or ``en``) that decides the decimal and thousands separators.
    decimals
        Decimals per column; otherwise whole-number columns get none and the others one.
    row_decimals
        Decimals per row (indexed like `frame`), for tables whose rows are indicators of different kinds.
    """
    decimal, thousands = i18n.separators(lang)
    styler = frame.style
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) and frame[c].dtype != bool]
    if other := [c for c in frame.columns if c not in numeric]:  # e.g. a column of None: "–", not "None"
        styler = styler.format(na_rep="–", subset=other)
    if row_decimals is not None:
        for places in sorted(set(row_decimals.dropna().astype(int))):
            rows = row_decimals.index[row_decimals == places]
            styler = styler.format(
                precision=places, decimal=decimal, thousands=thousands, na_rep="–", subset=(rows, numeric)
            )
        return styler
    for col in numeric:
        places = (decimals or {}).get(col, 0 if pd.api.types.is_integer_dtype(frame[col]) else 1)
        styler = styler.format(
            precision=places, decimal=decimal, thousands=thousands, na_rep="–", subset=[col]
        )
    return styler


#: Characters that Markdown (as Streamlit renders it) would read as formatting, links, maths or tags.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


#: Where GitHub-flavoured Markdown turns plain text into a web link (``www.``, ``http://``) after the escapes
#: are read: an invisible WORD JOINER (U+2060) there keeps it text. E-mail addresses stay as they are (a
#: ``mailto:`` link fetches nothing, and an address copied from the page must still work).
_AUTOLINK = re.compile(r"(?i)\b(www)(?=\.)|\b(https?|ftp)(?=:)")


def markdown_text(text: object) -> str:
    """
    Text from users or data, safe in Markdown: shown exactly as written (line breaks kept), never a link.

    Markdown's own characters are escaped; web addresses that the renderer would link on its own
    (``www.x.de``, ``https://…``, read after the escapes) get an invisible word joiner, so they stay text.
    """
    text = _AUTOLINK.sub(lambda m: m.group(0) + "\u2060", printable(text))
    return MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\r\n", "\n").replace("\n", "  \n")


def markdown_table(frame: pd.DataFrame, lang: str, *, row_decimals: pd.Series | None = None) -> str:
    """
    `frame` as a Markdown table, numbers written for `lang`, every cell escaped.

    A few hundred bytes where an interactive table sends its schema and data as Arrow (about 5 KB for
    the 15 rows of a Steckbrief), and it reads well on a phone.
    """

    def cell(value: object, places: int) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return i18n.format_number(value, lang, decimals=places)
        return markdown_text(value if pd.notna(value) else "–")

    header = "| " + " | ".join(markdown_text(c) for c in frame.columns) + " |"
    align = (
        "|"
        + "|".join(":--" if not pd.api.types.is_numeric_dtype(frame[c]) else "--:" for c in frame.columns)
        + "|"
    )
    rows = []
    for label, row in frame.iterrows():
        places = int(row_decimals[label]) if row_decimals is not None and label in row_decimals.index else 1
        rows.append("| " + " | ".join(cell(v, places) for v in row.tolist()) + " |")
    return "\n".join([header, align, *rows])
