"""
"In meiner Nähe": from a place to the nearest Sozialräume of high need and the nearest Welcome Point.

The place is the phone's location or a typed name; the Welcome Point comes with whom to contact.

Places are found offline in the dataset itself: a Sozialraum (ID or name), a Stadtteil (number or name), a
street of the dataset's street list (`strassen.csv` in the dataset folder, imported from the city's street
directory with `geo.data.streets`; optional) or a street that a Welcome Point's address names. Nothing is sent
to an online geocoder (it would learn what people type); a street in neither list is not found, and
`find_place` says so by returning nothing. Distances are straight lines in metres (EPSG:25832), from the place to the nearest edge
of a Sozialraum (0 when the place lies in it) and to a Welcome Point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geo.core import i18n
from geo.core.settings import METRIC_CRS, STORAGE_CRS
from geo.data import streets as streets_module
from geo.data.dataset import STREETS_FILE, Dataset
from geo.data.streets import fold
from geo.register import partners

#: Need classes that count as high need for "near me" (1 = very high, 2 = high).
HIGH_NEED_CLASSES = (1, 2)
#: A place farther than this from every Sozialraum is not in the city (a phone abroad, a wrong fix).
OUTSIDE_M = streets_module.OUTSIDE_M


@dataclass(frozen=True)
class Place:
    """A place to start from: what it is called and where it is (longitude, latitude, EPSG:4326)."""

    label: str
    lon: float
    lat: float
    kind: str  # "location" | "sozialraum" | "stadtteil" | "street"


@dataclass(frozen=True)
class Nearby:
    """What is near a place."""

    place: Place
    #: The Sozialraum the place lies in (None outside every Sozialraum).
    inside: str | None
    #: High-need Sozialräume nearest first: `sozialraum_id`, `name`, `need_class`, `distance_m`.
    high_need: pd.DataFrame
    #: The nearest Welcome Points, nearest first: `welcome_point_id`, `name`, `organisation`, `address`,
    #: `phone`, `distance_m`.
    welcome_points: pd.DataFrame
    #: True when the place is farther than `OUTSIDE_M` from every Sozialraum.
    outside: bool


def _street(address: str) -> str:
    """The street of an address such as ``Musterstraße 17, 40201 Düsseldorf`` (without the house number)."""
    first = address.split(",", maxsplit=1)[0].strip()
    words = first.split()
    while words and any(ch.isdigit() for ch in words[-1]):
        words.pop()
    return " ".join(words)


def _point(geometry: object) -> tuple[float, float]:
    point = shapely.point_on_surface(geometry)
    return float(point.x), float(point.y)


@cache
def _streets_of(path: str, stamp: float) -> pd.DataFrame:
    from geo.data import sources  # noqa: PLC0415 (the reader is needed only when a list exists)

    table = sources.read_table(Path(path))
    table.columns = [str(c).strip().lower() for c in table.columns]
    if not {"name", "lon", "lat"} <= set(table.columns):
        return pd.DataFrame(columns=["name", "lon", "lat", "key"])
    out = table[["name", "lon", "lat"]].copy()
    for axis in ("lon", "lat"):  # a decimal comma, as German spreadsheets write it, is read too
        out[axis] = pd.to_numeric(out[axis].astype(str).str.replace(",", ".", regex=False), errors="coerce")
    out = out.dropna()
    out["key"] = out["name"].astype(str).map(fold)
    return out


def streets(dataset: Dataset) -> pd.DataFrame:
    """The dataset's street list (`name`, `lon`, `lat`, `key`), empty when it has none."""
    path = Path(dataset.folder) / STREETS_FILE
    if not path.is_file():
        return pd.DataFrame(columns=["name", "lon", "lat", "key"])
    return _streets_of(str(path), path.stat().st_mtime)


def find_place(dataset: Dataset, text: str) -> Place | None:
    """
    The place `text` names: a Sozialraum ID or name, a Stadtteil number or name, or a Welcome Point's street.

    Exact matches win over partial ones (``Flingern`` is the Stadtteil, not ``Flingern-Süd``); a partial
    match must be at least three characters. None when nothing matches.
    """
    wanted = fold(text)
    if len(wanted) < 2:
        return None
    spaces = dataset.spaces
    by_id = spaces.set_index("sozialraum_id")
    if wanted in by_id.index:
        row = by_id.loc[wanted]
        return Place(f"{row['name']} ({wanted})", *_point(row.geometry), kind="sozialraum")
    stadtteile = spaces.dissolve(by="stadtteil_nr", as_index=False)
    candidates: list[tuple[int, Place]] = []
    for row in stadtteile.itertuples():
        names = {fold(str(row.stadtteil_nr))}
        if isinstance(row.stadtteil, str) and row.stadtteil:
            names.add(fold(row.stadtteil))
        label = row.stadtteil if isinstance(row.stadtteil, str) and row.stadtteil else str(row.stadtteil_nr)
        place = Place(label, *_point(row.geometry), kind="stadtteil")
        if wanted in names:
            candidates.append((0, place))
        elif len(wanted) >= 3 and any(wanted in n for n in names):
            candidates.append((2, place))
    for row in spaces.itertuples():
        name = fold(str(row.name))
        place = Place(f"{row.name} ({row.sozialraum_id})", *_point(row.geometry), kind="sozialraum")
        if wanted == name:
            candidates.append((1, place))
        elif len(wanted) >= 3 and wanted in name:
            candidates.append((3, place))
    for row in streets(dataset).itertuples():
        if wanted == row.key:
            candidates.append((1, Place(str(row.name), float(row.lon), float(row.lat), kind="street")))
        elif len(wanted) >= 3 and wanted in row.key:
            candidates.append((4, Place(str(row.name), float(row.lon), float(row.lat), kind="street")))
    for row in dataset.welcome_points.itertuples():
        street = _street(str(row.address or ""))
        if street and len(wanted) >= 3 and wanted in fold(street):
            geometry = row.geometry
            candidates.append((4, Place(street, float(geometry.x), float(geometry.y), kind="street")))
    if not candidates:
        return None
    return min(candidates, key=lambda c: c[0])[1]


