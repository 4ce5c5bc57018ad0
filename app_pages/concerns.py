"""Anliegen: log a problem, see what became of it ("Rückmeldungen"); coordinators answer."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages.ui.datasets import labels_current, load_current, register
from app_pages.ui.page import explain_words, friendly_errors
from app_pages.ui.people import principal
from app_pages.ui.text import bound, labelled, lang, plain, t
from app_pages.ui.widgets import (
    distinct,
    forget_opened,
    multiselect,
    open_panel,
    opened_version,
    panels,
    pick_tandem,
    prepared_download,
)
from geo.core import i18n
from geo.core.access import Action, Principal
from geo.core.tables import csv_bytes
from geo.output import formats
from geo.register import digest, journal

st.title(t("concerns.title"))
explain_words("concerns")


def status_label(status: str) -> str:
    """A concern status in the user's language."""
    return t(f"concerns.status_{status}")


def places(ids: str, labels: dict[str, str]) -> str:
    """Comma-separated Sozialraum IDs as names."""
    return ", ".join(labels.get(i, i) for i in ids.split(",") if i)


def choose_places(labels: dict[str, str]) -> tuple[list[str], bool]:
    """
    The Sozialräume of a concern: one by default; several only after a deliberate switch, then confirmed.

    Returns the chosen IDs and whether the choice is confirmed (always, for one).
    """
    if not st.session_state.get("concerns_several"):
        one = st.selectbox(
            t("concerns.sozialraum_one"),
            list(labels),
            format_func=labelled(labels),
            index=None,
            placeholder=t("tandems.pick_sozialraum"),
            key="concerns_place",
        )
        return ([one] if one else []), True
    ids = multiselect(
        t("concerns.sozialraeume"), list(labels), format_func=labelled(labels), key="concerns_places"
    )
    confirmed = st.checkbox(t("concerns.several_confirm"), key="concerns_several_ok")
    return ids, confirmed or len(ids) <= 1


def saved_here(kind: str) -> None:
    """The confirmation of a save, where the person is: next to the form they used."""
    if flash := st.session_state.pop(f"concerns_flash_{kind}", None):
        st.success(flash, icon=":material/check_circle:")
        # seen wherever the page is scrolled to; short, as a long toast adds Streamlit's English "view more"
        st.toast(t("app.saved_short"), icon=":material/check_circle:")
    if warning := st.session_state.pop(f"concerns_flash_{kind}_warning", None):
        st.warning(warning)


def just_saved(who: Principal, labels: dict[str, str]) -> None:
    """The concern just saved, open above the form, and the way to all of one's own."""
    if (saved := st.session_state.get("concerns_saved_id")) is None:
        return
    for card in journal.concern_cards(register(), by=who):
        if int(card.record["id"]) == saved:
            concern_card(card, labels, expanded=True)
    if st.button(t("concerns.see_mine"), key="concerns_see_mine", icon=":material/forum:"):
        open_panel("concerns", "mine")
        st.rerun()


def save_concern(who: Principal, known: set[str], concern: journal.ConcernInput) -> None:
    """Save the new concern, say so above the form with the concern open, and empty the place pickers."""
    concern_id = journal.add_concern(register(), concern, by=who, known_ids=known)
    st.session_state["concerns_flash_new"] = t("concerns.saved", thema=plain(concern.thema))
    st.session_state["concerns_saved_id"] = concern_id
    for key in ("concerns_place", "concerns_places", "concerns_several_ok"):
        st.session_state.pop(key, None)
    st.rerun()


def new_concern(who: Principal, labels: dict[str, str], known: set[str]) -> None:
    """The form connectors use to log a concern (for their own tandems; coordinators for any)."""
    if not who.may_for_some_tandem(Action.LOG_CONCERN):
        st.info(
            t("concerns.login_to_log") if who.is_public else t("concerns.no_tandem"), icon=":material/lock:"
        )
        return
    saved_here("new")
    just_saved(who, labels)
    st.toggle(t("concerns.several"), key="concerns_several", help=t("concerns.several_help"))
    with st.form("concerns_new", clear_on_submit=True):
        thema = st.text_input(t("concerns.thema"))
        beschreibung = st.text_area(t("concerns.beschreibung"))
        prioritaet = st.selectbox(
            t("concerns.prioritaet"),
            journal.PRIORITIES,
            index=1,
            format_func=bound(lambda p: t(f"concerns.priority_{p}")),
        )
        ids, confirmed = choose_places(labels)
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
        public_key = "concerns.public" if who.may(Action.ANSWER_CONCERN) else "concerns.public_ask"
        public = st.checkbox(t(public_key), help=t("concerns.public_help"))
        if st.form_submit_button(t("tandems.save"), type="primary"):
            if not confirmed:
                st.error(t("concerns.several_unconfirmed", n=len(ids)))
                return
            concern = journal.ConcernInput(
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
            )
            save_concern(who, known, concern)


