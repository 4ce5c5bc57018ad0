"""Anliegen: log a problem, see what became of it ("Rückmeldungen"); coordinators answer."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages.ui import (
    bound,
    distinct,
    forget_opened,
    friendly_errors,
    labelled,
    lang,
    load_current,
    multiselect,
    opened_version,
    pick_tandem,
    plain,
    prepared_download,
    principal,
    register,
    t,
)
from geo import digest, i18n, journal, profile
from geo.access import Action, Principal
from geo.tables import csv_bytes

st.title(t("concerns.title"))


def status_label(status: str) -> str:
    """A concern status in the user's language."""
    return t(f"concerns.status_{status}")


def places(ids: str, labels: dict[str, str]) -> str:
    """Comma-separated Sozialraum IDs as names."""
    return ", ".join(labels.get(i, i) for i in ids.split(",") if i)


def new_concern(who: Principal, labels: dict[str, str], known: set[str]) -> None:
    """The form connectors use to log a concern (for their own tandems; coordinators for any)."""
    if not who.may_for_some_tandem(Action.LOG_CONCERN):
        st.info(
            t("concerns.login_to_log") if who.is_public else t("concerns.no_tandem"), icon=":material/lock:"
        )
        return
    with st.form("concerns_new", clear_on_submit=True):
        thema = st.text_input(t("concerns.thema"))
        beschreibung = st.text_area(t("concerns.beschreibung"))
        prioritaet = st.selectbox(
            t("concerns.prioritaet"),
            journal.PRIORITIES,
            index=1,
            format_func=bound(lambda p: t(f"concerns.priority_{p}")),
        )
        ids = multiselect(t("concerns.sozialraeume"), list(labels), format_func=labelled(labels))
        ort = st.text_input(t("concerns.lokalisierung"), help=t("concerns.lokalisierung_help"))
        point = st.session_state.get("explore_home_candidate")
        use_point = st.checkbox(
            t("concerns.use_point"), disabled=point is None, help=t("concerns.use_point_help")
        )
        loesungen = st.text_area(t("concerns.loesungen"))
        kontakt = st.text_input(t("concerns.kontakt"))
        tandem = pick_tandem(
            t("concerns.tandem"),
            empty="–" if who.all_tandems() else None,
            only=None if who.all_tandems() else who.tandem_ids,
        )
        public = st.checkbox(t("concerns.public"), help=t("concerns.public_help"))
        if st.form_submit_button(t("tandems.save")):
            journal.add_concern(
                register(),
                journal.ConcernInput(
                    thema=thema,
                    beschreibung=beschreibung,
                    prioritaet=prioritaet,
                    lokalisierung=ort,
                    sozialraum_ids=tuple(ids),
                    point=tuple(point) if use_point and point else None,
                    loesungen=loesungen,
                    kontakt=kontakt,
                    tandem_id=tandem,
                    public=public,
                ),
                by=who,
                known_ids=known,
            )
            st.session_state["concerns_flash"] = t("concerns.saved", thema=plain(thema))
            st.rerun()


def feedback(who: Principal, labels: dict[str, str]) -> None:
    """What became of the concerns this person may see, newest first; news for their tandems marked."""
    unseen = digest.notices(register(), by=who) if who.tandem_ids and not who.all_tandems() else None
    new = set(unseen["concern_id"]) if unseen is not None else set()
    if unseen is not None and not unseen.empty:
        st.info(t("programme.notices", n=len(new)), icon=":material/notifications:")
        if st.button(t("programme.mark_seen"), key="concerns_seen"):
            digest.mark_seen(register(), [int(i) for i in unseen["id"]], by=who)
            st.rerun()
    feed = journal.feedback(register(), by=who)
    if feed.empty:
        st.info(t("concerns.no_feedback"))
    for row in feed.itertuples():
        with st.container(border=True):
            mark = ":material/fiber_new: " if row.concern_id in new else ""
            st.markdown(f"{mark}**{plain(row.thema)}** · {status_label(row.status)}")
            st.markdown(plain(row.comment))
            st.caption(
                f"{i18n.format_date(row.created_at, lang())} · {plain(places(row.sozialraum_ids, labels))}"
            )


