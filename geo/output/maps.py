"""
Map geometry and styling, shared by the web map (in the app and as the HTML export) and the printed maps.

`geo.output.webmap` draws in the app and writes the HTML export, `geo.output.snapshot` prints.

Geometry is sent to the browser simplified as a coverage (shared borders stay shared) and rounded to
about one metre. Every text that comes from data is HTML-escaped before it reaches the map.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.analysis import dynamics
from geo.analysis.need import CLASS_KEYS, NeedIndex
from geo.analysis.view import MapView
from geo.core import i18n
from geo.core.errors import DataError
from geo.core.settings import METRIC_CRS, STORAGE_CRS, get_settings
from geo.core.tables import printable
from geo.data.dataset import Dataset, DatasetMeta
from geo.data.indicators import Catalogue, Classes, Indicator, catalogue, classify


def _esc(text: object) -> str:
    """Text from data for HTML: control characters left out (HTML forbids them), markup escaped."""
    return html.escape(printable(text))


NO_DATA_COLOUR = "#d9d9d9"
BACKGROUND = "#f3f3ef"
OUTLINE_COLOUR = "#6b6b6b"
BEZIRK_COLOUR = "#1f1f1f"
WELCOME_POINT_COLOUR = "#0b5394"
#: Degrees kept in coordinates sent to the browser: 1e-5 degrees is about 1 m at 51° N.
COORDINATE_GRID = 1e-5


@dataclass(frozen=True)
class MapGeometry:
    """Simplified Sozialraum polygons and Stadtbezirk outlines, ready for the browser (EPSG:4326)."""

    spaces: gpd.GeoDataFrame
    bezirke: gpd.GeoDataFrame


def simplify_coverage(spaces: gpd.GeoDataFrame, *, tolerance_m: float | None = None) -> gpd.GeoDataFrame:
    """
    Simplify polygons that tile an area without breaking shared borders.

    Parameters
    ----------
    spaces
        Polygons forming a coverage, any CRS.
    tolerance_m
        Simplification tolerance in metres (default from settings), applied in EPSG:25832.

    Returns
    -------
    geopandas.GeoDataFrame
        Same rows, simplified, in EPSG:4326 with coordinates rounded to `COORDINATE_GRID`.

    Notes
    -----
    Official polygons are rarely edge-matched to the last vertex, so they are first cleaned into a
    proper coverage (GEOS `CoverageCleaner`: snaps near vertices, removes overlaps and gaps under 1 m),
    then simplified with GEOS `CoverageSimplifier`: each shared edge is simplified once, so neighbours
    keep an identical border and no gaps or slivers appear.
    """
    tolerance = get_settings().simplify_tolerance_m if tolerance_m is None else tolerance_m
    metric = spaces.to_crs(METRIC_CRS)
    geoms = shapely.coverage_clean(metric.geometry.to_numpy(), gap_width=1.0)
    if tolerance > 0:
        geoms = shapely.coverage_simplify(geoms, tolerance)
    out = gpd.GeoDataFrame(spaces.drop(columns=spaces.geometry.name), geometry=list(geoms), crs=METRIC_CRS)
    out = out.to_crs(STORAGE_CRS)
    out.geometry = shapely.set_precision(out.geometry.to_numpy(), COORDINATE_GRID, mode="pointwise")
    return out


def map_geometry(dataset: Dataset, *, tolerance_m: float | None = None) -> MapGeometry:
    """The browser geometry of a dataset: simplified Sozialräume and their Stadtbezirk outlines."""
    spaces = simplify_coverage(
        dataset.spaces[["sozialraum_id", "stadtbezirk", "geometry"]], tolerance_m=tolerance_m
    )
    bezirke = spaces.dissolve(by="stadtbezirk", as_index=False)[["stadtbezirk", "geometry"]]
    # Drop the precision grid GEOS keeps attached after `set_precision`: a pickled copy (what Streamlit's
    # cache hands out on later reruns) has none, and geometry derived from it (label points) would differ
    # from the first run's, so the map would change between the first and second rerun and the browser
    # would rebuild it, losing a click made in between.
    for frame in (spaces, bezirke):
        frame.geometry = shapely.from_wkb(shapely.to_wkb(frame.geometry.to_numpy()))
    return MapGeometry(spaces=spaces, bezirke=bezirke)


def format_date(iso: str, lang: str) -> str:
    """``2021-12-31`` as ``31.12.2021`` (German) or ``31/12/2021`` (English); other text unchanged."""
    try:
        stamp = pd.Timestamp(iso)
    except ValueError:
        return iso
    return i18n.format_date(stamp, lang)


#: ColorBrewer's OrRd with 9 classes (colour-blind safe, sequential), light to dark.
ORRD_9 = ("#fff7ec", "#fee8c8", "#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#b30000", "#7f0000")


def _orrd(x: float) -> str:
    """The colour at `x` (0 to 1) along `ORRD_9`, interpolated linearly in RGB."""
    rgb = [tuple(int(h[i : i + 2], 16) / 255 for i in (1, 3, 5)) for h in ORRD_9]
    position = min(max(x, 0.0), 1.0) * (len(rgb) - 1)
    i = min(int(position), len(rgb) - 2)
    f = position - i
    return "#" + "".join(f"{int((rgb[i][j] * (1 - f) + rgb[i + 1][j] * f) * 255.9999):02x}" for j in range(3))


def palette(k: int, *, reverse: bool = False) -> list[str]:
    """`k` colours of ColorBrewer's colour-blind-safe sequential OrRd, light to dark (or dark to light)."""
    colours = [_orrd(0.12 + 0.88 * i / max(k - 1, 1)) for i in range(k)]
    return colours[::-1] if reverse else colours


