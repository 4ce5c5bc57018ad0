"""Export: the current map view as HTML, PNG or PDF, the one-page meeting brief, or a Sozialraum fact sheet."""

from dataclasses import replace
from typing import cast

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from app_pages.ui.datasets import changing_indicators, labels_current, load_current, register
from app_pages.ui.page import demo_notice, explain_words, friendly_errors
from app_pages.ui.people import principal
from app_pages.ui.records import active_assignments, need_components
from app_pages.ui.text import bound, labelled, lang, t
from app_pages.ui.widgets import show_in_address
from geo.analysis import view
from geo.core import i18n
from geo.data.dataset import Dataset
from geo.output import export, maps
from geo.output.briefs import Orientation
from geo.output.snapshot import Preset
from geo.register import journal

st.title(t("export.title"))
explain_words("export")
st.write(t("export.intro"))


def address_view(data: Dataset, changing: list[str]) -> view.MapView:
    """The view in the page address; opened from the menu, the map last shown on Erkunden or Abdeckung."""
    if not view.has_view(st.query_params.to_dict()):
        return st.session_state.get("map_view") or view.MapView()
    return view.from_params(
        st.query_params.to_dict(),
        indicators=data.indicator_ids(),
        sozialraum_ids=set(data.spaces["sozialraum_id"]),
        welcome_point_ids=set(data.welcome_points["welcome_point_id"]),
        changing=changing,
        bezirk_ids=view.bezirk_ids(data.spaces),
    )


def pick_view(data: Dataset, where: DeltaGenerator) -> view.MapView:
    """Which map: the view from the address, another mode if picked; written back into the address."""
    changing = changing_indicators()
    shown = address_view(data, changing)
    offered = view.modes(has_type=maps.has_official_type(data), has_change=bool(changing))
    if st.session_state.get("export_seen") != shown:  # a new view arrived: it decides the pickers
        st.session_state["export_kind"] = shown.mode if shown.mode in offered else "indikator"
        if shown.mode == "indikator" and shown.indicator:
            st.session_state["export_indicator"] = shown.indicator
    mode = where.selectbox(
        t("export.view"), offered, key="export_kind", format_func=bound(lambda m: t(f"export.mode_{m}"))
    )
    picked = None
    if mode == "indikator":
        available = data.indicator_ids()
        if st.session_state.get("export_indicator") not in available:
            st.session_state["export_indicator"] = maps.default_indicator(available, data.catalogue)
        picked = st.selectbox(
            t("explore.indicator"),
            available,
            key="export_indicator",
            format_func=bound(lambda i: data.catalogue.get(i).label(lang())),
        )
    chosen = view.with_mode(shown, str(mode), picked)
    st.session_state["export_seen"] = chosen
    show_in_address(chosen)  # the address names exactly what is exported
    if chosen.mode == "indikator" and chosen.breaks:
        limits = " · ".join(i18n.format_number(b, lang(), decimals=2, trim=True) for b in chosen.breaks)
        st.caption(t("export.limits", limits=limits))
    return chosen


def page_layout(fmt: str) -> tuple[str, str]:
    """The page of a PNG or PDF (A4 or 16:9) and of the brief (upright, or landscape for a projector)."""
    preset, orientation = "a4", "portrait"
    if fmt in ("png", "pdf"):
        preset = st.radio(
            t("export.preset"),
            ["a4", "16:9"],
            horizontal=True,
            key="export_preset",
            format_func=bound(lambda p: t(f"export.preset_{p.replace(':', '_')}")),
        )
    if fmt == "brief":
        orientation = st.radio(
            t("export.orientation"),
            ["portrait", "landscape"],
            horizontal=True,
            key="export_orientation",
            format_func=bound(lambda o: t(f"export.orientation_{o}")),
        )
    return str(preset), str(orientation)


def which_sozialraum(fmt: str, shown: view.MapView) -> str | None:
    """The fact sheet's Sozialraum (picked, by ID), or on a map the one selected in the view (outlined)."""
    if fmt in ("png", "pdf"):
        return shown.selected
    if fmt != "factsheet":
        return None
    labels = labels_current()  # the shown dataset's, made once per version for all sessions
    chosen = shown.selected or st.session_state.get("explore_selected")
    options = list(labels)
    return st.selectbox(
        t("explore.search"),
        options,
        format_func=labelled(labels),
        key="export_sozialraum",
        index=options.index(chosen) if chosen in options else 0,
    )


def make_file(
    data: Dataset, shown: view.MapView, fmt: str, layout: tuple[str, str], sozialraum: str | None
) -> None:
    """Make the file on request, and offer it for download with its size."""
    recipe, norm = need_components()  # the brief's and fact sheet's need classes: the session's recipe
    if shown.components:
        recipe, norm = list(shown.components), shown.normalisation
    with st.spinner(t("export.making")):
        content = export.render(
            data,
            replace(shown, components=tuple(recipe), normalisation=norm),  # type: ignore[arg-type]
            fmt,
            assignments=active_assignments(),
            preset=cast("Preset", layout[0]),
            lang=lang(),
            orientation=cast("Orientation", layout[1]),
            sozialraum_id=sozialraum,
            open_concerns=journal.open_concerns(register(), sozialraum, by=principal())
            if sozialraum and fmt == "factsheet"
            else None,
        )
    st.download_button(
        t("export.download", kb=round(len(content) / 1024)),
        content,
        file_name=export.file_name(shown, fmt, sozialraum),
        mime=export.MIME[fmt],
        key="export_download",
    )


with friendly_errors():
    data, _ = load_current()
    demo_notice(data.meta)
    c1, c2 = st.columns(2)
    fmt = c2.selectbox(
        t("export.format"),
        export.FORMATS,
        key="export_format",
        format_func=bound(lambda f: t(f"export.format_{f}")),
    )
    shown = pick_view(data, c1)
    layout = page_layout(fmt)
    sozialraum = which_sozialraum(fmt, shown)
    st.caption(t("export.privacy"))
    if st.button(t("export.make"), type="primary", key="export_make"):
        make_file(data, shown, fmt, layout, sozialraum)
