"""Abdeckung: which high-need Sozialräume no tandem covers, how far from a Welcome Point, and suggestions."""

from types import SimpleNamespace

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from app_pages import mapview
from app_pages.ui.datasets import base_current, load_current, register
from app_pages.ui.page import demo_notice, explain_words, friendly_errors
from app_pages.ui.people import principal
from app_pages.ui.records import coverage_current, need_components
from app_pages.ui.text import bound, lang, plain, t
from app_pages.ui.widgets import km_slider, km_text, panels, print_link, table_with_download
from geo.analysis import coverage, need, view
from geo.core import i18n, tables
from geo.core.access import Action
from geo.data import languages
from geo.data.dataset import Dataset
from geo.output import maps, webmap

st.title(t("coverage.title"))
explain_words("coverage")


def percent(share: float) -> str:
    """A share as a whole percentage in the user's language."""
    return "–" if pd.isna(share) else f"{i18n.format_number(100 * share, lang(), decimals=0)} %"


def language_weights(
    data: Dataset, tandem_languages: tuple[str, ...]
) -> tuple[pd.Series | None, tuple[str, ...]]:
    """Offer to weight suggestions by residents who may speak the tandem's languages; None when not chosen."""
    if not tandem_languages:
        return None, ()
    if data.nationalities is None:
        st.caption(t("coverage.languages_no_data"))
        return None, ()
    estimate, matched = languages.speakers(data.spaces, data.nationalities, tandem_languages)
    if not matched:
        st.caption(t("coverage.languages_no_match"))
        return None, ()
    use = st.toggle(
        t("coverage.use_languages", nationalities=plain(", ".join(matched))),
        key="coverage_use_languages",
        help=t("coverage.use_languages_help"),
    )
    return (estimate, matched) if use else (None, ())


def add_hypothetical() -> None:
    """Map callback: in "what if" mode a tap places a hypothetical Welcome Point there."""
    if not st.session_state.get("coverage_whatif"):
        return
    _hit, place = view.click_target(mapview.clicked("coverage_map"), set())
    if place is not None:
        st.session_state["coverage_hypo"] = [*st.session_state.get("coverage_hypo", []), place]


def settings(bar: DeltaGenerator) -> tuple[int, float, bool, str]:
    """What counts as high need, the distance to a Welcome Point and how it is measured, gaps only beyond it."""
    with bar.popover(t("coverage.settings"), icon=":material/tune:", key="coverage_settings_menu"):
        min_class = st.selectbox(
            t("coverage.min_class"),
            [1, 2, 3],
            index=1,
            key="coverage_min_class",
            format_func=bound(lambda c: t("coverage.min_class_option", need=t(need.CLASS_KEYS[c - 1]))),
        )
        km = km_slider(t("coverage.distance"), key="coverage_km")
        measure = st.radio(
            t("coverage.measure"),
            coverage.DISTANCE_MEASURES,
            key="coverage_measure",
            format_func=bound(lambda m: t(f"coverage.measure_{m}")),
            help=t("coverage.measure_help"),
        )
        beyond = st.toggle(
            t("coverage.beyond"), key="coverage_beyond", help=t("coverage.beyond_help", km=km_text(km))
        )
        st.caption(t("coverage.index_note"))
    return int(min_class), km, bool(beyond), str(measure)


def figures(city: dict, gaps: int, km: float) -> None:
    """The three figures of the city, side by side also on a phone."""
    row = st.container(horizontal=True, gap="medium")
    row.metric(
        t("coverage.share_covered"),
        percent(city["share_high_need_covered"]),
        help=t("coverage.share_covered_help"),
        width="content",
    )
    row.metric(
        t("coverage.share_within"),
        percent(city["share_within"]),
        help=t("coverage.share_within_help", km=km_text(km)),
        width="content",
    )
    row.metric(t("coverage.gap_count"), gaps, width="content")


