"""Files that look right and are not: each is refused with a sentence that names what is wrong."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geo import sources
from geo.errors import CrsError, FileFormatError
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
