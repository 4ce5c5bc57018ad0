"""Aktivitäten: plan and record what tandems do; list, month calendar, map, calendar file per tandem."""

from datetime import date, datetime, time, timedelta

import pandas as pd
import streamlit as st

from app_pages import mapview
from app_pages.ui.datasets import base_current, labels_current, load_current, register
from app_pages.ui.page import explain_words, friendly_errors
from app_pages.ui.people import principal
from app_pages.ui.records import partner_views
from app_pages.ui.text import bound, labelled, lang, plain, t
from app_pages.ui.widgets import (
    distinct,
    forget_opened,
    multiselect,
    opened_version,
    panels,
    pick_sozialraum,
    pick_tandem,
    tandem_names,
)
from geo.core import i18n
from geo.core.access import Action, Principal
from geo.core.tables import localized
from geo.output import formats, maps, webmap
from geo.register import journal, knowledge, programme

st.title(t("activities.title"))
explain_words("activities")
WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")


def when_fields() -> tuple[datetime, datetime]:
    """Day, start time and length of an activity; returns its start and end."""
    c1, c2, c3 = st.columns(3)
    day = c1.date_input(
        t("activities.date"), value=date.today(), format="DD.MM.YYYY", key="activities_new_day"
    )
    start = c2.time_input(t("activities.time"), value=time(17, 0), key="activities_new_time")
    hours = c3.selectbox(
        t("activities.hours"),
        [h / 2 for h in range(1, 25)],  # half an hour to twelve hours
        index=3,
        format_func=bound(lambda h: i18n.format_number(h, lang(), decimals=1, trim=True)),
        key="activities_new_hours",
    )
    starts = datetime.combine(day, start)
    return starts, starts + timedelta(hours=hours)


def where_fields(labels: dict[str, str], points: dict[str, str]) -> dict[str, object]:
    """Where an activity takes place: its Sozialraum, a Welcome Point or another venue, the marked place."""
    sid = pick_sozialraum(labels, key="activities_new_place")
    wp = st.selectbox(
        t("activities.venue_wp"),
        [None, *points],
        format_func=bound(lambda w: points.get(w, "–")),
        key="activities_new_wp",
    )
    venue = st.text_input(t("activities.venue"), key="activities_new_venue")
    point = st.session_state.get("explore_home_candidate")
    use_point = st.checkbox(
        t("concerns.use_point"),
        disabled=point is None,
        help=t("concerns.use_point_help"),
        key="activities_new_use_point",
    )
    return {
        "sozialraum_id": sid or "",
        "welcome_point_id": wp,
        "venue": venue or points.get(wp or "", ""),
        "point": tuple(point) if use_point and point else None,
    }


def about_fields() -> dict[str, object]:
    """Who an activity is for, in which languages, its state, how many are expected, notes."""
    languages = st.text_input(t("tandems.languages"), key="activities_new_languages")
    target = st.text_input(t("activities.target_group"), key="activities_new_target")
    status = st.selectbox(
        t("activities.status"),
        journal.ACTIVITY_STATUSES,
        index=1,
        format_func=bound(lambda s: t(f"activities.status_{s}")),
        key="activities_new_status",
    )
    expected = st.number_input(t("activities.expected"), 0, 10_000, 0, key="activities_new_expected")
    notes = st.text_area(t("activities.notes"), key="activities_new_notes")
    return {
        "languages": languages,
        "target_group": target,
        "status": status,
        "expected": expected or None,
        "notes": notes,
    }


def save_activity(who: Principal, fields: dict, known: set[str], when: tuple[datetime, datetime]) -> None:
    """Save the new activity, warn beside the form about members who cannot come, and empty the form."""
    starts, ends = when
    new_id = journal.add_activity(
        register(), by=who, starts_at=starts, ends_at=ends, known_ids=known, **fields
    )
    st.session_state["activities_flash"] = t("activities.saved", title=plain(str(fields["title"])))
    tandem = fields["tandem_id"]
    if tandem is not None:
        checks = programme.planning_check(register(), tandem, starts, ends, by=who, ignore_activity=new_id)
        st.session_state["activities_flash_warnings"] = planning_lines(checks)
    st.session_state["activities_new_clear"] = True
    st.rerun()


