"""Anliegen: log a problem, see what became of it ("Rückmeldungen"); coordinators answer."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages.ui import (
    forget_opened,
    friendly_errors,
    is_coordinator,
    load_current,
    multiselect,
    opened_version,
    pick_tandem,
    plain,
    register,
    t,
)
from geo import journal, profile
from geo.tables import csv_bytes

st.title(t("concerns.title"))


def status_label(status: str) -> str:
    """A concern status in the user's language."""
    return t(f"concerns.status_{status}")


def places(ids: str, labels: dict[str, str]) -> str:
    """Comma-separated Sozialraum IDs as names."""
    return ", ".join(labels.get(i, i) for i in ids.split(",") if i)


def new_concern(labels: dict[str, str], known: set[str]) -> None:
    """The form connectors use to log a concern."""
    with st.form("concerns_new", clear_on_submit=True):
        thema = st.text_input(t("concerns.thema"))
        beschreibung = st.text_area(t("concerns.beschreibung"))
        prioritaet = st.selectbox(
            t("concerns.prioritaet"),
            journal.PRIORITIES,
            index=1,
            format_func=lambda p: t(f"concerns.priority_{p}"),
        )
        ids = multiselect(t("concerns.sozialraeume"), list(labels), format_func=labels.get)
        ort = st.text_input(t("concerns.lokalisierung"), help=t("concerns.lokalisierung_help"))
        point = st.session_state.get("explore_home_candidate")
        use_point = st.checkbox(
            t("concerns.use_point"), disabled=point is None, help=t("concerns.use_point_help")
        )
        loesungen = st.text_area(t("concerns.loesungen"))
        kontakt = st.text_input(t("concerns.kontakt"))
        tandem = pick_tandem(t("concerns.tandem"))
        if st.form_submit_button(t("tandems.save")):
            journal.add_concern(
                register(),
                journal.ConcernInput(
                    thema=thema,
                    beschreibung=beschreibung,
                    prioritaet=prioritaet,
                    lokalisierung=ort,
                    sozialraum_ids=tuple(ids),
                    point=tuple(point) if use_point and point else None,  # type: ignore[arg-type]
                    loesungen=loesungen,
                    kontakt=kontakt,
                    tandem_id=tandem,
                ),
                known_ids=known,
            )
            st.session_state["concerns_flash"] = t("concerns.saved", thema=plain(thema))
            st.rerun()


def feedback(labels: dict[str, str]) -> None:
    """What became of the concerns, newest first."""
    feed = journal.feedback(register())
    if feed.empty:
        st.info(t("concerns.no_feedback"))
    for row in feed.itertuples():
        with st.container(border=True):
            st.markdown(f"**{plain(row.thema)}** · {status_label(row.status)}")
            st.markdown(plain(row.comment))
            st.caption(f"{row.created_at:%d.%m.%Y} · {plain(places(row.sozialraum_ids, labels))}")


def all_concerns(labels: dict[str, str]) -> None:
    """The log as a table; the history of one concern; coordinators answer."""
    frame = journal.concerns(register())
    if frame.empty:
        st.info(t("concerns.none"))
        return
    shown = pd.DataFrame(
        {
            t("concerns.thema"): frame["thema"],
            t("concerns.prioritaet"): frame["prioritaet"].map(lambda p: t(f"concerns.priority_{p}")),
            t("concerns.sozialraeume"): frame["sozialraum_ids"].map(lambda i: places(i, labels)),
            t("concerns.status"): frame["status"].map(status_label),
            t("concerns.created"): frame["created_at"].dt.strftime("%d.%m.%Y"),
            t("concerns.tandem"): frame["tandem"],
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    by_id = frame.set_index("id")
    chosen = st.selectbox(
        t("concerns.pick"), list(by_id.index), format_func=lambda i: by_id.at[i, "thema"], key="concerns_pick"
    )
    row = by_id.loc[chosen]
    st.markdown(f"**{plain(row['thema'])}**")
    st.markdown(plain(row["beschreibung"]))
    hist = journal.history(register(), chosen)
    st.dataframe(
        pd.DataFrame(
            {
                t("concerns.created"): hist["created_at"].dt.strftime("%d.%m.%Y %H:%M"),
                t("concerns.status"): hist["status"].map(status_label),
                t("concerns.comment"): hist["comment"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    if is_coordinator():
        version = opened_version("concerns", chosen, int(row["version"]))
        with st.form("concerns_answer", clear_on_submit=True):
            st.markdown(f"**{t('concerns.answer')}**")
            status = st.selectbox(
                t("concerns.status"),
                journal.CONCERN_STATUSES,
                format_func=status_label,
                index=journal.CONCERN_STATUSES.index(row["status"]),
            )
            comment = st.text_area(t("concerns.comment"), help=t("concerns.comment_help"))
            if st.form_submit_button(t("concerns.answer_button")):
                journal.change_status(
                    register(),
                    chosen,
                    version=version,
                    status=status,
                    comment=comment,
                )
                forget_opened("concerns")
                st.session_state["concerns_flash"] = t("concerns.answered")
                st.rerun()


def spreadsheet(known: set[str], names: dict[str, str]) -> None:
    """Import the connectors' spreadsheet (preview first, confirm to write) and export the log."""
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
            n = journal.import_concerns(register(), reading, known_ids=known)
            st.session_state["concerns_flash"] = t("tandems.imported", n=n)
            st.rerun()
    c1, c2 = st.columns(2)
    c1.download_button(
        t("concerns.export_xlsx"),
        journal.concerns_xlsx(register()),
        "anliegen.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="concerns_xlsx",
    )
    c2.download_button(
        t("concerns.export_csv"),
        csv_bytes(journal.concerns_frame(register())),
        "anliegen.csv",
        "text/csv",
        key="concerns_csv",
    )


with friendly_errors():
    data, _ = load_current()
    labels = profile.search_labels(data.spaces)
    known = set(data.spaces["sozialraum_id"])
    names = {n.casefold(): i for i, n in zip(data.spaces["sozialraum_id"], data.spaces["name"], strict=True)}
    if flash := st.session_state.pop("concerns_flash", None):
        st.success(flash)
    tab_new, tab_feedback, tab_all, tab_sheet = st.tabs(
        [t("concerns.tab_new"), t("concerns.tab_feedback"), t("concerns.tab_all"), t("concerns.tab_sheet")]
    )
    with tab_new, friendly_errors():
        new_concern(labels, known)
    with tab_feedback, friendly_errors():
        feedback(labels)
    with tab_all, friendly_errors():
        all_concerns(labels)
    with tab_sheet, friendly_errors():
        spreadsheet(known, names)