def show_map(
    data: Dataset, geometry: maps.MapGeometry, shown: coverage.CoverageView, cover: view.MapView
) -> None:
    """The coverage map (tapped places become hypothetical Welcome Points), and the link to print it."""
    hypothetical = st.session_state.get("coverage_hypo", [])
    pins = pd.DataFrame(
        [(lat, lng, t("coverage.hypothetical"), "hypothetical") for lat, lng in hypothetical],
        columns=["lat", "lon", "title", "kind"],
    )
    base = base_current()
    style = webmap.style_payload(
        base,
        maps.style_view(data, cover, table=shown.table, lang=lang()),
        webmap.coverage_lines(shown.table, lang=lang()),
        data,
        overlay=webmap.coverage_overlay(shown.table, shown.catchments, geometry, pins=pins),
        lang=lang(),
        height=520,
    )
    mapview.show_map(base, style, key="coverage_map", on_click=add_hypothetical)
    print_link(cover)
    figures(
        shown.city, len(shown.gaps), cover.coverage_km
    )  # below the map: it stays in a phone's first screen
    if hypothetical and st.button(t("coverage.clear_hypo"), key="coverage_clear"):
        st.session_state["coverage_hypo"] = []
        st.rerun()


def gaps_panel(gap_table: pd.DataFrame, measure: str) -> None:
    """The gaps, most urgent first, with a download."""
    shown = gap_table[[c for c in coverage.GAP_COLUMNS if c != "welcome_point_id"]].copy()
    shown["need_class"] = shown["need_class"].map(lambda c: t(need.CLASS_KEYS[c - 1]))
    headers = {
        "sozialraum_id": "ID",
        "name": t("ranking.name"),
        "stadtbezirk": t("ranking.bezirk"),
        "need_class": t("ranking.class"),
        "score": t("ranking.score"),
        "population": t("ranking.population"),
        "welcome_point": t("coverage.nearest_wp"),
        "distance_m": t(f"coverage.distance_m_{measure}"),
    }
    table_with_download(
        shown.rename(columns=headers),
        caption=t("coverage.gaps_caption", n=len(gap_table)),
        file_name="luecken.csv",
        key="coverage_download",
        decimals={headers[c]: 0 for c in ("score", "population", "distance_m")},
    )


def bezirke_panel(per_bezirk: pd.DataFrame, km: float) -> None:
    """Coverage per Stadtbezirk."""
    frame = per_bezirk.assign(
        covered=per_bezirk["share_high_need_covered"].map(percent),
        within=per_bezirk["share_within"].map(percent),
    )[["stadtbezirk", "population", "high_need_population", "covered", "within"]]
    columns = {
        "stadtbezirk": t("ranking.bezirk"),
        "population": t("ranking.population"),
        "high_need_population": t("coverage.high_need_population"),
        "covered": t("coverage.share_covered"),
        "within": t("coverage.share_within", km=km_text(km)),
    }
    st.dataframe(
        tables.localized(
            frame.rename(columns=columns),
            lang(),
            decimals={t("ranking.population"): 0, t("coverage.high_need_population"): 0},
        ),
        hide_index=True,
        width="stretch",
    )


def suggest_for_whom(data: Dataset) -> tuple[SimpleNamespace, int, float]:
    """
    For whom to suggest (coordinators pick a tandem: its home and languages count), how many, how far.

    Returns what the suggestion depends on (`home_id`, `max_home`, `speakers`, `matched`, `alternatives`),
    the number wanted and the reach in km.
    """
    st.markdown(t("coverage.suggest_intro"))
    found = SimpleNamespace(home_id=None, max_home=None, speakers=None, matched=(), alternatives=False)
    pick, tandems, people = None, {}, {}
    who = principal()
    if who.may(Action.READ_REGISTER):
        people = {c.id: c for c in register().private_connectors(by=who)}
        tandems = {tv.id: tv for tv in register().tandems()}
        pick = st.selectbox(
            t("coverage.suggest_for"),
            [None, *tandems],
            key="coverage_for",
            format_func=bound(lambda i: t("coverage.suggest_free") if i is None else tandems[i].name),
        )
    s1, s2 = st.columns(2)
    if pick is None:
        k = s1.number_input(t("coverage.suggest_k"), 1, 10, 2, key="coverage_k")
    else:  # one tandem: ranked alternatives, each judged on its own
        k = s1.number_input(t("coverage.suggest_options"), 1, 10, 3, key="coverage_options")
    reach = km_slider(t("coverage.suggest_reach"), key="coverage_reach", container=s2)
    if pick is not None:
        homes = [
            people[m].home_sozialraum_id for m in tandems[pick].member_ids if people[m].home_sozialraum_id
        ]
        found.home_id, found.max_home = (homes[0], 3000.0) if homes else (None, None)
        found.alternatives = True
        languages = plain(", ".join(tandems[pick].languages)) or "–"
        st.caption(t("coverage.suggest_languages", languages=languages))
        found.speakers, found.matched = language_weights(data, tandems[pick].languages)
    return found, int(k), reach