def new_activity(who: Principal, labels: dict[str, str], points: dict[str, str], known: set[str]) -> None:
    """The form to plan or record an activity (connectors for their own tandems; coordinators for any)."""
    if not who.may_for_some_tandem(Action.WRITE_ACTIVITY):
        st.info(
            t("activities.login_to_plan") if who.is_public else t("concerns.no_tandem"),
            icon=":material/lock:",
        )
        return
    if st.session_state.pop("activities_new_clear", False):  # after a save: an empty form again
        for key in [k for k in st.session_state if str(k).startswith("activities_new_")]:
            del st.session_state[key]
    with st.form("activities_new", clear_on_submit=False):
        kind = st.selectbox(
            t("activities.kind"),
            journal.ACTIVITY_KINDS,
            format_func=bound(lambda k: t(f"activities.kind_{k}")),
            key="activities_new_kind",
        )
        title = st.text_input(t("activities.title_field"), key="activities_new_title")
        when = when_fields()
        where = where_fields(labels, points)
        tandem = pick_tandem(
            t("concerns.tandem"),
            empty="–" if who.all_tandems() else None,
            only=None if who.all_tandems() else who.tandem_ids,
            key="activities_new_tandem",
        )
        about = about_fields()
        b1, b2 = st.columns(2)
        save = b1.form_submit_button(t("tandems.save"))
        check = b2.form_submit_button(t("activities.check_people"))
        if check:
            who_can(who, tandem, *when)
        if save:
            save_activity(
                who, {"kind": kind, "title": title, "tandem_id": tandem, **where, **about}, known, when
            )


def planning_lines(checks: list[programme.MemberCheck]) -> list[str]:
    """What to warn about after planning: members not available, and clashes."""
    lines = []
    for c in checks:
        person = plain(c.name) or t("activities.member", id=c.connector_id)
        if c.available is False:
            lines.append(t("activities.not_available", person=person))
        for clash in c.clashes:
            lines.append(t("activities.clash", person=person, activity=plain(clash)))
    return lines


def who_can(who: Principal, tandem: int | None, starts: datetime, ends: datetime) -> None:
    """Which members of the tandem are available then, and their clashes (before saving)."""
    if tandem is None:
        st.info(t("activities.pick_tandem_first"))
        return
    for c in programme.planning_check(register(), tandem, starts, ends, by=who):
        person = plain(c.name) or t("activities.member", id=c.connector_id)
        state = {True: "available", False: "not_available", None: "unknown"}[c.available]
        text = t(f"activities.{state}", person=person)
        if c.clashes:
            text += " " + " ".join(t("activities.clash", person=person, activity=plain(x)) for x in c.clashes)
        (st.success if c.available and not c.clashes else st.warning)(text)


def filtered(who: Principal, labels: dict[str, str]) -> pd.DataFrame:
    """Filters by tandem, Sozialraum, status and period; the matching activities."""
    c1, c2, c3 = st.columns(3)
    tandem = pick_tandem(t("concerns.tandem"), empty=t("activities.all"), key="activities_f_tandem", where=c1)
    sid = c2.selectbox(
        t("tandems.sozialraum"),
        [None, *labels],
        format_func=bound(lambda i: labels.get(i, t("activities.all"))),
        key="activities_f_sr",
    )
    status = c3.selectbox(
        t("activities.status"),
        [None, *journal.ACTIVITY_STATUSES],
        key="activities_f_status",
        format_func=bound(lambda s: t(f"activities.status_{s}") if s else t("activities.all")),
    )
    period = st.date_input(
        t("activities.period"),
        value=(date.today() - timedelta(days=90), date.today() + timedelta(days=180)),
        format="DD.MM.YYYY",
        key="activities_f_period",
    )
    start, end = (period[0], period[1]) if isinstance(period, tuple) and len(period) == 2 else (None, None)
    return journal.activities(
        register(), by=who, tandem_id=tandem, sozialraum_id=sid, status=status, start=start, end=end
    )


def activity_table(frame: pd.DataFrame, labels: dict[str, str]) -> None:
    """The activities as a table (an activity without numbers yet shows "–", not "None")."""
    table = pd.DataFrame(
        {
            t("activities.date"): i18n.format_dates(frame["starts_at"], lang(), time=True),
            t("activities.title_field"): frame["title"],
            t("activities.kind"): frame["kind"].map(lambda k: t(f"activities.kind_{k}")),
            t("tandems.sozialraum"): frame["sozialraum_id"].map(labels),
            t("concerns.tandem"): frame["tandem"],
            t("activities.status"): frame["status"].map(lambda s: t(f"activities.status_{s}")),
            t("activities.expected"): frame["expected"],
            t("activities.actual"): frame["actual"],
        }
    )
    decimals = {t("activities.expected"): 0, t("activities.actual"): 0}
    st.dataframe(localized(table, lang(), decimals=decimals), hide_index=True, width="stretch")


