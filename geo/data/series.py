"""
Time series: values of a Sozialraum or a Stadtteil at several reference dates.

One long table per dataset (`SERIES_FILE`): ``level;id;indicator;date;value;kind;source`` where `level` is
``sozialraum`` (6-digit ID) or ``stadtteil`` (3-digit number, or ``032/033`` where the city reports two
Stadtteile together), `date` the reference date (ISO), `kind` ``observed`` or ``forecast``. A Stadtteil value is
kept as a Stadtteil value: it is never spread over or passed off as the values of its Sozialräume.

`read_series` takes the long format itself or one of the city's own tables, recognised by their columns:

- Wohnbevölkerung nach Alter, Wohnquartiere (2021, 2022, 2024): 9-digit Wohnquartier keys whose first six
  digits are the Sozialraum ID (2021 drops the leading zero); the tables of 2014–2020 use an older scheme of
  373 quartiers with 6-digit keys that are no Sozialräume and are refused (`error.series_old_keys`); added up
  to Sozialräume as population and the
  age groups that match the Quartiersatlas (under 6, 6–17, 18–29, 30–49, 50–64). The reference date is the
  31 December of the year in the file name. Empty cells are suppressed or zero and count as 0; a Sozialraum
  whose quartiers are all empty has no value.
- Bevölkerungsstand in den Stadtteilen seit 2012: population per Stadtteil and year.
- Bevölkerung mit Migrationshintergrund (2020–2024): population and the share with a migration history per
  Stadtteil and year.
- Prognose der Bevölkerungsentwicklung … bis 2035: population per Stadtteil in the base year and 2035 (kind
  ``forecast`` for 2035).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from geo.core.errors import DataError
from geo.core.report import Report
from geo.data import sources
from geo.data.indicators import catalogue

#: The dataset's time series (in its folder).
SERIES_FILE = "zeitreihen.csv"
COLUMNS = ["level", "id", "indicator", "date", "value", "kind", "source"]
LEVELS = ("sozialraum", "stadtteil")

#: Wohnquartier age columns (folded) -> the Quartiersatlas age group they belong to.
_AGE_PARTS = {
    "unter_6_jahren": "alter_u6",
    "6_bis_unter_10_jahre": "alter_6_17",
    "10_bis_unter_18_jahre": "alter_6_17",
    "18_bis_unter_25_jahre": "alter_18_29",
    "25_bis_unter_30_jahre": "alter_18_29",
    "30_bis_unter_50_jahre": "alter_30_49",
    "50_bis_unter_65_jahre": "alter_50_64",
    "65_bis_unter_75_jahre": None,  # the Quartiersatlas splits at 80, these tables at 75: population only
    "75_jahre_und_aelter": None,
}


def _fold(name: object) -> str:
    return re.sub(r"[\s_]+", "_", str(name).strip().casefold())


def _year_of(path: Path) -> int | None:
    found = re.findall(r"(?<!\d)(20\d\d)(?!\d)", path.stem)
    return int(found[-1]) if found else None


def _numbers(column: pd.Series) -> pd.Series:
    values, _ = sources.parse_numbers(column.astype("string"), decimal_comma=True)
    return values


def _wohnquartiere(table: pd.DataFrame, path: Path, ids: set[str], report: Report) -> pd.DataFrame:
    year = _year_of(path)
    if year is None:
        raise DataError("error.series_no_year", file=path.name)
    key_col = table.columns[0]
    keys = table[key_col].astype(str).str.strip().str.replace(r"\.0$", "", regex=True).str.zfill(9)
    sozialraum = keys.str[:6]
    if not sozialraum.isin(ids).any():  # the scheme before 2021: 6-digit quartiers that are no Sozialräume
        raise DataError("error.series_old_keys", file=path.name, n=len(keys))
    unknown = sorted(set(sozialraum[~sozialraum.isin(ids)]))
    if unknown:
        report.warning("series_ids_unmatched", ids=unknown, file=path.name)
    parts = {c: _AGE_PARTS[_fold(c)] for c in table.columns[1:] if _fold(c) in _AGE_PARTS}
    if len(parts) < 5:
        raise DataError("error.series_unknown_format", file=path.name, found=list(table.columns))
    counts = pd.DataFrame({c: _numbers(table[c]) for c in parts})
    known = sozialraum.isin(ids)
    counts, sozialraum = counts[known], sozialraum[known]
    filled = counts.notna().any(axis=1)
    frames = []
    population = counts.fillna(0).sum(axis=1).groupby(sozialraum).sum()
    reported = filled.groupby(sozialraum).any()
    frames.append(("bevoelkerung", population.where(reported)))
    for group in dict.fromkeys(g for g in parts.values() if g):
        columns = [c for c, g in parts.items() if g == group]
        total = counts[columns].fillna(0).sum(axis=1).groupby(sozialraum).sum()
        frames.append((group, total.where(reported)))
    rows = [
        pd.DataFrame({"id": values.index, "indicator": indicator, "value": values.to_numpy()})
        for indicator, values in frames
    ]
    out = pd.concat(rows, ignore_index=True).dropna(subset=["value"])
    out["level"], out["date"], out["kind"] = "sozialraum", f"{year}-12-31", "observed"
    return out


def _stadtteil_number(value: object) -> str:
    text = str(value).strip()
    if "/" in text:  # "032/033": two Stadtteile reported together
        return "/".join(part.strip().zfill(3) for part in text.split("/"))
    match = re.match(r"^(\d{1,3})\b", text)
    return match.group(1).zfill(3) if match else text


def _stadtteile_since(table: pd.DataFrame) -> pd.DataFrame:
    years = {c: int(m.group(1)) for c in table.columns if (m := re.search(r"(20\d\d)$", str(c)))}
    numbers = table[table.columns[0]].map(_stadtteil_number)
    rows = [
        pd.DataFrame(
            {"id": numbers, "indicator": "bevoelkerung", "value": _numbers(table[c]), "date": f"{y}-12-31"}
        )
        for c, y in years.items()
    ]
    out = pd.concat(rows, ignore_index=True).dropna(subset=["value"])
    out["level"], out["kind"] = "stadtteil", "observed"
    return out


def _migration(table: pd.DataFrame, by: dict[str, str]) -> pd.DataFrame:
    numbers = table[by["stadtteil_nummer"]].map(_stadtteil_number)
    total = _numbers(table[by["personen_insgesamt"]])
    history = _numbers(table[by["personen_mit_migrationshintergrund"]])
    dates = table[by["jahr"]].astype(str).str.strip() + "-12-31"
    share = (history / total * 100).where(total > 0).round(1)
    out = pd.concat(
        [
            pd.DataFrame({"id": numbers, "indicator": "bevoelkerung", "value": total, "date": dates}),
            pd.DataFrame({"id": numbers, "indicator": "migration_pct", "value": share, "date": dates}),
        ],
        ignore_index=True,
    ).dropna(subset=["value"])
    out["level"], out["kind"] = "stadtteil", "observed"
    return out


def _forecast(table: pd.DataFrame) -> pd.DataFrame:
    key = table.columns[0]
    years = [c for c in table.columns if re.fullmatch(r"20\d\d", str(c).strip())]
    local = table[table[key].astype(str).str.match(r"^\s*\d{1,3}(/\d{1,3})?\b")]  # not the city's total row
    numbers = local[key].map(_stadtteil_number)
    base = min(years, key=int)
    rows = []
    for column in years:
        year = int(column)
        # the base is the population on 31 December of its year; the forecast is for 1 January 2035
        when, kind = (f"{year}-12-31", "observed") if column == base else (f"{year}-01-01", "forecast")
        frame = pd.DataFrame({"id": numbers, "indicator": "bevoelkerung", "value": _numbers(local[column])})
        frame["date"], frame["kind"] = when, kind
        rows.append(frame)
    out = pd.concat(rows, ignore_index=True).dropna(subset=["value"])
    out["level"] = "stadtteil"
    return out


def _long(table: pd.DataFrame, by: dict[str, str], path: Path) -> pd.DataFrame:
    if "sozialraum_id" in by:
        level, ids = "sozialraum", table[by["sozialraum_id"]].map(lambda v: sources.normalise_id(v) or str(v))
    elif "stadtteil_nr" in by:
        level, ids = "stadtteil", table[by["stadtteil_nr"]].map(_stadtteil_number)
    else:
        raise DataError("error.series_unknown_format", file=path.name, found=list(table.columns))
    text = table[by["date"]].astype(str).str.strip()
    dates = pd.to_datetime(text, format="ISO8601", errors="coerce")  # 2021-12-31
    dates = dates.fillna(
        pd.to_datetime(text, format="%d.%m.%Y", errors="coerce")
    )  # 31.12.2021, as written here
    if dates.isna().any():
        raise DataError(
            "error.series_bad_dates",
            file=path.name,
            rows=[int(i) + 2 for i in np.flatnonzero(dates.isna())][:10],
        )
    out = pd.DataFrame(
        {
            "id": ids,
            "indicator": table[by["indicator"]].astype(str).str.strip(),
            "value": _numbers(table[by["value"]]),
            "date": dates.dt.strftime("%Y-%m-%d"),
        }
    ).dropna(subset=["value"])
    out["level"] = level
    out["kind"] = table[by["kind"]].astype(str).str.strip() if "kind" in by else "observed"
    return out


def read_series(path: str | Path, *, sozialraum_ids: set[str], report: Report | None = None) -> pd.DataFrame:
    """
    Read one time-series table (see the module for the formats).

    Parameters
    ----------
    path
        CSV or XLSX.
    sozialraum_ids
        The dataset's Sozialraum IDs: Wohnquartier keys are matched against them; unknown ones are reported.
    report
        Receives the unmatched keys and the number of values read (`counts["series_values"]`).

    Returns
    -------
    pandas.DataFrame
        `COLUMNS`; `source` is the file's name.

    Raises
    ------
    geo.core.errors.DataError
        When the table is none of the known formats, has no year where one is needed, or has dates that
        cannot be read.
    """
    path = Path(path)
    report = report if report is not None else Report()
    table = sources.read_table(path)
    by = {_fold(c): str(c) for c in table.columns}
    first = _fold(table.columns[0]) if len(table.columns) else ""
    if first in ("wohnquartier", "wohnquartiere"):
        out = _wohnquartiere(table, path, sozialraum_ids, report)
    elif first == "stadtteilnummer" and any(re.search(r"20\d\d$", str(c)) for c in table.columns):
        out = _stadtteile_since(table)
    elif {"jahr", "stadtteil_nummer", "personen_insgesamt", "personen_mit_migrationshintergrund"} <= set(by):
        out = _migration(table, by)
    elif first == "indikator" and any(re.fullmatch(r"20\d\d", str(c).strip()) for c in table.columns):
        out = _forecast(table)
    elif {"indicator", "date", "value"} <= set(by):
        out = _long(table, by, path)
    else:
        raise DataError("error.series_unknown_format", file=path.name, found=list(table.columns))
    out["source"] = re.sub(r"_\d+$", "", path.stem)
    out = out[COLUMNS].sort_values(["level", "id", "indicator", "date"]).reset_index(drop=True)
    report.counts["series_values"] = report.counts.get("series_values", 0) + len(out)
    return out


def merge(existing: pd.DataFrame | None, new: pd.DataFrame) -> pd.DataFrame:
    """`existing` with the values of `new` replacing those of the same level, ID, indicator, date and kind."""
    if existing is None or existing.empty:
        return new.reset_index(drop=True)
    both = pd.concat([existing, new], ignore_index=True)
    return (
        both.drop_duplicates(["level", "id", "indicator", "date", "kind"], keep="last")
        .sort_values(["level", "id", "indicator", "date"])
        .reset_index(drop=True)
    )


def read_file(path: Path) -> pd.DataFrame | None:
    """The dataset's stored series (`SERIES_FILE`), or None."""
    if not path.is_file():
        return None
    table = pd.read_csv(
        path, sep=";", dtype={"id": str, "level": str, "indicator": str, "date": str, "kind": str}
    )
    return table[COLUMNS]


