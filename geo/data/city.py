"""
A city profile: everything city-specific about the data, in one TOML file (``geo/data/cities/<key>.toml``).

The app was built for Düsseldorf (171 Sozialräume, 6-digit IDs, the Quartiersatlas); a profile states what
another city publishes instead, field by field (`docs/stadt-hinzufuegen.md` explains each one with Berlin as
the worked example):

- ``[city]``: the name, the metric CRS distances are measured in, a lon/lat box the data must lie in, the
  default map view, the hosts downloads may come from.
- ``[unit]`` and ``[[parent]]``: the smallest unit the app maps (Sozialraum, Planungsraum, …) and the levels
  above it, each named in the six UI languages (singular and plural); the unit ID's width (leading zeros are
  restored) and pattern; a parent's ID is a prefix of the unit ID (``prefix``) or a column of a table.
- ``[geometry]``: the file of the units' shapes (recognised by its name), its ID and name columns, the CRS
  to assume when the file declares none, an optional clip box.
- ``[[table]]``: each statistics table, recognised by its name or its columns; its dialect (separator,
  decimal mark, encoding, rows to skip, missing-value markers such as ``-9999``), its ID and name columns,
  and a validity column whose other values mark a row as not usable.
- ``[[indicator]]``: column and table, label per language, unit, direction (``up``: more need when higher,
  ``down``: when lower, ``none``: context only), reference date, whether the column already is a class.
- ``[population]``, ``[[points]]`` (contact points such as Welcome Points or youth centres), and per layer its
  source, licence and date.
- ``[words.<lang>]``: how the app's sentences name the levels and the city. The catalogue is written with
  Düsseldorf's words (Sozialraum, Stadtteil, Stadtbezirk, Düsseldorf); each entry gives the city's word or
  phrase for one of them, as it stands in a sentence (``"Sozialräumen" = "Planungsräumen"``,
  ``"im Stadtteil" = "in der Bezirksregion"``). `words_missing` lists the forms a language still lacks.

`load_profile` reads and validates a profile: every mistake is named with its field and what is wrong
(`ProfileError`). `check` takes a city's files as it publishes them, in any order, says which layer each
file is, and reports what joins and what does not: IDs that match no unit, units without values, rows
marked invalid, duplicate names, names that differ between files for the same ID. It joins on IDs only.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS
from pyproj.exceptions import CRSError

from geo.core import i18n
from geo.core.errors import DataError, SozialraumError
from geo.core.report import Report
from geo.core.settings import STORAGE_CRS, UNIT_ID_MAX
from geo.data.indicators import Catalogue
from geo.data.indicators import Indicator as IndicatorEntry

T = TypeVar("T")

#: The bundled profiles.
CITIES_DIR = Path(__file__).resolve().parent / "cities"
#: The profile used when none is named.
DEFAULT_PROFILE = "duesseldorf"
#: What an indicator's direction may be.
DIRECTIONS = ("up", "down", "none")
#: Markers of a missing value in every table (each table may add its own, such as ``-9999``).
MISSING = ("", ".", "-", "–", "x", "X", "nan", "NaN", "None")
#: Files that may hold a layer; any other file among a city's files is named and left aside.
DATA_SUFFIXES = frozenset({".csv", ".txt", ".xlsx", ".xls", ".geojson", ".json", ".shp", ".zip", ".gpkg"})
#: What the Daten page takes among a city's files: the layers' files and a Shapefile's other parts.
UPLOAD_SUFFIXES = DATA_SUFFIXES | {".dbf", ".shx", ".prj", ".cpg", ".qmd", ".xml"}
#: How many IDs a finding lists at most (the count is always complete).
SHOWN_IDS = 12
#: Per UI language, how the catalogue names Düsseldorf's levels and the city: every form these find in a
#: catalogue text is one a profile for another city gives its own word for (`words_missing`). Generic words
#: ("Gebiet", "area", "район") and the programme's own (the activity "Stadtteilrundgang") are not among them.
CATALOGUE_WORDS: dict[str, str] = {
    "de": r"\b(?!Stadtteilrundgang)\w*(?:Sozialr[aä]um|Stadtteil|Stadtbezirk|Bezirk|Düsseldorf|Bilk)\w*",
    "en": r"\b\w*(?:Sozialr[aä]um|Stadtteil|Stadtbezirk|[Dd]istrict|Düsseldorf|Bilk)\w*",
    "tr": r"(?:\b[Ss]osyal alan\w*|\bSozialraum\w*(?:'\w+)?|\b[Ss]emt\w*|(?<!\w)[İi]lçe\w*"
    r"|\b(?:Düsseldorf|Bilk)\w*(?:'\w+)?)",
    "ar": r"(?:\w*مناطق\w* (?:ال)?اجتماعية|\w*منطق\w* (?:ال)?اجتماعية|\w*الأحياء الاجتماعية"
    r"|(?<!\w)(?:و|ل|لل|ال|وال|بال)?(?:حي|أحياء)(?!\w)|\w*دوسلدورف\w*|\w*بيلك)",
    "uk": r"\b(?:[Сс]оцрайон\w*|[Чч]астин\w* міста|Дюссельдорф\w*|Більк\w*)",
    "ru": r"\b(?:[Сс]оцрайон\w*|[Чч]аст\w* города|[Уу]част\w* города|Дюссельдорф\w*|Бильк\w*)",
}


class ProfileError(SozialraumError, ValueError):
    """A city profile that cannot be used: names the field and what is wrong with it."""


@dataclass(frozen=True)
class Level:
    """A level of units (the mapped unit or a parent): its names per UI language and where its ID comes from."""

    key: str
    #: Language code → (singular, plural).
    names: dict[str, tuple[str, str]]
    #: A parent's ID is the unit ID's first `prefix` characters (0: not by prefix).
    prefix: int = 0
    #: Or a column (of the geometry or a table) holds it.
    column: str = ""

    def name(self, lang: str, *, plural: bool = False) -> str:
        """The level's name in `lang` (German when the profile has none in it)."""
        singular, many = self.names.get(lang) or self.names[i18n.DEFAULT_LANGUAGE]
        return many if plural else singular


