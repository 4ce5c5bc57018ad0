"""Tables that are safe to open in a spreadsheet program."""

from __future__ import annotations

import pandas as pd

#: A cell starting with one of these is read as a formula by Excel or LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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
    return text.encode("utf-8-sig")
