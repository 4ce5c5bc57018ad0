"""Programmjahr: a connector's journey and hours with the certificate, the weekly digest, the monthly meeting."""

from datetime import date

import pandas as pd
import streamlit as st

from app_pages.ui.datasets import load_current, places_current, register, showing_demo
from app_pages.ui.page import explain_words, friendly_errors
from app_pages.ui.people import login_form, principal
from app_pages.ui.text import bound, labelled, lang, plain, t
from app_pages.ui.widgets import multiselect, panels, pick_tandem, prepared_download
from geo.core import i18n
from geo.core.access import Action, Principal
from geo.core.tables import localized
from geo.output import programme_pdfs
from geo.register import digest, impact, journal, programme

st.title(t("programme.title"))
explain_words("programme")


def slot_label(slot: str) -> str:
    """ "mo:abend" as "Mo · Abend" in the user's language."""
    day, _, part = slot.partition(":")
    return f"{t(f'programme.day_{day}')} · {t(f'programme.part_{part}')}"


def journey_view(who: Principal, connector_id: int) -> None:
    """Status with dates, planned end, qualifications, languages, availability; coordinators change them."""
    j = programme.journey(register(), connector_id, by=who)
    today = date.today()
    status = t(f"programme.status_{j.status}") if j.status else t("programme.no_status")
    st.markdown(f"**{plain(j.name)}** · {status}")
    if j.ending_soon(today) and j.planned_end is not None:
        st.warning(
            t("programme.ending_soon", date=i18n.format_date(j.planned_end, lang()), n=j.days_left(today)),
            icon=":material/event_busy:",
        )
    elif j.planned_end is not None:
        st.caption(t("programme.planned_end", date=i18n.format_date(j.planned_end, lang())))
    if j.steps:
        st.dataframe(
            pd.DataFrame(
                {
                    t("programme.since"): [i18n.format_date(d, lang()) for _s, d, _n in j.steps],
                    t("programme.status"): [t(f"programme.status_{s}") for s, _d, _n in j.steps],
                    t("programme.note"): [n for _s, _d, n in j.steps],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    st.markdown(f"**{t('programme.qualifications')}**")
    if j.qualifications:
        st.markdown("\n".join(f"- {plain(n)} ({i18n.format_date(d, lang())})" for n, d in j.qualifications))
    else:
        st.caption(t("programme.no_qualifications"))
    st.markdown(f"**{t('tandems.languages')}:** {plain(', '.join(j.languages)) or '–'}")
    slots = [f"{d}:{p}" for d in programme.WEEKDAYS for p in programme.DAY_PARTS]
    with st.form(f"programme_availability_{connector_id}"):
        chosen = multiselect(
            t("programme.availability"),
            slots,
            default=[f"{d}:{p}" for d, p in j.availability],
            format_func=bound(slot_label),
            help=t("programme.availability_help"),
        )
        if st.form_submit_button(t("tandems.save")):
            programme.set_engagement(
                register(),
                connector_id,
                by=who,
                version=j.version,
                availability={tuple(s.split(":", 1)) for s in chosen},
            )
            st.session_state["programme_flash"] = t("programme.saved")
            st.rerun()
    if who.may(Action.WRITE_REGISTER):
        coordinator_forms(who, j)


def coordinator_forms(who: Principal, j: programme.Journey) -> None:
    """A new status step, the planned end, a qualification (coordinators)."""
    c1, c2 = st.columns(2)
    with c1.form(f"programme_status_{j.connector_id}", clear_on_submit=True):
        status = st.selectbox(
            t("programme.new_status"),
            programme.STATUSES,
            format_func=bound(lambda s: t(f"programme.status_{s}")),
        )
        since = st.date_input(t("programme.since"), value=date.today(), format="DD.MM.YYYY")
        note = st.text_input(t("programme.note"), max_chars=300)
        if st.form_submit_button(t("programme.save_status")):
            programme.set_status(register(), j.connector_id, status, since, by=who, note=note)
            st.session_state["programme_flash"] = t("programme.saved")
            st.rerun()
    with c2.form(f"programme_end_{j.connector_id}"):
        end = st.date_input(
            t("programme.planned_end_field"),
            value=j.planned_end,
            format="DD.MM.YYYY",
            min_value=date(2020, 1, 1),
        )
        if st.form_submit_button(t("programme.save_end")):
            programme.set_engagement(
                register(), j.connector_id, by=who, version=j.version, planned_end=end, set_end=True
            )
            st.session_state["programme_flash"] = t("programme.saved")
            st.rerun()
    with st.form(f"programme_qualification_{j.connector_id}", clear_on_submit=True):
        c3, c4 = st.columns([3, 1])
        name = c3.text_input(t("programme.qualification"), max_chars=200)
        on = c4.date_input(t("programme.obtained_on"), value=date.today(), format="DD.MM.YYYY")
        if st.form_submit_button(t("programme.add_qualification")):
            programme.add_qualification(register(), j.connector_id, name, on, by=who)
            st.session_state["programme_flash"] = t("programme.saved")
            st.rerun()


def hours_tables(frame: pd.DataFrame) -> None:
    """Each activity's hours (time there and preparation), then the totals per month and per year."""
    rows = pd.DataFrame(
        {
            t("certificate.date"): i18n.format_dates(frame["starts_at"], lang()),
            t("certificate.activity"): frame["title"],
            t("certificate.minutes"): frame["minutes"] / 60,
            t("certificate.prep"): frame["prep_minutes"] / 60,
            t("certificate.sum"): frame["hours"],
        }
    )
    hour_columns = [t("certificate.minutes"), t("certificate.prep"), t("certificate.sum")]
    st.dataframe(
        localized(rows, lang(), decimals=dict.fromkeys(hour_columns, 2)), hide_index=True, width="stretch"
    )
    sums = programme.totals(frame)
    per_month = pd.DataFrame(
        {
            t("programme.month"): [
                t("programme.year_total", year=y) if m == 0 else f"{m:02d}.{y}"
                for y, m in zip(sums["year"], sums["month"], strict=True)
            ],
            t("programme.activities"): sums["activities"],
            t("programme.hours"): sums["hours"],
        }
    )
    decimals = {t("programme.hours"): 2, t("programme.activities"): 0}
    st.dataframe(localized(per_month, lang(), decimals=decimals), hide_index=True)


def certificate_download(
    who: Principal, connector_id: int, frame: pd.DataFrame, period: tuple[date, date]
) -> None:
    """The Ehrenamtsnachweis of the period as a PDF, made on request (and recorded in the audit log)."""
    start, end = period

    def certificate() -> bytes:
        journey = programme.journey(register(), connector_id, by=who)
        return programme_pdfs.certificate(journey, frame, start, end, lang="de", demo=showing_demo())

    prepared_download(
        "programme_cert",
        prepare=t("programme.certificate_prepare"),
        key=(connector_id, start, end),
        make=lambda: [
            (
                t("programme.certificate_download"),
                certificate(),
                f"ehrenamtsnachweis-{connector_id}.pdf",
                "application/pdf",
            )
        ],
        on_prepare=lambda: register().record(
            who, "certificate.export", target="connector", target_id=connector_id
        ),
    )


def hours_view(who: Principal, connector_id: int) -> None:
    """Hours in a period with totals per month and year, the certificate, and recording hours."""
    today = date.today()
    c1, c2 = st.columns(2)
    start = c1.date_input(
        t("programme.from"), value=date(today.year, 1, 1), format="DD.MM.YYYY", key="programme_from"
    )
    end = c2.date_input(t("programme.to"), value=today, format="DD.MM.YYYY", key="programme_to")
    frame = programme.hours(register(), connector_id, by=who, start=start, end=end)
    total = float(frame["hours"].sum()) if not frame.empty else 0.0
    rule = programme.ehrenamtskarte(total, start, end) if end >= start else None
    st.metric(t("programme.hours_total"), i18n.format_number(total, lang(), decimals=1))
    if rule is not None:
        key = "programme.card_reached" if rule.reached else "programme.card_not_reached"
        needed = i18n.format_number(rule.needed, lang(), decimals=1)
        st.caption(t(key, needed=needed, per_week=i18n.format_number(rule.per_week, lang(), decimals=1)))
    if frame.empty:
        st.info(t("programme.no_hours"))
    else:
        hours_tables(frame)
    if rule is not None:
        certificate_download(who, connector_id, frame, (start, end))
    record_form(who, connector_id)


def record_form(who: Principal, connector_id: int) -> None:
    """Record the hours of one activity (the person for themselves, coordinators for anyone)."""
    choices = programme.activities_for_hours(register(), connector_id, by=who)
    st.markdown(f"**{t('programme.record_hours')}**")
    if not choices:
        st.caption(t("programme.no_activities"))
        return
    if flash := st.session_state.pop("programme_flash_hours", None):  # beside the form that was used
        st.success(flash, icon=":material/check_circle:")
    activity = st.selectbox(
        t("certificate.activity"),
        list(choices),
        format_func=labelled(choices),
        key=f"programme_hours_activity_{connector_id}",
    )
    if activity is None:
        return
    entered = programme.hours(register(), connector_id, by=who).set_index("activity_id")
    minutes_now, prep_now = (
        (int(entered.at[activity, "minutes"]), int(entered.at[activity, "prep_minutes"]))
        if activity in entered.index
        else (120, 0)
    )
    if activity in entered.index:
        st.caption(t("programme.hours_entered", minutes=minutes_now, prep=prep_now))
    with st.form(f"programme_hours_{connector_id}_{activity}"):  # the values shown are what is stored
        c1, c2 = st.columns(2)
        minutes = c1.number_input(t("programme.minutes"), 0, programme.MAX_MINUTES, minutes_now, step=15)
        prep = c2.number_input(t("programme.prep_minutes"), 0, programme.MAX_MINUTES, prep_now, step=15)
        st.caption(t("programme.zero_removes"))
        if st.form_submit_button(t("tandems.save"), type="primary"):
            programme.record_hours(
                register(), activity, connector_id, by=who, minutes=int(minutes), prep_minutes=int(prep)
            )
            st.session_state["programme_flash_hours"] = t(
                "programme.saved_what", title=plain(choices[activity]), minutes=int(minutes), prep=int(prep)
            )
            st.rerun()


def digest_view(who: Principal) -> None:
    """This week's digest of a tandem and the notices about its concerns; coordinators send it by e-mail."""
    unseen = digest.notices(register(), by=who)
    if not unseen.empty:
        st.markdown(f"**{t('programme.notices', n=len(unseen))}**")
        st.markdown(
            "\n".join(
                f"- #{r.concern_id} {plain(r.thema)}: {t(f'concerns.status_{r.status}')}"
                f" ({i18n.format_date(r.created_at.to_pydatetime(), lang())})"
                for r in unseen.itertuples()
            )
        )
        if st.button(t("programme.mark_seen"), key="programme_seen"):
            digest.mark_seen(register(), [int(i) for i in unseen["id"]], by=who)
            st.rerun()
    tandem = pick_tandem(
        t("concerns.tandem"),
        empty=None,
        only=None if who.all_tandems() else who.tandem_ids,
        key="programme_digest_tandem",
    )
    if tandem is None:
        st.info(t("concerns.no_tandem"))
        return
    subject, body = digest.render(digest.digest(register(), tandem, by=who), lang())
    st.markdown(f"**{plain(subject)}**")
    st.text(body)
    if who.may(Action.WRITE_REGISTER):
        settings = digest.mail_settings()
        if settings is None:
            st.caption(t("programme.no_mail_server"))
        elif st.button(t("programme.send_digests"), key="programme_send"):
            spaces = load_current()[0].spaces
            sent = digest.send_digests(
                register(),
                by=who,
                settings=settings,
                agenda=lambda language: programme_pdfs.group_agenda(
                    impact.group_agenda(register(), by=who), lang=language, demo=showing_demo(), spaces=spaces
                ),
            )
            notes = digest.mail_notices(register(), by=who, settings=settings)
            st.success(t("programme.sent", n=sent.messages, tandems=sent.tandems, notices=notes))


def agenda_pdf(result: impact.Agenda) -> bytes:
    """The monthly meeting's agenda as a PDF, in the page's language."""
    return programme_pdfs.agenda(result, lang=lang(), demo=showing_demo(), spaces=load_current()[0].spaces)


def meeting_view(who: Principal) -> None:
    """The monthly meeting: the agenda (PDF) and what it decided about a concern."""
    result = impact.agenda(register(), places_current(), by=who)
    st.markdown(f"**{t('agenda.waiting')}**")
    st.dataframe(
        pd.DataFrame(
            {
                "#": result.waiting["concern_id"],
                t("concerns.thema"): result.waiting["thema"],
                t("concerns.status"): [t(f"concerns.status_{s}") for s in result.waiting["status"]],
                t("concerns.tandem"): result.waiting["tandem"],
                t("agenda.waiting_days"): result.waiting["waiting_days"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.markdown(f"**{t('agenda.upcoming', n=len(result.upcoming))}**")
    st.dataframe(
        pd.DataFrame(
            {
                t("certificate.date"): i18n.format_dates(result.upcoming["starts_at"], lang(), time=True),
                t("certificate.activity"): result.upcoming["title"],
                t("concerns.tandem"): result.upcoming["tandem"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.markdown(f"**{t('agenda.new_gaps', n=len(result.new_gaps), total=result.gap_count)}**")
    if not result.new_gaps.empty:
        st.markdown("\n".join(f"- {plain(r.name)} ({r.sozialraum_id})" for r in result.new_gaps.itertuples()))
    prepared_download(
        "programme_agenda",
        prepare=t("agenda.prepare"),
        key=(result.today,),
        make=lambda: [
            (
                t("agenda.download"),
                agenda_pdf(result),
                f"monatstreffen-{result.today.isoformat()}.pdf",
                "application/pdf",
            )
        ],
    )
    if who.may(Action.ANSWER_CONCERN):
        concerns = journal.concerns(register(), by=who)
        options = {int(i): f"#{i} {th}" for i, th in zip(concerns["id"], concerns["thema"], strict=True)}
        if not options:  # nothing to decide about (an empty, greyed-out form would be unreadable)
            st.caption(f"{t('agenda.decision')}: {t('concerns.none')}")
            return
        with st.form("programme_decision", clear_on_submit=True):
            st.markdown(f"**{t('agenda.decision')}**")
            chosen = st.selectbox(t("concerns.pick"), list(options), format_func=labelled(options))
            day = st.date_input(t("agenda.meeting_on"), value=date.today(), format="DD.MM.YYYY")
            text = st.text_area(t("agenda.decision_text"))
            if st.form_submit_button(t("agenda.decision_save")) and chosen is not None:
                journal.record_decision(register(), chosen, by=who, text=text, meeting_on=day)
                st.session_state["programme_flash"] = t("agenda.decision_saved")
                st.rerun()


with friendly_errors():
    who = principal()
    flash = st.session_state.pop("programme_flash", None)
    if not (who.may(Action.READ_REGISTER) or who.may(Action.OWN_RECORD)):
        st.info(t("programme.login"), icon=":material/lock:")
        if who.is_public:  # a bookmark of this page: log in here, and the page shows itself
            login_form("programme")
        st.stop()
    options = {
        "journey": t("programme.tab_journey"),
        "hours": t("programme.tab_hours"),
        "digest": t("programme.tab_digest"),
    }
    if who.may(Action.READ_CONCERNS):
        options["meeting"] = t("programme.tab_meeting")
    panel, boxes = panels("programme", options)
    with boxes[panel], friendly_errors():
        if flash:  # beside the form that was used
            st.success(flash, icon=":material/check_circle:")
        if panel in ("journey", "hours"):
            persons = programme.people(register(), by=who)
            if not persons:
                st.info(t("programme.no_record"))
            else:
                view = journey_view if panel == "journey" else hours_view
                person = st.selectbox(
                    t("programme.person"),
                    list(persons),
                    format_func=labelled(persons),
                    key=f"programme_person_{view.__name__}",
                )
                if person is not None:
                    view(who, person)
        elif panel == "digest":
            digest_view(who)
        else:
            meeting_view(who)
    st.caption(t("programme.privacy_note"))
