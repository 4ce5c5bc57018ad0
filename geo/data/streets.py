"""
The street list of a dataset: street names with one point each, so that "In meiner Nähe" finds a typed street.

The city publishes its street directory (Straßenverzeichnis) as a table or as street lines; OpenStreetMap
exports give lines with a ``name``. `read_streets` takes either:

- a table (CSV or XLSX) with a name column (``name``, ``Straße``, ``Strassenname``, ``STR_NAME`` …) and
  coordinates, either longitude/latitude (``lon``/``lat``, ``Längengrad``/``Breitengrad``, ``LONGITUDE``/
  ``LATITUDE``) or UTM 32N eastings and northings (``Ostwert``/``Nordwert``, ``Rechtswert``/``Hochwert``,
  ``x``/``y``, EPSG:25832, with or without the zone prefix 32);
- a vector file (GeoJSON, GeoPackage, zipped Shapefile) with a name property and points, lines or areas in
  any CRS the file declares.

A street drawn as several segments or rows becomes one point: of all its points, the one nearest their
middle (a point on the street, not the centroid of a bent street, which may lie in a field). Rows without a
name and points farther than `OUTSIDE_M` from every Sozialraum are left out and named in the report. The
list is written into the dataset folder as `strassen.csv` (``name;lon;lat``, EPSG:4326, UTF-8).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.core.errors import DataError, MissingColumnError
from geo.core.report import Report
from geo.core.settings import METRIC_CRS, STORAGE_CRS
from geo.data import sources

#: A street farther than this from every Sozialraum is not in the city (metres).
OUTSIDE_M = 5_000.0

_NAME_COLUMNS = (
    "name",
    "strasse",
    "straße",
    "strassenname",
    "straßenname",
    "str_name",
    "strname",
    "bezeichnung",
    "street",
)
_LONLAT = (
    ("lon", "lat"),
    ("lng", "lat"),
    ("longitude", "latitude"),
    ("längengrad", "breitengrad"),
    ("laengengrad", "breitengrad"),
)
_EASTNORTH = (("ostwert", "nordwert"), ("rechtswert", "hochwert"), ("x", "y"), ("east", "north"))

VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".shp")


def fold(text: str) -> str:
    """Lower case without accents and with ß as ss, for matching what people type."""
    text = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    return "".join(c for c in text if not unicodedata.combining(c)).strip()


def _points_of_table(table: pd.DataFrame, path: Path) -> tuple[pd.Series, gpd.GeoSeries]:
    table = table.reset_index(drop=True)
    table.index = table.index + 2  # the row number a spreadsheet shows (row 1 holds the headers)
    columns = [str(c) for c in table.columns]
    table.columns = columns
    name = sources.find_column(columns, _NAME_COLUMNS)
    if name is None:
        raise MissingColumnError("error.column_missing", file=path.name, column="name/Straße", found=columns)
    comma = sources.uses_decimal_comma(table.drop(columns=[name]))
    for lon_col, lat_col in _LONLAT:
        lon_name = sources.find_column(columns, (lon_col,))
        lat_name = sources.find_column(columns, (lat_col,))
        if lon_name and lat_name:
            lon, _ = sources.parse_numbers(table[lon_name], decimal_comma=comma)
            lat, _ = sources.parse_numbers(table[lat_name], decimal_comma=comma)
            points = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=STORAGE_CRS, index=table.index)
            return table[name], points
    for east_col, north_col in _EASTNORTH:
        east_name = sources.find_column(columns, (east_col,))
        north_name = sources.find_column(columns, (north_col,))
        if east_name and north_name:
            east, _ = sources.parse_numbers(table[east_name], decimal_comma=comma)
            north, _ = sources.parse_numbers(table[north_name], decimal_comma=comma)
            east = east.where(east < 10_000_000, east - 32_000_000)  # the zone prefix "32"
            points = gpd.GeoSeries(gpd.points_from_xy(east, north), crs=METRIC_CRS, index=table.index)
            return table[name], points.to_crs(STORAGE_CRS)
    raise MissingColumnError("error.column_missing", file=path.name, column="lon/lat", found=columns)


def _points_of_vector(path: Path, report: Report) -> tuple[pd.Series, gpd.GeoSeries]:
    gdf = sources.read_vector(path)
    columns = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    name = sources.find_column(columns, _NAME_COLUMNS)
    if name is None:
        raise MissingColumnError("error.column_missing", file=path.name, column="name/Straße", found=columns)
    present = ~(gdf.geometry.isna() | gdf.geometry.is_empty)
    gdf = sources.ensure_crs(gdf[present], path, report).to_crs(METRIC_CRS)  # halfway in metres
    geometry = gdf.geometry.to_numpy()
    lines = np.isin(shapely.get_type_id(geometry), (1, 2, 5))  # LineString, LinearRing, MultiLineString
    metric = shapely.point_on_surface(geometry)
    if lines.any():  # the middle of a line lies on it; a multi-line's middle is taken along its first part
        parts = shapely.get_geometry(geometry[lines], 0)
        metric[lines] = shapely.line_interpolate_point(parts, 0.5, normalized=True)
    points = gpd.GeoSeries(metric, crs=METRIC_CRS).to_crs(STORAGE_CRS).to_numpy()
    index = pd.RangeIndex(1, len(present) + 1)[present.to_numpy()]  # feature numbers, counted from 1
    return pd.Series(gdf[name].to_numpy(), index=index), gpd.GeoSeries(points, crs=STORAGE_CRS, index=index)


def read_streets(path: str | Path, spaces: gpd.GeoDataFrame, *, report: Report | None = None) -> pd.DataFrame:
    """
    Read a street list and reduce it to one point per street name.

    Parameters
    ----------
    path
        A table or vector file as described in the module.
    spaces
        The dataset's Sozialräume (EPSG:4326): streets farther than `OUTSIDE_M` from all of them are left out.
    report
        Receives warnings naming rows without a name or coordinates, streets outside the city and how many
        rows were merged into one street.

    Returns
    -------
    pandas.DataFrame
        `name`, `lon`, `lat` (EPSG:4326), one row per street, sorted by name.

    Raises
    ------
    geo.core.errors.DataError
        When the file has no name or coordinate columns, or no street in it lies in the city.
    """
    path = Path(path)
    report = report if report is not None else Report()
    if path.suffix.lower() in VECTOR_SUFFIXES:
        names, points = _points_of_vector(path, report)
    else:
        names, points = _points_of_table(sources.read_table(path), path)
    names = names.astype("string").str.strip()
    usable = names.notna() & (names != "") & ~(points.isna() | points.is_empty)
    xy = points.get_coordinates().reindex(points.index)
    usable &= np.isfinite(xy["x"]) & np.isfinite(xy["y"])
    if (~usable).any():
        report.warning(
            "streets_rows_unusable", ids=[str(i) for i in names.index[~usable.to_numpy()]], file=path.name
        )
    names, points = names[usable], points[usable]
    metric = points.to_crs(METRIC_CRS)
    city = shapely.union_all(spaces.to_crs(METRIC_CRS).geometry.to_numpy())
    far = shapely.distance(metric.to_numpy(), city) > OUTSIDE_M
    if far.any():
        report.warning("streets_outside", ids=sorted(set(names[far].tolist())), km=OUTSIDE_M / 1000)
    names, points, metric = names[~far], points[~far], metric[~far]
    if names.empty:
        raise DataError("error.streets_none", file=path.name)
    frame = pd.DataFrame(
        {
            "name": names.to_numpy(),
            "key": names.map(fold).to_numpy(),
            "lon": points.x.to_numpy(),
            "lat": points.y.to_numpy(),
            "x": metric.x.to_numpy(),
            "y": metric.y.to_numpy(),
        }
    )
    middle = frame.groupby("key")[["x", "y"]].transform("mean")
    frame["off"] = np.hypot(frame["x"] - middle["x"], frame["y"] - middle["y"])
    merged = len(frame) - frame["key"].nunique()
    one = frame.sort_values(["key", "off"]).drop_duplicates("key")
    if merged:
        report.counts["streets_merged_rows"] = merged
    report.counts["streets"] = len(one)
    out = (
        one[["name", "lon", "lat"]].round({"lon": 6, "lat": 6}).sort_values("name", key=lambda s: s.map(fold))
    )
    return out.reset_index(drop=True)


def write_streets(table: pd.DataFrame, path: Path) -> None:
    """Write the street list as `;`-separated UTF-8 (`name;lon;lat`), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    table[["name", "lon", "lat"]].to_csv(tmp, sep=";", index=False, encoding="utf-8", float_format="%.6f")
    tmp.replace(path)
