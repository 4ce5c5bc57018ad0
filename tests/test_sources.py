"""Readers: the real official files, and small crafted bad files built in each test."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Polygon, box

from geo.core.errors import CrsError, FileFormatError, IdError, MissingColumnError
from geo.core.report import Report
from geo.data import sources
from tests.conftest import (
    QUARTIERSATLAS,
    QUARTIERSATLAS_CSV,
    REGISTRY,
    SOZIALRAEUME,
    STADTTEILE,
    WOHNQUARTIERE_2020,
    WOHNQUARTIERE_2021,
    WOHNQUARTIERE_2024,
)

# --- real files -----------------------------------------------------------------------------------


@pytest.mark.real_data
def test_real_sozialraeume() -> None:
    report = Report()
    spaces = sources.read_sozialraeume(SOZIALRAEUME, report=report)
    assert len(spaces) == 171
    assert spaces.crs.to_epsg() == 4326
    assert spaces["sozialraum_id"].str.fullmatch(r"\d{6}").all()
    assert spaces["sozialraum_id"].is_unique
    # per Stadtbezirk as documented in SOURCE.md
    counts = spaces["stadtbezirk"].value_counts().sort_index().tolist()
    assert counts == [16, 12, 22, 21, 11, 23, 19, 17, 23, 7]
    assert spaces["stadtteil_nr"].nunique() == 50
    assert spaces.geometry.is_valid.all()
    assert report.find("geometry_repaired")[0].ids == ("013002", "064002", "081004", "082003")
    assert "crs_assumed" not in report.codes()  # GeoJSON without a crs member is WGS84 (RFC 7946)


@pytest.mark.real_data
def test_real_stadtteile_and_bezirke() -> None:
    stadtteile = sources.read_stadtteile(STADTTEILE)
    assert len(stadtteile) == 50
    assert stadtteile["stadtteil_nr"].iloc[0] == "011"
    assert "Flingern Süd" in set(stadtteile["name"])
    bezirke = sources.stadtbezirke(stadtteile)
    assert sorted(bezirke["stadtbezirk"]) == list(range(1, 11))


@pytest.mark.real_data
def test_real_quartiersatlas_xlsx_and_csv_agree() -> None:
    report = Report()
    xlsx = sources.read_indicators(QUARTIERSATLAS, report=report)
    csv = sources.read_indicators(QUARTIERSATLAS_CSV)
    assert len(xlsx) == 171
    assert {"sgb2_quote", "arbeitslosenquote", "kinderarmut", "migration_pct", "bevoelkerung"} <= set(
        xlsx.columns
    )
    pd.testing.assert_frame_equal(xlsx.drop(columns="name"), csv.drop(columns="name"))
    names = dict(zip(xlsx["sozialraum_id"], xlsx["name"], strict=True))
    assert names["042004"].startswith("Gewerbeflächen")
    assert names["053002"].startswith("Ausflugsziel")
    assert xlsx.loc[xlsx["sozialraum_id"] == "011001", "sgb2_quote"].item() == pytest.approx(6.8)
    assert "columns_ignored" not in report.codes()  # every Quartiersatlas column is in the catalogue


@pytest.mark.real_data
def test_real_wohnquartiere_add_up_to_sozialraeume() -> None:
    ids = set(sources.read_sozialraeume(SOZIALRAEUME)["sozialraum_id"])
    table_2024 = sources.read_wohnquartiere(WOHNQUARTIERE_2024)
    table_2021 = sources.read_wohnquartiere(WOHNQUARTIERE_2021)  # 8-digit keys: leading zero lost
    assert set(table_2024["sozialraum_id"]) == ids
    assert set(table_2021["sozialraum_id"]) == ids
    # the 2021 age table and the Quartiersatlas (also 31.12.2021) count nearly the same people
    assert table_2021["bevoelkerung"].sum() == pytest.approx(643_753, rel=0.02)


@pytest.mark.real_data
def test_real_old_wohnquartier_keys_are_refused() -> None:
    with pytest.raises(IdError, match="6 Ziffern"):
        sources.read_wohnquartiere(WOHNQUARTIERE_2020)


@pytest.mark.real_data
def test_real_welcome_points_merged_per_address() -> None:
    report = Report()
    points = sources.read_welcome_points(REGISTRY, report=report)
    assert report.counts["welcome_point_rows"] == 17
    assert len(points) == 11
    rath = points[points["address"].str.startswith("Rather Kreuzweg 43")].iloc[0]
    phones = {c["telefon"] for c in json.loads(rath["contacts"])}
    assert phones == {"0211 38734249", "0211 20032414"}
    spaces = sources.read_sozialraeume(SOZIALRAEUME)
    located = sources.assign_sozialraum(points, spaces, report=report)
    assert (located["sozialraum_id"] != "").all()
    assert "welcome_point_outside" not in report.codes()


@pytest.mark.real_data
def test_registry_eastings_used_when_no_lat_lon(tmp_path: Path) -> None:
    frame = pd.read_csv(REGISTRY, sep=";", dtype=str)
    with_lat = sources.read_welcome_points(REGISTRY)
    only_utm = tmp_path / "registry.csv"
    frame.drop(columns=["LATITUDE", "LONGITUDE"]).to_csv(only_utm, sep=";", index=False)
    from_utm = sources.read_welcome_points(only_utm)
    a = with_lat.to_crs(25832).geometry
    b = from_utm.to_crs(25832).geometry
    assert a.distance(b, align=False).max() < 2.0  # metres


# --- crafted geometry files ------------------------------------------------------------------------


def _grid(
    ids: list, crs: str | None = "EPSG:4326", *, origin: tuple[float, float] = (6.75, 51.2)
) -> gpd.GeoDataFrame:
    x0, y0 = origin
    step = 0.01 if crs in (None, "EPSG:4326") and x0 < 1000 else 1000
    geoms = [box(x0 + i * step, y0, x0 + (i + 1) * step, y0 + step) for i in range(len(ids))]
    return gpd.GeoDataFrame({"SOZIALRAUM_ID": ids}, geometry=geoms, crs=crs)


def _geojson_without_crs(gdf: gpd.GeoDataFrame, path: Path) -> Path:
    data = json.loads(gdf.set_crs("EPSG:4326", allow_override=True).to_json())
    data.pop("crs", None)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _shapefile_without_prj(gdf: gpd.GeoDataFrame, folder: Path) -> Path:
    folder.mkdir()
    # shapefile field names have at most 10 characters; crs set only to keep the writer quiet
    gdf.rename(columns={"SOZIALRAUM_ID": "SOZIALRAUM"}).set_crs("EPSG:4326", allow_override=True).to_file(
        folder / "raeume.shp"
    )
    (folder / "raeume.prj").unlink(missing_ok=True)
    return folder / "raeume.shp"


def test_metric_coordinates_without_crs_are_refused_naming_25832(tmp_path: Path) -> None:
    gdf = _grid(["011001", "011002"], crs=None, origin=(344_000, 5_677_000))
    geojson = _geojson_without_crs(gdf, tmp_path / "metric.geojson")
    with pytest.raises(CrsError, match=r"metric\.geojson.*EPSG:25832"):
        sources.read_sozialraeume(geojson)
    shapefile = _shapefile_without_prj(gdf, tmp_path / "shp")
    with pytest.raises(CrsError, match=r"raeume\.shp.*EPSG:25832"):
        sources.read_sozialraeume(shapefile)


def test_lonlat_without_crs_is_accepted_and_reported(tmp_path: Path) -> None:
    path = _shapefile_without_prj(_grid(["011001", "011002"], crs=None), tmp_path / "shp")
    report = Report()
    spaces = sources.read_sozialraeume(path, report=report)
    assert spaces.crs.to_epsg() == 4326
    assert report.find("crs_assumed")[0].params["file"] == "raeume.shp"


def test_declared_utm_is_transformed(tmp_path: Path) -> None:
    gdf = _grid(["011001"], crs="EPSG:25832", origin=(344_000, 5_677_000))
    path = tmp_path / "utm.gpkg"
    gdf.to_file(path, driver="GPKG")
    spaces = sources.read_sozialraeume(path)
    x, y = spaces.geometry.iloc[0].centroid.coords[0]
    assert 6.7 < x < 6.9
    assert 51.1 < y < 51.3


def test_zipped_shapefile_and_lost_leading_zeros(tmp_path: Path) -> None:
    gdf = _grid([11001, 11002, 102003]).rename(columns={"SOZIALRAUM_ID": "SOZIALRAUM"})  # zeros lost
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    gdf.to_file(shp_dir / "raeume.shp")
    archive = tmp_path / "raeume.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in shp_dir.iterdir():
            zf.write(part, part.name)
    spaces = sources.read_sozialraeume(archive)
    assert spaces["sozialraum_id"].tolist() == ["011001", "011002", "102003"]
    assert spaces["stadtbezirk"].tolist() == [1, 1, 10]


def test_missing_id_column_names_file_and_column(tmp_path: Path) -> None:
    gdf = _grid(["011001"]).rename(columns={"SOZIALRAUM_ID": "KENNUNG"})
    path = tmp_path / "ohne_id.geojson"
    gdf.to_file(path)
    with pytest.raises(MissingColumnError, match=r"ohne_id\.geojson.*SOZIALRAUM_ID.*KENNUNG"):
        sources.read_sozialraeume(path)


def test_duplicate_id_is_an_error_in_the_report(tmp_path: Path) -> None:
    path = tmp_path / "dup.geojson"
    _grid(["011001", "011001", "011002"]).to_file(path)
    report = Report()
    sources.read_sozialraeume(path, report=report)
    assert not report.usable
    assert report.errors[0].code == "duplicate_id"
    assert report.errors[0].ids == ("011001",)


def test_broken_geometry_is_repaired_and_reported(tmp_path: Path) -> None:
    bowtie = Polygon([(6.75, 51.2), (6.76, 51.21), (6.76, 51.2), (6.75, 51.21)])
    gdf = gpd.GeoDataFrame(
        {"SOZIALRAUM_ID": ["011001", "011002"]},
        geometry=[bowtie, box(6.8, 51.2, 6.81, 51.21)],
        crs="EPSG:4326",
    )
    path = tmp_path / "bowtie.geojson"
    gdf.to_file(path)
    report = Report()
    spaces = sources.read_sozialraeume(path, report=report)
    assert spaces.geometry.is_valid.all()
    assert spaces.geometry.iloc[0].area > 0
    assert report.find("geometry_repaired")[0].ids == ("011001",)


def test_malformed_id_names_the_value(tmp_path: Path) -> None:
    path = tmp_path / "bad_id.geojson"
    _grid(["011001", "12a"]).to_file(path)
    with pytest.raises(IdError, match="12a"):
        sources.read_sozialraeume(path)


@pytest.mark.parametrize("content", [b"", b"   \n"])
def test_empty_files_are_refused_by_name(tmp_path: Path, content: bytes) -> None:
    geo_path = tmp_path / "leer.geojson"
    geo_path.write_bytes(content)
    with pytest.raises(FileFormatError, match=r"leer\.geojson"):
        sources.read_sozialraeume(geo_path)
    csv_path = tmp_path / "leer.csv"
    csv_path.write_bytes(content)
    with pytest.raises(FileFormatError, match=r"leer\.csv"):
        sources.read_indicators(csv_path)


def test_missing_file_names_path(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="gibt_es_nicht"):
        sources.read_sozialraeume(tmp_path / "gibt_es_nicht.geojson")


def test_feature_collection_without_features(tmp_path: Path) -> None:
    path = tmp_path / "none.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(FileFormatError, match=r"none\.geojson"):
        sources.read_sozialraeume(path)


# --- crafted tables ----------------------------------------------------------------------------------


def test_semicolon_decimal_comma_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "tabelle.csv"
    text = "Sozialraum-ID;Name;SGB-II-Quote %;Bevölkerung\n11001;Altstädter Ring;12,5;1.234\n011002;Süd;x;.\n"
    path.write_bytes(text.encode("cp1252"))
    table = sources.read_indicators(path)
    assert table["sozialraum_id"].tolist() == ["011001", "011002"]
    assert table["name"].tolist() == ["Altstädter Ring", "Süd"]
    assert table["sgb2_quote"].iloc[0] == pytest.approx(12.5)
    assert table["bevoelkerung"].iloc[0] == 1234
    assert np.isnan(table["sgb2_quote"].iloc[1])
    assert np.isnan(table["bevoelkerung"].iloc[1])


def test_comma_decimal_point_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "tabelle.csv"
    path.write_bytes("\ufeffsozialraum_id,sgb2_quote,kinderarmut\n011001,12.5,-\n".encode())
    table = sources.read_indicators(path)
    assert table.columns.tolist() == ["sozialraum_id", "sgb2_quote", "kinderarmut"]
    assert table["sgb2_quote"].item() == pytest.approx(12.5)
    assert np.isnan(table["kinderarmut"].item())


def test_non_numeric_value_reported_with_column_and_id(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "Sozialraum-ID;SGB-II-Quote %;Unbekannt\n011001;zwölf;1\n011002;3,5;2\n", encoding="utf-8"
    )
    report = Report()
    table = sources.read_indicators(path, report=report)
    assert np.isnan(table["sgb2_quote"].iloc[0])
    issue = report.find("non_numeric")[0]
    assert issue.ids == ("011001",)
    assert "SGB-II-Quote %" in issue.message()
    assert "Unbekannt" in report.find("columns_ignored")[0].message()


def test_duplicate_id_in_table(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Sozialraum-ID;Arbeitslosenquote %\n011001;1\n011001;2\n", encoding="utf-8")
    report = Report()
    sources.read_indicators(path, report=report)
    assert report.errors[0].code == "duplicate_id"
    assert "011001" in report.errors[0].message()


def test_wrong_encoding_utf16_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "utf16.csv"
    path.write_bytes("Sozialraum-ID;SGB-II-Quote %\n011001;1\n".encode("utf-16"))
    with pytest.raises(FileFormatError, match=r"utf16\.csv.*UTF-8"):
        sources.read_indicators(path)


def test_table_without_id_column(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Nummer;SGB-II-Quote %\n011001;1\n", encoding="utf-8")
    with pytest.raises(MissingColumnError, match="Sozialraum-ID"):
        sources.read_indicators(path)


def test_malformed_table_id_names_row(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Sozialraum-ID;SGB-II-Quote %\n011001;1\nABC;2\n", encoding="utf-8")
    with pytest.raises(IdError, match="3: ABC"):
        sources.read_indicators(path)


def test_xlsx_sheet_selection(tmp_path: Path) -> None:
    path = tmp_path / "atlas.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Deckblatt", index=False)
        pd.DataFrame({"Sozialraum-ID": ["011001"], "Kinderarmut %": [20.5]}).to_excel(
            writer, sheet_name="Werte", index=False
        )
    table = sources.read_indicators(path, sheet="Werte")
    assert table["kinderarmut"].item() == pytest.approx(20.5)
    with pytest.raises(FileFormatError, match=r"Profil.*Deckblatt, Werte"):
        sources.read_indicators(path, sheet="Profil")


def test_missing_tokens() -> None:
    numbers, unreadable = sources.parse_numbers(pd.Series(["", ".", "-", "x", "1,5", "1.000,25"]))
    assert numbers.isna().tolist() == [True, True, True, True, False, False]
    assert numbers.iloc[5] == pytest.approx(1000.25)
    assert not unreadable.any()


def test_registry_without_welcome_points(tmp_path: Path) -> None:
    path = tmp_path / "reg.csv"
    path.write_text(
        "LATITUDE;LONGITUDE;ART;NAME;STRASSE;HAUSNUMMER\n51.2;6.7;Integrationsagentur;X;Weg;1\n",
        encoding="utf-8",
    )
    with pytest.raises(FileFormatError, match="Welcome Point"):
        sources.read_welcome_points(path)


def test_welcome_point_outside_every_sozialraum(tmp_path: Path) -> None:
    path = tmp_path / "reg.csv"
    path.write_text(
        "LATITUDE;LONGITUDE;ART;NAME;STRASSE;HAUSNUMMER;PLZ\n"
        "51.205;6.755;Welcome Point;Träger A;Weg;1;40000\n"
        "48.0;11.0;Welcome Point;Träger B;Gasse;2;80000\n",
        encoding="utf-8",
    )
    points = sources.read_welcome_points(path)
    report = Report()
    spaces = _grid(["011001"]).rename(columns={"SOZIALRAUM_ID": "sozialraum_id"})
    located = sources.assign_sozialraum(points, spaces, report=report)
    assert located["sozialraum_id"].tolist() == ["011001", ""]
    assert report.find("welcome_point_outside")[0].ids == ("wp-gasse-2",)


def test_cut_names_are_marked_not_changed() -> None:
    names = pd.Series(["Garath-Südost und", "Zwischen Nordfriedhof und Jo-", "Altstadt", "Unterbilk", None])
    marked = sources.mark_truncated(names)
    assert marked.tolist()[:4] == [
        "Garath-Südost und …",
        "Zwischen Nordfriedhof und Jo-…",
        "Altstadt",
        "Unterbilk",
    ]
    assert marked.isna().tolist()[4]
