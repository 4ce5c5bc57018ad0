"""
Where residents may speak a tandem's languages: nationality counts per Stadtteil, mapped to languages.

The city publishes foreign residents by nationality per Stadtteil (not per Sozialraum). A Sozialraum's
estimate is its population times the share of its Stadtteil's residents with a matching nationality: the
same share is assumed across a Stadtteil, and nationality stands in for language (Germans with a family
history are not counted). It is a guide for planning, and every view that uses it says so.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

import pandas as pd

from geo.core.errors import DataError, MissingColumnError
from geo.core.report import Report
from geo.data.sources import parse_numbers, read_table, uses_decimal_comma

#: Columns of a nationality table that are totals or a remainder, not one nationality.
NOT_A_NATIONALITY = {
    "ausl_total",
    "auslaender",
    "ausländer",
    "insgesamt",
    "gesamt",
    "summe",
    "total",
    "sonstige",
}
_KEY_COLUMNS = (
    "stadtteil_nummer",
    "stadtteil_nr",
    "stadtteilnummer",
    "nummer",
    "stadtteil_name",
    "stadtteil",
    "name",
)


@cache
def _languages_by_nationality() -> dict[str, tuple[str, ...]]:
    data = tomllib.loads((Path(__file__).parent / "sprachen.toml").read_text(encoding="utf-8"))
    return {_key(k): tuple(v) for k, v in data["nationalitaeten"].items()}


def _key(text: str) -> str:
    """A name for matching: case, accents, umlaut spellings (ü/ue), spaces and punctuation ignored."""
    text = str(text).casefold().replace("ß", "ss")
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue")):
        text = text.replace(umlaut, spelled)
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in text if not unicodedata.combining(c)))


def clean_header(text: str) -> str:
    """A column header without the line-break hyphen of its PDF source: ``Griechen- land`` -> ``Griechenland``."""
    return re.sub(r"\s+", " ", re.sub(r"(\w)-\s+(\w)", r"\1\2", str(text))).strip()


def languages_of(nationality: str) -> tuple[str, ...]:
    """The languages people of `nationality` are likely to speak (empty when the nationality is not listed)."""
    return _languages_by_nationality().get(_key(nationality), ())


def read_nationalities(
    path: str | Path, stadtteile: Mapping[str, str], *, report: Report | None = None
) -> pd.DataFrame:
    """
    Read a table of residents by nationality per Stadtteil.

    Parameters
    ----------
    path
        CSV or XLSX with one row per Stadtteil: a key column (Stadtteil number, ``"NNN Name"`` or the name)
        and one column of counts per nationality. Totals and "sonstige" are left out; empty cells are 0
        (the city leaves small counts empty).
    stadtteile
        Stadtteil number (3 characters) -> name, to match rows given by name.
    report
        Receives a warning naming rows that match no Stadtteil.

    Returns
    -------
    pandas.DataFrame
        Index `stadtteil_nr` (3 characters), one float column per nationality (headers cleaned).

    Raises
    ------
    geo.core.errors.DataError
        When there is no key column or no row matches a Stadtteil.
    """
    path = Path(path)
    raw = read_table(path)
    by_key = {_key(c): c for c in raw.columns}
    key_col = next((by_key[k] for k in map(_key, _KEY_COLUMNS) if k in by_key), None)
    if key_col is None:
        raise MissingColumnError(
            "error.column_missing", file=path.name, column="Stadtteil", found=list(raw.columns)
        )
    names = {_key(name): nr for nr, name in stadtteile.items()}
    numbers = set(stadtteile)

    def stadtteil(value: object) -> str | None:
        text = str(value).strip()
        if m := re.match(r"^(\d{1,3})\b", text):
            nr = m.group(1).zfill(3)
            return nr if nr in numbers else None
        return names.get(_key(text))

    keys = raw[key_col].map(stadtteil)
    unmatched = raw.loc[keys.isna(), key_col].astype(str).tolist()
    if keys.notna().sum() == 0:
        raise DataError("error.nationalities_unmatched", file=path.name, examples=", ".join(unmatched[:3]))
    if unmatched and report is not None:
        report.warning("nationality_rows_unmatched", ids=unmatched)
    counts = raw.loc[keys.notna()].drop(columns=[key_col])
    counts.columns = [clean_header(c) for c in counts.columns]
    totals = {_key(n) for n in NOT_A_NATIONALITY}
    counts = counts[[c for c in counts.columns if _key(c) not in totals]]
    comma = uses_decimal_comma(counts)  # decided per file: "1.234" is a thousand only in a decimal-comma file
    numeric = pd.DataFrame({c: parse_numbers(counts[c], decimal_comma=comma)[0] for c in counts.columns})
    numeric = numeric.loc[:, numeric.notna().any()].fillna(0.0).astype(float)
    negative = numeric.lt(0).any(axis=1)
    if negative.any():  # a count of people below zero: a sign error or a shifted column, never a fact
        rows = raw.loc[keys.notna(), key_col][negative.to_numpy()].astype(str).tolist()
        raise DataError("error.nationalities_negative", file=path.name, examples=", ".join(rows[:3]))
    numeric.index = pd.Index(keys[keys.notna()].tolist(), name="stadtteil_nr")
    return numeric.groupby(level=0).sum()


def speakers(
    spaces: pd.DataFrame, nationalities: pd.DataFrame, languages: Iterable[str]
) -> tuple[pd.Series, tuple[str, ...]]:
    """
    Estimated residents per Sozialraum with a nationality whose language is among `languages`.

    Returns
    -------
    tuple
        A Series indexed by `sozialraum_id` (NaN where the population is unknown) and the nationalities that
        matched, most numerous first. The share of a Stadtteil's residents is taken to hold in each of its
        Sozialräume; a Stadtteil's residents are the sum of its Sozialräume's population (`bevoelkerung`).
    """
    wanted = {_key(lang) for lang in languages}
    matched = [c for c in nationalities.columns if wanted & {_key(lang) for lang in languages_of(c)}]
    matched.sort(key=lambda c: -float(nationalities[c].sum()))
    ids = spaces["sozialraum_id"]
    if "bevoelkerung" not in spaces:
        return pd.Series(float("nan"), index=ids.values, name="speakers"), tuple(matched)
    if not matched:
        return pd.Series(0.0, index=ids.values, name="speakers"), ()
    by_id = spaces.set_index("sozialraum_id")
    population, stadtteil = by_id["bevoelkerung"], by_id["stadtteil_nr"]
    residents = population.groupby(stadtteil).sum(min_count=1)
    share = (nationalities[matched].sum(axis=1) / residents.reindex(nationalities.index)).clip(upper=1.0)
    estimate = population * stadtteil.map(share).fillna(0.0)
    return estimate.rename("speakers"), tuple(matched)
