"""
A dataset folder: the one layout the app opens; `geo.data.demo_dataset` and `geo.data.imports` write it.

::

    DIR/dataset.json                        title, source, reference date, licence, demo flag
    DIR/sozialraeume/sozialraeume.geojson   SOZIALRAUM_ID, STADTBEZIRK (as the official file)
    DIR/sozialraeume/stadtteile.geojson     Nummer, Name (as the official file)
    DIR/sozialraeume/indikatoren.csv        Quartiersatlas headers, ';'-separated, decimal point, UTF-8
    DIR/welcome_points.geojson              one point per Welcome Point
    DIR/sozialraeume/staatsangehoerigkeiten.csv  optional: residents by nationality per Stadtteil
    DIR/strassen.csv                        optional: name;lon;lat, one point per street (geo.data.streets)
    DIR/zeitreihen.csv                      optional: values over time, long format (geo.data.series)

All files are EPSG:4326. Loading reads them with the same readers as official files and validates them,
so the demo data takes the same path as real data.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import shutil
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from geo.core import files
from geo.core.access import AccessDeniedError, Action, Principal, require
from geo.core.errors import DataError
from geo.core.report import Report
from geo.core.settings import STORAGE_CRS
from geo.data import city, corrections, languages, provenance, sources, validate
from geo.data import series as series_module
from geo.data import streets as streets_module
from geo.data.indicators import Catalogue, catalogue

if TYPE_CHECKING:
    from geo.register.store import Register

META_FILE = "dataset.json"
SPACES_FILE = "sozialraeume/sozialraeume.geojson"
STADTTEILE_FILE = "sozialraeume/stadtteile.geojson"
INDICATORS_FILE = "sozialraeume/indikatoren.csv"
WELCOME_POINTS_FILE = "welcome_points.geojson"
NATIONALITIES_FILE = "sozialraeume/staatsangehoerigkeiten.csv"
#: Optional street list for "In meiner Nähe" (see `geo.data.streets`).
STREETS_FILE = "strassen.csv"
#: Optional time series of Sozialräume and Stadtteile (see `geo.data.series`).
SERIES_FILE = series_module.SERIES_FILE
#: The report of the last import or download: it names repairs that later loads no longer see.
IMPORT_REPORT_FILE = "import_report.json"


@dataclass(frozen=True)
class DatasetMeta:
    """What every map and export states about its data."""

    title: str
    source: str
    reference_date: str
    licence: str = ""
    demo: bool = False
    created: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%d"))
    #: Provenance per layer (`geo.data.provenance.Layer.as_dict`); empty in datasets written before it existed.
    layers: tuple[dict[str, str], ...] = ()
    #: A new random token at every write of the dataset (`version`): what caches key on, in every process.
    version: str = ""
    #: The city profile the dataset was made with (`geo.data.city`): Düsseldorf's unless `geo import --profile`.
    city: str = "duesseldorf"

    def layer_records(self) -> list[provenance.Layer]:
        """The provenance of each layer; a dataset without them has one record from its title and source."""
        if self.layers:
            return [provenance.Layer.from_dict(d) for d in self.layers]
        return [
            provenance.Layer(
                "dataset",
                self.source,
                reference_date=self.reference_date,
                licence=self.licence,
                imported=self.created,
            )
        ]

    @classmethod
    def read(cls, folder: Path) -> DatasetMeta:
        """Read `dataset.json`; a folder without one is described as unnamed official data."""
        path = folder / META_FILE
        if not path.exists():
            cat = catalogue()
            return cls(title=folder.name, source=cat.source, reference_date=cat.reference_date)
        data = json.loads(path.read_text(encoding="utf-8"))
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["layers"] = tuple(d for d in known.get("layers", ()) if isinstance(d, dict))
        return cls(**known)


@dataclass
class Dataset:
    """A loaded dataset: Sozialräume with their indicators, Stadtteile, Welcome Points and the report."""

    folder: Path
    meta: DatasetMeta
    spaces: gpd.GeoDataFrame
    stadtteile: gpd.GeoDataFrame | None
    welcome_points: gpd.GeoDataFrame
    report: Report
    import_report: Report | None = None
    #: Residents by nationality per Stadtteil (index `stadtteil_nr`), when the dataset has them.
    nationalities: pd.DataFrame | None = None
    #: Welcome Points closed in the app (see `geo.register.welcome.current`); they count nowhere but are shown.
    closed_welcome_points: gpd.GeoDataFrame | None = None
    #: The Welcome Points as imported, when changes recorded in the app were applied to `welcome_points`.
    imported_welcome_points: gpd.GeoDataFrame | None = None
    #: Values over time (`geo.data.series.COLUMNS`), when the dataset has them.
    series: pd.DataFrame | None = None
    #: The indicators this dataset's city describes (Düsseldorf's Quartiersatlas unless a city profile says).
    catalogue: Catalogue = field(default_factory=catalogue)
    #: The key of the city profile the dataset was made with (`geo.data.city`).
    city: str = "duesseldorf"
    #: What the points are, per UI language (singular, plural), when they are not Welcome Points (a profile's).
    points_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: How the app's sentences name this city's levels, per UI language (`geo.core.i18n.with_words`); empty for
    #: Düsseldorf, whose words the catalogue speaks.
    words: dict[str, dict[str, str]] = field(default_factory=dict)

    def points_label(self, lang: str, *, plural: bool = False) -> str | None:
        """The points' name in `lang` (German when the profile has none in it); None for Welcome Points."""
        names = self.points_names.get(lang) or self.points_names.get("de")
        if names is None:
            return None
        return names[1] if plural else names[0]

    def registry_points(self) -> gpd.GeoDataFrame:
        """The Welcome Points as imported, before changes recorded in the app."""
        return (
            self.imported_welcome_points if self.imported_welcome_points is not None else self.welcome_points
        )

    def indicator_ids(self) -> list[str]:
        """Catalogue ids that have at least one value in this dataset, in catalogue order."""
        return [i for i in self.catalogue.ids() if i in self.spaces.columns and self.spaces[i].notna().any()]


