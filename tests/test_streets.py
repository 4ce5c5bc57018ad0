"""The street directory: read from the city's table or from street lines, one point per street, imported by admins."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from geo.core.access import AccessDeniedError, Principal
from geo.core.errors import DataError, MissingColumnError
from geo.core.report import Report
from geo.core.settings import METRIC_CRS
from geo.data import dataset, imports, streets
from geo.output import nearby

ADMIN = Principal(label="admin", roles=frozenset({"admin"}))
CONNECTOR = Principal(label="c", roles=frozenset({"connector"}), connector_id=1)


@pytest.fixture(scope="module")
def spaces(demo_dir: Path) -> gpd.GeoDataFrame:
    return dataset.load_dataset(demo_dir).spaces


def _inside(spaces: gpd.GeoDataFrame, k: int) -> shapely.Point:
    return spaces.geometry.iloc[k].representative_point()


def test_a_german_table_with_decimal_commas_gives_one_point_per_street(
    spaces: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    a, b = _inside(spaces, 0), _inside(spaces, 40)
    rows = [
        ("Straße", "Längengrad", "Breitengrad"),
        ("Hauptstraße", f"{a.x:.6f}".replace(".", ","), f"{a.y:.6f}".replace(".", ",")),
        ("Hauptstraße", f"{a.x + 0.001:.6f}".replace(".", ","), f"{a.y:.6f}".replace(".", ",")),
        ("Hauptstraße", f"{a.x + 0.006:.6f}".replace(".", ","), f"{a.y:.6f}".replace(".", ",")),
        ("Am Bach", f"{b.x:.6f}".replace(".", ","), f"{b.y:.6f}".replace(".", ",")),
        ("", f"{b.x:.6f}".replace(".", ","), f"{b.y:.6f}".replace(".", ",")),
        ("Domkloster", "6,958", "50,941"),  # Cologne: outside the city
    ]
    path = tmp_path / "strassen.csv"
    path.write_text("\n".join(";".join(r) for r in rows) + "\n", encoding="utf-8")
    report = Report()
    table = streets.read_streets(path, spaces, report=report)
    assert table["name"].tolist() == ["Am Bach", "Hauptstraße"]
    main = table.set_index("name").loc["Hauptstraße"]
    # of three segments, the one nearest their middle (a point on the street, not the average of the points)
    assert (main["lon"], main["lat"]) == pytest.approx((round(a.x + 0.001, 6), round(a.y, 6)))
    codes = {i.code: i for i in report.issues}
    assert codes["streets_rows_unusable"].ids == ("6",)  # the spreadsheet's row number
    assert codes["streets_outside"].ids == ("Domkloster",)
    assert "Domkloster" in codes["streets_outside"].message("de")
    assert report.counts["streets_merged_rows"] == 2 and report.counts["streets"] == 2


def test_utm_eastings_with_the_zone_prefix_are_read(spaces: gpd.GeoDataFrame, tmp_path: Path) -> None:
    point = _inside(spaces, 10)
    east, north = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True).transform(point.x, point.y)
    path = tmp_path / "utm.csv"
    path.write_text(
        f"STR_NAME,Rechtswert,Hochwert\nLindenweg,{32_000_000 + east:.1f},{north:.1f}\n", encoding="utf-8"
    )
    table = streets.read_streets(path, spaces)
    assert table["name"].tolist() == ["Lindenweg"]
    assert (table["lon"].iloc[0], table["lat"].iloc[0]) == pytest.approx((point.x, point.y), abs=1e-5)


def test_street_lines_become_a_point_on_the_line(spaces: gpd.GeoDataFrame, tmp_path: Path) -> None:
    a = _inside(spaces, 5)
    line = shapely.LineString([(a.x, a.y), (a.x + 0.01, a.y), (a.x + 0.01, a.y + 0.01)])  # bent: an L
    features = [
        {"type": "Feature", "properties": {"name": "Winkelweg"}, "geometry": shapely.geometry.mapping(line)},
        {"type": "Feature", "properties": {"name": None}, "geometry": shapely.geometry.mapping(line)},
    ]
    path = tmp_path / "strassen.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    report = Report()
    table = streets.read_streets(path, spaces, report=report)
    found = shapely.Point(table["lon"].iloc[0], table["lat"].iloc[0])
    assert line.distance(found) < 1e-6  # on the street (the centroid of an L is not)
    metric = gpd.GeoSeries([line, found], crs="EPSG:4326").to_crs(METRIC_CRS)
    along = metric.iloc[0].project(metric.iloc[1])
    assert along == pytest.approx(metric.iloc[0].length / 2, abs=0.5)  # halfway along it, in metres
    assert [i.ids for i in report.issues if i.code == "streets_rows_unusable"] == [("2",)]


def test_files_without_names_or_without_streets_in_the_city_are_refused(
    spaces: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    nameless = tmp_path / "a.csv"
    nameless.write_text("foo;lon;lat\nx;6.78;51.22\n", encoding="utf-8")
    with pytest.raises(MissingColumnError):
        streets.read_streets(nameless, spaces)
    no_coordinates = tmp_path / "b.csv"
    no_coordinates.write_text("name;hausnummer\nKönigsallee;1\n", encoding="utf-8")
    with pytest.raises(MissingColumnError):
        streets.read_streets(no_coordinates, spaces)
    elsewhere = tmp_path / "c.csv"
    elsewhere.write_text("name;lon;lat\nDomkloster;6.958;50.941\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        streets.read_streets(elsewhere, spaces)
    assert caught.value.key == "error.streets_none"


def test_an_admin_imports_a_street_list_and_near_me_finds_its_streets(demo_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "official"
    shutil.copytree(demo_dir, folder)
    data = dataset.load_dataset(folder)
    target = data.spaces.set_index("sozialraum_id").geometry.iloc[3].representative_point()
    upload = tmp_path / "verzeichnis.csv"
    upload.write_text(f"name,lon,lat\nQuerstraße,{target.x},{target.y}\n", encoding="utf-8")
    with pytest.raises(AccessDeniedError):
        imports.import_files(folder, by=CONNECTOR, streets=upload)
    assert nearby.find_place(dataset.load_dataset(folder), "Querstraße") is None
    imports.import_files(folder, by=ADMIN, streets=upload)
    written = pd.read_csv(folder / dataset.STREETS_FILE, sep=";")
    assert written.columns.tolist() == ["name", "lon", "lat"] and written["name"].tolist() == ["Querstraße"]
    loaded = dataset.load_dataset(folder)
    place = nearby.find_place(loaded, "querstr")
    assert place is not None and place.kind == "street" and place.label == "Querstraße"
    assert (place.lon, place.lat) == pytest.approx((target.x, target.y), abs=1e-6)
    # the rest of the dataset is kept as it was
    assert len(loaded.spaces) == len(data.spaces) and len(loaded.welcome_points) == len(data.welcome_points)


def test_the_demo_has_a_street_list_that_near_me_uses(demo_dir: Path) -> None:
    data = dataset.load_dataset(demo_dir)
    table = nearby.streets(data)
    assert len(table) == len(data.spaces)  # one made-up street per Sozialraum
    first = table.iloc[0]
    place = nearby.find_place(data, str(first["name"]))
    assert place is not None and place.kind == "street"
    inside = data.spaces.geometry.contains(shapely.Point(place.lon, place.lat))
    assert inside.sum() == 1  # each demo street lies in a Sozialraum


def test_real_sozialraeume_with_a_street_list_answer_near_me(real: dataset.Dataset, tmp_path: Path) -> None:
    # Königsallee (lies in Stadtbezirk 1); coordinates of the street itself, not taken from any file here
    folder = tmp_path / "real"
    shutil.copytree(real.folder, folder)
    upload = tmp_path / "s.csv"
    upload.write_text("Straßenname;Längengrad;Breitengrad\nKönigsallee;6,7797;51,2227\n", encoding="utf-8")
    imports.import_files(folder, by=ADMIN, streets=upload)
    data = dataset.load_dataset(folder)
    place = nearby.find_place(data, "Königsallee")
    assert place is not None
    from geo.analysis import need

    classes = need.need_index(data.spaces, need.default_components(data.indicator_ids())).need_class
    found = nearby.nearby(data, classes, place)
    assert found.inside is not None and found.inside.startswith("01")
    assert not found.outside and len(found.welcome_points) == 1
