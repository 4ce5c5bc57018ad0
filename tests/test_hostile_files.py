"""Files that look right and are not: each is refused with a sentence that names what is wrong."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geo.core.errors import CrsError, FileFormatError
from geo.data import sources
from tests.conftest import SOZIALRAEUME

pytestmark = pytest.mark.real_data


def _real(n: int = 10) -> gpd.GeoDataFrame:
    return gpd.read_file(SOZIALRAEUME).iloc[:n]


def test_a_zip_with_two_layers_is_refused_with_their_names(tmp_path: Path) -> None:
    spaces = _real()[["SOZIALRAUM_ID", "geometry"]].rename(columns={"SOZIALRAUM_ID": "SR_ID"})
    for name, part in (("nord", spaces.iloc[:5]), ("sued", spaces.iloc[5:])):
        part.to_file(tmp_path / f"{name}.shp")
    archive = tmp_path / "sozialraeume.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for file in tmp_path.glob("*.*"):
            if file.suffix != ".zip":
                z.write(file, file.name)
    with pytest.raises(FileFormatError, match=r"mehrere Ebenen.*nord.*sued|mehrere Ebenen.*sued.*nord"):
        sources.read_sozialraeume(archive)


def test_points_are_no_sozialraeume(tmp_path: Path) -> None:
    points = _real().copy()
    points.geometry = points.geometry.representative_point()
    points.to_file(tmp_path / "punkte.geojson")
    with pytest.raises(FileFormatError, match="erwartet Polygon, MultiPolygon, gefunden Point"):
        sources.read_sozialraeume(tmp_path / "punkte.geojson")


def test_polygons_are_no_welcome_points(tmp_path: Path) -> None:
    _real().to_file(tmp_path / "wp.geojson")
    with pytest.raises(FileFormatError, match="erwartet Point, gefunden"):
        sources.read_welcome_points(tmp_path / "wp.geojson")


def test_swapped_longitude_and_latitude_are_named(tmp_path: Path) -> None:
    swapped = _real().copy()
    swapped.geometry = shapely.transform(swapped.geometry.to_numpy(), lambda xy: xy[:, ::-1])
    swapped.to_file(tmp_path / "vertauscht.geojson")
    with pytest.raises(CrsError, match="Längen- und Breitengrad vertauscht"):
        sources.read_sozialraeume(tmp_path / "vertauscht.geojson")
    assert len(sources.read_sozialraeume(SOZIALRAEUME)) == 171  # the real file passes every check


def test_formulas_without_values_are_refused(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Profildaten"
    sheet.append(["Sozialraum-ID", "Bevölkerung", "Anteil"])
    sheet.append(["011001", 1200, "=B2/10"])  # openpyxl stores the formula, never its value
    path = tmp_path / "atlas.xlsx"
    book.save(path)
    with pytest.raises(FileFormatError, match=r"Formeln ohne berechnete Werte \(C2\)"):
        sources.read_table(path)


def test_negative_counts_are_implausible(demo_dir: Path) -> None:
    from geo.core.report import Report
    from geo.data import dataset, validate

    table = dataset.load_dataset(demo_dir).spaces.drop(columns="geometry").copy()
    first = table["sozialraum_id"].iloc[0]
    table.loc[table["sozialraum_id"] == first, "bevoelkerung"] = -2370
    report = Report()
    checked = validate.check_values(table, report, city_population=int(table["bevoelkerung"].sum()))
    assert checked.loc[checked["sozialraum_id"] == first, "bevoelkerung"].isna().all()
    assert any(i.code == "implausible_value" and first in i.ids for i in report.issues)
