"""Start: what this is and what to do next, for the public, for a connector and for a coordinator."""

import pandas as pd
import streamlit as st

from app_pages import mapview
from app_pages.ui.caches import run_memo
from app_pages.ui.datasets import (
    base_current,
    labels_current,
    load_current,
    need_current,
    places_current,
    register,
)
from app_pages.ui.page import demo_notice, explain_words, friendly_errors
from app_pages.ui.people import login_form, oidc_configured, principal
from app_pages.ui.records import need_components
from app_pages.ui.text import lang, plain, t
from app_pages.ui.widgets import language_buttons, open_panel
from geo.analysis import need, view
from geo.core import i18n
from geo.core.access import Action, Principal
from geo.core.errors import SozialraumError
from geo.output import maps, webmap
from geo.register import start

#: The page behind each step (see `geo.register.start.Step.page`).
PAGES = {
    "explore": "app_pages/explore.py",
    "concerns": "app_pages/concerns.py",
    "activities": "app_pages/activities.py",
    "programme": "app_pages/programme.py",
    "coverage": "app_pages/coverage.py",
}
ICONS = {
    "map": ":material/map:",
    "nearby": ":material/near_me:",
    "concerns": ":material/forum:",
    "concern": ":material/edit_note:",
    "activity": ":material/event:",
    "hours": ":material/schedule:",
    "answer": ":material/reply:",
    "gaps": ":material/radar:",
    "agenda": ":material/groups:",
}


def go(step: start.Step, *, selected: str | None = None) -> None:
    """Open the step's page on its panel (and, for the map, with a Sozialraum selected)."""
    if step.page == "explore":
        open_panel("explore", step.panel or "profile")
        if selected:
            st.session_state["explore_selected"] = selected
        st.switch_page(PAGES["explore"], query_params={"sr": selected} if selected else None)
    open_panel(step.page, step.panel)
    st.switch_page(PAGES[step.page])


def presets(s: start.Start, step: start.Step, who: Principal) -> None:
    """What the step opens with: the oldest concern waiting for an answer, the activity whose hours are due."""
    if step.key == "answer" and not s.waiting.empty:
        st.session_state["concerns_pick"] = int(s.waiting["concern_id"].iloc[0])
    if step.key == "activity" and s.sozialraum_ids:  # a tandem plans where it works: its first Sozialraum
        st.session_state["activities_new_place"] = s.sozialraum_ids[0]
    if step.key == "hours" and who.connector_id is not None:
        st.session_state["programme_person_hours_view"] = who.connector_id
        if not s.hours_due.empty:
            activity = int(s.hours_due["activity_id"].iloc[0])
            st.session_state[f"programme_hours_activity_{who.connector_id}"] = activity


def steps(s: start.Start, who: Principal) -> None:
    """The next steps as large buttons, the first one highlighted."""
    row = st.container(horizontal=True, gap="small", key="start_steps")
    for i, step in enumerate(s.steps):
        if row.button(
            t(f"start.do_{step.key}"),
            key=f"start_do_{step.key}",
            icon=ICONS.get(step.key),
            type="primary" if i == 0 else "secondary",
            width="stretch",
        ):
            presets(s, step, who)
            go(step)


def public(s: start.Start) -> None:
    st.title(t("start.title_public"))
    language_buttons("start_lang")
    st.markdown(t("start.intro_public"))
    steps(s, Principal.public())
    explain_words("start")
    if oidc_configured() and st.user.is_logged_in:
        return  # the sidebar says why the provider's login is not enough here
    st.subheader(t("start.login_title"))
    st.markdown(t("start.login_intro"))
    with st.expander(t("app.login_title"), icon=":material/login:"):
        login_form("start")


def places_text(ids: tuple[str, ...], labels: dict[str, str]) -> str:
    return ", ".join(plain(labels.get(i, i)) for i in ids) or t("start.no_places")


def my_tandems(s: start.Start, labels: dict[str, str]) -> None:
    if not s.tandems:
        st.info(t("start.no_tandem"), icon=":material/group_add:")
        return
    st.subheader(t("start.tandems", n=len(s.tandems)))
    for card in s.tandems:
        with st.container(border=True):
            st.markdown(f"**{plain(card.name)}**")
            st.markdown(t("start.places", places=places_text(card.sozialraum_ids, labels)))
            row = st.container(horizontal=True, gap="small")
            for sid in card.sozialraum_ids:
                if row.button(
                    plain(names().get(sid, sid)),
                    key=f"start_sr_{card.id}_{sid}",
                    icon=":material/map:",
                    help=t("start.open_on_map"),
                ):
                    go(start.Step("map", "explore", "profile"), selected=sid)


def names() -> dict[str, str]:
    """Sozialraum ID -> its name (the short form for buttons and lists), built once per run."""
    memo = run_memo()
    if "start_names" not in memo:
        spaces = load_current()[0].spaces
        memo["start_names"] = dict(zip(spaces["sozialraum_id"], spaces["name"], strict=True))
    return dict(memo["start_names"])


