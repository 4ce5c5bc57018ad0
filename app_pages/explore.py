"""Erkunden: map an indicator or the need index, pick a Sozialraum, read its profile, rank and compare."""

from dataclasses import replace
from types import SimpleNamespace
from typing import cast

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from app_pages import mapview
from app_pages.ui.caches import run_memo
from app_pages.ui.datasets import (
    base_current,
    changing_indicators,
    dynamics_text,
    indicators_current,
    labels_current,
    load_current,
    need_current,
    register,
    view_lines,
    view_styling,
    welcome_point_labels_current,
)
from app_pages.ui.page import demo_notice, explain_words, friendly_errors
from app_pages.ui.people import principal
from app_pages.ui.records import (
    journal_overview,
    knowledge_current,
    need_components,
    open_concerns,
    partner_views,
    sheet_current,
)
from app_pages.ui.text import bound, labelled, lang, plain, t
from app_pages.ui.widgets import (
    km_slider,
    multiselect,
    nearest_km,
    prepared_download,
    print_link,
    show_in_address,
    table_with_download,
)
from geo.analysis import dynamics, need, view
from geo.core import charts, glossary, i18n, tables
from geo.data import series
from geo.data.dataset import Dataset
from geo.data.indicators import SCHEMES, catalogue
from geo.output import dossier, formats, maps, nearby, profile, webmap
from geo.register import partners

cat = catalogue()  # set to the dataset's below: Düsseldorf's Quartiersatlas, or another city profile's
st.title(t("explore.title"))
PANELS = ["profile", "nearby", "ranking", "compare"]
st.session_state.setdefault("explore_panel", "profile")

#: The weights an indicator can have in the index.
WEIGHT_STEPS = tuple(step / 2 for step in range(11))


def seed_from_url(current: view.MapView) -> None:
    """On the first run of a session, put the view from the link into the widgets."""
    if st.session_state.get("explore_seeded"):
        return
    st.session_state["explore_seeded"] = True
    defaults = {
        "explore_mode": current.mode,
        "explore_indicator": current.indicator,
        "explore_scheme": current.scheme,
        "explore_k": current.k,
        "explore_breaks": ", ".join(f"{b:g}" for b in current.breaks),
        "explore_norm": current.normalisation,
        "explore_selected": current.selected,
        "explore_shortlist": list(current.shortlist),
        "explore_bezirke": list(current.bezirke),
        "explore_classes": list(current.classes),
        "explore_wp": current.welcome_point,
        "explore_km": nearest_km(current.distance_km),
    }
    if current.mode == "wandel":  # the change view's indicator, dates and measure
        defaults["explore_indicator"] = None
        defaults["explore_change_indicator"] = current.indicator
        defaults["explore_change_from"] = current.change_from
        defaults["explore_change_to"] = current.change_to
        defaults["explore_change_how"] = current.change_how
    for key, value in defaults.items():
        st.session_state[key] = value
    if current.components:
        st.session_state["explore_components"] = [c.indicator_id for c in current.components]
        for c in current.components:
            st.session_state[f"explore_w_{c.indicator_id}"] = c.weight
            st.session_state[f"explore_up_{c.indicator_id}"] = c.higher_is_more_need


def index_controls(available: list[str]) -> list[need.Component]:
    """Pick indicators, weights and directions for the need index."""
    defaults = [c.indicator_id for c in need.default_components(available, cat)]
    chosen = multiselect(
        t("explore.index_indicators"),
        options=available,
        default=None if "explore_components" in st.session_state else defaults,
        format_func=bound(lambda i: cat.get(i).label(lang())),
        key="explore_components",
    )
    copies = [
        (i.params["first_id"], i.params["second_id"])
        for i in load_current()[0].report.find("columns_identical")
    ]
    for a, b in need.counted_twice(chosen, copies):
        st.warning(t("explore.index_twins", first=cat.get(a).label(lang()), second=cat.get(b).label(lang())))
    components = []
    for ind in chosen:
        c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
        st.session_state.setdefault(f"explore_w_{ind}", 1.0)
        st.session_state.setdefault(f"explore_up_{ind}", cat.get(ind).direction != "down")
        key = f"explore_w_{ind}"
        # fixed steps, so that the weight reads as the user's language writes it (1,5), not "1.50"
        st.session_state[key] = min(WEIGHT_STEPS, key=lambda w: abs(w - float(st.session_state[key])))
        weight = c1.select_slider(
            t("explore.weight", name=cat.get(ind).label(lang())),
            options=WEIGHT_STEPS,
            key=key,
            format_func=bound(lambda w: i18n.format_number(w, lang(), decimals=1, trim=True)),
        )
        up = c2.toggle(t("explore.more_is_need"), key=f"explore_up_{ind}")
        components.append(need.Component(ind, weight, up))
    return components