def location(lon: float, lat: float, label: str) -> Place:
    """The phone's position as a place (validated: finite, on the globe)."""
    if not (np.isfinite(lon) and np.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError("not a position on the globe")
    return Place(label, float(lon), float(lat), kind="location")


def _metric_spaces(dataset: Dataset) -> gpd.GeoDataFrame:
    """The dataset's Sozialräume in EPSG:25832, projected once per dataset object and table."""
    held = dataset.__dict__.get("_nearby_metric")
    if held is None or held[0] is not dataset.spaces:
        held = (dataset.spaces, dataset.spaces.to_crs(METRIC_CRS))
        dataset.__dict__["_nearby_metric"] = held
    projected: gpd.GeoDataFrame = held[1]
    return projected


def _phone(contacts: object) -> str:
    if isinstance(contacts, list):
        for contact in contacts:
            if isinstance(contact, dict) and contact.get("telefon"):
                return str(contact["telefon"])
    return ""


def nearby(
    dataset: Dataset, need_class: pd.Series, place: Place, *, count: int = 3, points: int = 1
) -> Nearby:
    """
    The `count` nearest high-need Sozialräume and the `points` nearest Welcome Points of `place`.

    `need_class` is the need class by Sozialraum ID (1 = very high), from the index the user built.
    """
    to_metric = Transformer.from_crs(STORAGE_CRS, METRIC_CRS, always_xy=True)
    x, y = to_metric.transform(place.lon, place.lat)
    here = shapely.Point(x, y)
    spaces = _metric_spaces(dataset)
    distance = shapely.distance(spaces.geometry.to_numpy(), here)
    frame = pd.DataFrame(
        {
            "sozialraum_id": spaces["sozialraum_id"].to_numpy(),
            "name": spaces["name"].to_numpy(),
            "need_class": spaces["sozialraum_id"].map(need_class).to_numpy(),
            "distance_m": np.round(distance).astype(int),
        }
    )
    inside_rows = frame[frame["distance_m"] == 0]
    inside = str(inside_rows["sozialraum_id"].iloc[0]) if len(inside_rows) else None
    high = frame[frame["need_class"].isin(HIGH_NEED_CLASSES)]
    high = high.sort_values(["distance_m", "need_class"]).head(count).reset_index(drop=True)
    high["need_class"] = high["need_class"].astype(int)
    wp = dataset.welcome_points
    columns = ["welcome_point_id", "name", "organisation", "address", "phone", "distance_m"]
    if wp.empty:
        nearest = pd.DataFrame(columns=columns)
    else:
        metric = wp.to_crs(METRIC_CRS).geometry.to_numpy()
        nearest = pd.DataFrame(
            {
                "welcome_point_id": wp["welcome_point_id"].to_numpy(),
                "name": wp["name"].to_numpy(),
                "organisation": wp["organisation"].fillna("").to_numpy()
                if "organisation" in wp
                else [""] * len(wp),
                "address": wp["address"].fillna("").to_numpy(),
                "phone": [_phone(c) for c in (wp["contacts"] if "contacts" in wp else [None] * len(wp))],
                "distance_m": np.round(shapely.distance(metric, here)).astype(int),
            }
        )
        nearest = nearest.sort_values("distance_m").head(points).reset_index(drop=True)
    return Nearby(
        place=place,
        inside=inside,
        high_need=high,
        welcome_points=nearest,
        outside=bool(len(frame) == 0 or frame["distance_m"].min() > OUTSIDE_M),
    )


def nearest_partners(
    place: Place, views: list[partners.PartnerView], *, lang: str = "de", count: int = 3
) -> pd.DataFrame:
    """
    The `count` open partners nearest to `place` (by their nearest place with a point).

    Columns `partner_id`, `name`, `topics` (in words), `address`, `hours` (in words), `distance_m`. Public
    fields only: never a contact person.
    """
    to_metric = Transformer.from_crs(STORAGE_CRS, METRIC_CRS, always_xy=True)
    x, y = to_metric.transform(place.lon, place.lat)
    rows = []
    for v in views:
        if v.status == "closed":
            continue
        for p in v.places:
            if p.point is None:
                continue
            px, py = to_metric.transform(p.point[1], p.point[0])
            rows.append(
                {
                    "partner_id": v.id,
                    "name": v.name,
                    "topics": ", ".join(i18n.translate(f"partners.topic.{x}", lang) for x in v.topics),
                    "address": partners.address(p),
                    "hours": "; ".join(partners.hours_lines(p.hours, lang)),
                    "distance_m": round(math.hypot(px - x, py - y)),
                }
            )
    columns = ["partner_id", "name", "topics", "address", "hours", "distance_m"]
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame.sort_values("distance_m").drop_duplicates("partner_id")
    return frame.head(count).reset_index(drop=True)


def locate_street(dataset: Dataset, street: str) -> tuple[float, float] | None:
    """
    (lat, lon) for an address's street from the street list, or None when the street is not in it.

    House numbers are not known: the street's own point stands for the address.
    """
    name = _street(street) or street
    found = find_place(dataset, name)
    if found is None or found.kind != "street":
        return None
    return (round(found.lat, 6), round(found.lon, 6))
