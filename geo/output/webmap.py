"""
The browser map of "Erkunden": geometry sent once, colours and choices sent by Sozialraum on every change.

A folium map is a whole HTML document: every change of indicator or selection sent about 800 KB to the
browser again. This map is two payloads instead:

- `base_payload`: what changes only with the dataset and the language. The Sozialräume as a TopoJSON
  topology (`geo.core.topology`: each border once, integer coordinates on the map's 1e-5° grid, about 1 m), the
  Stadtbezirk borders as a list of the same arcs, the names, the Bezirk labels and the Welcome Points. Its
  name is a hash of its content: the app hands it out as a file (`publish`, ``/_sk/base/<version>.json``,
  gzipped once, cached by the browser), so a session's messages carry only its address.
- `style_payload`: what a click or a control changes. A palette and one palette index per Sozialraum (in
  the base's order), one tooltip line each, the legend, the selection, the shortlist, the filter veil, the
  distance circle, the journal's pins. A few kilobytes.

The browser code (`geo/output/web/map.js`) builds the Leaflet map once and restyles it in place; `standalone_html`
puts the same code, Leaflet and both payloads into one file that works offline (`python -m geo map`).
Everything from data is sent as text and put into the page with `textContent`, never as HTML.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.analysis import dynamics
from geo.analysis.need import CLASS_KEYS, NeedIndex
from geo.analysis.view import MapView
from geo.core import i18n, topology
from geo.core.assets import leaflet_file
from geo.core.settings import STORAGE_CRS
from geo.core.tables import printable
from geo.data.dataset import Dataset, DatasetMeta
from geo.output.maps import (
    BACKGROUND,
    BEZIRK_COLOUR,
    GAP_COLOUR,
    HYPOTHETICAL_COLOUR,
    NO_DATA_COLOUR,
    OUTLINE_COLOUR,
    PARTNER_COLOUR,
    WELCOME_POINT_COLOUR,
    MapGeometry,
    Styling,
    default_indicator,
    format_date,
    has_official_type,
    label_points,
    source_line,
)

#: Coordinates are sent as integers in units of 1e-5 degrees (about 1 m at 51° N).
SCALE = 100_000


def _ring(coords: np.ndarray) -> list[int]:
    """A closed ring as ``[x0, y0, dx1, dy1, ...]`` in grid units, without the repeated last point."""
    grid = np.round(np.asarray(coords)[:-1, :2] * SCALE).astype(np.int64)
    if len(grid) == 0:
        return []
    deltas = np.vstack([grid[:1], np.diff(grid, axis=0)])
    return deltas.ravel().tolist()


def encode(geom: shapely.Geometry) -> list[list[list[int]]]:
    """A (multi)polygon as a list of polygons, each a list of delta-encoded rings (outer ring first)."""
    parts = shapely.get_parts(geom) if geom.geom_type == "MultiPolygon" else [geom]
    return [
        [
            _ring(shapely.get_coordinates(p.exterior)),
            *(_ring(shapely.get_coordinates(r)) for r in p.interiors),
        ]
        for p in parts
        if not p.is_empty
    ]


def decode(rings: list[list[list[int]]]) -> list[list[list[tuple[float, float]]]]:
    """The inverse of `encode` (for tests): polygons of rings of (lon, lat)."""
    out = []
    for polygon in rings:
        decoded = []
        for ring in polygon:
            cum = np.cumsum(np.asarray(ring, dtype=np.int64).reshape(-1, 2), axis=0) / SCALE
            decoded.append([(float(x), float(y)) for x, y in cum])
        out.append(decoded)
    return out


def _place(sozialraum_id: str, stadtteil: object) -> str:
    return f"{sozialraum_id} · {stadtteil}" if isinstance(stadtteil, str) and stadtteil else sozialraum_id


@dataclass(frozen=True)
class Base:
    """The part of the map that changes only with the dataset and the language."""

    payload: dict[str, Any]
    #: Sozialraum IDs in the order of the payload (styles refer to them by position).
    ids: tuple[str, ...]
    #: The payload as the browser downloads it (compact JSON, UTF-8), encoded once per dataset version.
    encoded: bytes = field(default=b"", repr=False, compare=False)
    #: `encoded` gzipped (what the browser downloads), compressed once per dataset version.
    gzipped: bytes = field(default=b"", repr=False, compare=False)

    @property
    def version(self) -> str:
        """A hash of the payload: a style names the base it belongs to."""
        return str(self.payload["v"])


def base_payload(dataset: Dataset, geometry: MapGeometry, *, lang: str = "de") -> Base:
    """Geometry, names, Bezirk labels and Welcome Points of a dataset, compact and identical on every call."""
    shapes = geometry.spaces[["sozialraum_id", "geometry"]].merge(
        dataset.spaces[["sozialraum_id", "name", "stadtteil"]], on="sozialraum_id", how="left"
    )
    minx, miny, maxx, maxy = dataset.spaces.total_bounds
    anchors = label_points(geometry.bezirke.geometry, dataset.welcome_points.geometry)  # clear of the dots
    points = dataset.welcome_points
    closed = dataset.closed_welcome_points
    if closed is None:
        closed = gpd.GeoDataFrame(
            {"name": [], "address": [], "closed_from": []}, geometry=[], crs=STORAGE_CRS
        )
    topo, users = topology.topology(
        list(shapes.geometry), shapes["sozialraum_id"].tolist(), unit=1 / SCALE, name="sozialraeume"
    )
    payload: dict[str, Any] = {
        "ids": shapes["sozialraum_id"].tolist(),
        "names": [printable(n) if isinstance(n, str) else "" for n in shapes["name"]],
        "places": [_place(i, s) for i, s in zip(shapes["sozialraum_id"], shapes["stadtteil"], strict=True)],
        "topology": topo,
        "bezirkArcs": topology.outline_arcs(users, geometry.spaces["stadtbezirk"].tolist()),
        "bezirkLabels": [
            [round(p.x, 5), round(p.y, 5), i18n.translate("map.bezirk_label", lang, n=int(b))]
            for b, p in zip(geometry.bezirke["stadtbezirk"], anchors, strict=True)
        ],
        "points": [
            [round(p.x, 5), round(p.y, 5), printable(n), printable(a)]
            for p, n, a in zip(points.geometry, points["name"], points["address"], strict=True)
        ],
        "closedPoints": [
            [
                round(p.x, 5),
                round(p.y, 5),
                printable(n),
                printable(a),
                i18n.translate("webmap.closed_since", lang, date=format_date(since, lang)),
            ]
            for p, n, a, since in zip(
                closed.geometry, closed["name"], closed["address"], closed["closed_from"], strict=True
            )
        ],
        "bounds": [[round(miny, 5), round(minx, 5)], [round(maxy, 5), round(maxx, 5)]],
        "colours": {
            "outline": OUTLINE_COLOUR,
            "bezirk": BEZIRK_COLOUR,
            "point": WELCOME_POINT_COLOUR,
            "background": BACKGROUND,
            "concern": GAP_COLOUR,
            "activity": HYPOTHETICAL_COLOUR,
            "hypothetical": HYPOTHETICAL_COLOUR,
            "place": "#000000",
            "partner": PARTNER_COLOUR,
        },
        "text": {
            "map": i18n.translate("webmap.name", lang),
            "welcomePoint": dataset.points_label(lang) or i18n.translate("webmap.welcome_point", lang),
            "legend": i18n.translate("webmap.legend", lang),
            "skip": i18n.translate("webmap.skip", lang),
            "closedPoint": i18n.translate("webmap.closed_point", lang),
            "partner": i18n.translate("webmap.partner", lang),
            "zoomIn": i18n.translate("webmap.zoom_in", lang),
            "zoomOut": i18n.translate("webmap.zoom_out", lang),
            "twoFingers": i18n.translate("webmap.two_fingers", lang),
        },
    }
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    payload["v"] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    encoded = dumps(payload).encode("utf-8")
    return Base(
        payload=payload,
        ids=tuple(payload["ids"]),
        encoded=encoded,
        gzipped=gzip.compress(encoded, 9, mtime=0),
    )


def shapes(base: Base) -> list[shapely.MultiPolygon]:
    """The Sozialräume of a base as shapely geometry, in the order of `Base.ids` (tests and checks)."""
    return topology.decode(base.payload["topology"], "sozialraeume")


#: Where the app hands out a base: ``BASE_PATH + version + ".json"`` (`publish`, the server's route).
BASE_PATH = "/_sk/base/"
#: How many bases a process keeps ready to hand out (datasets times languages in use); the oldest goes.
PUBLISHED_MAX = 32
_published: OrderedDict[str, Base] = OrderedDict()
_published_lock = threading.Lock()


def publish(base: Base) -> str:
    """Keep `base` ready for the server's route and return its address (the browser fetches it once)."""
    with _published_lock:
        _published[base.version] = base
        _published.move_to_end(base.version)
        while len(_published) > PUBLISHED_MAX:
            _published.popitem(last=False)
    return f"{BASE_PATH}{base.version}.json"