def keep_recipe(available: list[str]) -> None:
    """
    Keep the need index's settings while their controls are not drawn.

    Streamlit forgets the value of a widget that a run does not draw; a value written back by the page
    counts as the page's own and is kept. Drawing the index controls only in the index view saves a third of
    an indicator change's server time (a multiselect, three sliders and toggles, a selectbox).
    """
    keys = ["explore_components", "explore_norm"]
    keys += [f"explore_{part}_{i}" for i in available for part in ("w", "up")]
    for key in keys:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def classification_controls() -> tuple[str, int, list[float]]:
    """Method, number of classes and manual limits."""
    c1, c2 = st.columns(2)
    scheme = c1.selectbox(
        t("explore.scheme"), SCHEMES, format_func=bound(lambda s: t(f"scheme.{s}")), key="explore_scheme"
    )
    k = 5
    breaks: list[float] = []
    if scheme in ("quantiles", "fisher_jenks", "equal_interval"):
        k = c2.slider(t("explore.classes"), 2, 9, key="explore_k")
    elif scheme == "manual":
        text = c2.text_input(t("explore.breaks"), key="explore_breaks", placeholder="5, 10, 20")
        breaks = sorted(view.numbers(text, float))
        if text and not breaks:
            st.warning(t("explore.breaks_invalid"))
    return scheme, k, breaks


def show_profile(sheet: profile.Sheet, counts: pd.DataFrame) -> None:
    """The Steckbrief of one Sozialraum (in a box the map scrolls to after a tap on a phone)."""
    with st.container(key="explore_profile"):
        _profile(sheet, counts)


def profile_head(sheet: profile.Sheet) -> None:
    """Name, place and population; first, in plain words, what stands out; then the need index's figures."""
    p = sheet.profile
    st.subheader(plain(p.name))
    population = i18n.format_number(p.population, lang(), decimals=0) if p.population is not None else "–"
    st.caption(
        t(
            "profile.place",
            id=p.sozialraum_id,
            stadtteil=p.stadtteil,
            bezirk=p.stadtbezirk,
            population=population,
        )
    )
    st.markdown("\n".join(f"- {plain(sentence)}" for sentence in sheet.summary))
    st.caption(t("profile.summary_note"))
    if p.score is None:
        st.info(t("need.no_score"))
        return
    c1, c2, c3 = st.columns(3)
    c1.metric(t("profile.score"), i18n.format_number(p.score, lang(), decimals=0))
    c2.metric(t("profile.rank"), t("profile.rank_of", rank=p.rank, n=p.ranked))
    c3.metric(t("profile.class"), t(f"need.short{p.need_class}") if p.need_class else "–")
    if p.class_changes is not None:
        key = "profile.sensitive" if need.is_sensitive(p.class_changes) else "profile.stable"
        st.caption(t(key, share=round(100 * p.class_changes)))


def profile_surroundings(p: profile.Profile, counts: pd.DataFrame) -> None:
    """The nearest Welcome Points, the neighbours, the journal's entries here and the tandems working here."""
    st.markdown(f"**{t('profile.nearest')}**")
    if p.nearest_welcome_points.empty:
        st.caption(t("profile.no_welcome_points"))
    for r in p.nearest_welcome_points.itertuples():
        distance = i18n.format_number(r.distance_m, lang(), decimals=0)
        st.markdown(f"- {plain(r.name)}, {plain(r.address)}: **{distance} m**")
    st.caption(t("profile.distance_note"))
    if len(p.neighbours):
        names = ", ".join(plain(f"{r.name} ({r.sozialraum_id})") for r in p.neighbours.itertuples())
        st.markdown(f"**{t('profile.neighbours')}:** " + names)
    known = p.sozialraum_id in counts.index
    n_concerns = int(counts.at[p.sozialraum_id, "concerns"]) if known else 0
    n_activities = int(counts.at[p.sozialraum_id, "activities"]) if known else 0
    st.markdown(f"**{t('profile.journal', concerns=n_concerns, activities=n_activities)}**")
    for topic in open_concerns(p.sozialraum_id, principal()):
        st.markdown(f"- {plain(topic)}")
    if p.tandems:
        st.markdown(f"**{t('profile.tandems')}:** " + ", ".join(plain(x) for x in p.tandems))
    else:
        st.caption(t("profile.no_tandem"))


