"""
A corpus of hostile and broken files, made at run time, through every importer, each with its expected outcome.

The files are crafted from the real files beside the checkout (`../shared/data/raw`) and from scratch. Every
importer must either read a file (and say in its report what it found doubtful) or refuse it with a typed
error whose sentence names the file; no other exception may come out (that would be "Interner Fehler").
The expected outcome of each case is written next to it.
"""

from __future__ import annotations

import json
import re
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.core.access import Principal
from geo.core.errors import SozialraumError
from geo.core.report import Report
from geo.data import languages, sources, validate
from geo.register import journal, store
from tests.conftest import (
    NATIONALITIES,
    QUARTIERSATLAS,
    QUARTIERSATLAS_CSV,
    REGISTRY,
    SOZIALRAEUME,
    STADTTEILE,
    WOHNQUARTIERE_2020,
    WOHNQUARTIERE_2021,
)

pytestmark = pytest.mark.real_data

Maker = Callable[[Path], Path]


@dataclass
class Outcome:
    """What an importer did with a file."""

    refused: str | None = None  # the sentence of the typed error
    rows: int = 0
    codes: set[str] = field(default_factory=set)  # report findings
    usable: bool = True
    problems: list[int] = field(default_factory=list)  # spreadsheet rows not taken
    doubtful: bool = False
    result: object = None


@dataclass
class Case:
    name: str
    importer: str
    make: Maker
    refused: str | None = None  # a regex the refusal must match
    rows: int | None = None
    codes: set[str] = field(default_factory=set)  # findings that must be in the report
    usable: bool = True
    problems: list[int] = field(default_factory=list)
    doubtful: bool = False
    check: Callable[[Outcome], None] | None = None


# --- the real files, read once --------------------------------------------------------------------


def _spaces() -> gpd.GeoDataFrame:
    return gpd.read_file(SOZIALRAEUME)


def _atlas_csv_text() -> str:
    return QUARTIERSATLAS_CSV.read_text(encoding="utf-8")


def _atlas() -> pd.DataFrame:
    return pd.read_csv(QUARTIERSATLAS_CSV, sep=";", dtype=str, keep_default_na=False)


def _registry() -> pd.DataFrame:
    return pd.read_csv(REGISTRY, sep=";", dtype=str, keep_default_na=False)


def _ids() -> set[str]:
    return set(_spaces()["SOZIALRAUM_ID"].astype(str).str.zfill(6))


# --- makers -----------------------------------------------------------------------------------------


def text(name: str, content: str, encoding: str = "utf-8") -> Maker:
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(content.encode(encoding))
        return path

    return make


def raw(name: str, content: bytes) -> Maker:
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(content)
        return path

    return make


def frame_csv(
    name: str, build: Callable[[], pd.DataFrame], *, sep: str = ";", encoding: str = "utf-8"
) -> Maker:
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(build().to_csv(sep=sep, index=False).encode(encoding))
        return path

    return make


def geojson(name: str, build: Callable[[], gpd.GeoDataFrame]) -> Maker:
    def make(tmp: Path) -> Path:
        path = tmp / name
        build().to_file(path, driver="GeoJSON")
        return path

    return make


def gjson_dict(name: str, build: Callable[[], dict]) -> Maker:
    def make(tmp: Path) -> Path:
        return text(name, json.dumps(build()))(tmp)

    return make


def copy_of(name: str, source: Path, change: Callable[[bytes], bytes] = bytes) -> Maker:
    """A real file under another name, read only when the case runs, optionally changed."""

    def make(tmp: Path) -> Path:
        return raw(name, change(source.read_bytes()))(tmp)

    return make


def xlsx(
    name: str, build: Callable[[], pd.DataFrame], *, sheets: tuple[str, ...] = ("Profildaten",)
) -> Maker:
    def make(tmp: Path) -> Path:
        path = tmp / name
        with pd.ExcelWriter(path) as writer:
            for sheet in sheets:
                build().to_excel(writer, sheet_name=sheet, index=False)
        return path

    return make


def zipped(name: str, members: dict[str, bytes]) -> Maker:
    def make(tmp: Path) -> Path:
        path = tmp / name
        with zipfile.ZipFile(path, "w") as z:
            for member, content in members.items():
                z.writestr(member, content)
        return path

    return make