def _city_layers(data: city.CityData) -> list[provenance.Layer]:
    """
    The provenance of each layer a city's maps draw on.

    The shapes, the tables that give an indicator or the population, the point layer: as the app's kinds of
    layer, so that every map's and export's source line names them.
    """
    profile = data.profile
    used = {i.table for i in profile.indicators} | {profile.population[0]}
    kinds = {profile.geometry.key: "geometry"}
    kinds |= {layer.key: "indicators" for layer in profile.tables if layer.key in used}
    kinds |= {layer.key: "points" for layer in profile.points[:1]}
    records = [
        provenance.Layer(
            kind=kinds[layer.key],
            title=layer.label,
            publisher=layer.source,
            reference_date=layer.reference_date,
            licence=layer.licence,
        )
        for layer in profile.layers()
        if layer.key in data.files and layer.key in kinds
    ]
    return records


def from_city(data: city.CityData, *, title: str = "") -> Dataset:
    """
    A dataset from a city's files read with its profile (`geo.data.city.check`), for any city.

    What the map, the need index, coverage and the exports work on. `spaces` gets the app's columns: ``sozialraum_id`` (the unit ID, as long as the city's), ``name``, the first
    parent level as ``stadtteil_nr``, the top one as ``stadtbezirk``, the population as ``bevoelkerung``, and
    every indicator of the profile by its ID (missing and invalid values empty). The first point layer takes
    the place of the Welcome Points. The catalogue is the profile's (`geo.data.city.catalogue`).
    """
    profile = data.profile
    units = data.units
    spaces = gpd.GeoDataFrame(
        {"sozialraum_id": units["unit_id"].to_numpy(), "name": units["name"].to_numpy()},
        geometry=units.geometry.to_numpy(),
        crs=STORAGE_CRS,
    )
    parents = [level.key for level in profile.parents]
    spaces["stadtteil_nr"] = units[parents[0]].to_numpy() if parents else ""
    spaces["stadtteil"] = ""
    top = units[parents[-1]] if parents else pd.Series("0", index=units.index)
    spaces["stadtbezirk"] = pd.to_numeric(top, errors="coerce").fillna(0).astype(int).to_numpy()
    values = data.indicators()
    for column in values.columns:
        spaces[column] = values[column].to_numpy()
    table_key, column = profile.population
    if table_key in data.tables:
        described = {layer.key: layer for layer in profile.tables}
        population = city.indicator_values(
            profile,
            data.tables[table_key],
            described[table_key],
            city.Indicator("bevoelkerung", table_key, column, {"de": ""}),
        )
        spaces["bevoelkerung"] = (
            population[~population.index.duplicated()].reindex(spaces["sozialraum_id"]).to_numpy()
        )
    points = next(iter(data.points.values()), None)
    if points is None:
        welcome = gpd.GeoDataFrame(
            {"welcome_point_id": [], "name": [], "sozialraum_id": []}, geometry=[], crs=STORAGE_CRS
        )
    else:
        welcome = points.assign(
            welcome_point_id=[f"p-{n}" for n in range(len(points))], organisation=points["name"]
        )
    records = _city_layers(data)
    geometry = profile.geometry
    meta = DatasetMeta(
        title=title or f"{profile.name}: {profile.unit.name('de', plural=True)}",
        source=geometry.source,
        reference_date=geometry.reference_date,
        licence=geometry.licence,
        layers=tuple(record.as_dict() for record in records),
        city=profile.key,
    )
    return Dataset(
        folder=data.files["geometry"].parent,
        meta=meta,
        spaces=spaces,
        stadtteile=None,
        welcome_points=welcome,
        report=data.report,
        catalogue=city.catalogue(profile),
        city=profile.key,
        points_names=profile.points[0].names if profile.points else {},
        words=profile.words,
    )