def _profile(sheet: profile.Sheet, counts: pd.DataFrame) -> None:
    p = sheet.profile
    profile_head(sheet)
    show_dynamics(p)
    if p.official_type is not None:
        st.markdown(t("profile.official_type", value=plain(p.official_type)))
    st.button(t("profile.clear"), key="explore_clear", on_click=clear_selection)
    st.button(
        t("profile.add_to_shortlist"),
        key="explore_add",
        disabled=p.sozialraum_id in st.session_state.get("explore_shortlist", []),
        on_click=add_to_shortlist,
        args=(p.sozialraum_id,),
    )
    if sheet.chart is not None:
        st.vega_lite_chart(spec=sheet.chart, width="stretch")
    # a Markdown table: a few hundred bytes per click instead of about 5 KB of Arrow, readable on a phone
    st.markdown(sheet.table)
    st.caption(t("profile.table_note", name=plain(p.name), n=p.stadtbezirk))
    show_course(p)
    profile_surroundings(p, counts)
    show_knowledge(p.sozialraum_id)


def show_knowledge(sozialraum_id: str) -> None:
    """
    "Was wir hier wissen": partners, debriefs, concerns and what became of them, activities, the Welcome
    Point; in full for connectors and coordinators, the public part for everyone else. And the Mappe.
    """
    who = principal()
    full, parts = knowledge_current(sozialraum_id, who)
    st.markdown(f"**{t('knowledge.title')}**")
    st.caption(t("knowledge.intro_full" if full else "knowledge.intro_public"))
    for section in parts:
        with st.expander(section.title):
            st.markdown(dossier.as_markdown(section))
    data, _ = load_current()

    def make() -> list[tuple[str, bytes, str, str]]:
        files = [
            (
                t("knowledge.mappe_pdf"),
                dossier.pdf(data, register(), sozialraum_id, by=who, public=not full, lang=lang()),
                f"sozialraum-mappe-{sozialraum_id}.pdf",
                "application/pdf",
            ),
            (
                t("knowledge.mappe_html"),
                dossier.html_page(data, register(), sozialraum_id, by=who, public=not full, lang=lang()),
                f"sozialraum-mappe-{sozialraum_id}.html",
                "text/html",
            ),
        ]
        if full:
            files.append(
                (
                    t("knowledge.mappe_public"),
                    dossier.pdf(data, register(), sozialraum_id, by=who, public=True, lang=lang()),
                    f"sozialraum-mappe-{sozialraum_id}-oeffentlich.pdf",
                    "application/pdf",
                )
            )
        return files

    prepared_download(
        "explore_mappe",
        prepare=t("knowledge.prepare_mappe"),
        make=make,
        key=(sozialraum_id, full),
        on_prepare=(
            (lambda: register().record(who, "dossier.export", target="sozialraum", target_id=sozialraum_id))
            if full
            else None
        ),
    )


def show_dynamics(p: profile.Profile) -> None:
    """The dynamics class next to the need class: how the population changed, per year, with the threshold."""
    found = dynamics_text(p.sozialraum_id)
    if found is not None:
        st.markdown(found[0])
        st.caption(found[1])


def show_course(p: profile.Profile) -> None:
    """Each indicator over time (one at a time): of the Sozialraum, and of its whole Stadtteil (said so)."""
    table = load_current()[0].series
    found = series.indicators_of(table, p.sozialraum_id)
    if not found:
        return
    st.markdown(f"**{t('profile.course_title')}**")
    if st.session_state.get("explore_course_indicator") not in found:
        st.session_state["explore_course_indicator"] = found[0]
    indicator = st.selectbox(
        t("profile.course_indicator"),
        found,
        key="explore_course_indicator",
        format_func=bound(lambda i: dynamics.label(i, lang())),
    )
    own, unit, whole = series.courses(table, p.sozialraum_id, str(indicator))
    drawn = [
        charts.course_line(own, title=t("profile.course_own", name=p.name), lang=lang()),
        charts.course_line(
            whole,
            title=t("profile.course_stadtteil", unit=f"{p.stadtteil} ({unit})" if p.stadtteil else unit),
            colour=charts.CITY_COLOUR,
            lang=lang(),
        ),
    ]
    for spec in drawn:
        if spec is not None:
            st.vega_lite_chart(spec=spec, width="stretch")
    st.caption(t("profile.course_note"))


