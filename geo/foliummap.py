"""
Folium maps for the HTML export of a view (`geo.export`), one self-contained document, no public host.

The app itself draws with `geo.webmap`; this module, and folium with it, is imported only when an HTML export
is made.

Every text that comes from data is HTML-escaped before it reaches the map.
"""

from __future__ import annotations

import json
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from geo import i18n, maps
from geo.assets import leaflet_links
from geo.dataset import Dataset, DatasetMeta
from geo.indicators import Indicator, catalogue
from geo.maps import (
    BACKGROUND,
    BEZIRK_COLOUR,
    HYPOTHETICAL_COLOUR,
    NO_DATA_COLOUR,
    OUTLINE_COLOUR,
    WELCOME_POINT_COLOUR,
    MapGeometry,
    Styling,
    _esc,
    default_indicator,
    format_date,
    source_line,
    style_coverage,
    style_indicator,
    style_need,
)
from geo.need import CLASS_KEYS, NeedIndex


class _Control(MacroElement):
    """A Leaflet control holding prepared (already escaped) HTML, positioned on the map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var ctl = L.control({position: {{ this.position|tojson }}});
            ctl.onAdd = function() {
                var div = L.DomUtil.create('div', {{ this.css_class|tojson }});
                div.innerHTML = {{ this.content|tojson }};
                L.DomEvent.disableClickPropagation(div);
                return div;
            };
            ctl.addTo({{ this._parent.get_name() }});
            // on a phone-sized map the legend starts folded; its title unfolds it
            var folded = ctl.getContainer().querySelector('details');
            if (folded && {{ this._parent.get_name() }}.getSize().x < 520) { folded.open = false; }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, content: str, *, position: str, css_class: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "SozialraumControl"
        self.content = content
        self.position = position
        self.css_class = css_class


class _MapSetup(MacroElement):
    """Background colour, attribution text (escaped) and container styling for a map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var m = {{ this._parent.get_name() }};
            m.getContainer().style.background = {{ this.background|tojson }};
            m.attributionControl.setPrefix({{ this.prefix|tojson }});
            m.attributionControl.addAttribution({{ this.attribution|tojson }});
            // metric scale only; a long source line wraps beside it instead of covering it
            L.control.scale({imperial: false, position: 'bottomleft'}).addTo(m);
            var attribution = m.attributionControl.getContainer();
            attribution.style.maxWidth = 'calc(100% - 110px)';
            if (m.getSize().x < 520) { attribution.style.fontSize = '9px'; attribution.style.lineHeight = '1.25'; }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, *, attribution: str, background: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "SozialraumMapSetup"
        self.attribution = attribution
        self.background = background
        self.prefix = '<a href="https://leafletjs.com">Leaflet</a>'


def _tooltip(html: str) -> folium.Tooltip:
    """
    A tooltip with prepared (already escaped) HTML.

    folium writes a tooltip's text into a JavaScript template literal, where a backtick ends the string and
    ``${…}`` runs as code, and a backslash starts an escape. In HTML they can be written as character
    references, which show the same characters and mean nothing to JavaScript.
    """
    inert = html.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")
    return folium.Tooltip(inert)


def _legend_html(title: str, subtitle: str, rows: list[tuple[str, str]], meta: DatasetMeta, lang: str) -> str:
    """A legend box: escaped title, subtitle, one swatch per (colour, label), data date, demo mark."""
    esc = _esc
    swatch = "display:inline-block;width:16px;height:12px;margin-right:6px;border:1px solid #999;background:"
    body = "".join(f'<div><span style="{swatch}{c}"></span>{esc(label)}</div>' for c, label in rows)
    demo = ""
    if meta.demo:
        demo = (
            '<div class="sk-demo" style="margin-top:6px;padding:2px 6px;background:#fff3cd;'
            f'border:1px solid #c9a227;font-weight:600">{esc(i18n.translate("map.demo_mark", lang))}</div>'
        )
    as_of = i18n.translate("map.as_of", lang, date=format_date(meta.reference_date, lang))
    return (
        '<div style="background:rgba(255,255,255,.94);padding:8px 10px;border-radius:6px;'
        'box-shadow:0 1px 4px rgba(0,0,0,.3);font:13px/1.45 system-ui,sans-serif;max-width:240px">'
        f'<details open><summary style="font-weight:600;cursor:pointer">{esc(title)}</summary>'
        f'<div style="color:#555;margin-bottom:4px">{esc(subtitle)}</div>{body}'
        f'<div style="color:#555;margin-top:4px">{esc(as_of)}</div></details>{demo}</div>'
    )