def published_at(address: str) -> Base | None:
    """The base behind an address `publish` returned (tests and benchmarks read what a page was given)."""
    return published(address.rsplit("/", 1)[-1].removesuffix(".json"))


def published(version: str) -> Base | None:
    """The base published under `version` in this process, if any."""
    with _published_lock:
        return _published.get(version)


@dataclass(frozen=True)
class Overlay:
    """What the user chose: drawn over the colours."""

    selected: str | None = None
    shortlist: tuple[str, ...] = ()
    #: When given, every other Sozialraum is veiled (a filter is active).
    matching: frozenset[str] | None = None
    #: (lat, lon, metres) of the distance filter.
    circle: tuple[float, float, float] | None = None
    #: `lat`, `lon`, `title`, `kind` ("concern", "activity", "hypothetical" or "place").
    pins: pd.DataFrame | None = None
    #: Outlines drawn dashed over the map (Welcome Point catchments), EPSG:4326 polygons.
    outlines: tuple[shapely.Geometry, ...] = ()
    #: Text labels (lon, lat, text), for example the tandem working in a Sozialraum.
    labels: tuple[tuple[float, float, str], ...] = ()
    #: Sozialräume the map zooms to when they change ("near me": the place's Sozialraum and its results).
    focus: tuple[str, ...] = ()


