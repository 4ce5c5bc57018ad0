"""
Check a dataset as a whole and report every problem at once.

Errors (duplicate IDs, no geometry) make the data unusable; warnings (unmatched IDs, missing or
implausible values, uninhabited units, Welcome Points outside every Sozialraum) do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import sources
from geo.indicators import catalogue
from geo.report import Report
from geo.settings import METRIC_CRS, get_settings

#: A count this many times the median of its peers is taken as an extraction error.
OUTLIER_FACTOR = 50
_AGE_GROUPS = (
    "alter_u6",
    "alter_6_17",
    "alter_18_29",
    "alter_30_49",
    "alter_50_64",
    "alter_65_79",
    "alter_80plus",
)


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


def check_values(table: pd.DataFrame, report: Report, *, city_population: int | None = None) -> pd.DataFrame:
    """
    Report missing, uninhabited and implausible values; return the table with implausible values missing.

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
    if "bevoelkerung" in table.columns:
        total = float(table["bevoelkerung"].sum())
        if abs(total - city_population) > 0.05 * city_population:
            report.warning("population_total", total=int(total), expected=city_population)
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
    for sid, cols in sorted(implausible.items()):
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
) -> Checked:
    """
    Read and check a set of files; raises `geo.errors.DataError` only for a file that cannot be read.

    Parameters
    ----------
    sozialraeume
        Sozialraum polygons (see `geo.sources.read_sozialraeume`).
    indicators
        Indicator table (see `geo.sources.read_indicators`).
    welcome_points
        Registry CSV or GeoJSON (see `geo.sources.read_welcome_points`).
    sheet
        XLSX sheet of the indicator table.

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
        table = check_values(table, report)
    points = None
    if welcome_points is not None:
        points = sources.read_welcome_points(welcome_points, report=report)
        points = sources.assign_sozialraum(points, spaces, report=report)
        report.counts["welcome_points"] = len(points)
    return Checked(spaces=spaces, indicators=table, welcome_points=points, report=report)