def class_labels(classes: Classes, indicator: Indicator, lang: str) -> list[str]:
    """Readable class ranges, for example ``"2,1 – 5,4 %"``."""
    lows = [classes.lower, *classes.bins[:-1]]

    def fmt(v: float) -> str:
        return i18n.format_number(v, lang, decimals=indicator.decimals)

    return [
        f"{fmt(lo)} – {fmt(hi)} {indicator.unit_label(lang)}".strip()
        for lo, hi in zip(lows, classes.bins, strict=True)
    ]


#: The layers a map or export shows (time series and the street list are named on the Daten page and in JSON).
MAP_LAYERS = frozenset(
    {"geometry", "stadtteile", "indicators", "welcome_points", "points", "nationalities", "dataset"}
)


def source_line(meta: DatasetMeta, lang: str, *, extra: frozenset[str] = frozenset()) -> str:
    """
    The plain source line every map and export carries: each layer with its own date and licence.

    `extra` names layers a particular map also shows (``series`` for the change map). A dataset written
    before layers were recorded keeps its one line (source, date, licence).
    """
    if meta.layers:
        shown = MAP_LAYERS | extra
        parts = [layer.short(lang) for layer in meta.layer_records() if layer.kind in shown]
    else:
        parts = [
            i18n.translate(
                "map.source", lang, source=meta.source, date=format_date(meta.reference_date, lang)
            )
        ]
        if meta.licence:
            parts.append(i18n.translate("map.licence", lang, licence=meta.licence))
    if meta.demo:
        parts.insert(0, i18n.translate("map.demo_mark", lang))
    return " · ".join(parts)


@dataclass(frozen=True)
class Styling:
    """How a view colours the Sozialräume, shared by the web map and the printed map."""

    fill: pd.Series  # colour by sozialraum_id
    legend: list[tuple[str, str]]  # (colour, label), no-data row included
    title: str
    subtitle: str
    css: pd.Series | None = None  # extra CSS class by sozialraum_id (web map only)
    #: Colours drawn hatched (white diagonal lines over the colour), on the screen, in print and in the
    #: legend: a cue that does not depend on seeing colour.
    hatched: frozenset[str] = frozenset()
    #: Layers this view shows beyond `MAP_LAYERS` (named in its source line).
    layers: frozenset[str] = frozenset()
    #: The reference date of what is shown (ISO), when it is not the dataset's own (the change map: its end).
    as_of: str = ""