def merge_pins(*layers: pd.DataFrame | None) -> pd.DataFrame | None:
    """The pins of several layers (journal, partners, a searched place) as one table; None when there are none."""
    shown = [layer for layer in layers if layer is not None and not layer.empty]
    if not shown:
        return None
    return shown[0] if len(shown) == 1 else pd.concat(shown, ignore_index=True)


def coverage_overlay(
    table: pd.DataFrame,
    catchments: gpd.GeoDataFrame,
    geometry: MapGeometry,
    *,
    pins: pd.DataFrame | None = None,
) -> Overlay:
    """
    What the coverage map draws over its colours, on Abdeckung and in the export alike.

    The Welcome Points' catchments dashed, and the name of the tandem on each Sozialraum it works in (placed
    inside the shape).
    """
    covered = table.loc[table["covered"], ["sozialraum_id", "tandems"]]
    anchors = geometry.spaces.set_index("sozialraum_id").geometry.representative_point()
    return Overlay(
        outlines=tuple(catchments.geometry),
        labels=tuple(
            (anchors[i].x, anchors[i].y, name)
            for i, name in zip(covered["sozialraum_id"], covered["tandems"], strict=True)
            if i in anchors.index
        ),
        pins=pins,
    )


def _lines_indicator(dataset: Dataset, indicator_id: str, lang: str) -> pd.Series:
    indicator = dataset.catalogue.get(indicator_id)
    values = dataset.spaces.set_index("sozialraum_id")[indicator_id]
    label = indicator.label(lang)

    def line(v: float) -> str:
        if pd.isna(v):
            return f"{label}: {i18n.translate('map.no_data', lang)}"
        return f"{label}: {i18n.format_number(v, lang, decimals=indicator.decimals)} {indicator.unit_label(lang)}"

    return values.map(line)