def write_file(table: pd.DataFrame, path: Path) -> None:
    """Write the series as `;`-separated UTF-8, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    table[COLUMNS].to_csv(tmp, sep=";", index=False, encoding="utf-8", float_format="%.10g")
    tmp.replace(path)


def summary(table: pd.DataFrame | None) -> dict[str, int | str] | None:
    """What a time series holds: rows, Sozialräume and Stadtteile, first and last year (None without one)."""
    if table is None or table.empty:
        return None
    ids = table.groupby("level")["id"].nunique()
    return {
        "n": len(table),
        "spaces": int(ids.get("sozialraum", 0)),
        "stadtteile": int(ids.get("stadtteil", 0)),
        "first": str(table["date"].min())[:4],
        "last": str(table["date"].max())[:4],
    }


def course(table: pd.DataFrame | None, level: str, unit_id: str, indicator: str) -> pd.DataFrame:
    """The values of one unit and indicator over time (`date`, `value`, `kind`, `source`), oldest first."""
    if table is None or table.empty:
        return pd.DataFrame(columns=["date", "value", "kind", "source"])
    rows = table[(table["level"] == level) & (table["id"] == unit_id) & (table["indicator"] == indicator)]
    return rows[["date", "value", "kind", "source"]].sort_values("date").reset_index(drop=True)


def stadtteil_of(table: pd.DataFrame | None, sozialraum_id: str) -> str:
    """
    The Stadtteil unit of the series a Sozialraum lies in (its first three digits).

    "032/033" where the city reports two Stadtteile together; "" when the series has none.
    """
    if table is None or table.empty:
        return ""
    number = sozialraum_id[:3]
    found = sorted(
        {i for i in table.loc[table["level"] == "stadtteil", "id"] if number in str(i).split("/")}, key=len
    )
    return found[0] if found else ""


def indicators_of(table: pd.DataFrame | None, sozialraum_id: str) -> list[str]:
    """
    The indicators with a course (two or more values) for a Sozialraum or for its Stadtteil.

    In the catalogue's order (population first), unknown ones after them.
    """
    if table is None or table.empty:
        return []
    unit = stadtteil_of(table, sozialraum_id)
    mine = table[
        ((table["level"] == "sozialraum") & (table["id"] == sozialraum_id))
        | ((table["level"] == "stadtteil") & (table["id"] == unit))
    ]
    counts = mine.groupby(["level", "indicator"])["date"].nunique()
    found = {indicator for (_level, indicator), n in counts.items() if n >= 2}
    known = [i for i in catalogue().ids() if i in found]
    return known + sorted(found - set(known))


def courses(
    table: pd.DataFrame | None, sozialraum_id: str, indicator: str
) -> tuple[pd.DataFrame, str, pd.DataFrame]:
    """
    One indicator over time of a Sozialraum and of its Stadtteil (a Stadtteil value, said as such).

    Returns
    -------
    tuple
        The Sozialraum's course, the Stadtteil ID the second course belongs to ("032/033" where the city
        reports two together; "" when there is none) and that course.
    """
    own = course(table, "sozialraum", sozialraum_id, indicator)
    unit = stadtteil_of(table, sozialraum_id)
    whole = course(table, "stadtteil", unit, indicator) if unit else course(None, "", "", "")
    return own, unit, whole


def population_courses(
    table: pd.DataFrame | None, sozialraum_id: str
) -> tuple[pd.DataFrame, str, pd.DataFrame]:
    """The population over time of a Sozialraum and of its Stadtteil (`courses` of ``bevoelkerung``)."""
    return courses(table, sozialraum_id, "bevoelkerung")
