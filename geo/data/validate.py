"""
Check a dataset as a whole and report every problem at once.

Errors (duplicate IDs, no geometry) make the data unusable; warnings (unmatched IDs, missing or
implausible values, uninhabited units, Welcome Points outside every Sozialraum) do not.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.core.report import Report
from geo.core.settings import METRIC_CRS, get_settings
from geo.data import corrections, sources
from geo.data.indicators import Catalogue, catalogue

#: A count this many times the median of its peers is taken as an extraction error.
OUTLIER_FACTOR = 50
_AGE_GROUPS = corrections.AGE_GROUPS


def check_coverage(spaces: gpd.GeoDataFrame, report: Report) -> None:
    """Report Sozialräume whose borders do not match their neighbours' exactly (overlaps, slivers)."""
    metric = spaces.to_crs(METRIC_CRS).geometry.to_numpy()
    if shapely.coverage_is_valid(metric):
        return
    invalid = shapely.coverage_invalid_edges(metric)
    ids = spaces.loc[~shapely.is_empty(invalid), "sozialraum_id"].tolist()
    if ids:
        report.warning("coverage_unmatched", ids=ids)


def check_join(spaces: gpd.GeoDataFrame, table: pd.DataFrame, report: Report) -> None:
    """Report geometries without an indicator row and indicator rows without a geometry."""
    geo_ids = set(spaces["sozialraum_id"])
    table_ids = set(table["sozialraum_id"])
    if only_geo := sorted(geo_ids - table_ids):
        report.warning("geometry_without_indicators", ids=only_geo)
    if only_table := sorted(table_ids - geo_ids):
        report.warning("indicators_without_geometry", ids=only_table)


def _uninhabited(table: pd.DataFrame) -> pd.Series:
    value_cols = [c for c in table.columns if c not in ("sozialraum_id", "name", "official_type")]
    empty = table[value_cols].isna().all(axis=1)
    if "bevoelkerung" in table.columns:
        empty |= table["bevoelkerung"].fillna(0).eq(0)
    return empty


def _population_estimate(row: pd.Series, flagged: set[str]) -> float | None:
    """Population implied by each age group's count and share; the median of those that agree."""
    estimates = [
        row[g] / row[f"{g}_pct"] * 100
        for g in _AGE_GROUPS
        if g not in flagged and f"{g}_pct" in row and row[f"{g}_pct"] > 0 and pd.notna(row[g])
    ]
    return float(np.median(estimates)) if estimates else None


def _implausible(table: pd.DataFrame, cat: Catalogue) -> dict[str, set[str]]:
    """The columns with an implausible value, by Sozialraum: a negative or outlying count, a share outside 0-100."""
    implausible: dict[str, set[str]] = {}
    for ind in cat.indicators:
        if ind.id not in table.columns:
            continue
        values = table[ind.id]
        if ind.kind == "count":
            peers = values[values > 0]
            bad = (values < 0) | (values > OUTLIER_FACTOR * peers.median() if len(peers) >= 5 else values < 0)
        elif ind.kind == "percent":
            bad = (values < 0) | (values > 100)
        else:
            continue
        for idx in table.index[bad.fillna(False)]:
            sid = table.at[idx, "sozialraum_id"]
            implausible.setdefault(sid, set()).add(ind.id)
    return implausible


def _drop_implausible(
    table: pd.DataFrame, implausible: dict[str, set[str]], report: Report, cat: Catalogue
) -> None:
    """Each implausible value named in the report (the population with its estimate) and made missing."""
    for sid, cols in sorted(implausible.items()):
        if not cols:
            continue
        row = table.loc[table["sozialraum_id"] == sid].iloc[0]
        for col in sorted(cols):
            ind = cat.get(col)
            estimate = _population_estimate(row, cols) if col == "bevoelkerung" else None
            extra = {"variant": "population", "estimate": round(estimate)} if estimate else {}
            report.warning(
                "implausible_value",
                ids=[sid],
                column=ind.column,
                value=round(float(row[col])),
                **extra,
            )
        table.loc[table["sozialraum_id"] == sid, sorted(cols)] = np.nan


