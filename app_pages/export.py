"""Export: the current map view as HTML, PNG or PDF, the one-page meeting brief, or a Sozialraum fact sheet."""

from typing import cast

import streamlit as st

from app_pages.ui import (
    active_assignments,
    bound,
    demo_notice,
    explain_words,
    friendly_errors,
    labelled,
    lang,
    load_current,
    need_components,
    principal,
    register,
    t,
)
from geo import export, journal, maps, profile
from geo.brief import Orientation
from geo.snapshot import Kind, Preset, SnapshotView

st.title(t("export.title"))
explain_words("export")
st.write(t("export.intro"))

with friendly_errors():
    data, _ = load_current()
    demo_notice(data.meta)
    available = data.indicator_ids()
    mode = st.session_state.get("explore_mode", "indikator")
    kinds = ["indicator", "need", "coverage"]
    default_kind = {"index": "need"}.get(mode, "indicator")
    c1, c2 = st.columns(2)
    kind = c1.selectbox(
        t("export.view"),
        kinds,
        index=kinds.index(default_kind),
        key="export_kind",
        format_func=bound(lambda k: t(f"export.view_{k}")),
    )
    fmt = c2.selectbox(
        t("export.format"),
        export.FORMATS,
        key="export_format",
        format_func=bound(lambda f: t(f"export.format_{f}")),
    )
    indicator = st.session_state.get("explore_indicator") or maps.default_indicator(available, data.catalogue)
    if kind == "indicator" and fmt != "factsheet":
        indicator = st.selectbox(
            t("explore.indicator"),
            available,
            index=available.index(indicator) if indicator in available else 0,
            key="export_indicator",
            format_func=bound(lambda i: data.catalogue.get(i).label(lang())),
        )
    preset = "a4"
    if fmt in ("png", "pdf"):
        preset = st.radio(
            t("export.preset"),
            ["a4", "16:9"],
            horizontal=True,
            key="export_preset",
            format_func=bound(lambda p: t(f"export.preset_{p.replace(':', '_')}")),
        )
    orientation = "portrait"
    if fmt == "brief":  # landscape for a projector, portrait for print
        orientation = st.radio(
            t("export.orientation"),
            ["portrait", "landscape"],
            horizontal=True,
            key="export_orientation",
            format_func=bound(lambda o: t(f"export.orientation_{o}")),
        )
    sozialraum = None
    if fmt in ("png", "pdf"):  # the Sozialraum chosen on Erkunden is marked on the map
        sozialraum = st.session_state.get("explore_selected")
    if fmt == "factsheet":
        labels = profile.search_labels(data.spaces)
        chosen = st.session_state.get("explore_selected")
        options = list(labels)
        sozialraum = st.selectbox(
            t("explore.search"),
            options,
            format_func=labelled(labels),
            key="export_sozialraum",
            index=options.index(chosen) if chosen in options else 0,
        )
    components, norm = need_components()
    view = SnapshotView(
        kind=cast("Kind", kind),
        indicator=indicator,
        scheme=st.session_state.get("explore_scheme", "quantiles"),
        k=int(st.session_state.get("explore_k", 5)),
        components=tuple(components),
        normalisation=norm,  # type: ignore[arg-type]
        min_class=int(st.session_state.get("coverage_min_class", 2)),
        distance_m=float(st.session_state.get("coverage_km", 1.0)) * 1000,
        measure=str(st.session_state.get("coverage_measure", "point")),
    )
    st.caption(t("export.privacy"))
    if st.button(t("export.make"), type="primary", key="export_make"):
        with st.spinner(t("export.making")):
            content = export.render(
                data,
                view,
                fmt,
                assignments=active_assignments(),
                preset=cast("Preset", preset),
                lang=lang(),
                orientation=cast("Orientation", orientation),
                sozialraum_id=sozialraum,
                open_concerns=journal.open_concerns(register(), sozialraum, by=principal())
                if sozialraum and fmt == "factsheet"
                else None,
            )
        name = f"sozialraum-karte-{kind if fmt != 'factsheet' else sozialraum}-{fmt}{export.SUFFIX[fmt]}"
        st.download_button(
            t("export.download", kb=round(len(content) / 1024)),
            content,
            file_name=name,
            mime=export.MIME[fmt],
            key="export_download",
        )