def _place(row: pd.Series) -> str:
    return f"{row['sozialraum_id']} · {row['stadtteil']}" if row["stadtteil"] else str(row["sozialraum_id"])


def _indicator_tooltip(row: pd.Series, indicator: Indicator, lang: str) -> str:
    esc = _esc
    value = i18n.format_number(row[indicator.id], lang, decimals=indicator.decimals)
    unit = indicator.unit_label(lang) if pd.notna(row[indicator.id]) else ""
    return (
        f"<b>{esc(str(row['name']))}</b><br>{esc(_place(row))}<br>"
        f"{esc(indicator.label(lang))}: <b>{esc(value)}</b> {esc(unit)}"
    )


def _need_tooltip(row: pd.Series, lang: str) -> str:
    esc = _esc
    if pd.isna(row["score"]):
        text = i18n.translate("need.no_score", lang)
    else:
        text = i18n.translate(
            "need.tooltip",
            lang,
            score=i18n.format_number(row["score"], lang, decimals=0),
            rank=int(row["rank"]),
            klasse=i18n.translate(CLASS_KEYS[int(row["need_class"]) - 1], lang),
        )
    return f"<b>{esc(str(row['name']))}</b><br>{esc(_place(row))}<br>{esc(text)}"


def _with_notes(tooltips: list[str], shapes: pd.DataFrame, notes: pd.Series | None) -> list[str]:
    """Append an escaped extra line per Sozialraum to prepared tooltips."""
    if notes is None:
        return tooltips
    extra = [str(notes.get(i, "")) for i in shapes["sozialraum_id"]]
    return [f"{tip}<br>{_esc(line)}" if line else tip for tip, line in zip(tooltips, extra, strict=True)]