def change_controls(bar: DeltaGenerator, data: Dataset, changing: list[str]) -> dynamics.Change:
    """The change view's indicator, and in a pop-over its two dates and whether absolute or in percent."""
    if st.session_state.get("explore_change_indicator") not in changing:
        st.session_state["explore_change_indicator"] = changing[0]
    indicator = bar.selectbox(
        t("explore.indicator"),
        options=changing,
        key="explore_change_indicator",
        format_func=bound(lambda i: dynamics.label(i, lang())),
        label_visibility="collapsed",
        width=320,
    )
    found = dynamics.dates(data.series, indicator)
    for key, default in (("explore_change_from", found[0]), ("explore_change_to", found[-1])):
        if st.session_state.get(key) not in found:
            st.session_state[key] = default
    with bar.popover(t("explore.change_period"), icon=":material/date_range:", key="explore_change_menu"):
        start = st.selectbox(
            t("explore.change_from"),
            found[:-1],
            key="explore_change_from",
            format_func=bound(lambda d: maps.format_date(d, lang())),
        )
        later = [d for d in found if d > start]
        if st.session_state.get("explore_change_to") not in later:
            st.session_state["explore_change_to"] = later[-1]
        end = st.selectbox(
            t("explore.change_to"),
            later,
            key="explore_change_to",
            format_func=bound(lambda d: maps.format_date(d, lang())),
        )
        how = st.radio(
            t("explore.change_how"),
            ["percent", "absolute"],
            key="explore_change_how",
            format_func=bound(lambda h: t(f"explore.change_how_{h}")),
            horizontal=True,
        )
        st.caption(t("explore.change_note", band=dynamics.band_text(indicator, lang())))
    return dynamics.change(
        data.series, indicator, str(start), str(end), how=str(how), ids=list(data.spaces["sozialraum_id"])
    )


def show_status_dynamics(change: dynamics.Change, result: need.NeedIndex) -> None:
    """How many Sozialräume are in each need class and each dynamics class: status x dynamics, as peers show."""
    table = dynamics.status_table(result.need_class, change.dynamics)
    with st.expander(t("explore.status_dynamics")):
        shown = table.rename(
            index=lambda c: t(need.CLASS_KEYS[c - 1]),
            columns=lambda c: t(f"dynamics.column_{c}"),
        )
        st.dataframe(
            tables.localized(shown, lang(), decimals=dict.fromkeys(shown.columns, 0)), width="stretch"
        )
        st.caption(
            t(
                "explore.status_dynamics_caption",
                indicator=dynamics.label(change.indicator, lang()),
                start=maps.format_date(change.start, lang()),
                end=maps.format_date(change.end, lang()),
                band=dynamics.band_text(change.indicator, lang()),
            )
        )


def on_located() -> None:
    """Callback of "In meiner Nähe": the phone's position becomes the starting point (kept in this session)."""
    answer = mapview.located("explore_locate") or {}
    if "error" in answer:
        st.session_state["explore_near_error"] = str(answer["error"])
        return
    try:
        place = nearby.location(float(answer["lon"]), float(answer["lat"]), t("near.you"))
    except (KeyError, TypeError, ValueError):
        st.session_state["explore_near_error"] = "2"
        return
    st.session_state.pop("explore_near_error", None)
    st.session_state["explore_place"] = place
    st.session_state["explore_panel"] = "nearby"


def on_typed_place(data: Dataset) -> None:
    """Callback of the typed place: found, it becomes the starting point; not found, the page says so."""
    text = str(st.session_state.get("explore_place_text") or "").strip()
    if not text:
        return
    place = nearby.find_place(data, text)
    if place is None:
        st.session_state["explore_near_error"] = "not_found"
        return
    st.session_state.pop("explore_near_error", None)
    st.session_state["explore_place"] = place


def choose(sozialraum_id: str) -> None:
    """A Sozialraum named in a list becomes the selection; its Steckbrief is shown."""
    st.session_state["explore_selected"] = sozialraum_id
    st.session_state["explore_panel"] = "profile"


def nearby_current(data: Dataset, result: need.NeedIndex) -> nearby.Nearby | None:
    """What is near the starting point of this session (None without one), once per script run."""
    place = st.session_state.get("explore_place")
    if place is None:
        return None
    memo = run_memo()
    key = ("nearby", place, id(result))
    if key not in memo:
        memo[key] = nearby.nearby(data, result.need_class, place)
    found: nearby.Nearby = memo[key]
    return found


def place_field(data: Dataset) -> None:
    """A typed place (an address, a Stadtteil, a Sozialraum), and why it was not found."""
    st.text_input(
        t("near.typed"),
        key="explore_place_text",
        help=t("near.typed_help"),
        on_change=on_typed_place,
        args=(data,),
    )
    problem = st.session_state.get("explore_near_error")
    if problem == "not_found":
        st.warning(t("near.not_found", text=plain(str(st.session_state.get("explore_place_text", "")))))
    elif problem:
        st.warning(
            t(f"near.error_{problem}") if problem in {"1", "2", "3", "unsupported"} else t("near.error_2")
        )


def near_need(found: nearby.Nearby) -> None:
    """The Sozialräume of high need near the place, nearest first; a tap opens one's Steckbrief."""
    st.markdown(f"**{t('near.high_need')}**")
    if found.high_need.empty:
        st.caption(t("near.none"))
    for row in found.high_need.itertuples():
        distance = (
            t("near.at_place")
            if row.distance_m == 0
            else i18n.format_number(row.distance_m, lang(), decimals=0)
        )
        line = t(
            "near.line",
            name=f"{row.name} ({row.sozialraum_id})",
            klasse=t(need.CLASS_KEYS[row.need_class - 1]),
            distance=distance,
        )
        st.button(
            line,
            key=f"explore_near_{row.sozialraum_id}",
            on_click=choose,
            args=(str(row.sozialraum_id),),
            type="tertiary",
            icon=":material/arrow_forward:",
        )