def history_table(hist: pd.DataFrame) -> pd.DataFrame:
    """A concern's history in words: when, what (status or a meeting's decision), the comment."""
    return pd.DataFrame(
        {
            t("concerns.created"): i18n.format_dates(hist["created_at"], lang(), time=True),
            t("concerns.status"): [
                t("concerns.decision", date=i18n.format_date(m, lang()))
                if k == "beschluss"
                else status_label(s)
                for s, k, m in zip(hist["status"], hist["kind"], hist["meeting_on"], strict=True)
            ],
            t("concerns.comment"): [  # a table shows text as is; the logging's own entry in words
                t("concerns.comment_logged") if c == journal.LOGGED_COMMENT else (str(c) or "–")
                for c in hist["comment"]
            ],
        }
    )


#: The programme's columns of a concern, in the order of its log, with their labels.
RECORD_FIELDS = (
    ("beschreibung", "concerns.beschreibung"),
    ("prioritaet", "concerns.prioritaet"),
    ("lokalisierung", "concerns.lokalisierung"),
    ("loesungen", "concerns.loesungen"),
    ("kontakt", "concerns.kontakt"),
    ("tandem", "concerns.tandem"),
)


def record_lines(record: dict, labels: dict[str, str]) -> list[str]:
    """Every column of the programme's log that `record` carries (what the reader may see), in words."""
    lines = [
        f"**{t('concerns.sozialraeume')}:** {plain(places(str(record['sozialraum_ids']), labels)) or '–'}"
    ]
    for field, key in RECORD_FIELDS:
        value = record.get(field)
        if value is None or (isinstance(value, float) and pd.isna(value)) or str(value) == "":
            continue
        text = t(f"concerns.priority_{value}") if field == "prioritaet" else plain(value)
        lines.append(f"**{t(key)}:** {text}")
    if record.get("lat") is not None and pd.notna(record.get("lat")):
        lines.append(f"**{t('concerns.point')}:** {t('concerns.point_set')}")
    return lines


def concern_card(
    card: journal.ConcernCard, labels: dict[str, str], *, expanded: bool, news: bool = False
) -> None:
    """One concern: topic, status and date on top; its record and whole history inside."""
    record = card.record
    with st.container(border=True):
        mark = f":material/fiber_new: {t('concerns.news_mark')} · " if news else ""
        st.markdown(f"{mark}**{plain(record['thema'])}** · {status_label(str(record['status']))}")
        answers = card.history.iloc[1:]  # the first entry is the logging itself
        if not answers.empty:
            st.markdown(t("concerns.latest_answer", answer=plain(answers.iloc[-1]["comment"]) or "–"))
        st.caption(
            t("concerns.card_dates", created=i18n.format_date(record["created_at"], lang()),
              latest=i18n.format_date(card.latest, lang()))
        )  # fmt: skip
        with st.expander(t("concerns.card_more"), expanded=expanded):
            st.markdown("  \n".join(record_lines(record, labels)))
            st.dataframe(history_table(card.history), hide_index=True, width="stretch")


def mine(who: Principal, labels: dict[str, str]) -> None:
    """What became of the concerns: one card per concern, newest change first; news for the tandem marked."""
    unseen = digest.notices(register(), by=who) if who.tandem_ids and not who.all_tandems() else None
    if unseen is not None and not unseen.empty:
        st.info(t("programme.notices", n=len(set(unseen["concern_id"]))), icon=":material/notifications:")
        if st.button(t("programme.mark_seen"), key="concerns_seen"):
            digest.mark_seen(register(), [int(i) for i in unseen["id"]], by=who)
            st.rerun()
    if who.is_public:
        st.caption(t("concerns.public_view_note"))
    cards = journal.concern_cards(register(), by=who)
    if not cards:
        st.info(t("concerns.no_feedback"))
    new = set(unseen["concern_id"]) if unseen is not None else set()
    for card in cards:
        concern_card(card, labels, expanded=False, news=int(card.record["id"]) in new)


