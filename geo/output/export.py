"""Exports: tables safe to open in a spreadsheet, and map views as HTML, PNG, PDF and one-page briefs."""

from __future__ import annotations

import pandas as pd

from geo.analysis import coverage
from geo.analysis.view import MapView
from geo.core.tables import FORMULA_PREFIXES, csv_bytes, neutralise_formulas
from geo.data.dataset import Dataset
from geo.output import briefs, maps, snapshot, webmap
from geo.output.snapshot import Preset

__all__ = ["FORMATS", "FORMULA_PREFIXES", "csv_bytes", "neutralise_formulas", "render"]

FORMATS = ("html", "png", "pdf", "brief", "factsheet")
MIME = {
    "html": "text/html",
    "png": "image/png",
    "pdf": "application/pdf",
    "brief": "application/pdf",
    "factsheet": "application/pdf",
}
SUFFIX = {"html": ".html", "png": ".png", "pdf": ".pdf", "brief": ".pdf", "factsheet": ".pdf"}


def file_name(view: MapView, fmt: str, sozialraum_id: str | None = None) -> str:
    """The download's name: the view's mode (a fact sheet: its Sozialraum) and the format."""
    what = sozialraum_id if fmt == "factsheet" and sozialraum_id else view.mode
    return f"sozialraum-karte-{what}-{fmt}{SUFFIX[fmt]}"


def render(
    dataset: Dataset,
    view: MapView,
    fmt: str,
    *,
    assignments: pd.DataFrame,
    preset: Preset = "a4",
    lang: str = "de",
    orientation: briefs.Orientation = "portrait",
    sozialraum_id: str | None = None,
    open_concerns: list[str] | None = None,
) -> bytes:
    """
    One export of a map view: standalone HTML, PNG, PDF, the meeting brief or a Sozialraum fact sheet.

    Parameters
    ----------
    dataset
        The loaded dataset.
    view
        Which map, with its settings and manual class limits (`geo.analysis.view.MapView`): every view exports.
    fmt
        One of `FORMATS`.
    assignments
        Active assignments by tandem name (`sozialraum_id`, `tandem`); personal data never reaches here.
    preset
        Page for PNG and PDF: "a4" (landscape) or "16:9".
    lang
        Language of every label.
    orientation
        Page of the meeting brief: "portrait" (A4) or "landscape" (A4 quer, for a projector); the other
        formats keep their own page.
    sozialraum_id
        The Sozialraum of a fact sheet; on a map (PNG, PDF) the Sozialraum outlined and named.
    open_concerns
        Topics of its open concerns, for the fact sheet.

    Returns
    -------
    bytes
        The file's content; nothing needs network access.
    """
    if fmt not in FORMATS:
        msg = f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}"
        raise ValueError(msg)
    assignments = assignments[["sozialraum_id", "tandem"]]  # only tandem names travel on
    prepared = snapshot.prepare(dataset, view, assignments, lang=lang)
    if fmt == "html":
        return _html(dataset, prepared, lang=lang).encode("utf-8")
    if fmt == "brief":
        return briefs.meeting_brief(dataset, prepared, lang=lang, orientation=orientation)
    if fmt == "factsheet":
        if sozialraum_id is None:
            msg = "a fact sheet needs a Sozialraum"
            raise ValueError(msg)
        return briefs.fact_sheet(dataset, prepared, sozialraum_id, lang=lang, open_concerns=open_concerns)
    figure = snapshot.map_figure(dataset, prepared, preset=preset, lang=lang, highlight=sozialraum_id)
    return snapshot.to_bytes(figure, fmt)  # type: ignore[arg-type]


def _html(dataset: Dataset, prepared: snapshot.Prepared, *, lang: str) -> str:
    """
    The view as one offline HTML file: the app's own web map (`geo.output.webmap.standalone_html`).

    The same colours, legend, source line and tooltips as on the screen; every text from data travels as
    JSON inside the page and is written into it as text, never as markup or code.
    """
    view = prepared.view
    geometry = maps.map_geometry(dataset)
    base = webmap.base_payload(dataset, geometry, lang=lang)
    overlay = None
    lines = webmap.lines_view(
        dataset, view, result=prepared.result, table=prepared.table, change=prepared.change, lang=lang
    )
    if view.mode == "abdeckung":
        catchments = coverage.catchment_areas(dataset.welcome_points, dataset.spaces)
        overlay = webmap.coverage_overlay(prepared.table, catchments, geometry)
    style = webmap.style_payload(base, prepared.styling, lines, dataset, overlay=overlay, lang=lang)
    title = f"{prepared.styling.title} – {dataset.meta.title}"
    return webmap.standalone_html(base, style, title=title, lang=lang)