def style_indicator(
    dataset: Dataset,
    indicator_id: str,
    *,
    scheme: str = "quantiles",
    k: int = 5,
    breaks: list[float] | None = None,
    lang: str = "de",
) -> Styling:
    """Classes and colours of one indicator: darker means more need, whatever the direction."""
    available = dataset.indicator_ids()
    if indicator_id not in available:
        raise DataError("error.unknown_indicator", indicator=indicator_id, found=available)
    indicator = dataset.catalogue.get(indicator_id)
    values = dataset.spaces.set_index("sozialraum_id")[indicator_id]
    classes = classify(values, scheme=scheme, k=k, breaks=breaks)
    colours = palette(classes.k, reverse=indicator.direction == "down")
    lookup = np.array([*colours, NO_DATA_COLOUR])
    fill = pd.Series(
        lookup[classes.labels.to_numpy()], index=values.index
    )  # label -1: the last entry, no data
    rows = [
        *zip(colours, class_labels(classes, indicator, lang), strict=True),
        (NO_DATA_COLOUR, i18n.translate("map.no_data", lang)),
    ]
    method = i18n.translate(f"scheme.{scheme}", lang)
    if classes.sampled:
        method += " " + i18n.translate("scheme.sampled", lang, n=int(classes.sampled))
    return Styling(
        fill,
        rows,
        f"{indicator.label(lang)} ({indicator.unit_label(lang)})",
        i18n.translate("map.method", lang, method=method, k=classes.k),
    )


def has_official_type(dataset: Dataset) -> bool:
    """Whether the dataset carries the city's own classification of need (the type view's colours)."""
    return "official_type" in dataset.spaces and bool(dataset.spaces["official_type"].notna().any())


def style_view(
    dataset: Dataset,
    view: MapView,
    *,
    result: NeedIndex | None = None,
    table: pd.DataFrame | None = None,
    change: dynamics.Change | None = None,
    lang: str = "de",
) -> Styling:
    """
    Colours, classes and legend of a map view: the one place a view becomes a styling, on screen and in print.

    Parameters
    ----------
    dataset
        The loaded dataset.
    view
        What is shown (`geo.analysis.view.MapView`), with its manual class limits.
    result
        The need index of the view's recipe; the need view needs it.
    table
        The coverage table (`geo.analysis.coverage.coverage_table`); the coverage view needs it.
    change
        The change view's change (`geo.analysis.view.change_of`); without one, the indicator view is shown.
    lang
        Language of the legend.
    """
    if view.mode == "index":
        if result is None:
            msg = "the need view needs its need index"
            raise ValueError(msg)
        return style_need(result, lang=lang, cat=dataset.catalogue)
    if view.mode == "abdeckung":
        if table is None:
            msg = "the coverage view needs its coverage table"
            raise ValueError(msg)
        return style_coverage(table, min_class=view.min_class, lang=lang)
    if view.mode == "typ" and has_official_type(dataset):
        return style_official_type(dataset, lang=lang)
    if view.mode == "wandel" and change is not None:
        return style_change(change, lang=lang)
    indicator = view.indicator if view.mode == "indikator" else None
    indicator = indicator or default_indicator(dataset.indicator_ids(), dataset.catalogue)
    if indicator is None:
        fill = pd.Series(NO_DATA_COLOUR, index=dataset.spaces["sozialraum_id"])
        return Styling(fill, [], i18n.translate("map.sozialraeume", lang), "")
    return style_indicator(
        dataset, indicator, scheme=view.scheme, k=view.k, breaks=list(view.breaks), lang=lang
    )