@dataclass(frozen=True)
class Dialect:
    """How a table is written: separator, decimal mark, encoding, rows before the header, missing markers."""

    separator: str = ","
    decimal: str = "."
    encoding: str = "utf-8-sig"
    skip_rows: int = 0
    missing: tuple[str, ...] = ()
    sheet: str = ""


@dataclass(frozen=True)
class Layer:
    """One file the city publishes: how it is recognised, read, and credited."""

    key: str
    label: str
    #: File name patterns (``fnmatch``, case-insensitive); a file matching one is this layer.
    match: tuple[str, ...] = ()
    #: Or: columns that must all be present (used when no name pattern matched).
    columns: tuple[str, ...] = ()
    id_column: str = ""
    name_column: str = ""
    dialect: Dialect = field(default_factory=Dialect)
    #: A column whose value marks a row as usable; rows with any other value count as invalid.
    validity_column: str = ""
    valid_values: tuple[str, ...] = ()
    source: str = ""
    licence: str = ""
    reference_date: str = ""
    #: For geometry and points: the CRS to assume when the file declares none.
    assume_crs: str = ""
    #: For points: the columns of the coordinates (when the file is a table), and their CRS.
    x_column: str = ""
    y_column: str = ""
    #: For points: the columns of the address and of the contact, shown as they are.
    address_columns: tuple[str, ...] = ()
    contact_columns: tuple[str, ...] = ()
    #: For points: what a point is, per UI language (singular, plural), for legends ("Welcome Point" if none).
    names: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Indicator:
    """One indicator of the city's statistics."""

    id: str
    table: str
    column: str
    labels: dict[str, str]
    unit: str = ""
    direction: str = "none"
    kind: str = "percent"
    reference_date: str = ""
    is_class: bool = False

    def label(self, lang: str) -> str:
        """The label in `lang` (German when the profile has none in it)."""
        return self.labels.get(lang) or self.labels[i18n.DEFAULT_LANGUAGE]


@dataclass(frozen=True)
class CityProfile:
    """A city's data, described (see the module's docstring and `docs/stadt-hinzufuegen.md`)."""

    key: str
    name: str
    metric_crs: str
    extent: tuple[float, float, float, float]
    unit: Level
    id_width: int
    id_pattern: str
    parents: tuple[Level, ...]
    geometry: Layer
    tables: tuple[Layer, ...]
    indicators: tuple[Indicator, ...]
    points: tuple[Layer, ...] = ()
    population: tuple[str, str] = ("", "")  # (table, column)
    default_view: tuple[float, float, float] = (0.0, 0.0, 11.0)  # lat, lon, zoom
    download_hosts: tuple[str, ...] = ()
    clip: tuple[float, float, float, float] | None = None
    #: The indicator a map opens with, and the need index's default recipe (indicator ids).
    default_indicator: str = ""
    default_need: tuple[str, ...] = ()
    #: Per UI language: the catalogue's word (Düsseldorf's) -> the city's (see `i18n.with_words`).
    words: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Where it was read from.
    path: Path | None = None

    def layers(self) -> tuple[Layer, ...]:
        """Every file layer: the geometry, the tables, the point layers."""
        return (self.geometry, *self.tables, *self.points)

    def normalise_id(self, value: object) -> str | None:
        """A unit ID as text of `id_width` characters (leading zeros restored); None when it is no ID."""
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        text = re.sub(r"\.0+$", "", str(value).strip())
        if text.isdigit() and len(text) < self.id_width:
            text = text.zfill(self.id_width)
        return text if re.fullmatch(self.id_pattern, text) else None

    def parent_id(self, level: Level, unit_id: str) -> str:
        """The ID of the unit's parent on `level` (by prefix)."""
        return unit_id[: level.prefix] if level.prefix else ""


# --- reading and validating a profile ------------------------------------------------------------------


def bundled() -> list[str]:
    """The keys of the bundled profiles."""
    return sorted(p.stem for p in CITIES_DIR.glob("*.toml"))


def load_profile(name_or_path: str | Path | None = None) -> CityProfile:
    """
    A bundled profile by key (``berlin``) or a profile file by path; validated.

    Raises
    ------
    ProfileError
        For an unknown key, a file that is no TOML, or any field that is missing or wrong (named).
    """
    name_or_path = name_or_path or DEFAULT_PROFILE
    path = Path(name_or_path)
    if path.suffix.lower() != ".toml":
        path = CITIES_DIR / f"{name_or_path}.toml"
        if not path.is_file():
            raise ProfileError("city.unknown", name=str(name_or_path), known=", ".join(bundled()))
    if not path.is_file():
        raise ProfileError("city.missing_file", file=str(path))
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError("city.not_toml", file=path.name, reason=str(exc)[:200]) from exc
    return _profile(raw, path)


