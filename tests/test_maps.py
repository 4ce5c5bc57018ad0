"""Map builders: offline, escaped, legend and source, simplification that keeps borders shared."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import shapely

from geo.analysis.view import MapView
from geo.core.errors import DataError
from geo.data import dataset, sources
from geo.output import export, maps
from tests.conftest import SOZIALRAEUME

EVIL = '<img src=x onerror="alert(1)">'


@pytest.fixture(scope="module")
def loaded(demo_dir: Path) -> dataset.Dataset:
    return dataset.load_dataset(demo_dir)


@pytest.fixture(scope="module")
def geometry(loaded: dataset.Dataset) -> maps.MapGeometry:
    return maps.map_geometry(loaded)


def _html(data: dataset.Dataset, indicator: str, *, lang: str = "de", k: int = 5) -> str:
    """The HTML export of an indicator map (the app's web map as one file)."""
    view = MapView(mode="indikator", indicator=indicator, k=k)
    none = pd.DataFrame(columns=["sozialraum_id", "tandem"])
    return export.render(data, view, "html", assignments=none, lang=lang).decode("utf-8")


def test_no_script_or_style_from_a_public_host(loaded: dataset.Dataset) -> None:
    html = _html(loaded, "sgb2_quote")
    assert not re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="(?!data:)', html)  # everything inline
    assert "L.map(" in html  # Leaflet and the map's code are in the file


def test_every_sozialraum_is_a_feature_with_tooltip(loaded: dataset.Dataset) -> None:
    html = _html(loaded, "kinderarmut", lang="de")
    first = loaded.spaces.iloc[0]
    assert all(sid in html for sid in loaded.spaces["sozialraum_id"])  # 171 shapes, each by its ID
    assert json.dumps(first["name"], ensure_ascii=False)[1:-1].replace("<", "\\u003c") in html
    assert "Kinderarmut" in html
    assert "Demo-Daten (erfunden)" in html
    assert "Stand 31.12.2021" in html


def test_legend_states_unit_method_and_classes(loaded: dataset.Dataset) -> None:
    html = _html(loaded, "arbeitslosenquote", lang="en", k=4)
    assert "Unemployment rate (%)" in html
    assert "Quantiles, 4 classes" in html
    assert "no data" in html
    assert "As of 31/12/2021" in html


def test_text_from_data_is_escaped(loaded: dataset.Dataset) -> None:
    evil = replace(
        loaded,
        spaces=loaded.spaces.copy(),
        welcome_points=loaded.welcome_points.copy(),
        meta=replace(loaded.meta, source=EVIL),
    )
    evil.spaces.loc[0, "name"] = EVIL
    evil.welcome_points.loc[0, "name"] = EVIL
    evil.welcome_points.loc[0, "address"] = EVIL
    html = _html(evil, "sgb2_quote")
    assert EVIL not in html
    assert json.dumps(EVIL)[1:-1] not in html  # not even inside a JS string
    assert "\\u003cimg src=x onerror=" in html  # there, as text inside JSON that nothing can close


def test_darker_means_more_need_for_down_indicators() -> None:
    up = maps.palette(5)
    down = maps.palette(5, reverse=True)
    assert down == up[::-1]
    luminance = lambda h: sum(int(h[i : i + 2], 16) for i in (1, 3, 5))  # noqa: E731
    assert luminance(up[0]) > luminance(up[-1])


def test_unknown_indicator_is_a_data_error(loaded: dataset.Dataset) -> None:
    with pytest.raises(DataError, match="gibt_es_nicht"):
        _html(loaded, "gibt_es_nicht")


@pytest.mark.real_data
def test_real_simplification_keeps_a_valid_coverage_and_shrinks() -> None:
    spaces = sources.read_sozialraeume(SOZIALRAEUME)
    simple = maps.simplify_coverage(spaces[["sozialraum_id", "stadtbezirk", "geometry"]])
    metric = simple.to_crs(25832).geometry.to_numpy()
    assert shapely.coverage_is_valid(metric, gap_width=0.5)
    assert shapely.is_valid(metric).all()
    before = shapely.get_num_coordinates(spaces.geometry.to_numpy()).sum()
    after = shapely.get_num_coordinates(simple.geometry.to_numpy()).sum()
    assert after < 0.5 * before
    # areas barely change: at most 2 % for any Sozialraum
    original = spaces.to_crs(25832).area.to_numpy()
    assert (abs(shapely.area(metric) - original) / original).max() < 0.02


def test_a_cached_copy_draws_the_same_map(loaded: dataset.Dataset) -> None:
    """
    Streamlit's cache hands later reruns a pickled copy of the geometry; the first rerun uses the original.

    If the two gave different map bases, the browser would get a new base after the first rerun and rebuild
    the map, losing a click made in between, and the base would not go as a cached reference.
    """
    import pickle

    from geo.output import webmap

    original = maps.map_geometry(loaded)
    copy = pickle.loads(pickle.dumps(original))
    assert webmap.dumps(webmap.base_payload(loaded, original).payload) == webmap.dumps(
        webmap.base_payload(loaded, copy).payload
    )


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _ratio(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_coverage_classes_differ_in_lightness_and_gaps_are_hatched() -> None:
    import pandas as pd

    # lightness survives every colour blindness; red and green of equal lightness did not (1.24:1)
    assert _ratio(maps.GAP_COLOUR, maps.COVERED_COLOUR) >= 3
    assert _ratio(maps.COVERED_COLOUR, maps.OTHER_COLOUR) >= 2
    table = pd.DataFrame(
        {"sozialraum_id": ["a", "b", "c"], "covered": [False, True, False], "need_class": [1, 1, 4]}
    )
    styling = maps.style_coverage(table, min_class=2)
    assert list(styling.fill) == [maps.GAP_COLOUR, maps.COVERED_COLOUR, maps.OTHER_COLOUR]
    assert styling.hatched == {maps.GAP_COLOUR}  # the second cue, on screen, in print and in the legend
    assert maps.GAP_COLOUR in {c for c, _ in styling.legend}


def test_the_need_legend_states_the_recipe(loaded: dataset.Dataset) -> None:
    from geo.analysis import need

    components = [need.Component("sgb2_quote", 2.0), need.Component("gymnasium_pct", 1.0, False)]
    result = need.need_index(loaded.spaces, components, normalisation="percentile")
    german = maps.style_need(result).subtitle
    assert german.startswith("SGB-II-Quote ×2, ")
    assert "(umgedreht)" in german and "Platz in der Reihenfolge" in german and "Fünftel" in german
    english = maps.style_need(result, lang="en").subtitle
    assert english.startswith("SGB II rate ×2, ") and "reversed" in english and "a fifth each" in english


def test_bezirk_labels_keep_clear_of_welcome_points(
    loaded: dataset.Dataset, geometry: maps.MapGeometry
) -> None:
    import numpy as np

    from geo.core.settings import METRIC_CRS

    spots = maps.label_points(geometry.bezirke.geometry, loaded.welcome_points.geometry)
    assert len(spots) == len(geometry.bezirke)
    assert all(
        b.contains(p) for b, p in zip(geometry.bezirke.geometry, spots, strict=True)
    )  # inside its Bezirk
    points = loaded.welcome_points.to_crs(METRIC_CRS).geometry
    metric = spots.to_crs(METRIC_CRS)
    anchors = geometry.bezirke.to_crs(METRIC_CRS).representative_point()
    crowded = [i for i, a in enumerate(anchors) if points.distance(a).min() < maps.LABEL_CLEARANCE_M]
    assert crowded, "the demo data has Bezirk centres next to a Welcome Point"
    for i in crowded:  # moved to where it is clearer than before
        assert points.distance(metric.iloc[i]).min() > points.distance(anchors.iloc[i]).min()
    clear = [i for i in range(len(anchors)) if i not in crowded]
    assert all(np.isclose(metric.iloc[i].x, anchors.iloc[i].x) for i in clear)  # the others stay put