def _lines_need(result: NeedIndex, lang: str) -> pd.Series:
    def line(sid: str) -> str:
        score = result.score.get(sid)
        if score is None or pd.isna(score):
            return i18n.translate("need.no_score", lang)
        return i18n.translate(
            "need.tooltip",
            lang,
            score=i18n.format_number(score, lang, decimals=0),
            rank=int(result.rank[sid]),
            klasse=i18n.translate(CLASS_KEYS[int(result.need_class[sid]) - 1], lang),
        )

    return pd.Series({sid: line(sid) for sid in result.score.index})


def change_lines(result: dynamics.Change, need: NeedIndex | None, *, lang: str) -> pd.Series:
    """
    Tooltip lines of the change map by ID.

    Both values with their dates, the change, the dynamics class and (when known) the need class, so that
    status and dynamics are read together.
    """
    unit = dynamics.unit_of(result, lang)
    start, end = format_date(result.start, lang), format_date(result.end, lang)
    share = dynamics.is_share(result.indicator)

    def value(v: float) -> str:
        return "–" if pd.isna(v) else i18n.format_number(v, lang, decimals=1 if share else 0)

    def line(sid: str) -> str:
        parts = [
            i18n.translate(
                "dynamics.tooltip_values",
                lang,
                start=start,
                before=value(result.before[sid]),
                end=end,
                after=value(result.after[sid]),
            ),
            f"{dynamics.format_change(result.change[sid], lang)} {unit}",
        ]
        klass = result.dynamics[sid]
        if klass:
            parts.append(i18n.translate(f"dynamics.class_{klass}", lang))
        if need is not None and sid in need.need_class.index and need.need_class[sid] >= 1:
            parts.append(i18n.translate(CLASS_KEYS[int(need.need_class[sid]) - 1], lang))
        return " · ".join(parts)

    return pd.Series({sid: line(sid) for sid in result.change.index})


def coverage_lines(table: pd.DataFrame, *, lang: str) -> pd.Series:
    """Tooltip lines of the coverage map by ID: need class, tandem, nearest Welcome Point and its distance."""

    def lines(r: pd.Series) -> str:
        klass = int(r["need_class"]) if pd.notna(r["need_class"]) else 0
        need = i18n.translate(CLASS_KEYS[klass - 1], lang) if klass else "–"
        tandem = r["tandems"] or i18n.translate("coverage.no_tandem", lang)
        parts = [need, f"{i18n.translate('coverage.tandem', lang)}: {tandem}"]
        if r["welcome_point"]:
            distance = i18n.format_number(r["distance_m"], lang, decimals=0)
            parts.append(f"{r['welcome_point']}: {distance} m")
        return "\n".join(printable(p) for p in parts)

    return pd.Series([lines(r) for _, r in table.iterrows()], index=table["sozialraum_id"].to_numpy())


def lines_for(
    dataset: Dataset,
    mode: str,
    *,
    indicator_id: str | None = None,
    result: NeedIndex | None = None,
    lang: str,
) -> pd.Series:
    """The tooltip line of each Sozialraum for a view (`indikator`, `index` or `typ`), by ID."""
    if mode == "index" and result is not None:
        return _lines_need(result, lang)
    if mode == "typ":
        label = i18n.translate("map.official_type", lang)
        types = dataset.spaces.set_index("sozialraum_id")["official_type"]
        return types.map(lambda v: f"{label}: {printable(v) if pd.notna(v) else '–'}")
    if indicator_id is not None:
        return _lines_indicator(dataset, indicator_id, lang)
    return pd.Series("", index=dataset.spaces["sozialraum_id"])