def near_contacts(found: nearby.Nearby) -> None:
    """The nearest Welcome Point (its phone as a link a phone can call) and partners near the place."""
    for wp in found.welcome_points.itertuples():
        st.markdown(f"**{t('near.wp')}** ({i18n.format_number(wp.distance_m, lang(), decimals=0)} m)")
        lines = [plain(str(wp.name)), plain(str(wp.organisation)), plain(str(wp.address))]
        if wp.phone:
            digits = "".join(c for c in str(wp.phone) if c.isdigit() or c == "+")
            lines.append(f"{t('near.phone')}: [{plain(str(wp.phone))}](tel:{digits})")
        st.markdown("  \n".join(line for line in lines if line))
    close = nearby.nearest_partners(found.place, partner_views(principal()), lang=lang())
    if not close.empty:
        st.markdown(f"**{t('near.partners')}**")
        for row in close.itertuples():
            distance = i18n.format_number(row.distance_m, lang(), decimals=0)
            lines = [
                f"{plain(row.name)} ({distance} m)",
                plain(row.topics),
                plain(row.address),
                plain(row.hours),
            ]
            st.markdown("- " + "  \n  ".join(line for line in lines if line))


def show_nearby(data: Dataset, result: need.NeedIndex) -> None:
    """The "near me" panel: a typed place, and what is near the starting point."""
    place_field(data)
    found = nearby_current(data, result)
    if found is None:
        st.caption(t("near.pick_hint"))
        return
    st.markdown(f"**{t('near.from', place=plain(found.place.label))}**")
    if found.outside:
        st.warning(t("near.outside"))
        return
    if found.inside:
        name = data.spaces.set_index("sozialraum_id")["name"][found.inside]
        st.write(t("near.inside", name=plain(f"{name} ({found.inside})")))
    near_need(found)
    near_contacts(found)
    st.caption(t("near.distance_note") + " " + (t("near.privacy") if found.place.kind == "location" else ""))


#: No starting point: no pin (shared, never changed: callers concatenate it into new frames).
NO_PIN = pd.DataFrame(columns=["lat", "lon", "title", "kind"])


def near_focus(data: Dataset, result: need.NeedIndex) -> tuple[tuple[str, ...], pd.DataFrame]:
    """The Sozialräume the map zooms to for the starting point, and its pin."""
    found = nearby_current(data, result)
    if found is None:
        return (), NO_PIN
    place = found.place
    focus = tuple(([found.inside] if found.inside else []) + list(found.high_need["sozialraum_id"]))
    pin = pd.DataFrame([{"lat": place.lat, "lon": place.lon, "title": place.label, "kind": "place"}])
    return focus, pin


def on_map_click(known: set[str]) -> None:
    """Map callback (runs before the page): select the Sozialraum clicked, remember the place for "home"."""
    hit, place = view.click_target(mapview.clicked("explore_map"), known)
    if place is not None:
        st.session_state["explore_home_candidate"] = place
    if hit is not None:
        st.session_state["explore_selected"] = hit
        st.session_state["explore_panel"] = "profile"


def clear_selection() -> None:
    """Button callback: no Sozialraum selected any more."""
    st.session_state["explore_selected"] = None


def pick_from_search() -> None:
    """Search callback: the Sozialraum picked becomes the selection, and the search box is empty again."""
    picked = st.session_state.get("explore_search")
    if picked:
        st.session_state["explore_selected"] = picked
        st.session_state["explore_panel"] = "profile"
    st.session_state["explore_search"] = None


def add_to_shortlist(sozialraum_id: str) -> None:
    """Button callback: put a Sozialraum on the comparison list (at most four)."""
    current = list(st.session_state.get("explore_shortlist", []))
    if sozialraum_id not in current and len(current) < view.MAX_SHORTLIST:
        st.session_state["explore_shortlist"] = [*current, sozialraum_id]


@st.fragment
def details(v: SimpleNamespace) -> None:
    """
    The map, the search and the panel below it: a click on the map reruns only this part of the page.

    `v` holds what the controls above decided (data, mode, indicator, need index, filters).
    """
    with friendly_errors():
        _details(v)