def check_values(
    table: pd.DataFrame,
    report: Report,
    *,
    city_population: int | None = None,
    declined: frozenset[tuple[str, str]] = frozenset(),
) -> pd.DataFrame:
    """
    Report missing, uninhabited and implausible values; return the table with implausible values missing.

    An implausible value that its own row proves wrong is corrected instead (`geo.data.corrections`), unless an
    admin `declined` that correction; every correction is in the report (`value_corrected`,
    `correction_declined`, and `report.corrections`). `report.counts["population"]` is the city's total
    after corrections, without the values that stay missing.

    Notes
    -----
    A count is implausible when it is negative or exceeds `OUTLIER_FACTOR` times the median of the other
    Sozialräume (a PDF extraction that glued two numbers together, for example); a percentage is implausible
    outside 0-100. Implausible values are treated as missing so they cannot distort maps; the source
    file is left unchanged and the report names the ID, column and value. For the population, the
    message gives the value implied by the age groups' counts and shares.
    """
    city_population = city_population or get_settings().city_population
    cat = catalogue()
    table = table.copy()
    uninhabited = _uninhabited(table)
    if uninhabited.any():
        report.warning("uninhabited", ids=table.loc[uninhabited, "sozialraum_id"].tolist())
    implausible = _implausible(table, cat)
    raw_total = float(table["bevoelkerung"].sum()) if "bevoelkerung" in table.columns else None
    for correction in corrections.with_decisions(corrections.propose(table, implausible), declined):
        sid, col = correction.key
        column = cat.get(col).column
        params = {"column": column, "old": round(correction.old), "new": round(correction.new)}
        if correction.applied:
            table.loc[table["sozialraum_id"] == sid, col] = correction.new
            implausible[sid].discard(col)
            report.warning("value_corrected", ids=[sid], variant=correction.rule, **params)
        else:
            report.warning("correction_declined", ids=[sid], **params)
        report.corrections.append(correction.as_dict())
    _drop_implausible(table, implausible, report, cat)
    if raw_total is not None:
        total = float(table["bevoelkerung"].sum())
        report.counts["population"] = round(total)
        if abs(total - city_population) > 0.05 * city_population:
            report.warning(
                "population_total", total=round(total), raw=round(raw_total), expected=city_population
            )
    for ind in cat.indicators:
        if ind.id in table.columns:
            missing = table[ind.id].isna() & ~uninhabited
            if missing.any():
                report.warning(
                    "missing_values",
                    ids=table.loc[missing, "sozialraum_id"].tolist(),
                    column=ind.column,
                )
    return table


#: Groups of shares that add up to 100 % of a row (shares given to one decimal: 0.5 points of slack).
_SHARE_GROUPS = {
    "ages": tuple(f"{g}_pct" for g in _AGE_GROUPS),
    "schools": ("hauptschule_pct", "realschule_pct", "gymnasium_pct", "gesamtschule_pct"),
}
#: A share given to one decimal differs from its count / whole by at most 0.05 points; 0.1 leaves room.
SHARE_SLACK = 0.1
#: At least this many values before a column's decimals are judged.
_MIN_VALUES = 20


def _pairs(
    table: pd.DataFrame, columns: list[str]
) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
    """
    For each column `i`, the columns after it compared row by row where both have a value.

    Yields `(i, both, a, rest)`: `both` (rows × later columns) marks rows where both have a value, `a` is
    column `i` as a column vector, `rest` the later columns. Vectorised: a table of 100 indicators has
    ~5,000 pairs, which pandas took seconds to compare one by one.
    """
    values = table[columns].to_numpy(dtype=float, na_value=np.nan)
    present = ~np.isnan(values)
    for i in range(len(columns) - 1):
        yield i, present[:, [i]] & present[:, i + 1 :], values[:, [i]], values[:, i + 1 :]