def style_change(result: dynamics.Change, *, lang: str = "de") -> Styling:
    """
    A change between two dates on a diverging scale: decreases orange, increases purple, "hardly" pale.

    The cuts are symmetric (`geo.analysis.dynamics.breaks`); the legend states them with the unit and the dates.
    """
    cut = dynamics.classes(result.change)
    lookup = np.array([*dynamics.DIVERGING, NO_DATA_COLOUR])
    fill = pd.Series(lookup[cut.to_numpy()], index=result.change.index)
    a, b = dynamics.breaks(result.change)
    unit = dynamics.unit_of(result, lang)

    def n(v: float) -> str:
        return dynamics.format_change(v, lang, decimals=1 if abs(b) < 100 else 0)

    labels = [
        i18n.translate("dynamics.legend_less", lang, value=n(-b), unit=unit),
        i18n.translate("dynamics.legend_range", lang, low=n(-b), high=n(-a), unit=unit),
        i18n.translate("dynamics.legend_about", lang, value=n(a).lstrip("+"), unit=unit),
        i18n.translate("dynamics.legend_range", lang, low=n(a), high=n(b), unit=unit),
        i18n.translate("dynamics.legend_more", lang, value=n(b), unit=unit),
    ]
    rows = [
        *zip(dynamics.DIVERGING, labels, strict=True),
        (NO_DATA_COLOUR, i18n.translate("map.no_data", lang)),
    ]
    title = i18n.translate(
        "dynamics.map_title",
        lang,
        indicator=dynamics.label(result.indicator, lang),
        start=format_date(result.start, lang),
        end=format_date(result.end, lang),
    )
    subtitle = i18n.translate(f"dynamics.how_{result.how}", lang, unit=unit)
    return Styling(fill, rows, title, subtitle, layers=frozenset({"series"}), as_of=result.end)


def style_need(result: NeedIndex, *, lang: str = "de", cat: Catalogue | None = None) -> Styling:
    """The need index in its five named classes, the darkest for very high need."""
    colours = palette(5, reverse=True)
    lookup = np.array([NO_DATA_COLOUR, *colours])
    fill = pd.Series(
        lookup[result.need_class.fillna(0).astype(int).to_numpy()], index=result.need_class.index
    )
    rows = [
        *((c, i18n.translate(key, lang)) for c, key in zip(colours, CLASS_KEYS, strict=True)),
        (NO_DATA_COLOUR, i18n.translate("map.no_data", lang)),
    ]
    return Styling(fill, rows, i18n.translate("need.title", lang), need_recipe(result, lang, cat))


def need_recipe(result: NeedIndex, lang: str = "de", cat: Catalogue | None = None) -> str:
    """
    How the index was made, for a legend or an export.

    The indicators with their weights (when not 1) and whether they were turned round, how values were made
    comparable, how the classes are cut. `cat`: the dataset's catalogue (Düsseldorf's when not given).
    """
    cat = cat or catalogue()
    parts = []
    for c in result.components:
        text = cat.get(c.indicator_id).label(lang)
        if c.weight != 1:
            text += f" ×{i18n.format_number(c.weight, lang, decimals=1, trim=True)}"
        if not c.higher_is_more_need:
            text += f" ({i18n.translate('need.reversed', lang)})"
        parts.append(text)
    return "; ".join(
        [
            ", ".join(parts),
            i18n.translate(f"need.norm_{result.normalisation}", lang),
            i18n.translate("need.classes_by_rank", lang),
        ]
    )


def style_coverage(table: pd.DataFrame, *, min_class: int, lang: str = "de") -> Styling:
    """
    Gaps (high need, no tandem) dark red and hatched, covered mid blue, the rest pale grey.

    Told apart without colour: the gap is hatched and three lightness steps apart (relative luminance 0.07,
    0.38, 0.87), which holds for red-green and blue-yellow colour blindness alike.
    """
    by_id = table.set_index("sozialraum_id")
    covered = by_id["covered"].astype(bool)
    gap = by_id["need_class"].between(1, min_class) & ~covered
    fill = pd.Series(
        np.where(gap, GAP_COLOUR, np.where(covered, COVERED_COLOUR, OTHER_COLOUR)), index=by_id.index
    )
    css = pd.Series(np.where(gap, "sk-gap", np.where(covered, "sk-covered", "")), index=by_id.index)
    rows = [
        (GAP_COLOUR, i18n.translate("coverage.legend_gap", lang)),
        (COVERED_COLOUR, i18n.translate("coverage.legend_covered", lang)),
        (OTHER_COLOUR, i18n.translate("coverage.legend_other", lang)),
    ]
    subtitle = i18n.translate(
        "coverage.legend_subtitle", lang, need=i18n.translate(CLASS_KEYS[min_class - 1], lang)
    )
    return Styling(
        fill,
        rows,
        i18n.translate("coverage.legend_title", lang),
        subtitle,
        css,
        hatched=frozenset({GAP_COLOUR}),
    )


#: Okabe-Ito: eight colours that people with the common colour-vision deficiencies can tell apart.
CATEGORY_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")