def _write_geojson(gdf: gpd.GeoDataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.geojson")
    gdf.to_crs(STORAGE_CRS).to_file(tmp, driver="GeoJSON", COORDINATE_PRECISION=6)
    tmp.replace(path)


def write_indicators(table: pd.DataFrame, path: Path) -> None:
    """Write an indicator table with the Quartiersatlas headers (`;`, decimal point, UTF-8)."""
    cat = catalogue()
    out = pd.DataFrame({"Sozialraum-ID": table["sozialraum_id"]})
    if "stadtbezirk" in table.columns:
        out["Stadtbezirk"] = table["stadtbezirk"]
    else:
        out["Stadtbezirk"] = table["sozialraum_id"].str[:2].astype(int)
    out["Name"] = table["name"] if "name" in table.columns else ""
    if "official_type" in table.columns:
        out["Typ"] = table["official_type"]
    for ind in cat.indicators:
        if ind.id in table.columns:
            out[ind.column] = table[ind.id]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    out.to_csv(tmp, sep=";", index=False, encoding="utf-8", float_format="%.10g")
    tmp.replace(path)


def write_nationalities(table: pd.DataFrame, path: Path) -> None:
    """Residents by nationality per Stadtteil as `;`-separated UTF-8, keyed by `Stadtteil_Nummer`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    table.rename_axis("Stadtteil_Nummer").reset_index().to_csv(
        tmp, sep=";", index=False, encoding="utf-8", float_format="%.10g"
    )
    tmp.replace(path)


def write_dataset(
    folder: str | Path,
    *,
    spaces: gpd.GeoDataFrame,
    meta: DatasetMeta,
    stadtteile: gpd.GeoDataFrame | None = None,
    indicators: pd.DataFrame | None = None,
    welcome_points: gpd.GeoDataFrame | None = None,
    nationalities: pd.DataFrame | None = None,
    streets: pd.DataFrame | None = None,
    series: pd.DataFrame | None = None,
    import_report: Report | None = None,
    drop: tuple[str, ...] = (),
) -> Path:
    """
    Write a dataset folder as a whole; parts given as None are kept as they are on disk.

    `drop` names files or folders (relative to the dataset folder) of the old dataset that the new one
    does not keep (the demo's values under official geometry).

    The new dataset is written into a sibling folder and swapped in by renaming, so a reader sees the old
    dataset or the new one, never a mix, and a failed or killed write leaves the old one as it was.

    Raises
    ------
    geo.core.errors.DataError
        When the folder cannot be written (read-only, disk full, a file where a folder should be); the
        previous dataset stays.

    Returns
    -------
    pathlib.Path
        The folder.
    """
    folder = Path(folder)
    recover(folder)
    staging = files.sibling(folder, "new")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        if folder.exists():
            shutil.copytree(folder, staging)
        else:
            staging.mkdir()
        for part in drop:
            target = staging / part
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink(missing_ok=True)
        _write_parts(
            staging,
            spaces=spaces,
            meta=meta,
            stadtteile=stadtteile,
            indicators=indicators,
            welcome_points=welcome_points,
            nationalities=nationalities,
            streets=streets,
            series=series,
            import_report=import_report,
        )
        _swap_in(staging, folder)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise DataError("error.cannot_write", folder=str(folder), reason=files.reason(exc)) from exc
    return folder


#: In a dataset made with a city profile: the city's files as published, and the profile they were read with.
CITY_FILES = "stadt"
CITY_PROFILE_FILE = "stadtprofil.toml"


def import_city(
    data: city.CityData,
    folder: str | Path,
    *,
    by: Principal,
    title: str = "",
    demo: bool = False,
    source: str = "",
) -> Dataset:
    """
    Import a city's files as it publishes them into a dataset folder the app opens (`geo import --profile`).

    `data` are the files read and checked with their profile (`geo.data.city.check`); with an error in its report
    nothing is written and the error names the findings. `demo` marks made-up files (`geo.data.citydemo`), with
    `source` saying how they were made. The folder keeps the files as they are (a Shapefile
    with its parts), the profile and the report, and is swapped in whole like `write_dataset`.

    Raises
    ------
    geo.core.errors.DataError
        When the files do not fit the profile, or the folder cannot be written.
    geo.core.access.AccessDeniedError
        For anyone but admins and the command line (`Action.IMPORT_DATA`), and in the demo.
    """
    require(by, Action.IMPORT_DATA)
    if by.demo:
        raise AccessDeniedError("access.demo_no_import")
    folder = Path(folder)
    profile = data.profile
    if not data.report.usable:
        raise DataError(
            "error.dataset_unusable",
            folder=str(folder),
            reasons=" ".join(i.message() for i in data.report.errors),
        )
    result = from_city(data, title=title)
    recover(folder)
    staging = files.sibling(folder, "new")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        (staging / CITY_FILES).mkdir(parents=True)
        for path in data.files.values():
            for part in (
                [path, *sorted(path.parent.glob(f"{path.stem}.*"))]
                if path.suffix.lower() == ".shp"
                else [path]
            ):
                shutil.copy2(part, staging / CITY_FILES / part.name)
        _keep_profile(profile, staging)
        meta = replace(result.meta, version=uuid.uuid4().hex)
        if (
            demo
        ):  # made-up files (`geo.data.citydemo`): no official source, no official licence, marked everywhere
            meta = replace(meta, demo=True, source=source, licence="CC0 1.0", layers=())
        (staging / META_FILE).write_text(
            json.dumps(asdict(meta), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        (staging / IMPORT_REPORT_FILE).write_text(data.report.to_json(), encoding="utf-8")
        _swap_in(staging, folder)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise DataError("error.cannot_write", folder=str(folder), reason=files.reason(exc)) from exc
    return replace(result, folder=folder, meta=meta)


#: A profile's own indicator catalogue (`[indicators] catalogue`), kept beside it in a dataset folder.
CITY_CATALOGUE_FILE = "kennzahlen.toml"


def is_dataset(folder: Path) -> bool:
    """True when `folder` holds a whole dataset: Düsseldorf's layout or a city's files with their profile."""
    return (folder / SPACES_FILE).exists() or (folder / CITY_PROFILE_FILE).exists()


def words_of(folder: str | Path) -> dict[str, dict[str, str]]:
    """
    How the app names the levels of the dataset in `folder` (its profile's words); empty for Düsseldorf's.

    Read from the profile kept in the folder without loading the dataset, so every page can speak the
    city's words; a profile that cannot be read leaves the catalogue's own (loading the dataset says why).
    """
    path = Path(folder) / CITY_PROFILE_FILE
    try:
        return _profile_words(path, path.stat().st_mtime_ns)
    except (OSError, city.ProfileError):
        return {}


@functools.lru_cache(maxsize=16)
def _profile_words(path: Path, _mtime: int) -> dict[str, dict[str, str]]:
    return city.load_profile(path).words


def _keep_profile(profile: city.CityProfile, folder: Path) -> None:
    """The profile in the dataset folder, self-contained: a catalogue it names is copied beside it."""
    assert profile.path is not None
    text = profile.path.read_text(encoding="utf-8")
    found = re.search(r'^(\s*catalogue\s*=\s*)"([^"]+)"', text, re.MULTILINE)
    if found:
        shutil.copy2((profile.path.parent / found.group(2)).resolve(), folder / CITY_CATALOGUE_FILE)
        text = text[: found.start(2)] + CITY_CATALOGUE_FILE + text[found.end(2) :]
    (folder / CITY_PROFILE_FILE).write_text(text, encoding="utf-8")


def _load_city(folder: Path, meta: DatasetMeta) -> Dataset:
    """A dataset folder written by `import_city`: its files read again with the profile kept beside them."""
    profile = city.load_profile(folder / CITY_PROFILE_FILE)
    data = city.check(profile, sorted(p for p in (folder / CITY_FILES).iterdir() if p.is_file()))
    return replace(from_city(data, title=meta.title), folder=folder, meta=meta)


def _swap_in(staging: Path, folder: Path) -> None:
    """Replace `folder` by `staging` with two renames (the old one kept aside until the new one is there)."""
    old = files.sibling(folder, "old")
    if folder.exists():
        folder.rename(old)
    staging.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def recover(folder: str | Path) -> None:
    """
    Clean up after a write that was killed (see `geo.core.files.clean_leftovers`).

    Unfinished new folders go; a dataset that was set aside but not yet replaced comes back. Writes
    still running in another process are left alone.
    """
    files.clean_leftovers(Path(folder).parent)


def _write_parts(
    folder: Path,
    *,
    spaces: gpd.GeoDataFrame,
    meta: DatasetMeta,
    stadtteile: gpd.GeoDataFrame | None,
    indicators: pd.DataFrame | None,
    welcome_points: gpd.GeoDataFrame | None,
    nationalities: pd.DataFrame | None,
    streets: pd.DataFrame | None,
    series: pd.DataFrame | None,
    import_report: Report | None,
) -> None:
    geo_spaces = gpd.GeoDataFrame(
        {"SOZIALRAUM_ID": spaces["sozialraum_id"], "STADTBEZIRK": spaces["stadtbezirk"]},
        geometry=spaces.geometry.values,
        crs=spaces.crs,
    )
    _write_geojson(geo_spaces, folder / SPACES_FILE)
    if stadtteile is not None:
        geo_st = gpd.GeoDataFrame(
            {"Nummer": stadtteile["stadtteil_nr"], "Name": stadtteile["name"]},
            geometry=stadtteile.geometry.values,
            crs=stadtteile.crs,
        )
        _write_geojson(geo_st, folder / STADTTEILE_FILE)
    if indicators is not None:
        table = indicators
        if "name" not in table.columns and "name" in spaces.columns:
            table = table.merge(spaces[["sozialraum_id", "name"]], on="sozialraum_id", how="left")
        write_indicators(table, folder / INDICATORS_FILE)
    if welcome_points is not None:
        _write_geojson(
            welcome_points.drop(columns=["sozialraum_id"], errors="ignore"),
            folder / WELCOME_POINTS_FILE,
        )
    if nationalities is not None:
        write_nationalities(nationalities, folder / NATIONALITIES_FILE)
    if streets is not None:
        streets_module.write_streets(streets, folder / STREETS_FILE)
    if series is not None:
        series_module.write_file(series, folder / SERIES_FILE)
    if import_report is not None:
        (folder / IMPORT_REPORT_FILE).write_text(import_report.to_json(), encoding="utf-8")
    meta = replace(meta, version=uuid.uuid4().hex)
    (folder / META_FILE).write_text(
        json.dumps(asdict(meta), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def _joined_spaces(checked: validate.Checked, stadtteile: pd.DataFrame | None) -> pd.DataFrame:
    """The Sozialräume with their indicators and Stadtteil names; a Sozialraum without a name takes its Stadtteil's."""
    spaces = checked.spaces
    if checked.indicators is not None:
        table = checked.indicators
        if "name" in spaces.columns:
            table = table.drop(columns=["name"], errors="ignore")
        spaces = spaces.merge(table, on="sozialraum_id", how="left")
    if stadtteile is not None:
        spaces["stadtteil"] = (
            spaces["stadtteil_nr"]
            .map(dict(zip(stadtteile["stadtteil_nr"], stadtteile["name"], strict=True)))
            .fillna("")
        )
    else:
        spaces["stadtteil"] = ""
    if "name" not in spaces.columns:
        spaces["name"] = ""
    spaces["name"] = spaces["name"].fillna("").astype(str)
    nameless = spaces["name"].str.strip() == ""
    spaces.loc[nameless, "name"] = spaces.loc[nameless, "stadtteil"]
    spaces["name"] = sources.mark_truncated(spaces["name"])  # shown as cut; the file keeps the name as read
    front = ["sozialraum_id", "name", "stadtteil_nr", "stadtteil", "stadtbezirk"]
    return spaces[front + [c for c in spaces.columns if c not in front]]


def load_dataset(folder: str | Path) -> Dataset:
    """
    Read, validate and join a dataset folder.

    Raises
    ------
    geo.core.errors.DataError
        When a file cannot be read or the report has errors; the message names them.

    Returns
    -------
    Dataset
        `spaces` has `sozialraum_id`, `name`, `stadtteil_nr`, `stadtteil`, `stadtbezirk`, the
        indicator columns and `geometry` (EPSG:4326); implausible values are missing (see the report).
    """
    folder = Path(folder)
    if not is_dataset(folder):
        recover(folder)  # a write killed between its two renames
    if (folder / CITY_PROFILE_FILE).exists():  # made with a city profile (`import_city`)
        return _load_city(folder, DatasetMeta.read(folder))
    if not (folder / SPACES_FILE).exists():
        raise DataError("error.dataset_missing", folder=str(folder), file=SPACES_FILE)

    def optional(name: str) -> Path | None:
        return folder / name if (folder / name).exists() else None

    checked = validate.check_files(
        folder / SPACES_FILE,
        indicators=optional(INDICATORS_FILE),
        welcome_points=optional(WELCOME_POINTS_FILE),
        declined=corrections.declined(folder),
    )
    report = checked.report
    if not report.usable:
        raise DataError(
            "error.dataset_unusable",
            folder=str(folder),
            reasons=" ".join(i.message() for i in report.errors),
        )
    stadtteile = None
    if (path := optional(STADTTEILE_FILE)) is not None:
        stadtteile = sources.read_stadtteile(path, report=report)
    spaces = _joined_spaces(checked, stadtteile)
    points = checked.welcome_points
    if points is None:
        points = gpd.GeoDataFrame(
            {"welcome_point_id": [], "name": [], "sozialraum_id": []}, geometry=[], crs=STORAGE_CRS
        )
    nationalities = None
    if (path := optional(NATIONALITIES_FILE)) is not None:
        names = dict(zip(spaces["stadtteil_nr"], spaces["stadtteil"], strict=False))
        nationalities = languages.read_nationalities(path, names, report=report)
    series = series_module.read_file(folder / SERIES_FILE)
    import_report = None
    if (path := optional(IMPORT_REPORT_FILE)) is not None:
        import_report = Report.from_json(path.read_text(encoding="utf-8"))
    return Dataset(
        import_report=import_report,
        folder=folder,
        meta=DatasetMeta.read(folder),
        spaces=gpd.GeoDataFrame(spaces, crs=STORAGE_CRS),
        stadtteile=stadtteile,
        welcome_points=points,
        report=report,
        nationalities=nationalities,
        series=series,
    )


#: The fields of a layer record an admin may complete or correct (`describe_layer`).
EDITABLE_LAYER_FIELDS = (
    "title",
    "publisher",
    "reference_date",
    "licence",
    "licence_id",
    "licence_url",
    "source_url",
)


def _layer_changes(changes: dict[str, str]) -> dict[str, str]:
    """`describe_layer`'s changes checked and tidied (one space between words, ISO dates, web addresses)."""
    unknown = sorted(set(changes) - set(EDITABLE_LAYER_FIELDS))
    if unknown:
        raise DataError("error.layer_fields", fields=unknown)
    clean = {k: " ".join(str(v).split()) for k, v in changes.items()}
    if clean.get("reference_date"):
        try:
            clean["reference_date"] = (
                datetime.strptime(clean["reference_date"], "%Y-%m-%d").date().isoformat()
            )
        except ValueError:
            raise DataError("error.layer_date", value=clean["reference_date"]) from None
    for key in ("licence_url", "source_url"):
        if clean.get(key) and not clean[key].lower().startswith(("https://", "http://")):
            raise DataError("error.layer_url", value=clean[key])
    if clean.get("title") == "":
        raise DataError("error.layer_title")
    return clean


def describe_layer(
    folder: str | Path,
    kind: str,
    changes: dict[str, str],
    *,
    by: Principal,
    audit: Register | None = None,
) -> provenance.Layer:
    """
    Complete or correct the provenance of one layer of the dataset in `folder` (admins only).

    What a file does not say (a registry without date or licence, a table of unknown origin) an admin who
    knows it records here; it is then shown on every map, export and ``--json`` output like the rest. A
    licence identifier the app knows (`geo.data.provenance.LICENCES`) fills in its name and address. The record
    is replaced in ``dataset.json`` as a whole (`geo.core.files.write_atomic`) and the change is audited.

    Parameters
    ----------
    folder
        The dataset folder.
    kind
        Which layer (`geo.data.provenance.KINDS`, or ``dataset`` for a dataset written before layers existed).
    changes
        New values of `EDITABLE_LAYER_FIELDS` ("" = not stated); other keys are refused.
    by, audit
        Who does it; where it is recorded.

    Returns
    -------
    geo.data.provenance.Layer
        The record as stored.

    Raises
    ------
    geo.core.access.AccessDeniedError
        When `by` may not change the dataset (a demo account may not either).
    geo.core.errors.DataError
        For an unknown layer or field, a date that is not a date, an address that is not http(s).
    geo.core.files.WriteError
        When ``dataset.json`` cannot be written.
    """
    require(by, Action.IMPORT_DATA)
    if by.demo:
        raise AccessDeniedError("access.demo_no_import")
    folder = Path(folder)
    meta = DatasetMeta.read(folder)
    if meta.demo:
        raise DataError("error.layer_demo")
    records = meta.layer_records()
    found = [r for r in records if r.kind == kind]
    if not found:
        raise DataError("error.layer_unknown", kind=kind, found=[r.kind for r in records])
    clean = _layer_changes(changes)
    record = replace(found[0], **clean)
    known = provenance.LICENCES.get(record.licence_id)
    if known is not None and "licence" not in changes and "licence_url" not in changes:
        record = record.with_licence(known)
    layers = tuple((record if r.kind == kind else r).as_dict() for r in records)
    changed = replace(meta, layers=layers, version=uuid.uuid4().hex)
    text = json.dumps(asdict(changed), ensure_ascii=False, indent=2) + "\n"
    files.write_atomic(folder / META_FILE, text)
    if audit is not None:
        audit.record(
            by, "data.provenance", target="dataset", target_id=folder.name, layer=kind, fields=sorted(clean)
        )
    return record


def version(folder: str | Path) -> str:
    """
    What a cache of the dataset in `folder` keys on: it changes with every write, in every process.

    The dataset's own token (``version`` in ``dataset.json``, new at each import, download or change of its
    provenance) and the admins' correction decisions. A folder written before tokens existed falls back to
    the newest file time. "" for a folder without a dataset.
    """
    folder = Path(folder)
    try:
        token = str(json.loads((folder / META_FILE).read_text(encoding="utf-8")).get("version", ""))
    except (OSError, ValueError):
        token = ""
    if not token:
        newest = max((p.stat().st_mtime for p in folder.rglob("*") if p.is_file()), default=0.0)
        token = f"mtime:{newest}"
    try:
        decisions = (folder / corrections.DECISIONS_FILE).read_bytes()
    except OSError:
        decisions = b""
    return f"{token}:{hashlib.sha256(decisions).hexdigest()[:16]}"