def map_pins(v: SimpleNamespace) -> tuple[pd.DataFrame | None, tuple[str, ...], pd.DataFrame]:
    """The map's pins (activities and concerns, partners when shown, a searched place), the place to zoom to,
    and the journal's counts per Sozialraum."""
    counts, pins = journal_overview(principal())  # read again only after a write
    showing, partner_topics, partner_languages = v.partner_layer
    partner_pins = None
    if showing:
        views = partner_views(principal())
        partner_pins = partners.map_pins(
            views, lang=lang(), topics=partner_topics, languages=partner_languages
        )
    focus, place_pin = near_focus(v.data, v.result)
    return webmap.merge_pins(pins, partner_pins, place_pin), focus, counts


def draw_map(v: SimpleNamespace) -> pd.DataFrame:
    """The map of the view with its overlay; returns the journal's counts for the Steckbrief."""
    pins, focus, counts = map_pins(v)
    base = base_current()
    near, matching = v.near, v.matching
    style = webmap.style_payload(
        base,
        view_styling(v.view, v.result, v.change),
        view_lines(v.view, v.result, v.change),
        v.data,
        overlay=webmap.Overlay(
            selected=st.session_state.get("explore_selected"),
            shortlist=tuple(st.session_state.get("explore_shortlist", [])),
            matching=frozenset(matching) if matching is not None else None,
            circle=(near[1], near[0], near[2]) if near else None,
            pins=pins,
            focus=focus,
        ),
        notes=formats.map_notes(counts, lang=lang()),
        lang=lang(),
        tiles=v.tiles,
    )
    mapview.show_map(base, style, key="explore_map", on_click=lambda: on_map_click(v.ids))
    if st.session_state.get("explore_home_candidate") and st.button(
        t("explore.set_home"), key="explore_set_home"
    ):
        st.session_state["explore_home"] = st.session_state["explore_home_candidate"]
        st.rerun()
    return counts


def compare_panel(v: SimpleNamespace) -> None:
    """Up to four Sozialräume side by side, with their need scores as bars."""
    picked = multiselect(
        t("compare.pick"),
        options=list(v.labels),
        key="explore_shortlist",
        format_func=labelled(v.labels),
        max_selections=view.MAX_SHORTLIST,
    )
    if not picked:
        st.info(t("compare.hint"))
        return
    compared = profile.side_by_side(
        v.data, picked, profile.profile_indicators(v.available, cat), v.result, lang=lang()
    )
    st.dataframe(tables.localized(compared.values, lang(), row_decimals=compared.decimals), width="stretch")
    st.vega_lite_chart(
        spec=charts.score_bars(compared.names, compared.scores, title=t("ranking.score"), lang=lang()),
        width="stretch",
    )


def panel_content(v: SimpleNamespace, panel: str, chosen: str | None, counts: pd.DataFrame) -> None:
    """The open panel: the Steckbrief, what is near, the list by need, or the comparison."""
    if panel == "profile":
        if chosen:
            shown = profile.profile_indicators(v.available, cat)
            show_profile(sheet_current(chosen, shown, v.components, v.norm), counts)
        else:
            st.info(t("explore.pick_hint"))
    elif panel == "nearby":
        show_nearby(v.data, v.result)
    elif panel == "ranking":
        table, decimals = profile.ranking_view(
            v.data, v.result, v.changes, indicator_id=v.indicator, only=v.matching, lang=lang()
        )
        table_with_download(
            table,
            caption=t("ranking.caption", n=len(table)),
            file_name="sozialraeume-rangliste.csv",
            key="explore_download",
            decimals=decimals,
        )
    else:
        compare_panel(v)


def remember_view(v: SimpleNamespace, chosen: str | None, export_link: DeltaGenerator) -> None:
    """The view with its selection into the page address (a link opens it), and the link to print it."""
    current = replace(v.view, selected=chosen, shortlist=tuple(st.session_state.get("explore_shortlist", [])))
    print_link(current, export_link)
    show_in_address(current)


def _details(v: SimpleNamespace) -> None:
    # the shortlist's widget is drawn only with its panel: keep its value while another panel is shown (in
    # full runs and in the fragment's own reruns alike, so this belongs here)
    st.session_state["explore_shortlist"] = list(st.session_state.get("explore_shortlist", []))
    chosen = st.session_state.get("explore_selected")
    counts = draw_map(v)
    st.selectbox(  # a search that picks: it stays empty, so it is not sent again on every click
        t("explore.search"),
        options=[None, *v.labels],
        key="explore_search",
        format_func=bound(lambda i: t("explore.search_none") if i is None else v.labels[i]),
        placeholder=t("explore.search_none"),
        on_change=pick_from_search,
    )
    # under the search (the map's skip link leads to the search): filled below, once the selection is known
    export_link = st.empty()
    # one panel at a time: only what is shown is computed and sent (tabs would build and send all three)
    panel = (
        st.segmented_control(
            t("explore.panel"),
            PANELS,
            format_func=bound(lambda p: t(f"explore.tab_{p}")),
            key="explore_panel",
            selection_mode="single",
            label_visibility="collapsed",
        )
        or "profile"
    )
    panel_content(v, panel, chosen, counts)
    remember_view(v, chosen, export_link)