def small_map(s: start.Start) -> None:
    """The person's Sozialräume on a small map, coloured by need; a tap opens one on the big map."""
    if not s.sozialraum_ids:
        return
    data, _geometry = load_current()
    components, norm = need_components()
    result, _stability = need_current(components, norm)
    base = base_current()
    style = webmap.style_payload(
        base,
        maps.style_need(result, lang=lang(), cat=data.catalogue),
        webmap.lines_for(data, "index", result=result, lang=lang()),
        data,
        overlay=webmap.Overlay(shortlist=s.sozialraum_ids, focus=s.sozialraum_ids),
        lang=lang(),
        height=280,
    )
    mapview.show_map(base, style, key="start_map", on_click=lambda: on_small_map(set(base.ids)))


def on_small_map(known: set[str]) -> None:
    """The small map's callback (before the page runs): remember the Sozialraum tapped."""
    hit, _place = view.click_target(mapview.clicked("start_map"), known)
    if hit is not None:
        st.session_state["start_open"] = hit


def due(s: start.Start) -> None:
    st.subheader(t("start.due"))
    if s.due_count == 0:
        st.markdown(t("start.due_none"))
        return
    lines = []
    for row in s.hours_due.itertuples():
        lines.append(
            t("start.hours_due", title=plain(row.title), date=i18n.format_date(row.starts_at, lang()))
        )
    if s.ending is not None:
        lines.append(t("start.ending", date=i18n.format_date(s.ending, lang())))
    if s.waiting_count:
        lines.append(t("start.waiting_count", n=s.waiting_count))
    for row in s.endings.itertuples():
        lines.append(
            t("start.ending_of", name=plain(row.name), date=i18n.format_date(row.planned_end, lang()))
        )
    st.markdown("\n".join(f"- {line}" for line in lines))


def upcoming(s: start.Start, labels: dict[str, str]) -> None:
    st.subheader(t("start.upcoming"))
    if s.upcoming.empty:
        st.markdown(t("start.upcoming_none", days=start.UPCOMING_DAYS))
        return
    st.markdown(
        "\n".join(
            "- "
            + t(
                "start.upcoming_row",
                date=i18n.format_date(r.starts_at, lang(), time=True),
                title=plain(r.title),
                place=plain(names().get(r.sozialraum_id, r.sozialraum_id)),
            )
            for r in s.upcoming.itertuples()
        )
    )


def news(s: start.Start) -> None:
    st.subheader(t("start.news"))
    if s.news.empty:
        st.markdown(t("start.news_none"))
        return
    st.markdown(
        "\n".join(
            "- "
            + t(
                "start.news_row",
                thema=plain(r.thema),
                status=t(f"concerns.status_{r.status}"),
                date=i18n.format_date(r.created_at, lang()),
            )
            for r in s.news.itertuples()
        )
    )
    if st.button(t("start.news_open"), key="start_news_open", icon=":material/forum:"):
        go(start.Step("concerns", "concerns", "mine"))


def waiting(s: start.Start, labels: dict[str, str]) -> None:
    st.subheader(t("start.waiting"))
    if s.waiting.empty:
        st.markdown(t("start.waiting_none"))
        return
    st.markdown(
        "\n".join(
            "- "
            + t(
                "start.waiting_row",
                thema=plain(r.thema),
                places=places_text(tuple(i for i in str(r.sozialraum_ids).split(",") if i), labels),
                n=int(r.days),
            )
            for r in s.waiting.itertuples()
        )
    )
    if s.waiting_count > len(s.waiting):
        st.caption(t("start.more", n=s.waiting_count - len(s.waiting)))


def gaps(s: start.Start) -> None:
    st.subheader(t("start.gaps"))
    if s.gaps.empty:
        st.markdown(t("start.gaps_none"))
        return
    st.markdown(t("start.gaps_count", n=s.gap_count))
    st.markdown(
        "\n".join(
            "- "
            + t(
                "start.gap_row",
                name=plain(r.name),
                need=t(need.CLASS_KEYS[int(r.need_class) - 1]),
                people=i18n.format_number(r.population, lang(), decimals=0)
                if pd.notna(r.population)
                else "–",
            )
            for r in s.gaps.itertuples()
        )
    )


def meeting(s: start.Start) -> None:
    st.subheader(t("start.meeting"))
    if s.last_meeting is None:
        st.markdown(t("start.meeting_none"))
    else:
        st.markdown(t("start.meeting_last", date=i18n.format_date(s.last_meeting, lang())))


def person(who: Principal, s: start.Start) -> None:
    labels = labels_current()
    st.title(t("start.hello", name=plain(s.name or who.label)))
    st.markdown(t("start.intro_coordinator" if s.kind == "coordinator" else "start.intro_connector"))
    steps(s, who)
    due(s)
    if s.kind == "coordinator":
        waiting(s, labels)
        gaps(s)
        meeting(s)
    if opened := st.session_state.pop("start_open", None):
        go(start.Step("map", "explore", "profile"), selected=opened)
    if s.tandems or s.kind == "connector":
        my_tandems(s, labels)
        small_map(s)
        upcoming(s, labels)
        news(s)


with friendly_errors():
    if set(st.query_params) & view.PARAMETERS:  # an older shared map link ("/?indikator=…"): the map
        st.switch_page(PAGES["explore"], query_params=st.query_params.to_dict())
    data, _geometry = load_current()
    demo_notice(data.meta)
    who = principal()
    try:
        reg = register() if not who.is_public else None
    except SozialraumError:
        reg = None
    places = places_current() if who.may(Action.READ_CONCERNS) else pd.DataFrame()
    s = start.start(reg, places, by=who)
    if s.kind == "public":
        public(s)
    else:
        person(who, s)