def outcome_form(who: Principal, chosen: int, row: pd.Series) -> None:
    """Record how an activity went: its state, how many came, notes (a stale form is refused, not lost)."""
    version = opened_version("activities", chosen, int(row["version"]))
    with st.form("activities_edit"):
        status = st.selectbox(
            t("activities.status"),
            journal.ACTIVITY_STATUSES,
            format_func=bound(lambda s: t(f"activities.status_{s}")),
            index=journal.ACTIVITY_STATUSES.index(row["status"]),
        )
        actual = st.number_input(
            t("activities.actual"), 0, 10_000, int(row["actual"]) if pd.notna(row["actual"]) else 0
        )
        notes = st.text_area(t("activities.notes"), value=row["notes"])
        if st.form_submit_button(t("tandems.save")):
            journal.update_activity(
                register(), chosen, by=who, version=version, status=status, actual=actual or None, notes=notes
            )
            forget_opened("activities")
            st.session_state["activities_flash"] = t("activities.saved", title=plain(row["title"]))
            st.rerun()


def listing(who: Principal, frame: pd.DataFrame, labels: dict[str, str]) -> None:
    """The activities as a table; record the outcome of one (own tandems; coordinators any)."""
    if frame.empty:
        st.info(t("activities.none"))
        return
    activity_table(frame, labels)
    by_id = frame.set_index("id")
    editable = [
        i for i in by_id.index if who.may(Action.WRITE_ACTIVITY, tandem_id=_tandem(by_id.at[i, "tandem_id"]))
    ]
    if not editable:
        return
    names = {
        int(i): f"{i18n.format_date(by_id.at[i, 'starts_at'], lang())} {by_id.at[i, 'title']}"
        for i in editable
    }
    chosen = st.selectbox(
        t("activities.pick"), editable, key="activities_pick", format_func=labelled(distinct(names))
    )
    if chosen is None:  # the list is not empty here; a selectbox may still answer None
        return
    row = by_id.loc[chosen]
    outcome_form(who, int(chosen), row)
    if row["status"] == "durchgefuehrt" and who.may(
        Action.WRITE_DEBRIEF, tandem_id=_tandem(row["tandem_id"])
    ):
        debrief_form(who, int(chosen), row)


def partner_choice(who: Principal, sozialraum_id: str) -> tuple[list[str], dict[str, str]]:
    """Partners one may name in a look back, those of the activity's Sozialraum first; their names by ID."""
    views = partner_views(who)
    here = [v.id for v in views if sozialraum_id in v.sozialraum_ids]
    return [*here, *(v.id for v in views if v.id not in here)], {v.id: v.name for v in views}


def save_debrief(
    who: Principal, activity_id: int, debrief: knowledge.DebriefInput, public: bool | None
) -> None:
    """Save the look back; coordinators also decide whether it is public (`public` None: not theirs to say)."""
    debrief_id = knowledge.save_debrief(register(), activity_id, debrief, by=who)
    now = knowledge.debrief_state(register(), activity_id)
    if public is not None and now is not None and now[2] != public:
        knowledge.publish_debrief(register(), debrief_id, by=who, public=public, version=now[1])