def lines_view(
    dataset: Dataset,
    view: MapView,
    *,
    result: NeedIndex,
    table: pd.DataFrame | None = None,
    change: dynamics.Change | None = None,
    lang: str,
) -> pd.Series:
    """The tooltip line of each Sozialraum for a map view (`geo.output.maps.style_view` colours the same view)."""
    if view.mode == "wandel" and change is not None:
        return change_lines(change, result, lang=lang)
    if view.mode == "abdeckung" and table is not None:
        return coverage_lines(table, lang=lang)
    if view.mode == "index" or (view.mode == "typ" and has_official_type(dataset)):
        return lines_for(dataset, view.mode, result=result, lang=lang)
    indicator = view.indicator if view.mode == "indikator" else None
    indicator = indicator or default_indicator(dataset.indicator_ids(), dataset.catalogue)
    return lines_for(dataset, "indikator", indicator_id=indicator, lang=lang)


def style_payload(
    base: Base,
    styling: Styling,
    lines: pd.Series,
    dataset: Dataset,
    *,
    overlay: Overlay | None = None,
    notes: pd.Series | None = None,
    lang: str = "de",
    tiles: bool = False,
    height: int = 560,
) -> dict[str, Any]:
    """
    What the browser needs to colour and label the base for one view: a few kilobytes.

    Parameters
    ----------
    base
        The base it styles (its version travels along, so a style never lands on other geometry).
    styling
        Colours by ID and the legend (see `geo.output.maps.style_indicator`, `style_need`, ...).
    lines
        One tooltip line by ID (see `lines_for`).
    dataset
        For the legend's date, the demo mark and the source line.
    overlay
        Selection, shortlist, filter veil, distance circle and pins.
    notes
        An extra tooltip line by ID (counts of concerns and activities).
    lang
        Language of the legend and the source line.
    tiles
        OpenStreetMap tiles under the map (they need network access; off by default).
    height
        Height of the map in pixels (0: fill the page, for the standalone file).
    """
    overlay = overlay or Overlay()
    position = {sid: i for i, sid in enumerate(base.ids)}
    note = notes if notes is not None else pd.Series(dtype=str)
    return {
        **_view_part(base, styling, lines, dataset.meta, lang),
        "notes": {
            str(i): printable(note[sid]) for i, sid in enumerate(base.ids) if sid in note.index and note[sid]
        },
        "selected": position.get(overlay.selected) if overlay.selected else None,
        "shortlist": [position[s] for s in overlay.shortlist if s in position],
        "veiled": (
            []
            if overlay.matching is None
            else [i for sid, i in position.items() if sid not in overlay.matching]
        ),
        "outlines": [encode(g) for g in overlay.outlines if g is not None and not g.is_empty],
        "labels": [[round(x, 5), round(y, 5), printable(text)] for x, y, text in overlay.labels],
        "circle": list(overlay.circle) if overlay.circle else None,
        "focus": [position[s] for s in overlay.focus if s in position],
        "pins": (
            []
            if overlay.pins is None
            else [
                [round(float(r.lat), 5), round(float(r.lon), 5), printable(r.title), str(r.kind)]
                for r in overlay.pins.itertuples()
            ]
        ),
        "tiles": bool(tiles),
        "height": int(height),
    }


#: The view's part of recent styles (`_view_part`): key -> (base, styling, lines, part).
_VIEW_PARTS: OrderedDict[tuple[int, int, int, str, str], tuple[Base, Styling, pd.Series, dict[str, Any]]] = (
    OrderedDict()
)
_VIEW_PARTS_LOCK = threading.Lock()
VIEW_PARTS_KEPT = 64


