"""The browser map's two payloads: geometry once (compact, identical on every rerun), styles small."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import shapely

from geo.analysis import view
from geo.core import topology
from geo.core.tables import markdown_table
from geo.data import dataset
from geo.output import maps, webmap
from tests.conftest import SOZIALRAEUME


def test_encoding_round_trips_to_the_metre() -> None:
    square = shapely.Polygon(
        [(6.7, 51.2), (6.8, 51.2), (6.8, 51.3), (6.7, 51.3)],
        holes=[[(6.72, 51.22), (6.73, 51.22), (6.73, 51.23)]],
    )
    two = shapely.MultiPolygon([square, shapely.box(6.9, 51.1, 6.95, 51.15)])
    (outer, hole), (box,) = webmap.decode(webmap.encode(two))
    assert outer == [(6.7, 51.2), (6.8, 51.2), (6.8, 51.3), (6.7, 51.3)]
    assert hole == [(6.72, 51.22), (6.73, 51.22), (6.73, 51.23)]
    assert len(box) == 4
    assert webmap.encode(square)[0][0][:4] == [670000, 5120000, 10000, 0]  # first point, then steps


@pytest.mark.real_data
def test_the_real_map_is_compact_and_complete(real: dataset.Dataset) -> None:
    geometry = maps.map_geometry(real)
    base = webmap.base_payload(real, geometry)
    again = webmap.base_payload(real, geometry)
    assert webmap.dumps(base.payload) == webmap.dumps(
        again.payload
    )  # byte-identical: sent once, then a reference
    assert len(base.ids) == 171 and len(base.payload["points"]) == 11
    assert len(webmap.dumps(base.payload).encode()) <= 150_000  # first load of the map's own data
    assert len(base.gzipped) <= 30_000  # what the browser downloads once (issue 30's goal)
    for sid, decoded in zip(base.ids, webmap.shapes(base), strict=True):
        original = geometry.spaces.set_index("sozialraum_id").geometry[sid]
        assert decoded.symmetric_difference(original).area < 1e-8  # the same shape, to about a metre
    # the Stadtbezirk borders are the same arcs: together exactly the Bezirk outlines
    arcs = topology.arc_points(base.payload["topology"])
    borders = shapely.MultiLineString([arcs[i] for i in base.payload["bezirkArcs"]])
    outlines = shapely.union_all(geometry.bezirke.boundary.to_numpy())
    assert abs(borders.length - outlines.length) < 1e-6 * outlines.length
    assert borders.hausdorff_distance(outlines) < 2e-5
    styling = maps.style_indicator(real, "sgb2_quote")
    lines = webmap.lines_for(real, "indikator", indicator_id="sgb2_quote", lang="de")
    style = webmap.style_payload(base, styling, lines, real)
    assert len(webmap.dumps(style).encode()) <= 20_000  # what an indicator change sends
    assert style["linePrefix"] == "SGB-II-Quote: "
    colours = {style["palette"][f] for f in style["fill"]}
    assert colours <= set(styling.fill)
    html = webmap.standalone_html(base, style, title="Karte")
    assert len(html.encode()) <= 0.25 * SOZIALRAEUME.stat().st_size


def test_a_style_belongs_to_its_base_and_language(demo_dir: Path, tmp_path: Path) -> None:
    data = dataset.load_dataset(demo_dir)
    geometry = maps.map_geometry(data)
    german, english = webmap.base_payload(data, geometry), webmap.base_payload(data, geometry, lang="en")
    assert german.version != english.version
    assert german.payload["bezirkLabels"][0][2].startswith("Bezirk")
    assert english.payload["bezirkLabels"][0][2].startswith("District")
    other = tmp_path / "other"
    shutil.copytree(demo_dir, other)
    changed = dataset.load_dataset(other)
    changed.spaces.loc[0, "name"] = "Umbenannt"
    assert webmap.base_payload(changed, geometry).version != german.version


def test_text_from_data_travels_as_text(demo_dir: Path) -> None:
    data = dataset.load_dataset(demo_dir)
    data.spaces.loc[0, "name"] = '<img src=x onerror="alert(1)">\x1b'
    geometry = maps.map_geometry(data)
    base = webmap.base_payload(data, geometry)
    overlay = webmap.Overlay(
        selected=base.ids[0],
        shortlist=(base.ids[1], "999999"),
        matching=frozenset(base.ids[:5]),
        pins=pd.DataFrame({"lat": [51.2], "lon": [6.8], "title": ["<b>Pin</b>"], "kind": ["concern"]}),
    )
    notes = pd.Series({base.ids[0]: "Anliegen: 1"})
    style = webmap.style_payload(
        base,
        maps.style_need(_need(data)),
        webmap.lines_for(data, "index", result=_need(data), lang="de"),
        data,
        overlay=overlay,
        notes=notes,
    )
    i = base.ids.index(data.spaces.loc[0, "sozialraum_id"])
    assert (
        base.payload["names"][i] == '<img src=x onerror="alert(1)">'
    )  # kept as text, control character gone
    assert style["selected"] == 0 and style["shortlist"] == [1]  # unknown IDs are left out
    assert len(style["veiled"]) == len(base.ids) - 5
    assert style["notes"] == {"0": "Anliegen: 1"}
    assert style["pins"] == [[51.2, 6.8, "<b>Pin</b>", "concern"]]
    html = webmap.standalone_html(base, style, title="<Karte>")
    assert "<img src=x" not in html and "<b>Pin</b>" not in html  # JSON in the page has < escaped
    assert "<title>&lt;Karte&gt;</title>" in html
    code = webmap.browser_code()[0]
    assert "innerHTML" not in code and "insertAdjacentHTML" not in code


def _need(data: dataset.Dataset) -> object:
    from geo.analysis import need

    return need.need_index(data.spaces, need.default_components(data.indicator_ids()))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"id": "011001", "lat": 51.2, "lng": 6.8}, ("011001", (51.2, 6.8))),
        ({"id": "999999", "lat": 51.2, "lng": 6.8}, (None, (51.2, 6.8))),  # not a Sozialraum of this data
        ({"id": None, "lat": 51.2, "lng": 6.8}, (None, (51.2, 6.8))),  # a click beside the Sozialräume
        ({"id": "011001", "lat": "x", "lng": 6.8}, ("011001", None)),
        ({"id": "011001", "lat": 951.2, "lng": 6.8}, ("011001", None)),
        ("011001", (None, None)),
        (None, (None, None)),
    ],
)
def test_a_click_means_what_it_can(value: object, expected: tuple) -> None:
    assert view.click_target(value, {"011001"}) == expected


def test_a_markdown_table_shows_numbers_for_the_reader_and_text_as_written() -> None:
    frame = pd.DataFrame(
        {"Indikator": ["Anteil *fett*", "Einwohner"], "Wert": [12.345, 2370.0]}, index=[0, 1]
    )
    table = markdown_table(frame, "de", row_decimals=pd.Series({0: 1, 1: 0}))
    lines = table.splitlines()
    assert lines[0] == "| Indikator | Wert |" and lines[1] == "|:--|--:|"
    assert lines[2] == "| Anteil \\*fett\\* | 12,3 |"
    assert lines[3] == "| Einwohner | 2.370 |"
    assert json.dumps(table)  # plain text


def test_the_steckbrief_index_agrees_with_the_direct_answers(real: dataset.Dataset) -> None:
    """Neighbours and nearest Welcome Points from the index built once equal those measured one by one."""
    from geo.analysis import coverage
    from geo.core.settings import METRIC_CRS

    spatial = coverage.spatial_of(real)
    assert coverage.spatial_of(real) is spatial  # built once per dataset object
    metric_points = real.welcome_points.to_crs(METRIC_CRS)
    anchors = coverage.anchor_points(real.spaces)
    for sid in real.spaces["sozialraum_id"]:
        assert spatial.neighbours(sid) == coverage.neighbours(real.spaces, sid)
        nearest = coverage.nearest_welcome_points(real.spaces, real.welcome_points, sid, spatial=spatial)
        direct = sorted(metric_points.distance(anchors[sid]).round())[:3]
        assert nearest["distance_m"].tolist() == direct
    assert sum(len(n) for n in spatial.neighbour_ids.values()) > 2 * len(real.spaces)  # a tiling, not islands


def test_the_coverage_gaps_travel_as_hatched(demo_dir: Path) -> None:
    data = dataset.load_dataset(demo_dir)
    base = webmap.base_payload(data, maps.map_geometry(data))
    ids = list(base.ids)
    table = pd.DataFrame(
        {"sozialraum_id": ids, "covered": [i % 3 == 0 for i in range(len(ids))], "need_class": [1] * len(ids)}
    )
    styling = maps.style_coverage(table, min_class=2)
    style = webmap.style_payload(base, styling, pd.Series(dtype=str), data)
    (gap,) = style["hatched"]
    assert style["palette"][gap] == maps.GAP_COLOUR
    assert style["fill"][1] == gap and style["fill"][0] != gap  # index 0 is covered, 1 is a gap


def test_the_maps_code_travels_once_as_a_versioned_file_not_in_every_sessions_message() -> None:
    """Leaflet and map.js are one file under a name with its hash; the component only loads it (issue 30)."""
    import hashlib

    from app_pages import mapview

    name, code = webmap.browser_bundle()
    assert name == f"sk-map-{hashlib.sha256(code).hexdigest()[:12]}.js"
    text = code.decode("utf-8")
    assert "window.__skMount = mount" in text and "export default" not in text  # a classic script
    assert webmap.leaflet_code()[0][:2000] in text and "sk-map-css" in text
    loader = mapview._loader_js()
    assert webmap.BUNDLE_PATH + name in loader
    assert len(loader.encode("utf-8")) < 2_000  # was Leaflet and the map code, about 180 KB


def test_the_server_hands_out_a_published_base_and_the_code_gzipped_once(demo_dir: Path) -> None:
    """``/_sk/base/<version>.json``: only what a page published, gzip as stored, cached a year (issue 30)."""
    import asyncio
    import gzip

    from starlette.requests import Request

    from sozialraum_karte import server

    def get(route, params: dict[str, str], encoding: str = "gzip"):
        scope = {
            "type": "http",
            "method": "GET",
            "path": "/",
            "query_string": b"",
            "headers": [(b"accept-encoding", encoding.encode())],
            "path_params": params,
        }
        return asyncio.run(route(Request(scope)))

    data = dataset.load_dataset(demo_dir)
    base = webmap.base_payload(data, maps.map_geometry(data))
    for n in range(webmap.PUBLISHED_MAX):  # a process keeps a bounded number of bases: others push it out
        webmap.publish(webmap.Base(payload={"v": f"other{n}"}, ids=()))
    assert get(server.map_base, {"version": base.version}).status_code == 404  # not published (any more)
    address = webmap.publish(base)
    assert address == f"/_sk/base/{base.version}.json" and webmap.published_at(address) is base
    zipped = get(server.map_base, {"version": base.version})
    assert zipped.status_code == 200 and zipped.headers["content-encoding"] == "gzip"
    assert "immutable" in zipped.headers["cache-control"] and zipped.headers["vary"] == "Accept-Encoding"
    assert json.loads(gzip.decompress(zipped.body)) == json.loads(base.encoded)
    assert len(base.gzipped) < len(base.encoded) / 2
    plain = get(server.map_base, {"version": base.version}, "identity")
    assert "content-encoding" not in plain.headers and plain.body == base.encoded
    name, code = webmap.browser_bundle()
    bundle = get(server.map_bundle, {"name": name})
    assert bundle.headers["content-encoding"] == "gzip" and gzip.decompress(bundle.body) == code
    assert get(server.map_bundle, {"name": "sk-map-0.js"}).status_code == 404
    for n in range(webmap.PUBLISHED_MAX):
        webmap.publish(webmap.Base(payload={"v": f"other{n}"}, ids=()))
    assert webmap.published(base.version) is None


def test_pins_of_several_layers_are_merged_and_none_without_any() -> None:
    import pandas as pd

    from geo.output import webmap

    one = pd.DataFrame({"lat": [51.2], "lon": [6.8], "title": ["A"], "kind": ["activity"]})
    two = pd.DataFrame({"lat": [51.3], "lon": [6.7], "title": ["B"], "kind": ["partner"]})
    empty = one.iloc[:0]
    assert webmap.merge_pins(None, empty) is None
    assert webmap.merge_pins(one, None, empty) is one
    merged = webmap.merge_pins(one, two, None)
    assert merged is not None and list(merged["title"]) == ["A", "B"] and list(merged.index) == [0, 1]


def test_the_views_part_of_a_style_is_made_once_per_view_and_never_lent_to_another(demo_dir: Path) -> None:
    """`webmap._view_part`: the same styling object gives the same part; another object its own, always."""
    data = dataset.load_dataset(demo_dir)
    base = webmap.base_payload(data, maps.map_geometry(data))
    ids = list(base.ids)

    def coverage(step: int) -> maps.Styling:
        table = pd.DataFrame(
            {
                "sozialraum_id": ids,
                "covered": [i % step == 0 for i in range(len(ids))],
                "need_class": [1] * len(ids),
            }
        )
        return maps.style_coverage(table, min_class=2)

    lines = pd.Series({ids[0]: "eins"})
    first_styling = coverage(3)
    first = webmap.style_payload(base, first_styling, lines, data, overlay=webmap.Overlay(selected=ids[1]))
    again = webmap.style_payload(base, first_styling, lines, data, overlay=webmap.Overlay(selected=ids[2]))
    assert again["fill"] is first["fill"]  # the part was kept, the overlay is the rerun's own
    assert (first["selected"], again["selected"]) == (1, 2)
    other = webmap.style_payload(base, coverage(2), lines, data)
    assert other["fill"] != first["fill"] and other["fill"][3] != first["fill"][3]
    english = webmap.style_payload(base, first_styling, lines, data, lang="en")
    assert english["source"] != first["source"] and english["legend"] != first["legend"]
    # more views than are kept: the oldest is made again, and equal to what it was
    for step in range(4, 4 + webmap.VIEW_PARTS_KEPT + 2):
        webmap.style_payload(base, coverage(step), lines, data)
    remade = webmap.style_payload(base, first_styling, lines, data)
    assert remade["fill"] is not first["fill"] and remade["fill"] == first["fill"]
    assert len(webmap._VIEW_PARTS) <= webmap.VIEW_PARTS_KEPT