def debrief_form(who: Principal, activity_id: int, row: pd.Series) -> None:
    """What worked: a short look back after a held activity, in plain words and any language."""
    st.markdown(f"**{t('knowledge.debrief_title')}**")
    st.caption(t("knowledge.debrief_hint"))
    current = knowledge.debrief_of(register(), activity_id, by=who) or knowledge.DebriefInput()
    state = knowledge.debrief_state(register(), activity_id)
    options, names = partner_choice(who, row["sozialraum_id"])
    with st.form(f"activities_debrief_{activity_id}"):
        reached_default = current.reached if current.reached is not None else row["actual"]
        reached = st.number_input(
            t("knowledge.reached_label"), 0, 10_000, int(reached_default) if pd.notna(reached_default) else 0
        )
        groups = st.text_input(t("knowledge.groups"), value=current.groups, help=t("knowledge.groups_help"))
        spoken = st.text_input(t("knowledge.languages"), value=current.languages)
        took_part = multiselect(
            t("knowledge.partners_took_part"),
            options,
            default=[p for p in current.partner_ids if p in options],
            format_func=bound(lambda p: names.get(p, p)),
        )
        worked = st.text_area(t("knowledge.worked"), value=current.worked)
        differently = st.text_area(t("knowledge.differently"), value=current.differently)
        repeat = st.radio(
            t("knowledge.repeat"),
            knowledge.REPEAT_CHOICES,
            index=knowledge.REPEAT_CHOICES.index(current.repeat),
            format_func=bound(lambda r: t(f"knowledge.repeat.{r}")),
            horizontal=True,
        )
        public = None
        if who.may(Action.PUBLISH_DEBRIEF):
            public = st.checkbox(
                t("knowledge.public"), value=bool(state and state[2]), help=t("knowledge.public_help")
            )
        if st.form_submit_button(t("knowledge.debrief_save"), type="primary"):
            debrief = knowledge.DebriefInput(
                worked=worked,
                differently=differently,
                repeat=str(repeat),
                reached=int(reached),
                groups=groups,
                languages=spoken,
                partner_ids=tuple(took_part),
                lang=lang(),
            )
            with friendly_errors():
                save_debrief(who, activity_id, debrief, public)
                st.session_state["activities_debrief_flash"] = t(
                    "knowledge.debrief_saved", title=plain(row["title"])
                )
                st.rerun()
    if flash := st.session_state.pop("activities_debrief_flash", None):  # below the button just used
        st.success(flash, icon=":material/check_circle:")


def _tandem(value: object) -> int | None:
    return int(value) if pd.notna(value) else None  # type: ignore[call-overload]


def calendar(frame: pd.DataFrame) -> None:
    """A month at a glance."""
    today = date.today()
    c1, c2 = st.columns(2)
    year = c1.number_input(t("activities.year"), 2020, 2100, today.year, key="activities_year")
    month = c2.selectbox(
        t("activities.month"), list(range(1, 13)), index=today.month - 1, key="activities_month"
    )
    grid = formats.month_grid(frame, int(year), int(month), weekdays=WEEKDAYS)
    st.table(grid.map(plain))  # st.table reads Markdown in cells: titles are shown as typed


def activity_map(frame: pd.DataFrame, data: object, geometry: maps.MapGeometry) -> None:
    """Activities as orange pins: at the venue point, the Welcome Point, or inside their Sozialraum."""
    located = formats.activity_locations(frame, data.spaces, data.welcome_points)  # type: ignore[attr-defined]
    base = base_current()
    style = webmap.style_payload(
        base,
        maps.style_pins(data, lang=lang()),  # type: ignore[arg-type]
        pd.Series(dtype=str),
        data,  # type: ignore[arg-type]
        overlay=webmap.Overlay(pins=located.assign(kind="activity")),
        lang=lang(),
        height=480,
    )
    mapview.show_map(base, style, key="activities_map", on_click=lambda: None)


def calendar_file(who: Principal) -> None:
    """A tandem's activities as an iCalendar file, for the phone's own calendar."""
    if not tandem_names():
        st.info(t("tandems.none"))
        return
    tandem = pick_tandem(t("concerns.tandem"), empty=None, key="activities_ics_tandem")
    if tandem is not None:  # without an empty option the chooser always answers a tandem
        st.download_button(
            t("activities.ics_download"),
            formats.ics(register(), tandem, by=who),
            f"aktivitaeten-{tandem}.ics",
            "text/calendar",
            key="activities_ics",
        )
        st.caption(t("activities.ics_help"))


with friendly_errors():
    data, geometry = load_current()
    labels = labels_current()  # made once per dataset version for all sessions
    points = dict(zip(data.welcome_points["welcome_point_id"], data.welcome_points["name"], strict=True))
    who = principal()
    panel, boxes = panels(
        "activities",
        {
            "new": t("activities.tab_new"),
            "list": t("activities.tab_list"),
            "calendar": t("activities.tab_calendar"),
            "map": t("activities.tab_map"),
            "ics": t("activities.tab_ics"),
        },
    )
    with boxes[panel], friendly_errors():
        if flash := st.session_state.pop("activities_flash", None):  # beside the form that was used
            st.success(flash, icon=":material/check_circle:")
        for warning in st.session_state.pop("activities_flash_warnings", []):
            st.warning(warning, icon=":material/event_busy:")
        if panel == "new":
            new_activity(who, labels, points, set(labels))
        elif panel in ("list", "calendar", "map"):
            frame = filtered(who, labels)  # the same filters on the three views
            if panel == "list":
                listing(who, frame, labels)
            elif panel == "calendar":
                calendar(frame)
            else:
                activity_map(frame, data, geometry)
        else:
            calendar_file(who)