def _view_part(
    base: Base, styling: Styling, lines: pd.Series, meta: DatasetMeta, lang: str
) -> dict[str, Any]:
    """
    The part of a style that depends on the view alone: colours, tooltip lines, legend and source line.

    The same for every session showing the same view. The app's shared caches hand every session the same
    `styling` and `lines` objects, so the part is kept for the last `VIEW_PARTS_KEPT` views by their identity
    (checked, not only their ids, so a reused id never returns another view's part) and the values of the
    rest (the dataset's description by its text); it was a fifteenth of an Erkunden rerun. The part is shared: callers must not change it.
    """
    key = (id(base), id(styling), id(lines), repr(meta), lang)  # a session's dataset copy has its own meta
    with _VIEW_PARTS_LOCK:
        hit = _VIEW_PARTS.get(key)
        if hit is not None and hit[0] is base and hit[1] is styling and hit[2] is lines:
            _VIEW_PARTS.move_to_end(key)
            return hit[3]
    order = list(base.ids)
    fills = [str(c) for c in _by_id(styling.fill, order, NO_DATA_COLOUR)]
    palette = list(dict.fromkeys([*(c for c, _ in styling.legend), *fills]))
    index = {c: i for i, c in enumerate(palette)}
    part = {
        "v": base.version,
        "palette": palette,
        "fill": [index[c] for c in fills],
        "hatched": sorted(index[c] for c in styling.hatched if c in index),
        **_compact_lines([printable(x) for x in _by_id(lines, order, "")]),
        "legend": _legend(styling, index, meta, lang),
        "source": printable(source_line(meta, lang, extra=styling.layers)),
        "classes": (
            {str(i): str(styling.css[sid]) for i, sid in enumerate(base.ids) if styling.css.get(sid)}
            if styling.css is not None
            else {}
        ),
    }
    with _VIEW_PARTS_LOCK:
        _VIEW_PARTS[key] = (base, styling, lines, part)
        while len(_VIEW_PARTS) > VIEW_PARTS_KEPT:
            _VIEW_PARTS.popitem(last=False)
    return part


def _legend(styling: Styling, index: dict[str, int], meta: DatasetMeta, lang: str) -> dict[str, Any]:
    """The legend's title, rows (palette index, label), date and demo mark."""
    return {
        "title": printable(styling.title),
        "subtitle": printable(styling.subtitle),
        "rows": [[index[c], printable(label)] for c, label in styling.legend],
        "asOf": i18n.translate(
            "map.as_of", lang, date=format_date(styling.as_of or meta.reference_date, lang)
        ),
        "demo": i18n.translate("map.demo_mark", lang) if meta.demo else "",
    }


def _by_id(values: pd.Series, ids: list[str], missing: object) -> list[object]:
    """`values` in the order of `ids`, `missing` where an ID has none (one reindex, not a look-up per ID)."""
    if not values.index.is_unique:
        values = values[~values.index.duplicated()]
    return [missing if v is None or v is pd.NA or v != v else v for v in values.reindex(ids).tolist()]  # noqa: PLR0124 - NaN


def _compact_lines(texts: list[str]) -> dict[str, Any]:
    """Tooltip lines as a shared prefix (``"SGB-II-Quote: "``) and what differs, to keep a change small."""
    prefix = os.path.commonprefix(texts) if texts else ""  # noqa: RUF071 - characters are meant here
    prefix = prefix[: prefix.rfind(": ") + 2] if ": " in prefix else ""
    return {"linePrefix": prefix, "lines": [t[len(prefix) :] for t in texts]}


@cache
def browser_code() -> tuple[str, str]:
    """The map's own script and style sheet (`geo/output/web/`)."""
    folder = resources.files("geo.output").joinpath("web")
    return folder.joinpath("map.js").read_text(encoding="utf-8"), folder.joinpath("map.css").read_text(
        encoding="utf-8"
    )


@cache
def leaflet_code() -> tuple[str, str]:
    """Leaflet 1.9.4's script and style sheet from the installed package (no public host)."""
    return leaflet_file("leaflet.js").decode("utf-8"), leaflet_file("leaflet.css").decode("utf-8")