def concerns_table(frame: pd.DataFrame, labels: dict[str, str]) -> None:
    """The concerns as a table (the tandem's column only for those allowed to see who logged them)."""
    columns = {
        t("concerns.thema"): frame["thema"],
        t("concerns.prioritaet"): frame["prioritaet"].map(
            lambda p: t(f"concerns.priority_{p}") if p else "–"
        ),
        t("concerns.sozialraeume"): frame["sozialraum_ids"].map(lambda i: places(i, labels) or "–"),
        t("concerns.status"): frame["status"].map(status_label),
        t("concerns.created"): i18n.format_dates(frame["created_at"], lang()),
    }
    if frame["tandem"].astype(str).str.len().gt(0).any():  # the public never sees who logged a concern
        columns[t("concerns.tandem")] = frame["tandem"].map(lambda n: n or "–")
    st.dataframe(pd.DataFrame(columns), hide_index=True, width="stretch")


def answer_form(who: Principal, chosen: int, row: pd.Series) -> None:
    """The coordination answers a concern: its new state, a comment, whether it is public."""
    version = opened_version("concerns", chosen, int(row["version"]))
    saved_here("answer")
    with st.form("concerns_answer", clear_on_submit=True):
        st.markdown(f"**{t('concerns.answer')}**")
        status = st.selectbox(
            t("concerns.status"),
            journal.CONCERN_STATUSES,
            format_func=bound(status_label),
            index=journal.CONCERN_STATUSES.index(row["status"]),
        )
        comment = st.text_area(t("concerns.comment"), help=t("concerns.comment_help"))
        if bool(row.get("public_wanted")) and not bool(row["public"]):
            st.caption(t("concerns.public_wanted"))
        public = st.checkbox(
            t("concerns.public"),
            value=bool(row["public"]),  # a deliberate choice, also when the connector asked for it
            help=t("concerns.public_help"),
        )
        if st.form_submit_button(t("concerns.answer_button"), type="primary"):
            journal.change_status(
                register(), chosen, by=who, version=version, status=status, comment=comment, public=public
            )
            forget_opened("concerns")
            st.session_state["concerns_flash_answer"] = t(
                "concerns.answered_what", thema=plain(row["thema"]), status=status_label(status)
            )
            if problem := digest.tell_tandems(register(), by=who):
                st.session_state["concerns_flash_answer_warning"] = problem.markdown(lang())
            st.rerun()


def all_concerns(who: Principal, labels: dict[str, str]) -> None:
    """The log as far as this person may see it; the full record of one concern; coordinators answer."""
    if who.is_public:
        st.caption(t("concerns.public_view_note"))
    elif not who.may(Action.READ_CONCERNS):
        st.caption(t("concerns.partial_note"))
    frame = journal.concerns(register(), by=who)
    if frame.empty:
        st.info(t("concerns.none"))
        return
    concerns_table(frame, labels)
    by_id = frame.set_index("id")
    shown = distinct({int(i): str(by_id.at[i, "thema"]) for i in by_id.index})
    if st.session_state.get("concerns_pick") not in shown:
        st.session_state.pop("concerns_pick", None)
    chosen = st.selectbox(t("concerns.pick"), list(shown), format_func=labelled(shown), key="concerns_pick")
    row = by_id.loc[chosen]
    with st.container(border=True):
        st.markdown(f"**{plain(row['thema'])}** · {status_label(str(row['status']))}")
        st.markdown("  \n".join(record_lines({"id": chosen, **row.to_dict()}, labels)))
        history = history_table(journal.history(register(), chosen, by=who))
        st.dataframe(history, hide_index=True, width="stretch")
    if who.may(Action.ANSWER_CONCERN):
        answer_form(who, chosen, row)


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
            st.session_state["concerns_flash_sheet"] = t("tandems.imported", n=n)
            st.rerun()
    st.caption(t("concerns.export_note"))
    prepared_download(
        "concerns_export",
        prepare=t("concerns.export_prepare"),
        make=lambda: [
            (
                t("concerns.export_xlsx"),
                formats.concerns_xlsx(register(), by=who),
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
    labels = labels_current()  # made once per dataset version for all sessions
    known = set(data.spaces["sozialraum_id"])
    names = {n.casefold(): i for i, n in zip(data.spaces["sozialraum_id"], data.spaces["name"], strict=True)}
    who = principal()
    options = {
        "new": t("concerns.tab_new"),
        "mine": t(
            "concerns.tab_mine" if who.tandem_ids and not who.all_tandems() else "concerns.tab_feedback"
        ),
        "all": t("concerns.tab_all"),
    }
    if who.may(Action.EXPORT_CONCERNS):
        options["sheet"] = t("concerns.tab_sheet")
    panel, boxes = panels("concerns", options)
    with boxes[panel], friendly_errors():
        if panel == "new":
            new_concern(who, labels, known)
        elif panel == "mine":
            mine(who, labels)
        elif panel == "all":
            all_concerns(who, labels)
        else:
            saved_here("sheet")
            spreadsheet(who, known, names)