def pick_mode(data: Dataset, changing: list[str]) -> str:
    """The view: one indicator, need, the official classification (where the data has it), or change."""
    modes = view.modes(has_type=maps.has_official_type(data), has_change=bool(changing), coverage=False)
    if st.session_state.get("explore_mode") not in modes:
        st.session_state["explore_mode"] = "indikator"
    # one compact bar above the map, so that the map is in the first screen on a phone and on a laptop:
    # the view, the indicator, and the rarer settings in pop-overs (they open over the page)
    return (
        st.segmented_control(
            t("explore.mode"),
            modes,
            format_func=bound(lambda m: t(f"explore.mode_{m}")),
            key="explore_mode",
            selection_mode="single",
            label_visibility="collapsed",
        )
        or "indikator"
    )


def indicator_controls(
    bar: DeltaGenerator, mode: str, available: list[str]
) -> tuple[str, str, int, list[float]]:
    """The indicator and its classification (in a pop-over); in the other views the last ones chosen."""
    if mode == "indikator":
        if st.session_state.get("explore_indicator") not in available:
            st.session_state["explore_indicator"] = maps.default_indicator(available, cat)
        indicator = bar.selectbox(
            t("explore.indicator"),
            options=available,
            key="explore_indicator",
            format_func=bound(lambda i: f"{cat.get(i).label(lang())} ({cat.get(i).unit_label(lang())})"),
            label_visibility="collapsed",
            width=420,
        )
        with bar.popover(t("explore.classification"), icon=":material/palette:", key="explore_classes_menu"):
            scheme, k, breaks = classification_controls()
        meaning = glossary.for_indicator(indicator, lang())
        explain_words(
            "explore", first=[(cat.get(indicator).label(lang()), meaning)] if meaning else [], where=bar
        )
        return indicator, scheme, k, breaks
    indicator = cast(
        "str", st.session_state.get("explore_indicator") or maps.default_indicator(available, cat)
    )
    explain_words("explore", where=bar)
    return indicator, st.session_state.get("explore_scheme", "quantiles"), 5, []


def recipe_controls(bar: DeltaGenerator, mode: str, available: list[str]) -> tuple[list[need.Component], str]:
    """The need index's recipe: edited in a pop-over in the need view, kept as it is in the others."""
    if mode == "index":
        with bar.popover(t("explore.index_title"), icon=":material/tune:", key="explore_index_menu"):
            components = index_controls(available) or need.default_components(available, cat)
            norm = cast(
                "str",
                st.selectbox(
                    t("explore.normalisation"),
                    need.NORMALISATIONS,
                    key="explore_norm",
                    format_func=bound(lambda n: t(f"need.norm_{n}")),
                ),
            )
            st.markdown(t("need.explanation"))
        return components, norm
    # the index still drives the class filter and the Steckbrief: its recipe is kept, not drawn
    keep_recipe(available)
    return need_components()


def filter_controls(bar: DeltaGenerator, data: Dataset) -> SimpleNamespace:
    """
    Filters in a pop-over (Stadtbezirke, need classes, near a Welcome Point or home) and the background map.

    Returns `bezirke`, `classes`, `wp`, `km`, `tiles` and `near` (x, y, metres around a Welcome Point or
    home; None without).
    """
    active = sum(
        bool(st.session_state.get(k))
        for k in ("explore_bezirke", "explore_classes", "explore_wp", "explore_use_home")
    )
    label = t("explore.filters") + (f" ({i18n.format_number(active, lang(), decimals=0)})" if active else "")
    with bar.popover(label, icon=":material/filter_alt:", key="explore_filter_menu"):
        bezirke = multiselect(
            t("explore.filter_bezirk"),
            sorted(data.spaces["stadtbezirk"].unique()),
            key="explore_bezirke",
            format_func=bound(lambda b: t("map.bezirk_label", n=b)),
        )
        classes = multiselect(
            t("explore.filter_class"),
            [1, 2, 3, 4, 5],
            key="explore_classes",
            format_func=bound(lambda c: t(need.CLASS_KEYS[c - 1])),
        )
        points = welcome_point_labels_current()
        wp = st.selectbox(
            t("explore.filter_wp"),
            [None, *points],
            key="explore_wp",
            format_func=bound(lambda w: t("explore.filter_none") if w is None else points.get(w, str(w))),
        )
        home = st.session_state.get("explore_home")
        use_home = st.toggle(
            t("explore.filter_home"),
            key="explore_use_home",
            help=t("explore.filter_home_help"),
            disabled=home is None,
        )
        km = km_slider(t("explore.filter_km"), key="explore_km")
        st.divider()
        tiles = st.toggle(t("explore.tiles"), value=False, help=t("explore.tiles_help"), key="explore_tiles")
    near = None
    if use_home and home is not None:
        near = (home[1], home[0], km * 1000)
    elif wp is not None:
        point = data.welcome_points.loc[data.welcome_points["welcome_point_id"] == wp].geometry.iloc[0]
        near = (point.x, point.y, km * 1000)
    return SimpleNamespace(bezirke=bezirke, classes=classes, wp=wp, km=km, tiles=tiles, near=near)


