"""
A synthetic demo for any city profile (`python -m geo demo --profile NAME`).

It is shaped like the city's data and derived from none of it. Made-up units fill a square inside the profile's extent, numbered by the profile's ID scheme (the parents'
prefixes nest: four top-level areas, two below each, three units in the smallest). The indicators follow a
made-up need surface with two hot spots, so they are correlated and clustered; their direction, kind and
classes are the profile's. The files are then written the way the profile describes the city's own (file
names from its patterns, columns, separators, decimal marks, encodings, the validity column) and imported
through the same path as real files (`geo.data.city.check`, `geo.data.dataset.import_city`): the demo proves the
profile. Everything is deterministic for a given seed; every map and export of it says "Demo".

Düsseldorf keeps its own, richer demo (`geo.data.demo_dataset`).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer
from shapely.geometry import box

from geo.core.access import Principal
from geo.core.settings import STORAGE_CRS
from geo.data import city, dataset

#: Children per level, from the top-level parent down to the units.
FAN_OUT = (4, 2, 2, 3)


def _ids(profile: city.CityProfile) -> list[str]:
    """The units' IDs: each prefix level numbers its children from 1, the unit's own digits last."""
    cuts = sorted({level.prefix for level in profile.parents if level.prefix} | {profile.id_width})
    fan = FAN_OUT[-len(cuts) :] if len(cuts) <= len(FAN_OUT) else (2,) * (len(cuts) - 1) + (3,)
    ids = [""]
    start = 0
    for cut, children in zip(cuts, fan, strict=True):
        width = cut - start
        ids = [f"{parent}{n:0{width}d}" for parent in ids for n in range(1, children + 1)]
        start = cut
    return ids


def _units(profile: city.CityProfile, seed: int) -> gpd.GeoDataFrame:
    """Rectangles on a slightly jittered grid in the middle of the city's extent, siblings side by side."""
    rng = np.random.default_rng(seed)
    ids = _ids(profile)
    west, south, east, north = profile.extent
    to_metric = Transformer.from_crs(STORAGE_CRS, profile.metric_crs, always_xy=True)
    x0, y0 = to_metric.transform(west + (east - west) * 0.3, south + (north - south) * 0.3)
    x1, y1 = to_metric.transform(west + (east - west) * 0.7, south + (north - south) * 0.7)
    columns = int(np.ceil(np.sqrt(len(ids))))
    rows = int(np.ceil(len(ids) / columns))
    xs = np.linspace(x0, x1, columns + 1)
    ys = np.linspace(y0, y1, rows + 1)
    xs[1:-1] += rng.uniform(-0.2, 0.2, columns - 1) * (xs[1] - xs[0])
    ys[1:-1] += rng.uniform(-0.2, 0.2, rows - 1) * (ys[1] - ys[0])
    shapes = [
        box(xs[n % columns], ys[n // columns], xs[n % columns + 1], ys[n // columns + 1])
        for n in range(len(ids))
    ]
    singular = profile.unit.name("de")
    names = [f"Demo-{singular} {n + 1}" for n in range(len(ids))]
    return gpd.GeoDataFrame({"unit_id": ids, "name": names}, geometry=shapes, crs=profile.metric_crs)


def _need(units: gpd.GeoDataFrame, seed: int) -> np.ndarray:
    """A made-up need surface between 0 and 1: two hot spots and some noise."""
    rng = np.random.default_rng(seed + 1)
    centres = units.geometry.centroid
    x, y = centres.x.to_numpy(), centres.y.to_numpy()
    span = max(np.ptp(x), np.ptp(y), 1.0)
    need = np.zeros(len(units))
    for _ in range(2):
        cx, cy = rng.choice(x), rng.choice(y)
        need += np.exp(-(((x - cx) ** 2 + (y - cy) ** 2) / (0.1 * span**2)))
    need += rng.normal(0, 0.1, len(units))
    return np.asarray((need - need.min()) / (np.ptp(need) or 1.0), dtype=float)


def _values(indicator: city.Indicator, need: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An indicator's made-up values, following `need` as its direction says."""
    follows = {"up": need, "down": 1 - need}.get(indicator.direction, rng.uniform(0, 1, len(need)))
    if indicator.is_class:
        values = 1 + np.minimum(3, (follows * 4).astype(int))
    elif indicator.kind == "count":
        values = np.round(500 + 4000 * follows + rng.uniform(0, 500, len(need)))
    else:
        values = np.round(2 + 30 * follows + rng.normal(0, 1.5, len(need)).clip(-1.5, 1.5), 2)
    return np.asarray(values, dtype=float)


def _name(layer: city.Layer, suffix: str) -> str:
    """A file name the layer recognises: its first pattern with "demo" for the wildcard."""
    for pattern in layer.match:
        if pattern.lower().endswith(suffix):
            return pattern.replace("*", "-demo")
    return f"{layer.key}-demo{suffix}"


def _write_table(layer: city.Layer, frame: pd.DataFrame, folder: Path) -> Path:
    """A table as the city writes it: its separator, decimal mark and encoding."""
    d = layer.dialect
    text = frame.copy()
    for column in text.columns:
        if pd.api.types.is_float_dtype(text[column]):
            text[column] = [("" if pd.isna(v) else f"{v:g}".replace(".", d.decimal)) for v in text[column]]
    path = folder / _name(layer, ".csv")
    text.to_csv(path, sep=d.separator, index=False, encoding=d.encoding)
    return path


def _tables(
    profile: city.CityProfile, units: gpd.GeoDataFrame, need: np.ndarray, seed: int
) -> list[pd.DataFrame]:
    rng = np.random.default_rng(seed + 2)
    frames = []
    for layer in profile.tables:
        frame = pd.DataFrame({layer.id_column: units["unit_id"].to_numpy()})
        if layer.name_column:
            frame[layer.name_column] = units["name"].to_numpy()
        for indicator in profile.indicators:
            if indicator.table == layer.key and indicator.column not in frame.columns:
                frame[indicator.column] = _values(indicator, need, rng)
        if (
            profile.population == (layer.key, profile.population[1])
            and profile.population[1] not in frame.columns
        ):
            frame[profile.population[1]] = np.round(rng.uniform(800, 9000, len(units)))
        if layer.validity_column:
            frame[layer.validity_column] = layer.valid_values[0]
        frames.append(frame)
    return frames


def _points(profile: city.CityProfile, units: gpd.GeoDataFrame, folder: Path, seed: int) -> list[Path]:
    """The first point layer: one made-up place in every third unit."""
    if not profile.points:
        return []
    rng = np.random.default_rng(seed + 3)
    layer = profile.points[0]
    chosen = units.iloc[::3]
    places = chosen.geometry.representative_point().to_crs(STORAGE_CRS)
    columns = {layer.name_column or "name": [f"Demo-{layer.label} {n + 1}" for n in range(len(chosen))]}
    for n, column in enumerate(layer.address_columns):
        columns[column] = [f"Demostraße {rng.integers(1, 99)}" if n == 0 else "" for _ in range(len(chosen))]
    for column in layer.contact_columns:
        columns[column] = [""] * len(chosen)
    if layer.x_column and layer.y_column:  # a table with coordinate columns (lon/lat)
        frame = pd.DataFrame(
            {**columns, layer.x_column: places.x.round(6), layer.y_column: places.y.round(6)}
        )
        return [_write_table(layer, frame, folder)]
    path = folder / _name(layer, ".geojson")
    gpd.GeoDataFrame(columns, geometry=places.to_numpy(), crs=STORAGE_CRS).to_file(path, driver="GeoJSON")
    return [path]


def write(profile: city.CityProfile, out: str | Path, *, seed: int = 2026) -> dataset.Dataset:
    """
    Write the synthetic demo of `profile`'s city into the dataset folder `out` (see the module's docstring).

    Returns the dataset as the app opens it (marked as demo).
    """
    units = _units(profile, seed)
    need = _need(units, seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shapes = units.rename(columns={"unit_id": profile.geometry.id_column})
        if profile.geometry.name_column:
            shapes = shapes.rename(columns={"name": profile.geometry.name_column})
        patterns = [m.lower() for m in profile.geometry.match]
        if any(m.endswith(".shp") for m in patterns):  # as the city publishes it: a Shapefile in metres
            shape_name = _name(profile.geometry, ".shp")
            shapes.to_file(folder / shape_name, driver="ESRI Shapefile", engine="pyogrio")
        else:
            shape_name = _name(profile.geometry, ".geojson")
            shapes.to_crs(STORAGE_CRS).to_file(folder / shape_name, driver="GeoJSON")
        paths = [folder / shape_name]
        for layer, frame in zip(profile.tables, _tables(profile, units, need, seed), strict=True):
            paths.append(_write_table(layer, frame, folder))
        paths += _points(profile, units, folder, seed)
        checked = city.check(profile, paths)
        return dataset.import_city(
            checked,
            out,
            by=Principal.cli(),
            title=f"Demo: {profile.name} (erfunden)",
            demo=True,
            source=f"Synthetisch erzeugt mit »python -m geo demo --profile {profile.key}« (Sozialraum-Karte); keine amtlichen Werte",
        )