def _features(frame: gpd.GeoDataFrame, properties: list[str]) -> dict[str, Any]:
    """A GeoJSON FeatureCollection with only `properties` (plain strings and numbers)."""
    features = []
    for row, geom in zip(frame[properties].itertuples(index=False), frame.geometry, strict=True):
        features.append(
            {
                "type": "Feature",
                "properties": dict(zip(properties, row, strict=True)),
                "geometry": json.loads(shapely.to_geojson(geom)),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def base_map(dataset: Dataset, *, lang: str = "de", tiles: bool = False) -> folium.Map:
    """
    An empty map over the dataset's extent whose scripts and styles are all local.

    Without `tiles` the background is a plain light colour; with them, OpenStreetMap tiles and their
    attribution (they need network access).
    """
    minx, miny, maxx, maxy = dataset.spaces.total_bounds
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=11,
        tiles=None,
        control_scale=False,  # a metric-only scale is added by _MapSetup
        zoom_control=True,
    )
    m.default_js, m.default_css = leaflet_links()
    if tiles:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap").add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    _MapSetup(attribution=_esc(source_line(dataset.meta, lang)), background=BACKGROUND).add_to(m)
    return m


def add_welcome_points(m: folium.Map, points: gpd.GeoDataFrame, *, lang: str = "de") -> None:
    """Welcome Points as blue circles with an escaped tooltip (name, address)."""
    if points.empty:
        return
    group = folium.FeatureGroup(name=i18n.translate("map.welcome_points", lang))
    for _, p in points.iterrows():
        text = f"<b>{_esc(str(p.get('name', '')))}</b><br>{_esc(str(p.get('address', '')))}"
        folium.CircleMarker(
            location=[p.geometry.y, p.geometry.x],
            radius=7,
            color="#ffffff",
            weight=2,
            fill=True,
            fill_color=WELCOME_POINT_COLOUR,
            fill_opacity=1.0,
            tooltip=_tooltip(text),
            class_name="sk-welcome-point",
        ).add_to(group)
    group.add_to(m)


def add_closed_welcome_points(m: folium.Map, closed: gpd.GeoDataFrame | None, *, lang: str = "de") -> None:
    """Closed Welcome Points as hollow circles, named as closed (since when) in an escaped tooltip."""
    if closed is None or closed.empty:
        return
    group = folium.FeatureGroup(name=i18n.translate("webmap.closed_point", lang))
    for _, p in closed.iterrows():
        since = p.get("closed_from")
        when = i18n.translate("webmap.closed_since", lang, date=format_date(since, lang)) if since else ""
        text = (
            f"<b>{_esc(str(p.get('name', '')))}</b><br>{_esc(str(p.get('address', '')))}<br>"
            f"{_esc(i18n.translate('webmap.closed_point', lang))} {_esc(when)}"
        )
        folium.CircleMarker(
            location=[p.geometry.y, p.geometry.x],
            radius=6,
            color=WELCOME_POINT_COLOUR,
            weight=2,
            dash_array="3 2",
            fill=True,
            fill_color="#ffffff",
            fill_opacity=1.0,
            tooltip=_tooltip(text),
            class_name="sk-welcome-point-closed",
        ).add_to(group)
    group.add_to(m)


def _shapes(dataset: Dataset, geometry: MapGeometry) -> gpd.GeoDataFrame:
    """Browser geometry joined with the dataset's values and names."""
    return geometry.spaces[["sozialraum_id", "geometry"]].merge(
        dataset.spaces.drop(columns="geometry"), on="sozialraum_id", how="left"
    )


def _add_sozialraum_layer(m: folium.Map, shapes: gpd.GeoDataFrame, lang: str) -> None:
    """The coloured, clickable Sozialraum polygons (columns `fill`, `tooltip` and optionally `css` prepared)."""
    if "css" not in shapes.columns:
        shapes = shapes.assign(css="")
    folium.GeoJson(
        _features(shapes, ["sozialraum_id", "fill", "tooltip", "css"]),
        name=i18n.translate("map.sozialraeume", lang),
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "color": OUTLINE_COLOUR,
            "weight": 0.6,
            "fillOpacity": 0.78,
            "className": f"sk-sozialraum {f['properties']['css']}".strip(),
        },
        highlight_function=lambda _f: {"weight": 2.5, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["tooltip"], labels=False, sticky=True),
        zoom_on_click=False,
    ).add_to(m)


def _label(
    group: folium.FeatureGroup,
    point: shapely.Point,
    text: str,
    *,
    css: str,
    colour: str = "#222",
    size: int = 12,
) -> None:
    """A text label centred on `point` (escaped), with a white halo and no mouse interaction."""
    folium.Marker(
        [round(point.y, 5), round(point.x, 5)],  # about 1 m; the same text on every rerun
        icon=folium.DivIcon(
            html=f'<div class="{css}" style="font:600 {size}px system-ui,sans-serif;color:{colour};'
            "white-space:nowrap;text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff;"
            f'transform:translate(-50%,-50%);pointer-events:none">{_esc(text)}</div>',
            icon_size=(0, 0),
        ),
        interactive=False,
    ).add_to(group)


def _add_context(m: folium.Map, dataset: Dataset, geometry: MapGeometry, lang: str) -> None:
    """Stadtbezirk outlines and labels, and the Welcome Points."""
    folium.GeoJson(
        _features(geometry.bezirke, ["stadtbezirk"]),
        name=i18n.translate("map.stadtbezirke", lang),
        style_function=lambda _f: {"fill": False, "color": BEZIRK_COLOUR, "weight": 2, "interactive": False},
        interactive=False,
        control=False,
    ).add_to(m)
    labels = folium.FeatureGroup(name=i18n.translate("map.stadtbezirke", lang), control=False)
    spots = maps.label_points(geometry.bezirke.geometry, dataset.welcome_points.geometry)
    for bezirk, point in zip(geometry.bezirke["stadtbezirk"], spots, strict=True):
        _label(labels, point, i18n.translate("map.bezirk_label", lang, n=int(bezirk)), css="sk-bezirk-label")
    labels.add_to(m)
    add_welcome_points(m, dataset.welcome_points, lang=lang)
    add_closed_welcome_points(m, dataset.closed_welcome_points, lang=lang)