def _masked_range(x: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per column the smallest and largest value of `x` where `mask` holds (inf/-inf where nothing does)."""
    return np.where(mask, x, np.inf).min(axis=0), np.where(mask, x, -np.inf).max(axis=0)


def identical_columns(
    table: pd.DataFrame, columns: list[str], *, min_rows: int = 10
) -> list[tuple[str, str, int]]:
    """Pairs of varying `columns` equal in every row where both have a value (at least `min_rows`), with that count."""
    out = []
    for i, both, a, rest in _pairs(table, columns):
        a_full = np.broadcast_to(a, rest.shape)
        low, high = _masked_range(a_full, both)
        varies = high > low  # two constant columns agreeing by chance are no copy
        equal = ((a_full == rest) | ~both).all(axis=0)
        count = both.sum(axis=0)
        for j in np.flatnonzero(equal & varies & (count >= min_rows)):
            out.append((columns[i], columns[i + 1 + j], int(count[j])))
    return out


def _near_identical(
    table: pd.DataFrame, columns: list[str], exact: set[tuple[str, str]]
) -> list[tuple[str, str, float]]:
    out = []
    for i, both, a, rest in _pairs(table, columns):
        a_full = np.broadcast_to(a, rest.shape)
        a_low, a_high = _masked_range(a_full, both)
        b_low, b_high = _masked_range(rest, both)
        spread = np.maximum(a_high - a_low, b_high - b_low)
        gap = np.where(both, np.abs(a_full - rest), 0.0).max(axis=0, initial=0.0)
        candidate = (
            (both.sum(axis=0) >= _MIN_VALUES) & (a_high > a_low) & (b_high > b_low) & (gap <= 0.01 * spread)
        )
        for j in np.flatnonzero(candidate):
            b = columns[i + 1 + j]
            if (columns[i], b) in exact:
                continue
            rows = both[:, j]
            out.append((columns[i], b, float(np.corrcoef(a_full[rows, j], rest[rows, j])[0, 1])))
    return out


def _decimal_artefact(values: pd.Series) -> str | None:
    """The digits every value ends in beyond its first decimal (``"21"`` in 44.121, 45.221, …), if any."""
    present = values.dropna().astype(float)
    if len(present) < _MIN_VALUES:
        return None
    decimals = present.map(lambda v: f"{v:.6f}".rstrip("0").partition(".")[2])
    for width in (2, 3):
        long_enough = decimals[decimals.str.len() == 1 + width]
        if len(long_enough) < 0.95 * len(present):
            continue
        endings = long_enough.str[1:].value_counts()
        if endings.iloc[0] >= 0.95 * len(present) and endings.index[0].strip("0"):
            return str(endings.index[0])
    return None


def check_consistency(table: pd.DataFrame, report: Report) -> None:
    """
    Report what a careful statistician would check in a table of official figures.

    Identical and near-identical columns (an extraction that copied one column into another), digits that
    every value shares beyond its first decimal (an extraction artefact), shares that disagree with their
    count and whole, parts that do not add up to their whole, and shares of one whole that do not add up to
    100 %. Each finding names the columns and the Sozialräume concerned; values are not changed.
    """
    cat = catalogue()
    present = [i.id for i in cat.indicators if i.id in table.columns and table[i.id].notna().any()]

    def header(ind: str) -> str:
        return cat.get(ind).column

    exact = identical_columns(table, present)
    for a, b, rows in exact:
        report.warning(
            "columns_identical", first=header(a), second=header(b), rows=rows, first_id=a, second_id=b
        )
    for a, b, r in _near_identical(table, present, {(a, b) for a, b, _ in exact}):
        report.warning("columns_near_identical", first=header(a), second=header(b), r=f"{r:.4f}")
    for ind in present:
        if cat.get(ind).kind in ("area", "ratio", "rate", "percent") and (
            digits := _decimal_artefact(table[ind])
        ):
            report.warning(
                "decimal_artefact", column=header(ind), digits=digits, rows=int(table[ind].notna().sum())
            )
    ids = table["sozialraum_id"]
    if "bevoelkerung" in table.columns:
        whole = table["bevoelkerung"].astype(float)
        inhabited = whole > 0
        for group in _AGE_GROUPS:
            share = f"{group}_pct"
            if group in table.columns and share in table.columns:
                gap = (table[group].astype(float) / whole * 100 - table[share].astype(float)).abs()
                off = inhabited & (gap > SHARE_SLACK)
                if off.any():
                    report.warning(
                        "share_inconsistent", ids=ids[off].tolist(), column=header(share), count=header(group)
                    )
        if all(g in table.columns for g in _AGE_GROUPS):
            parts = table[list(_AGE_GROUPS)].astype(float)
            off = inhabited & parts.notna().all(axis=1) & ((parts.sum(axis=1) - whole).abs() > 1)
            if off.any():
                report.warning("parts_sum_mismatch", ids=ids[off].tolist(), whole=header("bevoelkerung"))
        if {"flaeche_ha", "dichte"} <= set(table.columns):
            implied = whole / (table["flaeche_ha"].astype(float) / 100)
            off = inhabited & ((implied / table["dichte"].astype(float) - 1).abs() > 0.05)
            if off.any():
                report.warning("density_inconsistent", ids=ids[off].tolist())
    for group, shares in _SHARE_GROUPS.items():
        if not all(c in table.columns for c in shares):
            continue
        values = table[list(shares)].astype(float)
        total = values.sum(axis=1, min_count=len(shares))
        off = total.notna() & (total > 0) & ((total - 100).abs() > 0.5)
        if off.any():
            report.warning("shares_sum_mismatch", ids=ids[off].tolist(), variant=group)


@dataclass
class Checked:
    """The result of reading and checking files: the normalised tables and the report."""

    spaces: gpd.GeoDataFrame
    indicators: pd.DataFrame | None
    welcome_points: gpd.GeoDataFrame | None
    report: Report


def check_files(
    sozialraeume: str | Path,
    *,
    indicators: str | Path | None = None,
    welcome_points: str | Path | None = None,
    sheet: str | None = None,
    declined: frozenset[tuple[str, str]] = frozenset(),
) -> Checked:
    """
    Read and check a set of files; raises `geo.core.errors.DataError` only for a file that cannot be read.

    Parameters
    ----------
    sozialraeume
        Sozialraum polygons (see `geo.data.sources.read_sozialraeume`).
    indicators
        Indicator table (see `geo.data.sources.read_indicators`).
    welcome_points
        Registry CSV or GeoJSON (see `geo.data.sources.read_welcome_points`).
    sheet
        XLSX sheet of the indicator table.
    declined
        Corrections an admin declined (see `geo.data.corrections.declined`).

    Returns
    -------
    Checked
        Tables and report; `report.counts` has `sozialraeume`, `welcome_points`, `indicator_rows`.
    """
    report = Report()
    spaces = sources.read_sozialraeume(sozialraeume, report=report)
    if not report.errors:
        check_coverage(spaces, report)
    report.counts.update(sozialraeume=len(spaces), welcome_points=0, indicator_rows=0)
    table = None
    if indicators is not None:
        table = sources.read_indicators(indicators, sheet=sheet, report=report)
        report.counts["indicator_rows"] = len(table)
        check_join(spaces, table, report)
        table = check_values(table, report, declined=declined)
        check_consistency(table, report)
    points = None
    if welcome_points is not None:
        points = sources.read_welcome_points(welcome_points, report=report)
        points = sources.assign_sozialraum(points, spaces, report=report)
        report.counts["welcome_points"] = len(points)
    return Checked(spaces=spaces, indicators=table, welcome_points=points, report=report)
