"""
Map snapshots for print and projector: PNG and PDF rendered with matplotlib, no browser, no network.

The figure is drawn in EPSG:25832, so the scale bar measures real metres. Colours, classes and legend come
from the same `geo.output.maps.Styling` as the web map, so print and screen agree.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from typing import Any, Literal

import matplotlib as mpl
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.table import Table
from matplotlib.text import Text
from matplotlib_scalebar.scalebar import ScaleBar

from geo.analysis import coverage, dynamics, need
from geo.analysis.view import MapView, change_of
from geo.core import i18n
from geo.core.settings import METRIC_CRS
from geo.core.tables import printable
from geo.data.dataset import Dataset
from geo.output import maps

Preset = Literal["a4", "16:9"]
#: Figure sizes in inches: A4 landscape for print, 16:9 for a projector.
PRESETS: dict[str, tuple[float, float]] = {"a4": (11.69, 8.27), "16:9": (13.333, 7.5)}
DPI = 150
#: A light box behind labels (a path-effect halo would turn the text into outlines in the PDF).
LABEL_BOX = {"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.7, "edgecolor": "none"}
#: Embed TrueType fonts so the PDF's text can be searched and copied (and checked by tests).
RC: dict[Any, Any] = {"pdf.fonttype": 42, "font.family": "DejaVu Sans", "svg.fonttype": "none"}


@dataclass(frozen=True)
class Prepared:
    """Everything the renderers need, computed once: styling, need index, coverage (no personal data)."""

    styling: maps.Styling
    result: need.NeedIndex
    table: pd.DataFrame
    view: MapView
    #: The change view's change (None for the other views).
    change: dynamics.Change | None = None


def prepare(dataset: Dataset, view: MapView, assignments: pd.DataFrame, *, lang: str = "de") -> Prepared:
    """
    Compute styling, need index and coverage table for `view`.

    Parameters
    ----------
    dataset
        The loaded dataset.
    view
        What to show (`geo.analysis.view.MapView`, as a page address or ``--link`` describes it).
    assignments
        Active assignments by tandem name only (`sozialraum_id`, `tandem`): never personal data.
    lang
        Language of all labels.
    """
    components = list(view.components) or need.default_components(dataset.indicator_ids(), dataset.catalogue)
    result = need.need_index(dataset.spaces, components, normalisation=view.normalisation)
    table = coverage.coverage_table(
        dataset.spaces,
        dataset.welcome_points,
        result.score,
        result.need_class,
        assignments[["sozialraum_id", "tandem"]],
        measure=view.measure,
    )
    change = change_of(view, dataset.series, list(dataset.spaces["sozialraum_id"]))
    styling = maps.style_view(dataset, view, result=result, table=table, change=change, lang=lang)
    return Prepared(styling, result, table, view, change)


def _draw_points(ax: Axes, dataset: Dataset) -> None:
    """The Welcome Points as dots, the closed ones as crosses."""
    if len(dataset.welcome_points):
        points = dataset.welcome_points.to_crs(METRIC_CRS)
        ax.scatter(
            points.geometry.x,
            points.geometry.y,
            s=28,
            color=maps.WELCOME_POINT_COLOUR,
            edgecolor="white",
            linewidth=1,
            zorder=5,
        )
    closed = dataset.closed_welcome_points
    if closed is not None and len(closed):
        gone = closed.to_crs(METRIC_CRS)
        ax.scatter(
            gone.geometry.x,
            gone.geometry.y,
            s=28,
            facecolor="white",
            edgecolor=maps.WELCOME_POINT_COLOUR,
            linewidth=1.5,
            marker="X",
            zorder=5,
        )


def draw_map(
    ax: Axes,
    dataset: Dataset,
    prepared: Prepared,
    *,
    lang: str,
    labels: bool = True,
    highlight: str | None = None,
) -> None:
    """Sozialräume in their colours, Stadtbezirk outlines and labels, Welcome Points, tandem areas."""
    spaces = maps.simplify_coverage(
        dataset.spaces[["sozialraum_id", "stadtbezirk", "geometry"]], tolerance_m=5
    )
    spaces = spaces.to_crs(METRIC_CRS)
    colours = spaces["sozialraum_id"].map(prepared.styling.fill).fillna(maps.NO_DATA_COLOUR)
    spaces.plot(ax=ax, color=colours.to_list(), edgecolor=maps.OUTLINE_COLOUR, linewidth=0.25)
    hatched = colours.isin(prepared.styling.hatched).to_numpy()
    if hatched.any():  # the same white lines as on the screen: a cue that does not depend on colour
        with mpl.rc_context({"hatch.color": "#ffffff", "hatch.linewidth": 1.2}):
            spaces[hatched].plot(ax=ax, facecolor="none", edgecolor="#ffffff", hatch="///", linewidth=0)
    bezirke = spaces.dissolve(by="stadtbezirk", as_index=False)
    bezirke.boundary.plot(ax=ax, color=maps.BEZIRK_COLOUR, linewidth=1.2)
    if labels:
        spots = maps.label_points(bezirke.geometry, dataset.welcome_points.geometry)  # clear of the dots
        for bezirk, point in zip(bezirke["stadtbezirk"], spots, strict=True):
            ax.text(
                point.x,
                point.y,
                i18n.translate("map.bezirk_label", lang, n=int(bezirk)),
                ha="center",
                va="center",
                fontsize=8,
                fontweight="bold",
                color="#222222",
                bbox=LABEL_BOX,
            )
    if prepared.view.mode == "abdeckung":
        covered = spaces.merge(prepared.table[["sozialraum_id", "tandems"]], on="sozialraum_id")
        covered = covered[covered["tandems"] != ""]
        for name, point in zip(covered["tandems"], covered.representative_point(), strict=True):
            ax.text(
                point.x,
                point.y,
                name,
                ha="center",
                va="center",
                fontsize=6.5,
                color="#0b3d14",
                fontweight="bold",
                bbox=LABEL_BOX,
            )
    if prepared.view.mode == "abdeckung" and len(dataset.welcome_points):
        coverage.catchment_areas(dataset.welcome_points, dataset.spaces).to_crs(METRIC_CRS).boundary.plot(
            ax=ax, color=maps.WELCOME_POINT_COLOUR, linewidth=1, linestyle="--"
        )
    if highlight is not None:
        spaces[spaces["sozialraum_id"] == highlight].boundary.plot(ax=ax, color="black", linewidth=2.5)
    _draw_points(ax, dataset)
    ax.set_axis_off()
    ax.set_aspect("equal")


def legend_handles(prepared: Prepared, dataset: Dataset, lang: str) -> list[Patch | Line2D]:
    """Legend entries: one swatch per class, Welcome Points, catchments on the coverage view."""
    handles: list[Patch | Line2D] = [
        Patch(
            facecolor=c,
            edgecolor="#999999",
            hatch="///" if c in prepared.styling.hatched else None,
            label=label,
        )
        for c, label in prepared.styling.legend
    ]
    if len(dataset.welcome_points):
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor=maps.WELCOME_POINT_COLOUR,
                markeredgecolor="white",
                markersize=8,
                label=dataset.points_label(lang, plural=True) or i18n.translate("map.welcome_points", lang),
            )
        )
    closed = dataset.closed_welcome_points
    if closed is not None and len(closed):
        handles.append(
            Line2D(
                [],
                [],
                marker="X",
                linestyle="",
                markerfacecolor="white",
                markeredgecolor=maps.WELCOME_POINT_COLOUR,
                markersize=8,
                label=i18n.translate("webmap.closed_point", lang),
            )
        )
    if len(dataset.welcome_points) and prepared.view.mode == "abdeckung":
        handles.append(
            Line2D(
                [],
                [],
                color=maps.WELCOME_POINT_COLOUR,
                linestyle="--",
                label=i18n.translate("export.catchments", lang),
            )
        )
    return handles


def _legend(ax: Axes, prepared: Prepared, dataset: Dataset, lang: str) -> None:
    ax.legend(
        handles=legend_handles(prepared, dataset, lang),
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        fontsize=9,
        title=prepared.styling.title,
        title_fontproperties={"weight": "bold", "size": 10},
        alignment="left",
    )


def _north_arrow(ax: Axes) -> None:
    ax.annotate(
        "N",
        xy=(0.96, 0.16),
        xytext=(0.96, 0.06),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=12,
        fontweight="bold",
        arrowprops={"facecolor": "black", "edgecolor": "black", "width": 4, "headwidth": 12},
    )


def demo_mark(fig: Figure, lang: str) -> None:
    """The unmistakable "Demo-Daten (synthetisch)" mark, top right and across the page."""
    text = i18n.translate("map.demo_mark", lang)
    fig.text(
        0.985,
        0.975,
        text,
        ha="right",
        va="top",
        fontsize=13,
        fontweight="bold",
        color="#7a5b00",
        bbox={"boxstyle": "round,pad=0.4", "facecolor": "#fff3cd", "edgecolor": "#c9a227"},
    )
    fig.text(
        0.5,
        0.5,
        text,
        ha="center",
        va="center",
        fontsize=54,
        color="#c9a227",
        alpha=0.13,
        rotation=25,
        zorder=0,
    )


def footer(fig: Figure, dataset: Dataset, lang: str) -> None:
    """Source, date and licence line, and when the snapshot was made."""
    made = i18n.translate("export.made", lang, date=i18n.format_date(pd.Timestamp.now(), lang))
    fig.text(
        0.01,
        0.012,
        f"{maps.source_line(dataset.meta, lang)} · {made}",
        fontsize=7.5,
        color="#333333",
        ha="left",
        va="bottom",
        wrap=True,
    )


def map_figure(
    dataset: Dataset,
    prepared: Prepared,
    *,
    preset: Preset = "a4",
    lang: str = "de",
    highlight: str | None = None,
) -> Figure:
    """
    The map view as a figure: title, subtitle, map, legend, scale bar, north arrow, source line.

    `highlight` (a Sozialraum ID) is outlined in black and named in the subtitle.

    Returns
    -------
    matplotlib.figure.Figure
        A plain `Figure` (no pyplot), so rendering is safe in the app's server threads.
    """
    with mpl.rc_context(RC):
        fig = Figure(figsize=PRESETS[preset], dpi=DPI)  # no pyplot: no global state, safe in server threads
        ax = fig.add_axes((0.02, 0.07, 0.68, 0.77))
        names = dataset.spaces.set_index("sozialraum_id")["name"]
        highlight = highlight if highlight in names.index else None
        draw_map(ax, dataset, prepared, lang=lang, highlight=highlight)
        _legend(ax, prepared, dataset, lang)
        ax.add_artist(ScaleBar(1, "m", location="lower left", box_alpha=0.8, font_properties={"size": 9}))
        _north_arrow(ax)
        fig.text(0.02, 0.955, prepared.styling.title, fontsize=20, fontweight="bold", va="top")
        as_of = i18n.translate("map.as_of", lang, date=maps.format_date(dataset.meta.reference_date, lang))
        marked = (
            i18n.translate("export.marked", lang, name=f"{names[highlight]} ({highlight})")
            if highlight
            else ""
        )
        subtitle = " · ".join(p for p in (prepared.styling.subtitle, marked, as_of, dataset.meta.title) if p)
        # wrapped to the page (about 12 characters of 11 pt per inch): an index recipe is long, never cut off
        lines = textwrap.wrap(subtitle, width=int(fig.get_figwidth() * 12))[:2]
        fig.text(0.02, 0.905, "\n".join(lines), fontsize=11, color="#444444", va="top", linespacing=1.3)
        if dataset.meta.demo:
            demo_mark(fig, lang)
        footer(fig, dataset, lang)
    return fig


def clean_texts(fig: Figure) -> None:
    """Names from data: no control characters, no "$...$" read as maths, in every text and table cell."""
    cells = [cell.get_text() for table in fig.findobj(Table) for cell in table.get_celld().values()]
    for text in [*fig.findobj(Text), *cells]:
        shown = printable(text.get_text())
        if shown != text.get_text():
            text.set_text(shown)
        text.set_parse_math(False)


def to_bytes(fig: Figure, fmt: Literal["png", "pdf"]) -> bytes:
    """The figure as PNG or PDF bytes."""
    clean_texts(fig)
    buffer = io.BytesIO()
    with mpl.rc_context(RC):
        fig.savefig(buffer, format=fmt, dpi=DPI)
    return buffer.getvalue()
