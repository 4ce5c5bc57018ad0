"""Paths, coordinate reference systems and limits, in one place; each can be overridden by environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: Where files and Leaflet keep coordinates.
STORAGE_CRS = "EPSG:4326"
#: ETRS89 / UTM zone 32N, the official CRS in North Rhine-Westphalia: every area and distance is measured here.
METRIC_CRS = "EPSG:25832"

REPO_ROOT = Path(__file__).resolve().parent.parent

#: Official open-data portal of the Landeshauptstadt Düsseldorf and the two geometry files the app uses.
PORTAL_BASE_URL = "https://opendata.duesseldorf.de/sites/default/files/"
PORTAL_SOZIALRAEUME = "Sozialräume_WGS84_4326_0.geojson"
PORTAL_STADTTEILE = "Stadtteile_2025_WGS84_EPSG4326_1.geojson"

#: Inhabitants of Düsseldorf on 31.12.2021, the reference date of the Quartiersatlas 2024
#: (sum of its 171 Sozialräume; Amt für Statistik und Wahlen, Quartiersatlas 2024).
CITY_POPULATION_2021 = 643_753

#: Longitude and latitude bounds of Düsseldorf (west, south, east, north), rounded outward from the
#: city's Stadtteil polygons (lon 6.6887-6.9399, lat 51.1244-51.3525; OpenStreetMap via click_that_hood).
#: Files whose features all lie outside are refused: another city, or another coordinate system.
CITY_EXTENT = (6.65, 51.10, 6.97, 51.38)


@dataclass(frozen=True)
class Settings:
    """Runtime settings; build them with `get_settings()` so environment overrides apply."""

    data_dir: Path
    user_dir: Path
    city_population: int
    simplify_tolerance_m: float
    download_timeout_s: float
    max_download_bytes: int


def get_settings() -> Settings:
    """
    Read the settings, with environment overrides.

    Returns
    -------
    Settings
        `SOZIALRAUM_DATA_DIR` (the dataset the app opens first, default `data/`), `SOZIALRAUM_USER_DIR`
        (where imported official data is kept, default `var/`), `SOZIALRAUM_CITY_POPULATION`,
        `SOZIALRAUM_SIMPLIFY_M` (map simplification tolerance in metres), `SOZIALRAUM_DOWNLOAD_TIMEOUT`
        (seconds) and `SOZIALRAUM_MAX_DOWNLOAD_MB`.
    """
    env = os.environ
    return Settings(
        data_dir=Path(env.get("SOZIALRAUM_DATA_DIR", REPO_ROOT / "data")),
        user_dir=Path(env.get("SOZIALRAUM_USER_DIR", REPO_ROOT / "var")),
        city_population=int(env.get("SOZIALRAUM_CITY_POPULATION", CITY_POPULATION_2021)),
        simplify_tolerance_m=float(env.get("SOZIALRAUM_SIMPLIFY_M", "12")),
        download_timeout_s=float(env.get("SOZIALRAUM_DOWNLOAD_TIMEOUT", "60")),
        max_download_bytes=int(float(env.get("SOZIALRAUM_MAX_DOWNLOAD_MB", "100")) * 1024 * 1024),
    )