#: Where the server hands out the map's browser code (`browser_bundle`), once per version, cached for a year.
BUNDLE_PATH = "/_sk/web/"


@cache
def browser_bundle() -> tuple[str, bytes]:
    """
    Leaflet, the map's script and both style sheets as one classic script, and its file name.

    The name carries a hash of the content (``sk-map-1a2b3c4d5e6f.js``), so a browser may keep the file for a
    year and a new version is fetched under a new name. The app's pages load it once per browser instead of
    carrying its 180 KB inside every session's first message. The map's own code runs in a function of its
    own (no globals but ``window.__skMount``); the style sheets are put into the page once.
    """
    leaflet_js, leaflet_css = leaflet_code()
    map_js, map_css = browser_code()
    css = json.dumps(leaflet_css + "\n" + map_css)
    code = (
        f"if (!globalThis.L) {{\n{leaflet_js}\n}}\n"
        f"(() => {{\n{map_js.replace('export default mount;', '')}\n}})();\n"
        "if (!document.getElementById('sk-map-css')) {\n"
        "  const style = document.createElement('style');\n"
        "  style.id = 'sk-map-css';\n"
        f"  style.textContent = {css};\n"
        "  document.head.appendChild(style);\n"
        "}\n"
    ).encode()
    return f"sk-map-{hashlib.sha256(code).hexdigest()[:12]}.js", code


@cache
def browser_bundle_gzipped() -> bytes:
    """`browser_bundle`'s code gzipped, once per process (the server hands it out as it is)."""
    return gzip.compress(browser_bundle()[1], 9, mtime=0)


def dumps(payload: dict[str, Any]) -> str:
    """Compact JSON, identical for identical payloads."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def message(payload: dict[str, Any]) -> bytes:
    """
    A payload as the map components receive it: the base version, a newline, compact JSON (UTF-8).

    Streamlit forwards bytes as they are; a dict it would serialise twice on every rerun (once to send, once
    sorted for the element's identity), for the base 105 KB each time. The version in front lets the browser
    skip parsing a base it already holds.
    """
    return (str(payload["v"]) + "\n" + dumps(payload)).encode("utf-8")


def unmessage(raw: bytes) -> dict[str, Any]:
    """The payload of a `message` (tests and benchmarks read what the components were sent)."""
    _version, _, text = raw.partition(b"\n")
    return dict(json.loads(text.decode("utf-8")))


def standalone_html(base: Base, style: dict[str, Any], *, title: str, lang: str = "de") -> str:
    """
    One HTML file with Leaflet, the map code and both payloads: it works offline, opened from a disk.

    The payloads are embedded as JSON in ``<script type="application/json">`` with ``<`` escaped, so no
    text from data can close the script element.
    """
    leaflet_js, leaflet_css = leaflet_code()
    map_js, map_css = browser_code()
    body_js = map_js.replace("export default mount;", "")

    def embedded(payload: dict[str, Any]) -> str:
        return dumps(payload).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_html_text(title)}</title><style>{leaflet_css}\n{map_css}\n"
        "html,body{margin:0;height:100%}#sk-root{height:100%}</style></head><body>"
        '<div id="sk-root"></div>'
        f'<script type="application/json" id="sk-base">{embedded(base.payload)}</script>'
        f'<script type="application/json" id="sk-style">{embedded({**style, "height": 0})}</script>'
        f"<script>{leaflet_js}</script>"
        f"<script>{body_js}\n"
        "(function(){window.__skBase={};var b=JSON.parse(document.getElementById('sk-base').textContent);"
        "window.__skBase[b.v]=b;mount({data:JSON.parse(document.getElementById('sk-style').textContent),"
        "parentElement:document.getElementById('sk-root'),setTriggerValue:function(){}});})();"
        "</script></body></html>"
    )


def _html_text(text: str) -> str:
    import html  # noqa: PLC0415

    return html.escape(printable(text))
