"""Paths, coordinate reference systems and limits, in one place; each can be overridden by environment."""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from geo.core.errors import SozialraumError

#: Where files and Leaflet keep coordinates.
STORAGE_CRS = "EPSG:4326"
#: ETRS89 / UTM zone 32N, the official CRS in North Rhine-Westphalia: every area and distance is measured here.
METRIC_CRS = "EPSG:25832"
#: The longest unit ID any city profile may use (`geo.data.city`; migration 0011 widened the register's columns).
UNIT_ID_MAX = 20


def unit_id(value: object, known: Collection[str] | None = None) -> str:
    """
    A unit ID typed or read from a table, as the dataset writes it: text, leading zeros restored.

    A number is padded to the width of the `known` IDs (a city's IDs all have one width: 6 digits in
    Düsseldorf, 8 in Berlin; 6 when none are known): ``"37001"`` -> ``"037001"``, ``1100101`` ->
    ``"01100101"``. Anything else is returned as typed, for the caller to refuse as unknown.
    """
    text = str(value).strip().removesuffix(".0")
    if not text.isdigit():
        return text
    width = max((len(k) for k in known), default=6) if known else 6
    return text.zfill(width)


REPO_ROOT = Path(__file__).resolve().parents[2]

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


class SettingError(SozialraumError, ValueError):
    """An environment setting that cannot be used (not a number, below its minimum)."""


#: Every numeric setting read from the environment: name -> (default, minimum).
NUMBERS: dict[str, tuple[float, float]] = {
    "SOZIALRAUM_CITY_POPULATION": (CITY_POPULATION_2021, 1),
    "SOZIALRAUM_SIMPLIFY_M": (12, 0),
    "SOZIALRAUM_DOWNLOAD_TIMEOUT": (60, 1),
    "SOZIALRAUM_MAX_DOWNLOAD_MB": (100, 0.01),
    "SOZIALRAUM_LOGIN_MAX_FAILURES": (5, 1),
    "SOZIALRAUM_LOGIN_MAX_CLIENT_FAILURES": (20, 1),
    "SOZIALRAUM_LOGIN_WINDOW_MIN": (15, 1),
    "SOZIALRAUM_CODE_HOURS": (72, 1),
    "SOZIALRAUM_SESSION_HOURS": (12, 0.1),
    "SOZIALRAUM_RETENTION_DAYS": (365, 1),
    "SOZIALRAUM_PARTNER_CHECK_MONTHS": (12, 1),
    "SOZIALRAUM_SQLITE_BUSY_MS": (5000, 0),
    "SOZIALRAUM_SMTP_PORT": (587, 1),
    "SOZIALRAUM_RESTORE_MAX_MB": (1024, 1),
    "SOZIALRAUM_IMPORT_MAX_MB": (20, 0.01),
    "SOZIALRAUM_IMPORT_MAX_CELLS": (200_000, 100),
    "SOZIALRAUM_DOWNLOAD_DEADLINE": (600, 1),
    "SOZIALRAUM_HASH_CONCURRENCY": (4, 1),
    # Argon2id's cost per password (`geo.register.accounts.password_hasher`): OWASP's 19 MiB and 2 passes
    "SOZIALRAUM_ARGON2_MEMORY_KIB": (19 * 1024, 1024),
    "SOZIALRAUM_ARGON2_PASSES": (2, 1),
}


def check_environment() -> list[SettingError]:
    """Every numeric setting that cannot be used; the app shows them at start instead of failing later."""
    problems = []
    for name in NUMBERS:
        try:
            env_number(name)
        except SettingError as exc:
            problems.append(exc)
    return problems


def env_number(name: str) -> float:
    """
    The number in the environment variable `name`, else its default (see `NUMBERS`).

    Raises
    ------
    SettingError
        Naming the variable, its value and what it should be, so an operator can fix it at once
        (instead of every page failing with "Interner Fehler").
    """
    default, minimum = NUMBERS[name]
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = float("nan")
    if not value >= minimum or value == float("inf"):  # also NaN
        raise SettingError("error.setting_invalid", name=name, value=text[:40], minimum=minimum)
    return value


def default_home() -> Path:
    """
    Where data and user folders go unless `SOZIALRAUM_DATA_DIR` / `SOZIALRAUM_USER_DIR` say otherwise.

    In a source checkout the checkout itself (``data/``, ``var/``); in an installed package never the
    package folder but ``$XDG_DATA_HOME/sozialraum-karte`` (``~/.local/share/sozialraum-karte``).
    """
    if (REPO_ROOT / "pyproject.toml").is_file() and (REPO_ROOT / "app.py").is_file():
        return REPO_ROOT
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "sozialraum-karte"


def get_settings() -> Settings:
    """
    Read the settings, with environment overrides.

    Returns
    -------
    Settings
        `SOZIALRAUM_DATA_DIR` (the dataset the app opens first, default `data/` in a checkout),
        `SOZIALRAUM_USER_DIR` (where imported official data is kept, default `var/` in a checkout; see
        `default_home` for an installed package), `SOZIALRAUM_CITY_POPULATION`,
        `SOZIALRAUM_SIMPLIFY_M` (map simplification tolerance in metres), `SOZIALRAUM_DOWNLOAD_TIMEOUT`
        (seconds) and `SOZIALRAUM_MAX_DOWNLOAD_MB`.
    """
    env = os.environ
    return Settings(
        data_dir=Path(env.get("SOZIALRAUM_DATA_DIR", default_home() / "data")),
        user_dir=Path(env.get("SOZIALRAUM_USER_DIR", default_home() / "var")),
        city_population=int(env_number("SOZIALRAUM_CITY_POPULATION")),
        simplify_tolerance_m=env_number("SOZIALRAUM_SIMPLIFY_M"),
        download_timeout_s=env_number("SOZIALRAUM_DOWNLOAD_TIMEOUT"),
        max_download_bytes=int(env_number("SOZIALRAUM_MAX_DOWNLOAD_MB") * 1024 * 1024),
    )