def _add_legend(m: folium.Map, styling: Styling, meta: DatasetMeta, lang: str) -> None:
    legend = _legend_html(styling.title, styling.subtitle, styling.legend, meta, lang)
    _Control(legend, position="bottomright", css_class="sk-legend").add_to(m)


def choropleth(
    dataset: Dataset,
    geometry: MapGeometry,
    indicator_id: str | None = None,
    *,
    scheme: str = "quantiles",
    k: int = 5,
    breaks: list[float] | None = None,
    lang: str = "de",
    tiles: bool = False,
    notes: pd.Series | None = None,
) -> folium.Map:
    """
    The explore map: one indicator over all Sozialräume, Stadtbezirke, Welcome Points, legend.

    Parameters
    ----------
    dataset
        The loaded dataset (values, names, meta).
    geometry
        Its browser geometry from `map_geometry` (cached by the caller).
    indicator_id
        Catalogue id; default: the catalogue's default indicator, else the first one with values.
    scheme, k, breaks
        Classification (see `geo.indicators.classify`).
    lang
        Language of all labels.
    tiles
        Show OpenStreetMap tiles (needs network access).
    notes
        An extra tooltip line by `sozialraum_id` (for example counts of concerns and activities).

    Returns
    -------
    folium.Map
        Darker always means more need: the palette is reversed for indicators where a higher value
        means less need. Indicators without a direction of need run light to dark with their value.
    """
    available = dataset.indicator_ids()
    if indicator_id is None:
        indicator_id = default_indicator(available)
    m = base_map(dataset, lang=lang, tiles=tiles)
    shapes = _shapes(dataset, geometry)
    if indicator_id is not None:
        styling = style_indicator(dataset, indicator_id, scheme=scheme, k=k, breaks=breaks, lang=lang)
        indicator = catalogue().get(indicator_id)
        shapes["fill"] = shapes["sozialraum_id"].map(styling.fill)
        shapes["tooltip"] = _with_notes(
            [_indicator_tooltip(r, indicator, lang) for _, r in shapes.iterrows()], shapes, notes
        )
        _add_legend(m, styling, dataset.meta, lang)
    else:
        shapes["fill"] = NO_DATA_COLOUR
        shapes["tooltip"] = [
            f"<b>{_esc(str(r['name']))}</b><br>{_esc(_place(r))}" for _, r in shapes.iterrows()
        ]
    _add_sozialraum_layer(m, shapes, lang)
    _add_context(m, dataset, geometry, lang)
    return m


def need_map(
    dataset: Dataset,
    geometry: MapGeometry,
    result: NeedIndex,
    *,
    lang: str = "de",
    tiles: bool = False,
    notes: pd.Series | None = None,
) -> folium.Map:
    """The need index in its five named classes (darkest: very high need), with the same context."""
    m = base_map(dataset, lang=lang, tiles=tiles)
    shapes = _shapes(dataset, geometry)
    by_id = pd.DataFrame({"score": result.score, "rank": result.rank, "need_class": result.need_class})
    shapes = shapes.merge(by_id, left_on="sozialraum_id", right_index=True, how="left")
    styling = style_need(result, lang=lang)
    shapes["fill"] = shapes["sozialraum_id"].map(styling.fill)
    shapes["tooltip"] = _with_notes([_need_tooltip(r, lang) for _, r in shapes.iterrows()], shapes, notes)
    _add_legend(m, styling, dataset.meta, lang)
    _add_sozialraum_layer(m, shapes, lang)
    _add_context(m, dataset, geometry, lang)
    return m