def style_official_type(dataset: Dataset, *, lang: str = "de") -> Styling:
    """The official classification of need (column `official_type`), one Okabe-Ito colour per category."""
    types = dataset.spaces.set_index("sozialraum_id")["official_type"]
    categories = sorted(types.dropna().astype(str).unique())
    colours = {c: CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i, c in enumerate(categories)}
    fill = types.map(lambda v: colours.get(str(v), NO_DATA_COLOUR) if pd.notna(v) else NO_DATA_COLOUR)
    rows = [(colours[c], c) for c in categories] + [(NO_DATA_COLOUR, i18n.translate("map.no_data", lang))]
    return Styling(
        fill, rows, i18n.translate("map.official_type", lang), i18n.translate("map.official_type_note", lang)
    )


GAP_COLOUR = "#99000d"
COVERED_COLOUR = "#6baed6"
OTHER_COLOUR = "#f0f0f0"
HYPOTHETICAL_COLOUR = "#e66101"
#: Local partners on the map (purple: apart from the need classes, Welcome Points, concerns and activities).
PARTNER_COLOUR = "#6a3d9a"


def style_pins(dataset: Dataset, *, lang: str = "de") -> Styling:
    """Pale Sozialräume under orange pins (activities): the legend names the pins, not the areas."""
    fill = pd.Series("#ffffff", index=dataset.spaces["sozialraum_id"].to_numpy())
    rows = [(HYPOTHETICAL_COLOUR, i18n.translate("map.pin_activity", lang))]
    return Styling(fill, rows, i18n.translate("map.pins_title", lang), i18n.translate("map.pins_note", lang))


def default_indicator(available: list[str], cat: Catalogue | None = None) -> str | None:
    """The catalogue's default indicator when the dataset has it, else the first available one."""
    default = (cat or catalogue()).default_indicator
    if default in available:
        return default
    return available[0] if available else None


#: A Bezirk label keeps at least this far from a Welcome Point's dot and from its Bezirk's border (metres).
LABEL_CLEARANCE_M = 700.0


def label_points(areas: gpd.GeoSeries, points: gpd.GeoSeries) -> gpd.GeoSeries:
    """
    Where to write each area's label (EPSG:4326 in, EPSG:4326 out): inside the area, clear of the points.

    The representative point when no point (a Welcome Point) lies within `LABEL_CLEARANCE_M`; otherwise the
    spot of a 250 m grid inside the area, at least that far from its border where possible, that is farthest
    from every point (up to twice the clearance) and, among equals, nearest to the representative point.
    Deterministic, so the web map and the print agree.
    """
    metric = areas.to_crs(METRIC_CRS)
    anchors = metric.representative_point()
    if points.empty:
        return anchors.to_crs(areas.crs)
    xy = shapely.get_coordinates(points.to_crs(METRIC_CRS).geometry.to_numpy())
    chosen = []
    for area, anchor in zip(metric.geometry, anchors, strict=True):
        nearest = float(np.min(np.hypot(xy[:, 0] - anchor.x, xy[:, 1] - anchor.y)))
        if nearest >= LABEL_CLEARANCE_M or area is None or area.is_empty:
            chosen.append(anchor)
            continue
        minx, miny, maxx, maxy = area.bounds
        gx, gy = np.meshgrid(np.arange(minx, maxx, 250.0), np.arange(miny, maxy, 250.0))
        grid = shapely.points(gx.ravel(), gy.ravel())
        inner = area.buffer(-LABEL_CLEARANCE_M)
        inside = grid[shapely.contains(inner if not inner.is_empty else area, grid)]
        if not len(inside):
            chosen.append(anchor)
            continue
        cxy = shapely.get_coordinates(inside)
        clear = np.min(np.hypot(cxy[:, None, 0] - xy[None, :, 0], cxy[:, None, 1] - xy[None, :, 1]), axis=1)
        away = np.hypot(cxy[:, 0] - anchor.x, cxy[:, 1] - anchor.y)
        score = np.minimum(clear, 2 * LABEL_CLEARANCE_M) - 0.25 * away
        chosen.append(inside[int(np.argmax(score))])
    return gpd.GeoSeries(chosen, index=areas.index, crs=METRIC_CRS).to_crs(areas.crs)