class _Fields:
    """One table of the TOML file, read field by field: each mistake names the field's full path."""

    def __init__(self, raw: Any, where: str, allowed: set[str]) -> None:
        if not isinstance(raw, dict):
            raise ProfileError("city.field_type", field=where, wanted="table")
        unknown = sorted(set(raw) - allowed)
        if unknown:  # a typo must not silently become a default
            raise ProfileError(
                "city.field_unknown", field=f"{where}.{unknown[0]}", allowed=", ".join(sorted(allowed))
            )
        self.raw = raw
        self.where = where

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def text(self, key: str, default: str | None = None) -> str:
        value = self.raw.get(key, default)
        if value is None:
            raise ProfileError("city.field_missing", field=self.path(key))
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise ProfileError("city.field_type", field=self.path(key), wanted="text")
        return value

    def number(self, key: str, default: float | None = None) -> float:
        value = self.raw.get(key, default)
        if value is None:
            raise ProfileError("city.field_missing", field=self.path(key))
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ProfileError("city.field_type", field=self.path(key), wanted="number")
        return float(value)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.raw.get(key, default)
        if not isinstance(value, bool):
            raise ProfileError("city.field_type", field=self.path(key), wanted="true/false")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.raw.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ProfileError("city.field_type", field=self.path(key), wanted="list of texts")
        return tuple(value)

    def box(self, key: str, *, required: bool = True) -> tuple[float, float, float, float] | None:
        value = self.raw.get(key)
        if value is None and not required:
            return None
        if (
            not isinstance(value, list)
            or len(value) != 4
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        ):
            raise ProfileError("city.field_type", field=self.path(key), wanted="[west, south, east, north]")
        west, south, east, north = (float(v) for v in value)
        if not (west < east and south < north):
            raise ProfileError("city.box_order", field=self.path(key))
        return west, south, east, north

    def crs(self, key: str, *, required: bool = True) -> str:
        value = self.text(key, None if required else "")
        if not value:
            return ""
        try:
            CRS.from_user_input(value)
        except CRSError as exc:
            raise ProfileError("city.crs_unknown", field=self.path(key), value=value) from exc
        return value


def _names(raw: Any, where: str) -> dict[str, tuple[str, str]]:
    """A level's names: ``{de = ["Sozialraum", "Sozialräume"], ...}``; German is required."""
    fields = _Fields(raw, where, set(i18n.LANGUAGES))
    names: dict[str, tuple[str, str]] = {}
    for lang, pair in fields.raw.items():
        if not (
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) and p.strip() for p in pair)
        ):
            raise ProfileError("city.field_type", field=f"{where}.{lang}", wanted='["singular", "plural"]')
        names[lang] = (pair[0].strip(), pair[1].strip())
    if i18n.DEFAULT_LANGUAGE not in names:
        raise ProfileError("city.field_missing", field=f"{where}.{i18n.DEFAULT_LANGUAGE}")
    return names


LAYER_FIELDS = {
    "key", "label", "match", "columns", "id_column", "name_column", "separator", "decimal", "encoding",
    "skip_rows", "missing", "sheet", "validity_column", "valid_values", "source", "licence", "reference_date",
    "assume_crs", "x_column", "y_column", "address_columns", "contact_columns", "names",
}  # fmt: skip


def _layer(raw: Any, where: str, *, key: str | None = None) -> Layer:
    f = _Fields(raw, where, LAYER_FIELDS)
    decimal = f.text("decimal", ".")
    if decimal not in {".", ","}:
        raise ProfileError("city.field_choice", field=f.path("decimal"), allowed='".", ","')
    encoding = f.text("encoding", "utf-8-sig")
    try:
        "".encode(encoding)
    except LookupError as exc:
        raise ProfileError(
            "city.field_choice", field=f.path("encoding"), allowed="utf-8-sig, utf-8, cp1252, latin-1"
        ) from exc
    layer = Layer(
        key=key or f.text("key"),
        label=f.text("label", key or ""),
        match=f.texts("match"),
        columns=f.texts("columns"),
        id_column=f.text("id_column", ""),
        name_column=f.text("name_column", ""),
        dialect=Dialect(
            separator=f.text("separator", ","),
            decimal=decimal,
            encoding=encoding,
            skip_rows=int(f.number("skip_rows", 0)),
            missing=f.texts("missing"),
            sheet=f.text("sheet", ""),
        ),
        validity_column=f.text("validity_column", ""),
        valid_values=f.texts("valid_values"),
        source=f.text("source", ""),
        licence=f.text("licence", ""),
        reference_date=f.text("reference_date", ""),
        assume_crs=f.crs("assume_crs", required=False),
        x_column=f.text("x_column", ""),
        y_column=f.text("y_column", ""),
        address_columns=f.texts("address_columns"),
        contact_columns=f.texts("contact_columns"),
        names=_names(f.raw["names"], f.path("names")) if "names" in f.raw else {},
    )
    if not layer.match and not layer.columns:
        raise ProfileError("city.layer_unrecognisable", field=where)
    if layer.validity_column and not layer.valid_values:
        raise ProfileError("city.field_missing", field=f.path("valid_values"))
    return layer