def show_suggestions(data: Dataset, suggestions: list[coverage.Suggestion], matched: tuple[str, ...]) -> None:
    """Each suggested Sozialraum in a sentence, with what it reaches, and how the suggestions were made."""
    if not suggestions:
        st.info(t("coverage.suggest_none"))
        return
    by_id = data.spaces.set_index("sozialraum_id")
    for n, s in enumerate(suggestions, start=1):
        reached = ", ".join(plain(f"{by_id.at[i, 'name']} ({i})") for i in s.reached)
        st.markdown(
            t(
                "coverage.suggestion",
                n=n,
                name=plain(s.name),
                id=s.sozialraum_id,
                population=i18n.format_number(s.high_need_population, lang(), decimals=0),
                reached=reached,
                wp=plain(s.welcome_point),
                distance=i18n.format_number(s.distance_m, lang(), decimals=0),
            )
        )
        if s.speakers is not None:
            nationalities = plain(", ".join(matched))
            st.caption(t("coverage.suggestion_speakers", n=round(s.speakers), nationalities=nationalities))
        if s.home_distance_m is not None:
            st.caption(t("coverage.suggestion_home", km=i18n.format_number(s.home_distance_m / 1000, lang())))
    st.caption(t(f"coverage.suggest_method_{suggestions[0].method}"))
    if suggestions[0].pooled_m:
        pooled = i18n.format_number(suggestions[0].pooled_m, lang(), decimals=0)
        st.caption(t("coverage.suggest_pooled", m=pooled))


def suggest_panel(data: Dataset, table: pd.DataFrame, min_class: int) -> None:
    """Where a new tandem would close the most need (for a tandem: near its home, its languages)."""
    found, k, reach = suggest_for_whom(data)
    suggestions = coverage.suggest(
        table,
        data.spaces,
        k=k,
        min_class=min_class,
        reach_m=reach * 1000,
        home_id=found.home_id,
        max_home_m=found.max_home,
        speakers=found.speakers,
        alternatives=found.alternatives,
    )
    show_suggestions(data, suggestions, found.matched)


with friendly_errors():
    data, geometry = load_current()
    demo_notice(data.meta)
    components, norm = need_components()
    bar = st.container(horizontal=True, vertical_alignment="center", gap="medium")
    min_class, km, beyond, measure = settings(bar)
    bar.toggle(t("coverage.whatif"), key="coverage_whatif", help=t("coverage.whatif_help"))
    shown = coverage_current(
        components,
        norm,
        st.session_state.get("coverage_hypo", []),
        measure=measure,
        min_class=min_class,
        km=km,
        beyond=beyond,
    )
    cover = view.MapView(
        mode="abdeckung",
        components=tuple(components),
        normalisation=norm,  # type: ignore[arg-type]
        min_class=min_class,
        coverage_km=km,
        measure=measure,
    )
    show_map(data, geometry, shown, cover)
    names = {
        "gaps": t("coverage.tab_gaps"),
        "bezirke": t("coverage.tab_bezirke"),
        "suggest": t("coverage.tab_suggest"),
    }
    panel, boxes = panels("coverage", names)
    with boxes[panel]:
        if panel == "gaps":
            gaps_panel(shown.gaps, measure)
        elif panel == "bezirke":
            bezirke_panel(shown.per_bezirk, km)
        else:
            suggest_panel(data, shown.table, min_class)