def xlsx_with_entity(name: str) -> Maker:
    """An XLSX whose shared strings declare an XML entity (a billion-laughs or XXE attempt)."""

    def make(tmp: Path) -> Path:
        import openpyxl

        plain = tmp / "plain.xlsx"
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["Thema", "Priorität"])
        sheet.append(["Spielplatz", "hoch"])
        book.save(plain)
        path = tmp / name
        with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as out:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename == "xl/worksheets/sheet1.xml":
                    body = data.decode("utf-8").replace(
                        "<worksheet ",
                        '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><worksheet ',
                        1,
                    )
                    data = body.replace("Spielplatz", "&b;").encode("utf-8")
                out.writestr(item, data)
        plain.unlink()
        assert b"ENTITY" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
        return path

    return make


def shapefile_zip(name: str, layers: dict[str, Callable[[], gpd.GeoDataFrame]]) -> Maker:
    def make(tmp: Path) -> Path:
        parts = tmp / "parts"
        parts.mkdir()
        for layer, build in layers.items():
            build().to_file(parts / f"{layer}.shp")
        path = tmp / name
        with zipfile.ZipFile(path, "w") as z:
            for file in parts.iterdir():
                z.write(file, file.name)
        return path

    return make


def gpkg(name: str, layers: dict[str, Callable[[], gpd.GeoDataFrame]]) -> Maker:
    def make(tmp: Path) -> Path:
        path = tmp / name
        for layer, build in layers.items():
            build().to_file(path, layer=layer, driver="GPKG")
        return path

    return make


# --- variants of the real files --------------------------------------------------------------------


def spaces_with(change: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame]) -> Callable[[], gpd.GeoDataFrame]:
    return lambda: change(_spaces().copy())