def _catalogue(raw: Any, path: Path, table_keys: set[str]) -> list[Indicator]:
    """The indicators of a catalogue file in the app's own format (``geo/data/indikatoren.toml``), for one table."""
    f = _Fields(raw, "indicators", {"catalogue", "table"})
    table = _table_key(f.text("table"), "indicators.table", table_keys)
    source = (path.parent / f.text("catalogue")).resolve()
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError("city.missing_file", file=str(source)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError("city.not_toml", file=source.name, reason=str(exc)[:200]) from exc
    defaults = data.get("defaults", {})
    found = []
    for entry in data.get("indicator", []):
        labels = {lang: entry[f"label_{lang}"] for lang in i18n.LANGUAGES if f"label_{lang}" in entry}
        found.append(
            Indicator(
                id=entry["id"],
                table=table,
                column=entry.get("column", entry["id"]),
                labels=labels or {i18n.DEFAULT_LANGUAGE: entry["id"]},
                unit=entry.get("unit", ""),
                direction=entry.get("direction", "none"),
                kind=entry.get("kind", "percent"),
                reference_date=entry.get("reference_date", defaults.get("reference_date", "")),
            )
        )
    return found


def _unit(raw: Any) -> tuple[Level, int, str]:
    """The mapped unit: its level, the ID's width and its pattern."""
    f = _Fields(raw, "unit", {"key", "names", "id_width", "id_pattern"})
    width = int(f.number("id_width"))
    if not 1 <= width <= UNIT_ID_MAX:
        raise ProfileError("city.field_range", field="unit.id_width", low=1, high=UNIT_ID_MAX)
    pattern = f.text("id_pattern", rf"\d{{{width}}}")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ProfileError("city.pattern_invalid", field="unit.id_pattern", value=pattern) from exc
    return Level(f.text("key"), _names(f.raw.get("names"), "unit.names")), width, pattern


def _parents(raw: Any, width: int) -> tuple[Level, ...]:
    """The levels above the unit, smallest first: each by an ID prefix or by a column."""
    parents = []
    for n, item in enumerate(raw or []):
        where = f"parent[{n}]"
        p = _Fields(item, where, {"key", "names", "prefix", "column"})
        prefix = int(p.number("prefix", 0))
        column = p.text("column", "")
        if not prefix and not column:
            raise ProfileError("city.parent_rule", field=where)
        if prefix and not 0 < prefix < width:
            raise ProfileError("city.field_range", field=f"{where}.prefix", low=1, high=width - 1)
        parents.append(Level(p.text("key"), _names(p.raw.get("names"), f"{where}.names"), prefix, column))
    return tuple(parents)


def _layers(top: _Fields) -> tuple[Layer, tuple[Layer, ...], tuple[Layer, ...]]:
    """The geometry, the tables and the point layers; every key once, every table with its ID column."""
    geometry = _layer(top.raw.get("geometry"), "geometry", key="geometry")
    if not geometry.id_column:
        raise ProfileError("city.field_missing", field="geometry.id_column")
    tables = tuple(_layer(t, f"table[{n}]") for n, t in enumerate(top.raw.get("table", [])))
    points = tuple(_layer(t, f"points[{n}]") for n, t in enumerate(top.raw.get("points", [])))
    keys = [layer.key for layer in (geometry, *tables, *points)]
    if len(set(keys)) != len(keys):
        twice = sorted({k for k in keys if keys.count(k) > 1})
        raise ProfileError("city.key_twice", field="table.key", value=twice[0])
    for n, t in enumerate(tables):
        if not t.id_column:
            raise ProfileError("city.field_missing", field=f"table[{n}].id_column")
    return geometry, tables, points


def _table_key(value: str, field: str, table_keys: set[str]) -> str:
    if value not in table_keys:
        raise ProfileError(
            "city.table_unknown", field=field, value=value, known=", ".join(sorted(table_keys))
        )
    return value


def _indicator(item: Any, where: str, table_keys: set[str]) -> Indicator:
    """One ``[[indicator]]``: its table must be described, its direction one of `DIRECTIONS`, German labelled."""
    i = _Fields(
        item,
        where,
        {"id", "table", "column", "labels", "unit", "direction", "kind", "reference_date", "is_class"},
    )
    table = _table_key(i.text("table"), f"{where}.table", table_keys)
    direction = i.text("direction", "none")
    if direction not in DIRECTIONS:
        raise ProfileError("city.field_choice", field=f"{where}.direction", allowed=", ".join(DIRECTIONS))
    labels = _Fields(i.raw.get("labels"), f"{where}.labels", set(i18n.LANGUAGES))
    if i18n.DEFAULT_LANGUAGE not in labels.raw:
        raise ProfileError("city.field_missing", field=f"{where}.labels.{i18n.DEFAULT_LANGUAGE}")
    return Indicator(
        id=i.text("id"),
        table=table,
        column=i.text("column"),
        labels={lang: labels.text(lang) for lang in labels.raw},
        unit=i.text("unit", ""),
        direction=direction,
        kind=i.text("kind", "percent"),
        reference_date=i.text("reference_date", ""),
        is_class=i.flag("is_class"),
    )


def _profile(raw: dict[str, Any], path: Path) -> CityProfile:
    top = _Fields(
        raw,
        "",
        {
            "city", "unit", "parent", "geometry", "table", "indicator", "indicators", "population", "points",
            "defaults", "words",
        },
    )  # fmt: skip
    city = _Fields(
        top.raw.get("city"),
        "city",
        {"key", "name", "metric_crs", "extent", "default_view", "download_hosts", "clip"},
    )
    metric = city.crs("metric_crs")
    if CRS.from_user_input(metric).is_geographic:
        raise ProfileError("city.crs_not_metric", field="city.metric_crs", value=metric)
    view = _Fields(
        city.raw.get("default_view", {"lat": 0, "lon": 0}), "city.default_view", {"lat", "lon", "zoom"}
    )
    extent = city.box("extent")
    assert extent is not None
    unit, width, pattern = _unit(top.raw.get("unit"))
    parents = _parents(top.raw.get("parent"), width)
    geometry, tables, points = _layers(top)
    table_keys = {t.key for t in tables}
    indicators = [
        _indicator(item, f"indicator[{n}]", table_keys) for n, item in enumerate(top.raw.get("indicator", []))
    ]
    if "indicators" in top.raw:
        indicators.extend(_catalogue(top.raw["indicators"], path, table_keys))
    ids = [i.id for i in indicators]
    if len(set(ids)) != len(ids):
        raise ProfileError(
            "city.key_twice", field="indicator.id", value=next(i for i in ids if ids.count(i) > 1)
        )
    known = set(ids)
    defaults = _Fields(top.raw.get("defaults", {}), "defaults", {"indicator", "need"})
    default_indicator = defaults.text("indicator", "")
    default_need = defaults.texts("need")
    for n, chosen in enumerate((default_indicator, *default_need)):
        if chosen and chosen not in known:
            where = "defaults.indicator" if n == 0 else f"defaults.need[{n - 1}]"
            raise ProfileError("city.indicator_unknown", field=where, value=chosen)
    population = ("", "")
    if "population" in top.raw:
        pop = _Fields(top.raw["population"], "population", {"table", "column"})
        population = (_table_key(pop.text("table"), "population.table", table_keys), pop.text("column"))
    return CityProfile(
        key=city.text("key"),
        name=city.text("name"),
        metric_crs=metric,
        extent=extent,
        unit=unit,
        id_width=width,
        id_pattern=pattern,
        parents=parents,
        geometry=geometry,
        tables=tables,
        indicators=tuple(indicators),
        points=points,
        population=population,
        default_view=(view.number("lat"), view.number("lon"), view.number("zoom", 11)),
        download_hosts=city.texts("download_hosts"),
        clip=city.box("clip", required=False),
        default_indicator=default_indicator,
        default_need=default_need,
        words=_words(top.raw.get("words", {})),
        path=path,
    )


def _words(raw: Any) -> dict[str, dict[str, str]]:
    """``[words.<lang>]``: per UI language, the catalogue's word -> the city's, both non-empty text."""
    top = _Fields(raw, "words", set(i18n.LANGUAGES))
    words: dict[str, dict[str, str]] = {}
    for lang, table in top.raw.items():
        if not isinstance(table, dict):
            raise ProfileError("city.field_type", field=f"words.{lang}", wanted="table")
        for old, new in table.items():
            if not str(old).strip() or not isinstance(new, str) or not new.strip():
                raise ProfileError("city.field_type", field=f"words.{lang}.{old}", wanted="text")
        words[lang] = {str(old).strip(): new.strip() for old, new in table.items()}
    return words


def words_missing(profile: CityProfile, lang: str) -> list[str]:
    """
    The catalogue's level words (`CATALOGUE_WORDS`) in `lang` that the profile's words leave as they are.

    Empty for the default profile (its words are the catalogue's) and for a language whose table covers
    every form; otherwise each form once, most frequent first, so the profile's author sees what to add.
    """
    if profile.key == DEFAULT_PROFILE or lang not in CATALOGUE_WORDS:
        return []
    vocabulary = re.compile(CATALOGUE_WORDS[lang])
    covered = {lang: {old: "\ue000" for old in profile.words.get(lang, {})}}
    found: dict[str, int] = {}
    for message in i18n.catalogue(lang).values():
        for text in message.values() if isinstance(message, dict) else (message,):
            blanked = i18n.with_words(text, lang, covered) if covered[lang] else text
            for keep in i18n.KEEP_WORDS:
                blanked = blanked.replace(keep, "\ue000")
            for match in vocabulary.finditer(blanked):
                found[match.group(0)] = found.get(match.group(0), 0) + 1
    return sorted(found, key=lambda w: (-found[w], w))


def catalogue(profile: CityProfile) -> Catalogue:
    """The profile's indicators as the app's catalogue (`geo.data.indicators.Catalogue`), with their sources."""
    sources = {layer.key: layer for layer in profile.tables}
    entries = []
    for i in profile.indicators:
        layer = sources[i.table]
        entries.append(
            IndicatorEntry(
                id=i.id,
                column=i.column,
                label_de=i.label("de"),
                label_en=i.label("en"),
                label_tr=i.label("tr"),
                label_ar=i.label("ar"),
                label_uk=i.label("uk"),
                label_ru=i.label("ru"),
                unit=i.unit,
                direction=i.direction,  # type: ignore[arg-type]  # validated against DIRECTIONS
                kind=i.kind,
                source=layer.source,
                reference_date=i.reference_date or layer.reference_date,
            )
        )
    first = profile.tables[0] if profile.tables else profile.geometry
    chosen = profile.default_indicator or next((e.id for e in entries if e.direction == "up"), "")
    return Catalogue(
        indicators=tuple(entries),
        source=first.source,
        reference_date=first.reference_date,
        default_indicator=chosen,
        default_need=tuple((i, 1.0) for i in profile.default_need),
    )


# --- recognising and reading a city's files -------------------------------------------------------------

#: What a reader raises for a file it cannot read (a wrong encoding, a broken Shapefile, a malformed CSV).
UNREADABLE = (OSError, ValueError, RuntimeError, UnicodeError, pd.errors.ParserError)


def _read(path: Path, read: Callable[[], T]) -> T:
    """`read()`, with any failure to read `path` said in a sentence that names the file (`DataError`)."""
    try:
        return read()
    except DataError:
        raise
    except UNREADABLE as exc:
        raise DataError(
            "city.file_unreadable", file=path.name, reason=str(exc).splitlines()[0][:200]
        ) from exc


def _column(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    if column not in frame.columns:
        raise DataError("error.column_missing", file=path.name, column=column, found=list(frame.columns))
    return frame[column]


def _columns_of(path: Path, layer: Layer | None = None) -> list[str]:
    """The header of a table or the attribute names of a geodata file (cheaply: the first rows only)."""
    suffix = path.suffix.lower()
    if suffix in {".shp", ".geojson", ".json", ".gpkg"}:
        return [str(c) for c in gpd.read_file(path, rows=1).columns]
    if suffix in {".csv", ".txt"}:
        dialect = layer.dialect if layer else None
        for separator in [dialect.separator] if dialect else [",", ";", "\t"]:
            head = pd.read_csv(
                path,
                sep=separator,
                nrows=0,
                encoding=dialect.encoding if dialect else "utf-8-sig",
                skiprows=dialect.skip_rows if dialect else 0,
                encoding_errors="replace",
            )
            if len(head.columns) > 1:
                return [str(c) for c in head.columns]
    return []


def recognise(profile: CityProfile, paths: list[Path]) -> tuple[dict[str, Path], list[Path], Report]:
    """
    Which layer of `profile` each file is: by its name first, else by its columns.

    Returns the files by layer key, the files no layer takes (named in the report as errors), and the report
    (also: two files for one layer).
    """
    report = Report()
    found: dict[str, Path] = {}
    unplaced: list[Path] = []
    for path in sorted(paths, key=lambda p: p.name):
        if path.suffix.lower() in {".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml"}:
            continue  # the parts of a Shapefile travel with its .shp
        name = path.name.casefold()
        by_name = [
            layer
            for layer in profile.layers()
            if any(fnmatch.fnmatch(name, m.casefold()) for m in layer.match)
        ]
        layer = by_name[0] if by_name else None
        if layer is None:
            try:
                columns = set(_columns_of(path))
            except UNREADABLE:  # named below as a file no layer takes
                columns = set()
            by_columns = [
                candidate
                for candidate in profile.layers()
                if candidate.columns and set(candidate.columns) <= columns
            ]
            layer = by_columns[0] if len(by_columns) == 1 else None
        if layer is None:
            unplaced.append(path)
            if path.suffix.lower() in DATA_SUFFIXES:
                report.error("city_file_unplaced", file=path.name)
            else:  # a read-me or a licence beside the data: named, not a reason to stop
                report.warning("city_file_ignored", file=path.name)
            continue
        if layer.key in found:
            report.error("city_file_twice", layer=layer.label, files=f"{found[layer.key].name}, {path.name}")
            continue
        found[layer.key] = path
    return found, unplaced, report


def _ids(profile: CityProfile, values: pd.Series) -> pd.Series:
    return values.map(profile.normalise_id)


def read_units(profile: CityProfile, path: Path, report: Report) -> gpd.GeoDataFrame:
    """
    The units' shapes: ``unit_id`` (normalised text), ``name``, a column per parent level, geometry in EPSG:4326.

    A file without a CRS gets the profile's `assume_crs`; without either it is refused.
    """
    layer = profile.geometry
    gdf = _read(path, lambda: gpd.read_file(path))
    if layer.id_column not in gdf.columns:
        raise DataError(
            "error.column_missing", file=path.name, column=layer.id_column, found=list(gdf.columns)
        )
    if gdf.crs is None:
        if not layer.assume_crs:
            raise DataError("city.no_crs", file=path.name)
        gdf = gdf.set_crs(layer.assume_crs)
        report.warning("city_crs_assumed", file=path.name, crs=layer.assume_crs)
    ids = _ids(profile, gdf[layer.id_column])
    bad = gdf[layer.id_column][ids.isna()]
    if len(bad):
        report.error("city_id_malformed", [str(v) for v in bad.head(SHOWN_IDS)], file=path.name, n=len(bad))
    out = gpd.GeoDataFrame(
        {
            "unit_id": ids,
            "name": gdf[layer.name_column].astype(str).str.strip()
            if layer.name_column in gdf.columns
            else ids,
        },
        geometry=gdf.geometry,
        crs=gdf.crs,
    )[ids.notna()]
    for parent in profile.parents:
        if parent.prefix:
            out[parent.key] = out["unit_id"].str[: parent.prefix]
        elif parent.column in gdf.columns:
            out[parent.key] = gdf.loc[out.index, parent.column].astype(str)
    out = out.to_crs(STORAGE_CRS)
    if profile.clip is not None:
        west, south, east, north = profile.clip
        out = out.clip((west, south, east, north))
    twice = out["unit_id"][out["unit_id"].duplicated()]
    if len(twice):
        report.error("city_id_twice", sorted(set(twice))[:SHOWN_IDS], file=path.name, n=int(twice.nunique()))
    west, south, east, north = profile.extent
    minx, miny, maxx, maxy = out.total_bounds
    if minx < west or maxx > east or miny < south or maxy > north:
        report.error("city_outside", file=path.name, city=profile.name)
    report.counts["units"] = len(out)
    return out.reset_index(drop=True)


def read_table(profile: CityProfile, layer: Layer, path: Path, report: Report) -> pd.DataFrame:
    """
    A statistics table as text, with its IDs normalised (``unit_id``) and invalid rows marked (``valid``).

    Missing-value markers (the profile's and the table's own, such as ``-9999``) become empty; numbers are
    read with `indicator_values`.
    """
    d = layer.dialect
    if path.suffix.lower() in {".xlsx", ".xls"}:
        raw = _read(
            path, lambda: pd.read_excel(path, sheet_name=d.sheet or 0, skiprows=d.skip_rows, dtype=str)
        )
    else:
        raw = _read(
            path,
            lambda: pd.read_csv(
                path,
                sep=d.separator,
                encoding=d.encoding,
                skiprows=d.skip_rows,
                dtype=str,
                keep_default_na=False,
            ),
        )
    raw.columns = [str(c).strip() for c in raw.columns]
    if layer.id_column not in raw.columns:
        raise DataError(
            "error.column_missing", file=path.name, column=layer.id_column, found=list(raw.columns)
        )
    missing = {*MISSING, *d.missing}
    table = raw.map(lambda v: None if v is None or str(v).strip() in missing else str(v).strip())
    table["unit_id"] = _ids(profile, raw[layer.id_column])
    bad = raw[layer.id_column][table["unit_id"].isna()]
    if len(bad):
        report.error("city_id_malformed", [str(v) for v in bad.head(SHOWN_IDS)], file=path.name, n=len(bad))
    table = table[table["unit_id"].notna()].copy()
    if layer.validity_column and layer.validity_column in raw.columns:
        table["valid"] = raw.loc[table.index, layer.validity_column].str.strip().isin(layer.valid_values)
    else:
        table["valid"] = True
    return table.reset_index(drop=True)


def indicator_values(
    profile: CityProfile, table: pd.DataFrame, layer: Layer, indicator: Indicator
) -> pd.Series:
    """One indicator's values by unit ID as numbers (empty where missing or where the row is invalid)."""
    column = table.get(indicator.column)
    if column is None:
        return pd.Series(np.nan, index=table["unit_id"], name=indicator.id)
    text = column.astype("string")
    if layer.dialect.decimal == ",":
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    values = pd.to_numeric(text, errors="coerce").where(table["valid"].to_numpy())
    return pd.Series(values.to_numpy(dtype=float), index=table["unit_id"].to_numpy(), name=indicator.id)


def read_points(profile: CityProfile, layer: Layer, path: Path, units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A point layer in EPSG:4326 with ``name``, ``address``, ``contact`` and the ``unit_id`` it lies in."""
    if path.suffix.lower() in {".csv", ".txt"}:
        table = _read(
            path,
            lambda: pd.read_csv(
                path, sep=layer.dialect.separator, encoding=layer.dialect.encoding, dtype=str
            ),
        )
        x = pd.to_numeric(
            _column(table, layer.x_column, path).str.replace(",", ".", regex=False), errors="coerce"
        )
        y = pd.to_numeric(
            _column(table, layer.y_column, path).str.replace(",", ".", regex=False), errors="coerce"
        )
        gdf = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(x, y), crs=layer.assume_crs or STORAGE_CRS)
    else:
        gdf = _read(path, lambda: gpd.read_file(path))
        if gdf.crs is None:
            gdf = gdf.set_crs(layer.assume_crs or STORAGE_CRS)
    gdf = gdf.to_crs(STORAGE_CRS)

    def joined(columns: tuple[str, ...]) -> pd.Series:
        present = [c for c in columns if c in gdf.columns]
        if not present:
            return pd.Series("", index=gdf.index)
        return (
            gdf[present].fillna("").astype(str).apply(lambda r: " ".join(v for v in r if v).strip(), axis=1)
        )

    out = gpd.GeoDataFrame(
        {
            "name": gdf[layer.name_column].astype(str) if layer.name_column in gdf.columns else "",
            "address": joined(layer.address_columns),
            "contact": joined(layer.contact_columns),
        },
        geometry=gdf.geometry,
        crs=STORAGE_CRS,
    )
    inside = gpd.sjoin(out, units[["unit_id", "geometry"]], how="left", predicate="within")
    out["unit_id"] = inside.groupby(level=0)["unit_id"].first()
    return out


# --- the check ------------------------------------------------------------------------------------------


@dataclass
class CityData:
    """A city's files read with its profile: the units, each table, each point layer, and what was found."""

    profile: CityProfile
    units: gpd.GeoDataFrame
    tables: dict[str, pd.DataFrame]
    points: dict[str, gpd.GeoDataFrame]
    files: dict[str, Path]
    report: Report

    def indicators(self) -> pd.DataFrame:
        """Every indicator of the profile whose table was given, one row per unit (``unit_id`` as index)."""
        columns = {}
        layers = {t.key: t for t in self.profile.tables}
        for indicator in self.profile.indicators:
            table = self.tables.get(indicator.table)
            if table is None:
                continue
            values = indicator_values(self.profile, table, layers[indicator.table], indicator)
            columns[indicator.id] = values[~values.index.duplicated()]
        frame = pd.DataFrame(columns)
        return frame.reindex(self.units["unit_id"].to_numpy())


def check(profile: CityProfile, paths: list[Path]) -> CityData:
    """
    Read a city's files with its profile and report what joins and what does not (on IDs, never on names).

    Findings: files no layer takes or two files for one layer; malformed or duplicate IDs; per table the IDs
    that match no unit and the units the table has no row for; rows marked invalid (their values count as
    missing); units whose name differs between a table and the shapes (renamed or mangled); names used by
    more than one unit; per indicator the units without a value; points outside every unit.

    Raises
    ------
    DataError
        When the shapes of the units are not among the files.
    """
    files, _unplaced, report = recognise(profile, paths)
    if "geometry" not in files:
        raise DataError("city.no_geometry", patterns=", ".join(profile.geometry.match) or "–")
    units = read_units(profile, files["geometry"], report)
    known = set(units["unit_id"])
    names = dict(zip(units["unit_id"], units["name"], strict=True))
    counts = units["name"].value_counts()
    for name in sorted(counts[counts > 1].index):
        report.warning("city_name_twice", sorted(units.loc[units["name"] == name, "unit_id"]), name=name)
    tables: dict[str, pd.DataFrame] = {}
    for layer in profile.tables:
        if layer.key not in files:
            continue
        path = files[layer.key]
        table = read_table(profile, layer, path, report)
        tables[layer.key] = table
        ids = set(table["unit_id"])
        unknown = sorted(ids - known)
        if unknown:
            report.warning(
                "city_ids_unknown", unknown[:SHOWN_IDS], file=path.name, n=len(unknown), rows=len(ids)
            )
        without = sorted(known - ids)
        if without:
            report.warning("city_units_without_row", without[:SHOWN_IDS], file=path.name, n=len(without))
        invalid = sorted(table.loc[~table["valid"], "unit_id"])
        if invalid:
            report.warning("city_rows_invalid", invalid, file=path.name, column=layer.validity_column)
        if profile.geometry.name_column and layer.name_column and layer.name_column in table.columns:
            differ = [
                (i, n)
                for i, n in zip(table["unit_id"], table[layer.name_column], strict=True)
                if i in names and n is not None and n != names[i]
            ]
            if differ:
                shown = [f"{i}: {names[i]} / {n}" for i, n in differ[:SHOWN_IDS]]
                report.warning("city_names_differ", shown, file=path.name, n=len(differ))
        report.counts[f"rows:{layer.key}"] = len(table)
    data = CityData(profile, units, tables, {}, files, report)
    values = data.indicators()
    for indicator in profile.indicators:
        if indicator.id not in values.columns:
            continue
        empty = values.index[values[indicator.id].isna()]
        if 0 < len(empty) < len(values):
            report.warning(
                "city_values_missing", sorted(empty)[:SHOWN_IDS], indicator=indicator.column, n=len(empty)
            )
        elif len(empty) == len(values):
            report.warning("city_indicator_empty", indicator=indicator.column)
    for layer in profile.points:
        if layer.key in files:
            points = read_points(profile, layer, files[layer.key], units)
            data.points[layer.key] = points
            outside = int(points["unit_id"].isna().sum())
            if outside:
                report.warning("city_points_outside", file=files[layer.key].name, n=outside)
            report.counts[f"points:{layer.key}"] = len(points)
            report.counts[f"units_with_points:{layer.key}"] = int(points["unit_id"].nunique())
    return data


def check_lines(data: CityData, lang: str = i18n.DEFAULT_LANGUAGE) -> list[str]:
    """The check as sentences for the command line: each file and its layer, then every finding."""

    def t(key: str, **p: object) -> str:
        return i18n.translate(key, lang, **p)

    profile = data.profile
    lines = [
        t(
            "city.check_title",
            city=profile.name,
            n=len(data.units),
            level=profile.unit.name(lang, plural=len(data.units) != 1),
        )
    ]
    labels = {layer.key: layer.label for layer in profile.layers()}
    for key, path in sorted(data.files.items(), key=lambda kv: kv[1].name):
        lines.append(t("city.check_file", file=path.name, layer=labels[key]))
    for issue in data.report.issues:
        lines.append(("✗ " if issue.level == "error" else "! ") + issue.message(lang))
    return lines