def partner_controls(bar: DeltaGenerator) -> tuple[bool, tuple[str, ...], tuple[str, ...]]:
    """Partners on the map (a pop-over): whether shown, and by which topics and languages."""
    views = partner_views(principal())
    topics, spoken = partners.topics_and_languages(views)
    shown = bool(st.session_state.get("explore_partners"))
    with bar.popover(t("explore.partners_menu"), icon=":material/handshake:", key="explore_partner_menu"):
        st.toggle(t("explore.partners_show"), key="explore_partners", help=t("explore.partners_help"))
        partner_topics = multiselect(
            t("partners.topic_label"),
            topics,
            key="explore_partner_topics",
            format_func=bound(lambda x: t(f"partners.topic.{x}")),
        )
        partner_languages = multiselect(
            t("partners.language_filter"),
            spoken,
            key="explore_partner_languages",
            format_func=bound(lambda x: i18n.language_name(x, lang())),
        )
    return (shown, tuple(partner_topics), tuple(partner_languages))


def map_view(
    mode: str, indicator: str, classified: tuple, recipe: tuple, f: SimpleNamespace, *, change: object
) -> view.MapView:
    """What the controls above decided, as the map view (the page address and the Export page read it)."""
    scheme, k, breaks = classified
    components, norm = recipe
    changed = cast("dynamics.Change | None", change)
    return view.MapView(
        mode=mode,  # type: ignore[arg-type]
        indicator=changed.indicator if changed is not None else indicator if mode == "indikator" else None,
        scheme=scheme,
        k=k,
        breaks=tuple(breaks),
        components=tuple(components) if mode == "index" else (),
        normalisation=norm,
        bezirke=tuple(f.bezirke),
        classes=tuple(f.classes),
        welcome_point=f.wp,
        distance_km=f.km if f.wp else None,
        change_from=changed.start if changed is not None else None,
        change_to=changed.end if changed is not None else None,
        change_how=changed.how if changed is not None else "percent",
    )


def controls(
    data: Dataset, available: list[str], changing: list[str], labels: dict[str, str]
) -> SimpleNamespace:
    """
    The compact bar above the map (the map stays in the first screen of a phone and a laptop): the view, the
    indicator, and the rarer settings in pop-overs. Returns what it decided, for the map and its panel.
    """
    mode = pick_mode(data, changing)
    bar = st.container(horizontal=True, vertical_alignment="bottom", gap="small")
    with bar:
        mapview.locate_button(t("near.button"), t("near.busy"), key="explore_locate", on_located=on_located)
    indicator, scheme, k, breaks = indicator_controls(bar, mode, available)
    change = change_controls(bar, data, changing) if mode == "wandel" else None
    components, norm = recipe_controls(bar, mode, available)
    result, changes = need_current(components, norm)
    f = filter_controls(bar, data)
    partner_layer = partner_controls(bar)
    matching = profile.matching_ids(
        data.spaces, bezirke=tuple(f.bezirke), classes=tuple(f.classes), need=result, near=f.near
    )
    return SimpleNamespace(
        view=map_view(mode, indicator, (scheme, k, breaks), (components, norm), f, change=change),
        data=data,
        indicator=indicator,
        result=result,
        changes=changes,
        matching=matching,
        near=f.near,
        ids=set(data.spaces["sozialraum_id"]),
        labels=labels,
        available=available,
        components=components,
        norm=norm,
        tiles=f.tiles,
        change=change,
        partner_layer=partner_layer,
    )


with friendly_errors():
    data, geometry = load_current()
    cat = data.catalogue
    demo_notice(data.meta)
    available = indicators_current()
    changing = changing_indicators()
    if not st.session_state.get("explore_seeded"):  # the link is read on a session's first run only
        known = {
            "sozialraum_ids": set(data.spaces["sozialraum_id"]),
            "welcome_point_ids": set(data.welcome_points["welcome_point_id"]),
            "bezirk_ids": view.bezirk_ids(data.spaces),
        }
        seed_from_url(
            view.from_params(st.query_params.to_dict(), indicators=available, changing=changing, **known)
        )
    if not available:
        st.info(t("explore.no_indicators"))
        st.stop()
    v = controls(data, available, changing, labels_current())
    details(v)
    if v.change is not None:
        show_status_dynamics(v.change, v.result)