def all_concerns(who: Principal, labels: dict[str, str]) -> None:
    """The log as far as this person may see it; the history of one concern; coordinators answer."""
    if who.is_public:
        st.caption(t("concerns.public_view_note"))
    elif not who.may(Action.READ_CONCERNS):
        st.caption(t("concerns.partial_note"))
    frame = journal.concerns(register(), by=who)
    if frame.empty:
        st.info(t("concerns.none"))
        return
    shown = pd.DataFrame(
        {
            t("concerns.thema"): frame["thema"],
            t("concerns.prioritaet"): frame["prioritaet"].map(lambda p: t(f"concerns.priority_{p}")),
            t("concerns.sozialraeume"): frame["sozialraum_ids"].map(lambda i: places(i, labels)),
            t("concerns.status"): frame["status"].map(status_label),
            t("concerns.created"): i18n.format_dates(frame["created_at"], lang()),
            t("concerns.tandem"): frame["tandem"],
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    by_id = frame.set_index("id")
    shown = distinct({int(i): str(by_id.at[i, "thema"]) for i in by_id.index})
    chosen = st.selectbox(t("concerns.pick"), list(shown), format_func=labelled(shown), key="concerns_pick")
    row = by_id.loc[chosen]
    st.markdown(f"**{plain(row['thema'])}**")
    st.markdown(plain(row["beschreibung"]))
    hist = journal.history(register(), chosen, by=who)
    st.dataframe(
        pd.DataFrame(
            {
                t("concerns.created"): i18n.format_dates(hist["created_at"], lang(), time=True),
                t("concerns.status"): [
                    t("concerns.decision", date=i18n.format_date(m, lang()))
                    if k == "beschluss"
                    else status_label(s)
                    for s, k, m in zip(hist["status"], hist["kind"], hist["meeting_on"], strict=True)
                ],
                t("concerns.comment"): hist["comment"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    if who.may(Action.ANSWER_CONCERN):
        version = opened_version("concerns", chosen, int(row["version"]))
        with st.form("concerns_answer", clear_on_submit=True):
            st.markdown(f"**{t('concerns.answer')}**")
            status = st.selectbox(
                t("concerns.status"),
                journal.CONCERN_STATUSES,
                format_func=bound(status_label),
                index=journal.CONCERN_STATUSES.index(row["status"]),
            )
            comment = st.text_area(t("concerns.comment"), help=t("concerns.comment_help"))
            public = st.checkbox(
                t("concerns.public"), value=bool(row["public"]), help=t("concerns.public_help")
            )
            if st.form_submit_button(t("concerns.answer_button")):
                journal.change_status(
                    register(),
                    chosen,
                    by=who,
                    version=version,
                    status=status,
                    comment=comment,
                    public=public,
                )
                forget_opened("concerns")
                st.session_state["concerns_flash"] = t("concerns.answered")
                if problem := digest.tell_tandems(register(), by=who):
                    st.session_state["concerns_flash_warning"] = problem.message(lang())
                st.rerun()


def spreadsheet(who: Principal, known: set[str], names: dict[str, str]) -> None:
    """Import the connectors' spreadsheet (preview first, confirm to write) and export the log (coordinators)."""
    upload = st.file_uploader(t("concerns.import_file"), type=["xlsx", "csv"], key="concerns_upload")
    if upload is not None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / Path(upload.name).name
            path.write_bytes(upload.getvalue())
            reading = journal.read_concern_sheet(path, known_ids=known, names=names)
        st.write(t("concerns.readable", n=len(reading.rows)))
        for p in reading.problems:
            st.warning(t("tandems.row_problem", row=p.row, message=plain(p.message)))
        if reading.ignored_columns:
            st.info(t("concerns.ignored", columns=plain(", ".join(reading.ignored_columns))))
        if reading.rows and st.button(
            t("concerns.confirm_import", n=len(reading.rows)), key="concerns_confirm"
        ):
            n = journal.import_concerns(register(), reading, by=who, known_ids=known)
            st.session_state["concerns_flash"] = t("tandems.imported", n=n)
            st.rerun()
    st.caption(t("concerns.export_note"))
    prepared_download(
        "concerns_export",
        prepare=t("concerns.export_prepare"),
        make=lambda: [
            (
                t("concerns.export_xlsx"),
                journal.concerns_xlsx(register(), by=who),
                "anliegen.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                t("concerns.export_csv"),
                csv_bytes(journal.concerns_frame(register(), by=who)),
                "anliegen.csv",
                "text/csv",
            ),
        ],
    )


with friendly_errors():
    data, _ = load_current()
    labels = profile.search_labels(data.spaces)
    known = set(data.spaces["sozialraum_id"])
    names = {n.casefold(): i for i, n in zip(data.spaces["sozialraum_id"], data.spaces["name"], strict=True)}
    if flash := st.session_state.pop("concerns_flash", None):
        st.success(flash)
    if warning := st.session_state.pop("concerns_flash_warning", None):
        st.warning(warning)
    who = principal()
    titles = [t("concerns.tab_new"), t("concerns.tab_feedback"), t("concerns.tab_all")]
    if who.may(Action.EXPORT_CONCERNS):
        titles.append(t("concerns.tab_sheet"))
    tabs = st.tabs(titles)
    with tabs[0], friendly_errors():
        new_concern(who, labels, known)
    with tabs[1], friendly_errors():
        feedback(who, labels)
    with tabs[2], friendly_errors():
        all_concerns(who, labels)
    if len(tabs) > 3:
        with tabs[3], friendly_errors():
            spreadsheet(who, known, names)