def coverage_map(
    dataset: Dataset,
    geometry: MapGeometry,
    table: pd.DataFrame,
    *,
    min_class: int,
    catchments: gpd.GeoDataFrame | None = None,
    hypothetical: gpd.GeoDataFrame | None = None,
    lang: str = "de",
    tiles: bool = False,
) -> folium.Map:
    """
    The coverage map: where tandems work and where high need has none.

    Gaps (high need, no tandem) in strong red, covered areas in green and labelled with their tandem,
    everything else pale; Welcome Points with their catchments; hypothetical Welcome Points orange.

    Parameters
    ----------
    dataset, geometry
        The dataset and its browser geometry.
    table
        From `geo.coverage.coverage_table` (no personal data: tandem names only).
    min_class
        Classes 1 to `min_class` count as high need.
    catchments
        Welcome Point catchments (`geo.coverage.catchment_areas`), drawn dashed.
    hypothetical
        Welcome Points placed for a what-if, drawn orange.
    lang, tiles
        Language; OpenStreetMap tiles.
    """
    m = base_map(dataset, lang=lang, tiles=tiles)
    shapes = _shapes(dataset, geometry).merge(
        table[["sozialraum_id", "need_class", "tandems", "covered", "welcome_point", "distance_m"]],
        on="sozialraum_id",
        how="left",
    )
    styling = style_coverage(table, min_class=min_class, lang=lang)
    shapes["fill"] = shapes["sozialraum_id"].map(styling.fill)
    shapes["css"] = shapes["sozialraum_id"].map(styling.css)
    covered = shapes["covered"].fillna(False).astype(bool)
    esc = _esc

    def tip(r: pd.Series) -> str:
        need = i18n.translate(CLASS_KEYS[int(r["need_class"]) - 1], lang) if r["need_class"] else "–"
        tandem = r["tandems"] or i18n.translate("coverage.no_tandem", lang)
        distance = i18n.format_number(r["distance_m"], lang, decimals=0)
        return (
            f"<b>{esc(str(r['name']))}</b><br>{esc(_place(r))}<br>{esc(need)}<br>"
            f"{esc(i18n.translate('coverage.tandem', lang))}: {esc(tandem)}<br>"
            f"{esc(str(r['welcome_point']))}: {esc(distance)} m"
        )

    shapes["tooltip"] = [tip(r) for _, r in shapes.iterrows()]
    _add_legend(m, styling, dataset.meta, lang)
    _add_sozialraum_layer(m, shapes, lang)
    if catchments is not None and len(catchments):
        folium.GeoJson(
            _features(catchments, ["welcome_point_id"]),
            style_function=lambda _f: {
                "fill": False,
                "color": WELCOME_POINT_COLOUR,
                "weight": 2,
                "dashArray": "6 5",
                "className": "sk-catchment",
                "interactive": False,
            },
            interactive=False,
        ).add_to(m)
    labels = folium.FeatureGroup(name="tandems", control=False)
    for _, r in shapes[covered].iterrows():
        _label(
            labels,
            r.geometry.representative_point(),
            str(r["tandems"]),
            css="sk-tandem-label",
            colour="#0b3d14",
            size=11,
        )
    labels.add_to(m)
    _add_context(m, dataset, geometry, lang)
    if hypothetical is not None and len(hypothetical):
        for _, p in hypothetical.iterrows():
            folium.CircleMarker(
                [p.geometry.y, p.geometry.x],
                radius=8,
                color="#ffffff",
                weight=2,
                fill=True,
                fill_color=HYPOTHETICAL_COLOUR,
                fill_opacity=1.0,
                class_name="sk-hypothetical",
                tooltip=_tooltip(esc(i18n.translate("coverage.hypothetical", lang))),
            ).add_to(m)
    return m


def standalone_html(m: folium.Map, *, title: str) -> str:
    """The map as one self-contained HTML document (scripts and styles inlined as `data:` URIs)."""
    root = m.get_root()
    root.title = title  # type: ignore[attr-defined]
    return root.render()
