"""'In meiner Nähe': places found offline, distances that say what they measure, on the demo and real data."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely

from geo.analysis import need
from geo.core.settings import METRIC_CRS
from geo.data import dataset
from geo.output import nearby


@pytest.fixture(scope="module")
def demo(demo_dir: Path) -> dataset.Dataset:
    return dataset.load_dataset(demo_dir)


def _classes(data: dataset.Dataset) -> need.NeedIndex:
    return need.need_index(data.spaces, need.default_components(data.indicator_ids()))


def test_places_are_found_by_what_people_type(demo: dataset.Dataset) -> None:
    spaces = demo.spaces.set_index("sozialraum_id")
    by_id = nearby.find_place(demo, "011001")
    assert by_id is not None and by_id.kind == "sozialraum" and "011001" in by_id.label
    point = shapely.Point(by_id.lon, by_id.lat)
    assert spaces.loc["011001"].geometry.contains(point)  # the point lies in the Sozialraum named
    stadtteil = nearby.find_place(demo, "ALTSTADT")  # case and accents do not matter
    assert stadtteil is not None and stadtteil.kind == "stadtteil" and stadtteil.label == "Altstadt"
    street = str(demo.welcome_points["address"].iloc[0]).split(" ")[0][:6]  # "Muster…"
    assert nearby.find_place(demo, street).kind == "street"  # type: ignore[union-attr]
    assert nearby.find_place(demo, "Königsallee 1") is None  # no street list: not found, never guessed
    assert nearby.find_place(demo, "a") is None
    with pytest.raises(ValueError, match="globe"):
        nearby.location(200.0, 51.2, "x")


def test_nearby_names_the_nearest_high_need_and_the_nearest_welcome_point(real: dataset.Dataset) -> None:
    result = _classes(real)
    # a point in the Sozialraum of highest need: it is "here" (0 m) and first
    worst = str(result.score.idxmax())
    place = nearby.find_place(real, worst)
    assert place is not None
    found = nearby.nearby(real, result.need_class, place)
    assert found.inside == worst and not found.outside
    assert found.high_need.iloc[0]["sozialraum_id"] == worst and found.high_need.iloc[0]["distance_m"] == 0
    assert list(found.high_need["distance_m"]) == sorted(found.high_need["distance_m"])
    assert set(found.high_need["need_class"]) <= set(nearby.HIGH_NEED_CLASSES)
    # the Welcome Point is the nearest one, measured in metres along a straight line (EPSG:25832)
    (wp,) = found.welcome_points.itertuples()
    here = shapely.Point(place.lon, place.lat)
    metric = real.welcome_points.to_crs(METRIC_CRS)
    import geopandas as gpd

    origin = gpd.GeoSeries([here], crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]
    distances = metric.geometry.distance(origin)
    assert wp.welcome_point_id == real.welcome_points["welcome_point_id"].iloc[int(distances.argmin())]
    assert abs(wp.distance_m - distances.min()) <= 1
    assert wp.organisation and wp.address  # who to contact (the real registry has no phone for some)
    # far away (Cologne Cathedral): outside the city, said as such
    cologne = nearby.nearby(real, result.need_class, nearby.location(6.958, 50.941, "Köln"))
    assert cologne.outside and cologne.inside is None


def test_a_street_list_in_the_dataset_finds_streets(demo_dir: Path, tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "with-streets"
    shutil.copytree(demo_dir, folder)
    data = dataset.load_dataset(folder)
    assert nearby.find_place(data, "Königsallee") is None  # no list yet: not found, never guessed
    (folder / nearby.STREETS_FILE).write_text(
        "name;lon;lat\nKönigsallee;6,7797;51,2227\nKölner Straße;6.7958;51.2161\nkaputt;x;y\n",
        encoding="utf-8",
    )
    found = nearby.find_place(data, "koenigsallee".replace("oe", "ö"))
    assert found is not None and found.kind == "street" and found.label == "Königsallee"
    assert (found.lon, found.lat) == pytest.approx((6.7797, 51.2227))
    assert nearby.find_place(data, "kölner str").label == "Kölner Straße"  # type: ignore[union-attr]
