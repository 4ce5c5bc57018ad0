"""Erkunden: one indicator over all Sozialräume, with the Welcome Points."""

import streamlit as st
from streamlit_folium import st_folium

from app_pages.ui import demo_notice, friendly_errors, lang, load_current, t
from geo import maps
from geo.indicators import catalogue

st.title(t("explore.title"))

with friendly_errors():
    data, geometry = load_current()
    demo_notice(data.meta)
    available = data.indicator_ids()
    cat = catalogue()
    if not available:
        st.info(t("explore.no_indicators"))
    requested = st.query_params.get("indikator")
    default = requested if requested in available else maps.default_indicator(available)
    col_ind, col_tiles = st.columns([3, 1], vertical_alignment="bottom")
    indicator = col_ind.selectbox(
        t("explore.indicator"),
        options=available,
        index=available.index(default) if default in available else None,
        format_func=lambda i: f"{cat.get(i).label(lang())} ({cat.get(i).unit})",
        key="explore_indicator",
    )
    tiles = col_tiles.toggle(
        t("explore.tiles"), value=False, help=t("explore.tiles_help"), key="explore_tiles"
    )
    if indicator:
        st.query_params["indikator"] = indicator
    m = maps.choropleth(data, geometry, indicator, lang=lang(), tiles=tiles)
    st_folium(m, key="explore_map", height=620, use_container_width=True, returned_objects=[])
    st.caption(maps.source_line(data.meta, lang()))
    st.caption(
        t("explore.summary", n=len(data.spaces), wp=len(data.welcome_points), bezirke=len(geometry.bezirke))
    )
