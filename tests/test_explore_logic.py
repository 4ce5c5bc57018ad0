"""Distances, profile, click handling, URL round trip and CSV safety (the logic behind the explore page)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo.analysis import coverage, need, view
from geo.core.access import Principal
from geo.core.settings import METRIC_CRS
from geo.data import dataset
from geo.output import export, profile

COORD = Principal(label="test-coordinator", roles=frozenset({"coordinator"}))
ADMIN = Principal(label="test-admin", roles=frozenset({"admin"}))

# three 1 km squares in a row, in UTM 32N near Düsseldorf, and one point 500 m east of the last
ORIGIN = (344_000.0, 5_677_000.0)


def _row() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    x0, y0 = ORIGIN
    squares = [box(x0 + i * 1000, y0, x0 + (i + 1) * 1000, y0 + 1000) for i in range(3)]
    spaces = gpd.GeoDataFrame(
        {
            "sozialraum_id": ["011001", "011002", "012001"],
            "name": ["A", "B", "C"],
            "stadtteil": ["X", "X", "Y"],
            "stadtbezirk": [1, 1, 1],
        },
        geometry=squares,
        crs=METRIC_CRS,
    ).to_crs(4326)
    points = gpd.GeoDataFrame(
        {"welcome_point_id": ["wp-1"], "name": ["WP"], "address": ["Weg 1"]},
        geometry=[Point(x0 + 3500, y0 + 500)],
        crs=METRIC_CRS,
    ).to_crs(4326)
    return spaces, points


def test_distances_in_metres() -> None:
    spaces, points = _row()
    distances = coverage.distance_to_nearest(spaces, points)
    # representative points of squares are their centres: 3000, 2000 and 1000 m west of the point
    assert distances.to_dict() == pytest.approx({"011001": 3000, "011002": 2000, "012001": 1000}, abs=1.0)
    nearest = coverage.nearest_welcome_points(spaces, points, "011002")
    assert nearest.loc[0, "distance_m"] == pytest.approx(2000, abs=1.0)


def test_within_distance_and_neighbours() -> None:
    spaces, points = _row()
    lon, lat = points.geometry.iloc[0].x, points.geometry.iloc[0].y
    assert coverage.within_distance(spaces, lon, lat, 600) == {"012001"}  # its edge is 500 m away
    assert coverage.within_distance(spaces, lon, lat, 1600) == {"012001", "011002"}
    assert coverage.neighbours(spaces, "011002") == ["011001", "012001"]
    assert coverage.neighbours(spaces, "011001") == ["011002"]


def test_profile_on_the_demo(demo_dir: Path) -> None:
    data = dataset.load_dataset(demo_dir)
    ids = data.indicator_ids()
    result = need.need_index(data.spaces, need.default_components(ids))
    changes = need.stability(data.spaces, result)
    top = str(result.rank.idxmin())
    p = profile.build_profile(
        data, top, indicator_ids=["sgb2_quote", "kinderarmut"], need=result, stability=changes
    )
    assert p.rank == 1
    assert p.need_class == 1
    assert p.score == pytest.approx(100.0)
    assert p.ranked == int(result.score.notna().sum())
    assert list(p.comparison["indicator"]) == ["sgb2_quote", "kinderarmut"]
    value = data.spaces.set_index("sozialraum_id").loc[top, "sgb2_quote"]
    assert p.comparison.loc[0, "value"] == value
    assert p.comparison.loc[0, "city"] == data.spaces["sgb2_quote"].median()
    assert len(p.nearest_welcome_points) == 3
    assert p.nearest_welcome_points["distance_m"].is_monotonic_increasing
    assert len(p.neighbours) >= 2
    assert p.tandems == ()
    assigned = pd.DataFrame({"sozialraum_id": [top, top, "000000"], "tandem": ["B", "A", "C"]})
    with_tandems = profile.build_profile(data, top, indicator_ids=[], assignments=assigned)
    assert with_tandems.tandems == ("A", "B")
    with pytest.raises(KeyError):
        profile.build_profile(data, "999999", indicator_ids=[])
    assert with_tandems.stadtteil == data.spaces.set_index("sozialraum_id").loc[top, "stadtteil"] != ""
    data.spaces = data.spaces.assign(stadtteil="", by=COORD)  # a dataset imported without the Stadtteil file
    assert profile.build_profile(data, top, indicator_ids=[]).stadtteil == top[:3]


def test_url_round_trip() -> None:
    original = view.MapView(
        mode="index",
        indicator="kinderarmut",
        scheme="manual",
        k=4,
        breaks=(5.0, 10.0),
        components=(need.Component("sgb2_quote", 2.0, True), need.Component("gymnasium_pct", 0.5, False)),
        normalisation="percentile",
        selected="011002",
        shortlist=("011001", "011002"),
        bezirke=(1, 3),
        classes=(1, 2),
        welcome_point="wp-1",
        distance_km=1.5,
    )
    params = view.to_params(original)
    assert params["index"] == "sgb2_quote:2:+,gymnasium_pct:0.5:-"
    back = view.from_params(
        params,
        indicators=["kinderarmut", "sgb2_quote", "gymnasium_pct"],
        sozialraum_ids={"011001", "011002"},
        welcome_point_ids={"wp-1"},
    )
    assert back == original
    assert view.to_params(view.MapView()) == {}


def test_stale_link_values_are_dropped() -> None:
    params = {
        "indikator": "gibt_es_nicht",
        "methode": "magie",
        "klassen": "99",
        "sr": "999999",
        "liste": "011001,999999,011001",
        "bezirk": "3,x,12",
        "wp": "wp-9",
        "km": "2",
        "index": "foo:1:+",
    }
    known = {"indicators": ["kinderarmut"], "sozialraum_ids": {"011001"}, "welcome_point_ids": {"wp-1"}}
    back = view.from_params(params, **known, bezirk_ids=set(range(1, 11)))  # Düsseldorf: Bezirke 1-10
    assert back == view.MapView(shortlist=("011001",), bezirke=(3,))
    berlin = view.from_params(params, **known, bezirk_ids=set(range(1, 13)))  # Berlin has twelve
    assert berlin.bezirke == (3, 12)
    assert view.from_params({"bezirk": "3,12,100"}, **known).bezirke == (3, 12)  # without the dataset's: 1-99


def test_csv_is_safe_against_formulas() -> None:
    frame = pd.DataFrame(
        {"name": ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tx", "ok"], "wert": [1.5] * 6}
    )
    text = export.csv_bytes(frame).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "name;wert"
    assert all(line.startswith(("'", "ok", "\"'")) for line in lines[1:]), lines
    assert "1,5" in lines[1]


def test_filters_and_ranking(demo_dir: Path) -> None:
    data = dataset.load_dataset(demo_dir)
    result = need.need_index(data.spaces, need.default_components(data.indicator_ids()))
    changes = need.stability(data.spaces, result)
    assert profile.matching_ids(data.spaces) is None
    in_3 = profile.matching_ids(data.spaces, bezirke=(3,))
    assert in_3 == set(data.spaces.loc[data.spaces["stadtbezirk"] == 3, "sozialraum_id"])
    top = profile.matching_ids(data.spaces, classes=(1,), need=result)
    assert top == set(result.need_class[result.need_class == 1].index)
    assert 30 <= len(top) <= 36  # a fifth of 170 scored
    both = profile.matching_ids(data.spaces, bezirke=(3,), classes=(1,), need=result)
    assert both == in_3 & top
    wp = data.welcome_points.geometry.iloc[0]
    near = profile.matching_ids(data.spaces, near=(wp.x, wp.y, 1000))
    assert data.welcome_points["sozialraum_id"].iloc[0] in near
    table = profile.ranking_table(data, result, changes, indicator_id="kinderarmut", only=top)
    assert len(table) == len(top)
    assert table["rank"].is_monotonic_increasing
    assert table.loc[0, "rank"] == 1
    assert {"kinderarmut", "welcome_point_m", "class_changes", "bevoelkerung"} <= set(table.columns)
    shown, decimals = profile.ranking_view(
        data, result, changes, indicator_id="kinderarmut", only=top, lang="en"
    )  # as the page and its download show it: words in the language, headings with units
    assert list(shown["ID"]) == list(table["sozialraum_id"])
    from geo.core import i18n

    klass = i18n.translate("ranking.class", "en")
    assert set(shown[klass]) == {i18n.translate(need.CLASS_KEYS[0], "en")}  # only the first class was kept
    assert set(shown[i18n.translate("ranking.stability", "en")]) <= {
        i18n.translate("ranking.sensitive", "en"),
        i18n.translate("ranking.stable", "en"),
        "–",
    }
    heading = f"{data.catalogue.get('kinderarmut').label('en')} ({data.catalogue.get('kinderarmut').unit_label('en')})"
    assert decimals[heading] == data.catalogue.get("kinderarmut").decimals and heading in shown.columns
    assert not shown.filter(like="need_class").columns.size  # no raw column name reaches the page
    ids = list(table["sozialraum_id"].head(2))
    side = profile.side_by_side(data, ids, ["kinderarmut", "sgb2_quote"], result, lang="de")
    names = data.spaces.set_index("sozialraum_id").loc[ids, "name"].tolist()
    assert side.names == names and list(side.values.columns[1:]) == [
        f"{n} ({i})" for n, i in zip(names, ids, strict=True)
    ]
    assert side.values.columns[0] == i18n.translate("profile.city_median", "de")
    assert side.values.iloc[0, 1] == data.spaces.set_index("sozialraum_id").at[ids[0], "kinderarmut"]
    assert side.scores == [float(result.score[i]) for i in ids] and list(side.decimals) == [1, 1]


def test_the_steckbrief_says_what_stands_out_in_plain_words(demo_dir: Path) -> None:
    from geo.core import i18n
    from geo.data.indicators import catalogue

    cat = catalogue()
    data = dataset.load_dataset(demo_dir)
    result = need.need_index(data.spaces, need.default_components(data.indicator_ids()))
    shown = profile.profile_indicators(data.indicator_ids())
    worst = str(result.score.idxmax())
    p = profile.build_profile(data, worst, indicator_ids=shown, need=result)
    for lang in i18n.LANGUAGES:
        said = profile.plain_summary(p, lang=lang)
        assert len(said) == 3, (lang, said)
        assert said[0] == i18n.translate("profile.say_need1", lang, rank=1, n=p.ranked)
        assert all("{" not in s for s in said), said
    # the sentences follow the values: the indicator furthest from the city's median is named first
    comp = p.comparison.set_index("indicator")
    german = profile.plain_summary(p, lang="de")
    ratios = {
        i: comp.at[i, "value"] / comp.at[i, "city"]
        for i in comp.index
        if cat.get(i).direction != "none"
        and cat.get(i).kind not in {"count", "area"}
        and comp.at[i, "city"] > 0
    }
    strongest = max(ratios, key=lambda i: max(ratios[i], 1 / ratios[i]))
    assert german[1].startswith(cat.get(strongest).label("de"))
    ratio = ratios[strongest]
    words = "mehr als doppelt" if ratio >= 2.5 else "fast doppelt" if ratio >= 1.75 else "höher"
    if ratio < 1:
        words = "niedriger" if ratio >= 0.57 else "halb so hoch"
    assert words in german[1], (ratio, german[1])
    # without an index there is no need sentence; with values near the median, that is said too
    plain_p = profile.build_profile(data, worst, indicator_ids=[], need=None)
    assert profile.plain_summary(plain_p, lang="de") == [i18n.translate("profile.say_typical", "de")]