def _swap_axes(g: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    g.geometry = shapely.transform(g.geometry.to_numpy(), lambda xy: xy[:, ::-1])
    return g


def _as_points(g: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    g.geometry = g.geometry.representative_point()
    return g


def _as_lines(g: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    g.geometry = g.geometry.boundary
    return g


def _no_crs_utm(g: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return g.to_crs(25832).set_crs(None, allow_override=True)


def _bowtie(g: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    x0, y0, x1, y1 = g.geometry.iloc[0].bounds
    g.loc[g.index[0], "geometry"] = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    return g


def _moved_to_berlin(g: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    g.geometry = g.geometry.translate(xoff=6.6, yoff=1.3)
    return g


def atlas_with(change: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[], pd.DataFrame]:
    return lambda: change(_atlas())


def _set(column: str, row: int, value: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def change(f: pd.DataFrame) -> pd.DataFrame:
        f.loc[row, column] = value
        return f

    return change


def _thousands(f: pd.DataFrame) -> pd.DataFrame:
    f["Bevölkerung"] = [f"{int(v):,}".replace(",", ".") if v.isdigit() else v for v in f["Bevölkerung"]]
    return f


def _thousands_and_decimal(f: pd.DataFrame) -> pd.DataFrame:
    f = _thousands(f)
    f.loc[1, "Bevölkerung"] = "2.5"
    return f


def _decimal_comma(f: pd.DataFrame) -> pd.DataFrame:
    return f.apply(lambda c: c.str.replace(".", ",", regex=False) if c.name not in ("Name",) else c)


def registry_with(change: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[], pd.DataFrame]:
    return lambda: change(_registry())


def _only_utm(f: pd.DataFrame) -> pd.DataFrame:
    return f.drop(columns=["LATITUDE", "LONGITUDE"])


def _swap_latlon(f: pd.DataFrame) -> pd.DataFrame:
    f[["LATITUDE", "LONGITUDE"]] = f[["LONGITUDE", "LATITUDE"]].to_numpy()
    return f


def _no_welcome_points(f: pd.DataFrame) -> pd.DataFrame:
    return f[f["ART"] != "Welcome Point"]


def _welcome_point_in_cologne(f: pd.DataFrame) -> pd.DataFrame:
    row = f.index[f["ART"] == "Welcome Point"][0]
    f.loc[row, ["LATITUDE", "LONGITUDE"]] = ["50.9375", "6.9603"]
    return f


def _comma_coordinates(f: pd.DataFrame) -> pd.DataFrame:
    f["LATITUDE"] = f["LATITUDE"].str.replace(".", ",", regex=False)
    f["LONGITUDE"] = f["LONGITUDE"].str.replace(".", ",", regex=False)
    return f


def _formula_name(f: pd.DataFrame) -> pd.DataFrame:
    f.loc[f["ART"] == "Welcome Point", "NAME"] = '=HYPERLINK("http://example.invalid","x")'
    return f


def _point_features(n: int, *, null: bool = False, crs: int = 4326) -> Callable[[], gpd.GeoDataFrame]:
    def build() -> gpd.GeoDataFrame:
        points = gpd.GeoDataFrame(
            {"name": [f"WP {i}" for i in range(n)], "organisation": ["Träger"] * n},
            geometry=gpd.points_from_xy([6.78 + i / 100 for i in range(n)], [51.22] * n),
            crs=4326,
        ).to_crs(crs)
        if null:
            points.loc[0, "geometry"] = None
        return points

    return build


GARBAGE = bytes(range(256)) * 40
FC = {"type": "FeatureCollection", "features": []}


def _feature(geometry: dict | None, sid: str = "011001") -> dict:
    return {"type": "Feature", "properties": {"SOZIALRAUM_ID": sid}, "geometry": geometry}


def _formula_book(tmp: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Profildaten"
    sheet.append(["Sozialraum-ID", "Bevölkerung", "Weiblich %"])
    sheet.append(["011001", 1200, "=B2/10"])
    path = tmp / "formeln.xlsx"
    book.save(path)
    return path


def _first_id_is(o: Outcome, expected: str) -> None:
    assert isinstance(o.result, pd.DataFrame)
    assert sorted(o.result["sozialraum_id"])[0] == expected


def _value(o: Outcome, sid: str, column: str, expected: float | None) -> None:
    assert isinstance(o.result, pd.DataFrame)
    value = o.result.loc[o.result["sozialraum_id"] == sid, column].iloc[0]
    assert pd.isna(value) if expected is None else value == expected


def _umlauts_intact(o: Outcome) -> None:
    assert isinstance(o.result, pd.DataFrame)
    names = " ".join(o.result["name"])
    assert "ü" in names and "Ã" not in names


def _organisation_kept(o: Outcome, text: str) -> None:
    assert isinstance(o.result, pd.DataFrame)
    assert (o.result["organisation"] == text).any()


def _has_name(o: Outcome, name: str) -> None:
    assert isinstance(o.result, pd.DataFrame)
    assert name in set(o.result["name"])


def _concern_kept(o: Outcome, thema: str) -> None:
    assert isinstance(o.result, journal.SheetReading)
    assert o.result.rows[0][1].thema == thema


CONCERNS_OK = "Thema;Priorität;Lokalisierung des Problems;Status\nSpielplatz kaputt;hoch;011001;offen\n"

CASES: list[Case] = [
    # --- Sozialraum geometry (through validate.check_files, as `import` and the Daten page do) -----
    Case("real Sozialräume", "sozialraeume", copy_of("sr.geojson", SOZIALRAEUME), rows=171),
    Case("empty file", "sozialraeume", raw("leer.geojson", b""), refused="leer.geojson"),
    Case("plain text as GeoJSON", "sozialraeume", text("text.geojson", "Hallo Welt"), refused="text.geojson"),
    Case(
        "truncated GeoJSON",
        "sozialraeume",
        copy_of("halb.geojson", SOZIALRAEUME, lambda b: b[:50_000]),
        refused="halb.geojson",
    ),
    Case("a JSON array", "sozialraeume", text("array.geojson", "[1, 2, 3]"), refused="array.geojson"),
    Case("no features", "sozialraeume", gjson_dict("leer.geojson", lambda: FC), refused="leer.geojson"),
    Case("points", "sozialraeume", geojson("p.geojson", spaces_with(_as_points)), refused="erwartet Polygon"),
    Case("lines", "sozialraeume", geojson("l.geojson", spaces_with(_as_lines)), refused="erwartet Polygon"),
    Case(
        "lat/lon swapped", "sozialraeume", geojson("s.geojson", spaces_with(_swap_axes)), refused="vertauscht"
    ),
    Case(
        "UTM without CRS",
        "sozialraeume",
        geojson("utm.geojson", spaces_with(_no_crs_utm)),
        refused="25832",
    ),
    Case(
        "UTM with its CRS",
        "sozialraeume",
        gpkg("utm.gpkg", {"sozialraeume": spaces_with(lambda g: g.to_crs(25832))}),
        rows=171,
    ),
    Case(
        "Web Mercator with its CRS",
        "sozialraeume",
        gpkg("merc.gpkg", {"sozialraeume": spaces_with(lambda g: g.to_crs(3857))}),
        rows=171,
    ),
    Case(
        "moved to Berlin",
        "sozialraeume",
        geojson("berlin.geojson", spaces_with(_moved_to_berlin)),
        refused="berlin.geojson",
    ),
    Case(
        "every geometry null",
        "sozialraeume",
        gjson_dict("null.geojson", lambda: {**FC, "features": [_feature(None), _feature(None, "011002")]}),
        refused="null.geojson",
    ),
    Case(
        "one geometry null",
        "sozialraeume",
        gjson_dict(
            "einmal-null.geojson",
            lambda: {
                **FC,
                "features": [
                    *json.loads(SOZIALRAEUME.read_text(encoding="utf-8"))["features"][:5],
                    _feature(None, "999001"),
                ],
            },
        ),
        codes={"geometry_missing"},
        usable=False,
        rows=6,
    ),
    Case(
        "no ID column",
        "sozialraeume",
        geojson("ohne-id.geojson", spaces_with(lambda g: g.drop(columns=["SOZIALRAUM_ID"]))),
        refused="ohne-id.geojson",
    ),
    Case(
        "duplicate IDs",
        "sozialraeume",
        geojson(
            "doppelt.geojson",
            spaces_with(
                lambda g: g.assign(
                    SOZIALRAUM_ID=g["SOZIALRAUM_ID"].where(g.index != 1, g["SOZIALRAUM_ID"].iloc[0])
                )
            ),
        ),
        codes={"duplicate_id"},
        usable=False,
        rows=171,
    ),
    Case(
        "IDs with letters",
        "sozialraeume",
        geojson(
            "buchstaben.geojson",
            spaces_with(lambda g: g.assign(SOZIALRAUM_ID="SR-" + g["SOZIALRAUM_ID"].astype(str))),
        ),
        refused="buchstaben.geojson",
    ),
    Case(
        "IDs as numbers (leading zero lost)",
        "sozialraeume",
        geojson(
            "zahlen.geojson", spaces_with(lambda g: g.assign(SOZIALRAUM_ID=g["SOZIALRAUM_ID"].astype(int)))
        ),
        rows=171,
        check=lambda o: _first_id_is(o, "011001"),
    ),
    Case(
        "a self-intersecting polygon",
        "sozialraeume",
        geojson("schleife.geojson", spaces_with(_bowtie)),
        codes={"geometry_repaired"},
        rows=171,
    ),
    Case(
        "only ten of 171",
        "sozialraeume",
        geojson("zehn.geojson", spaces_with(lambda g: g.iloc[:10])),
        rows=10,
    ),
    Case(
        "an XLSX named .geojson",
        "sozialraeume",
        copy_of("tabelle.geojson", QUARTIERSATLAS),
        refused="tabelle.geojson",
    ),
    Case("binary garbage", "sozialraeume", raw("muell.geojson", GARBAGE), refused="muell.geojson"),
    Case(
        "a zip with two layers",
        "sozialraeume",
        shapefile_zip(
            "zwei.zip", {"nord": spaces_with(lambda g: g.iloc[:5]), "sued": spaces_with(lambda g: g.iloc[5:])}
        ),
        refused="mehrere Ebenen",
    ),
    Case("an empty zip", "sozialraeume", zipped("leer.zip", {}), refused="leer.zip"),
    Case("a zip of text", "sozialraeume", zipped("text.zip", {"liesmich.txt": b"hallo"}), refused="text.zip"),
    Case(
        "a GeoPackage with two layers",
        "sozialraeume",
        gpkg(
            "zwei.gpkg",
            {"nord": spaces_with(lambda g: g.iloc[:5]), "sued": spaces_with(lambda g: g.iloc[5:])},
        ),
        refused="mehrere Ebenen",
    ),
    Case(
        "GeoJSON with a byte order mark",
        "sozialraeume",
        copy_of("bom.geojson", SOZIALRAEUME, lambda b: b"\xef\xbb\xbf" + b),
        rows=171,
    ),
    Case(
        "Stadtteile as Sozialräume", "sozialraeume", copy_of("st.geojson", STADTTEILE), refused="st.geojson"
    ),
    # --- Stadtteile ---------------------------------------------------------------------------------
    Case("real Stadtteile", "stadtteile", copy_of("st.geojson", STADTTEILE), rows=50),
    Case(
        "Sozialräume as Stadtteile", "stadtteile", copy_of("sr.geojson", SOZIALRAEUME), refused="sr.geojson"
    ),
    Case("garbage as Stadtteile", "stadtteile", raw("st.geojson", GARBAGE), refused="st.geojson"),
    # --- indicator tables ---------------------------------------------------------------------------
    Case("real Quartiersatlas XLSX", "indicators", copy_of("atlas.xlsx", QUARTIERSATLAS), rows=171),
    Case("real Quartiersatlas CSV", "indicators", copy_of("atlas.csv", QUARTIERSATLAS_CSV), rows=171),
    Case(
        "decimal commas",
        "indicators",
        frame_csv("komma.csv", atlas_with(_decimal_comma)),
        rows=171,
        check=lambda o: _value(o, "011001", "bevoelkerung", 2370),
    ),
    Case(
        "thousands written 2.370",
        "indicators",
        frame_csv("tausender.csv", atlas_with(_thousands)),
        rows=171,
        codes={"thousands_separator"},
        check=lambda o: _value(o, "011001", "bevoelkerung", 2370),
    ),
    Case(
        "2.370 beside 2.5 in a count",
        "indicators",
        frame_csv("gemischt.csv", atlas_with(_thousands_and_decimal)),
        rows=171,
        codes={"count_fractional"},
    ),
    Case(
        "Windows-1252 CSV",
        "indicators",
        frame_csv("ansi.csv", _atlas, encoding="cp1252"),
        rows=171,
        check=_umlauts_intact,
    ),
    Case("UTF-16 CSV", "indicators", frame_csv("utf16.csv", _atlas, encoding="utf-16"), refused="utf16.csv"),
    Case("comma-separated CSV", "indicators", frame_csv("komma-getrennt.csv", _atlas, sep=","), rows=171),
    Case("tab-separated CSV", "indicators", frame_csv("tab.tsv.csv", _atlas, sep="\t"), rows=171),
    Case("empty CSV", "indicators", raw("leer.csv", b""), refused="leer.csv"),
    Case("header only", "indicators", text("kopf.csv", "Sozialraum-ID;Bevölkerung\n"), refused="kopf.csv"),
    Case(
        "no ID column",
        "indicators",
        frame_csv("ohne-id.csv", atlas_with(lambda f: f.drop(columns=["Sozialraum-ID"]))),
        refused="ohne-id.csv",
    ),
    Case(
        "no indicator columns",
        "indicators",
        text("fremd.csv", "Sozialraum-ID;Lieblingsfarbe\n011001;blau\n"),
        refused="fremd.csv",
    ),
    Case(
        "duplicate IDs",
        "indicators",
        frame_csv("doppelt.csv", atlas_with(_set("Sozialraum-ID", 1, "011001"))),
        codes={"duplicate_id"},
        usable=False,
        rows=171,
    ),
    Case(
        "text in a number column",
        "indicators",
        frame_csv("text.csv", atlas_with(_set("Weiblich %", 3, "viele"))),
        codes={"non_numeric"},
        rows=171,
    ),
    Case(
        "a negative count",
        "indicators",
        frame_csv("negativ.csv", atlas_with(_set("Bevölkerung", 0, "-2370"))),
        codes={"implausible_value"},
        rows=171,
        check=lambda o: _value(o, "011001", "bevoelkerung", None),
    ),
    Case(
        "a share over 100",
        "indicators",
        frame_csv("anteil.csv", atlas_with(_set("Weiblich %", 0, "144.3"))),
        codes={"implausible_value"},
        rows=171,
    ),
    Case(
        "IDs unknown to the geometry",
        "indicators",
        frame_csv("fremde-ids.csv", atlas_with(_set("Sozialraum-ID", 0, "999999"))),
        codes={"indicators_without_geometry", "geometry_without_indicators"},
        rows=171,
    ),
    Case(
        "IDs with letters",
        "indicators",
        frame_csv("buchstaben.csv", atlas_with(_set("Sozialraum-ID", 0, "Altstadt"))),
        refused="buchstaben.csv",
    ),
    Case("formulas without values", "indicators", _formula_book, refused=r"Formeln ohne berechnete Werte"),
    Case(
        "a single sheet of another name",
        "indicators",
        xlsx("blatt.xlsx", _atlas, sheets=("Tabelle1",)),
        rows=171,
    ),
    Case(
        "an XLSX with two sheets",
        "indicators",
        xlsx("zwei.xlsx", _atlas, sheets=("Profildaten", "Notizen")),
        rows=171,
    ),
    Case("a zip named .xlsx", "indicators", zipped("kaputt.xlsx", {"a.txt": b"x"}), refused="kaputt.xlsx"),
    Case("garbage named .xlsx", "indicators", raw("muell.xlsx", GARBAGE), refused="muell.xlsx"),
    Case("garbage named .csv", "indicators", raw("muell.csv", GARBAGE), refused="muell.csv"),
    Case("GeoJSON as indicator table", "indicators", copy_of("sr.csv", SOZIALRAEUME), refused="sr.csv"),
    Case(
        "an escape character and a formula in a name",
        "indicators",
        frame_csv("namen.csv", atlas_with(_set("Name", 0, "=1+1\x1bAltstadt"))),
        rows=171,
        check=lambda o: _has_name(o, "=1+1\x1bAltstadt"),
    ),
    # --- Welcome Points -----------------------------------------------------------------------------
    Case(
        "real registry",
        "welcome_points",
        copy_of("registry.csv", REGISTRY),
        rows=11,
    ),
    Case("registry with UTM only", "welcome_points", frame_csv("utm.csv", registry_with(_only_utm)), rows=11),
    Case(
        "registry lat/lon swapped",
        "welcome_points",
        frame_csv("v.csv", registry_with(_swap_latlon)),
        refused="v.csv",
    ),
    Case(
        "a Welcome Point in Cologne",
        "welcome_points",
        frame_csv("koeln.csv", registry_with(_welcome_point_in_cologne)),
        codes={"welcome_point_outside"},
        rows=11,
    ),
    Case(
        "registry without Welcome Points",
        "welcome_points",
        frame_csv("keine.csv", registry_with(_no_welcome_points)),
        refused="keine.csv",
    ),
    Case(
        "registry without ART",
        "welcome_points",
        frame_csv("ohne-art.csv", registry_with(lambda f: f.drop(columns=["ART"]))),
        refused="ohne-art.csv",
    ),
    Case(
        "decimal-comma coordinates",
        "welcome_points",
        frame_csv("k.csv", registry_with(_comma_coordinates)),
        rows=11,
    ),
    Case(
        "a formula as name",
        "welcome_points",
        frame_csv("formel.csv", registry_with(_formula_name)),
        rows=11,
        check=lambda o: _organisation_kept(o, '=HYPERLINK("http://example.invalid","x")'),
    ),
    Case(
        "registry header only",
        "welcome_points",
        text("kopf.csv", "LATITUDE;LONGITUDE;ART;NAME\n"),
        refused="kopf.csv",
    ),
    Case("points as GeoJSON", "welcome_points", geojson("wp.geojson", _point_features(3)), rows=3),
    Case(
        "points in UTM with CRS",
        "welcome_points",
        geojson("wp.geojson", _point_features(3, crs=25832)),
        rows=3,
    ),
    Case(
        "a null point",
        "welcome_points",
        geojson("null.geojson", _point_features(3, null=True)),
        refused="null.geojson",
    ),
    Case(
        "polygons as Welcome Points",
        "welcome_points",
        copy_of("wp.geojson", SOZIALRAEUME),
        refused="erwartet Point",
    ),
    Case(
        "an XLSX named .geojson",
        "welcome_points",
        copy_of("wp.geojson", QUARTIERSATLAS),
        refused="wp.geojson",
    ),
    Case("garbage CSV", "welcome_points", raw("wp.csv", GARBAGE), refused="wp.csv"),
    # --- nationalities ------------------------------------------------------------------------------
    Case("real nationalities", "nationalities", copy_of("nat.csv", NATIONALITIES), rows=50),
    Case(
        "nationalities without a key",
        "nationalities",
        text("nat.csv", "Türkei;Polen\n12;3\n"),
        refused="nat.csv",
    ),
    Case(
        "nationalities of unknown places",
        "nationalities",
        text("nat.csv", "stadtteil_name,Türkei,Polen\nAltstadt,12,3\nAtlantis,1,1\n"),
        codes={"nationality_rows_unmatched"},
        rows=1,
    ),
    Case("nationalities garbage", "nationalities", raw("nat.csv", GARBAGE), refused="nat.csv"),
    # --- Wohnquartiere ------------------------------------------------------------------------------
    Case("real Wohnquartiere 2021", "wohnquartiere", copy_of("wq.csv", WOHNQUARTIERE_2021), rows=171),
    Case("old six-digit keys", "wohnquartiere", copy_of("wq.csv", WOHNQUARTIERE_2020), refused="wq.csv"),
    Case("Wohnquartiere garbage", "wohnquartiere", raw("wq.csv", GARBAGE), refused="wq.csv"),
    # --- the connectors' concern spreadsheet ---------------------------------------------------------
    Case("a good concern sheet", "concerns", text("anliegen.csv", CONCERNS_OK), rows=1),
    Case(
        "unknown Sozialraum and priority",
        "concerns",
        text(
            "anliegen.csv",
            CONCERNS_OK + "Licht;dringend;011001;offen\nBank;hoch;999999;offen\n;hoch;011001;offen\n",
        ),
        rows=1,
        problems=[3, 4, 5],
    ),
    Case("no Thema column", "concerns", text("anliegen.csv", "Titel;Status\nx;offen\n"), refused="Thema"),
    Case(
        "an XML entity in the sheet", "concerns", xlsx_with_entity("anliegen.xlsx"), refused="anliegen.xlsx"
    ),
    Case(
        "control characters and a formula",
        "concerns",
        text("anliegen.csv", "Thema;Problembeschreibung\n=cmd|'/c calc'!A1;Lärm\x1b[31m nachts\x07\n"),
        rows=1,
        check=lambda o: _concern_kept(o, "=cmd|'/c calc'!A1"),
    ),
    Case("garbage as concern sheet", "concerns", raw("anliegen.xlsx", GARBAGE), refused="anliegen.xlsx"),
    # --- register files (the Tandems page: preview, then import in one transaction) -------------------
    Case(
        "connectors",
        "connectors",
        text("personen.csv", "Name;Sprachen;Wohn-Sozialraum\nAyşe;Türkisch;011001\nOmar;Arabisch;\n"),
        rows=2,
    ),
    Case(
        "connectors with an unknown home and no name",
        "connectors",
        text(
            "personen.csv",
            "Name;Sprachen;Wohn-Sozialraum\nAyşe;Türkisch;999999\n;Arabisch;\nOmar;Arabisch;\n",
        ),
        rows=1,
        problems=[2, 3],
    ),
    Case(
        "the Quartiersatlas as connectors",
        "connectors",
        copy_of("personen.csv", QUARTIERSATLAS_CSV),
        doubtful=True,
    ),
    Case(
        "connectors without a name column",
        "connectors",
        text("personen.csv", "Sprachen\nTürkisch\n"),
        refused="Name",
    ),
    Case(
        "tandems with unknown members, points and dates",
        "tandems",
        text(
            "tandems.csv",
            "Tandem;Mitglieder;Beginn;Welcome Point\nOst;Ayşe | Omar;01.02.2025;\nWest;Ayşe, Niemand;2025-01-01;\n"
            "Süd;Ayşe, Omar;irgendwann;\nNord;Ayşe, Omar;2025-01-01;wp-atlantis\n",
        ),
        rows=1,
        problems=[3, 4, 5],
    ),
    Case(
        "assignments to unknown places and tandems",
        "assignments",
        text(
            "zuordnung.csv",
            "Tandem;Sozialraum-ID;von;bis\nOst;11001;2025-02-01;2025-06-30\nOst;999999;2025-02-01;\n"
            "Niemand;011002;2025-02-01;\nOst;011003;2025-02-01;2024-01-01\n",
        ),
        rows=1,
        problems=[3, 4, 5],
    ),
    Case("a register file of garbage", "connectors", raw("personen.csv", GARBAGE), refused="personen.csv"),
]


# --- running an importer ----------------------------------------------------------------------------


def _stadtteil_names() -> dict[str, str]:
    st = sources.read_stadtteile(STADTTEILE)
    return dict(zip(st["stadtteil_nr"], st["name"], strict=True))


def _register_import(kind: str, path: Path, tmp: Path) -> Outcome:
    frame = sources.read_table(path)
    preview = store.preview_import(frame, kind)
    if preview.doubtful:
        return Outcome(doubtful=True)
    register = store.Register(f"sqlite:///{tmp / 'register.sqlite'}")
    cli = Principal.cli()
    try:
        before = len(register.private_connectors(by=cli))
        if kind == "connectors":
            problems = store.import_connectors(register, frame, by=cli, known_ids=_ids())
            rows = len(register.private_connectors(by=cli)) - before
        elif kind == "tandems":
            store.import_connectors(register, pd.DataFrame({"Name": ["Ayşe", "Omar"]}), by=cli)
            problems = store.import_tandems(register, frame, by=cli, known_points={"wp-1"})
            rows = len(register.tandems())
        else:
            ids = [register.add_connector(n, by=cli) for n in ("Ayşe", "Omar")]
            from datetime import date

            register.create_tandem("Ost", ids, by=cli, start=date(2025, 1, 1))
            problems = store.import_assignments(register, frame, by=cli, known_ids=_ids())
            rows = len(register.assignments())
    finally:
        register.close()
    return Outcome(rows=rows, problems=[p.row for p in problems])


def run(importer: str, path: Path, tmp: Path) -> Outcome:  # noqa: PLR0911 - one branch per importer
    """Run one importer on `path`; a typed refusal is an outcome, anything else propagates."""
    report = Report()
    try:
        if importer == "sozialraeume":
            checked = validate.check_files(path)
            return _outcome(checked.spaces, checked.report)
        if importer == "stadtteile":
            return _outcome(sources.read_stadtteile(path, report=report), report)
        if importer == "indicators":
            table = sources.read_indicators(path, report=report)
            validate.check_join(_SPACES, table, report)
            return _outcome(validate.check_values(table, report), report)
        if importer == "welcome_points":
            points = sources.read_welcome_points(path, report=report)
            return _outcome(sources.assign_sozialraum(points, _SPACES, report=report), report)
        if importer == "nationalities":
            return _outcome(languages.read_nationalities(path, _stadtteil_names(), report=report), report)
        if importer == "wohnquartiere":
            return _outcome(sources.read_wohnquartiere(path, report=report), report)
        if importer == "concerns":
            reading = journal.read_concern_sheet(path, known_ids=_ids())
            return Outcome(rows=len(reading.rows), problems=[p.row for p in reading.problems], result=reading)
        return _register_import(importer, path, tmp)
    except SozialraumError as exc:
        return Outcome(refused=exc.message())


def _outcome(result: pd.DataFrame, report: Report) -> Outcome:
    return Outcome(
        rows=len(result), codes={i.code for i in report.issues}, usable=report.usable, result=result
    )


_SPACES = sources.read_sozialraeume(SOZIALRAEUME) if SOZIALRAEUME.exists() else None


def test_the_corpus_is_large_and_covers_every_importer() -> None:
    importers = {c.importer for c in CASES}
    assert importers == {
        "sozialraeume",
        "stadtteile",
        "indicators",
        "welcome_points",
        "nationalities",
        "wohnquartiere",
        "concerns",
        "connectors",
        "tandems",
        "assignments",
    }
    assert len(CASES) >= 85
    assert len({c.name + c.importer for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.importer}: {c.name}")
def test_hostile_file(case: Case, tmp_path: Path) -> None:
    with warnings.catch_warnings():  # writers warn about what the hostile file lacks (no CRS, long names)
        warnings.simplefilter("ignore")
        path = case.make(tmp_path)
    outcome = run(case.importer, path, tmp_path)
    if case.refused is not None:
        assert outcome.refused is not None, f"accepted: {outcome.rows} rows, findings {sorted(outcome.codes)}"
        assert re.search(case.refused, outcome.refused), outcome.refused
        assert "Traceback" not in outcome.refused and "Error" not in outcome.refused
        # the sentence names the file, or the column that the file lacks
        assert path.name in outcome.refused or "Spalte" in outcome.refused, outcome.refused
        return
    assert outcome.refused is None, outcome.refused
    assert outcome.doubtful == case.doubtful
    if case.rows is not None:
        assert outcome.rows == case.rows
    assert case.codes <= outcome.codes, sorted(outcome.codes)
    assert outcome.usable == case.usable
    assert outcome.problems == case.problems
    if case.check is not None:
        case.check(outcome)
