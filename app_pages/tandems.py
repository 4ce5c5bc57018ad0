"""Tandems: who works where (public, without personal data); coordinators keep the register."""

import functools
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages.ui.datasets import labels_current, load_current, register
from app_pages.ui.page import explain_words, friendly_errors
from app_pages.ui.people import principal
from app_pages.ui.records import active_assignments
from app_pages.ui.text import bound, labelled, lang, plain, t
from app_pages.ui.widgets import distinct, forget_opened, multiselect, opened_version, panels, pick_sozialraum
from geo.core import i18n
from geo.core.access import Action, Principal
from geo.core.settings import UNIT_ID_MAX
from geo.data import sources
from geo.output import export
from geo.register import knowledge, privacy, store

st.title(t("tandems.title"))
explain_words("tandems")


def saved(message: str) -> None:
    """Remember a success message for the next run, then rerun so every list shows the new state."""
    st.session_state["tandems_flash"] = message
    st.rerun()


def public_overview(labels: dict[str, str], points: dict[str, str]) -> None:
    """Active tandems with their Sozialräume and partner Welcome Point; no connector names."""
    tandems = [tv for tv in register().tandems() if tv.active_on(date.today())]
    if not tandems:
        st.info(t("tandems.none"))
        return
    active = active_assignments()
    rows = [
        {
            t("tandems.name"): tv.name,
            t("tandems.sozialraeume"): ", ".join(
                labels.get(s, s) for s in active.loc[active["tandem_id"] == tv.id, "sozialraum_id"]
            ),
            t("tandems.welcome_point"): points.get(tv.welcome_point_id or "", ""),
            t("tandems.languages"): ", ".join(tv.languages),
            t("tandems.since"): i18n.format_date(tv.start_date, lang()),
        }
        for tv in tandems
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def new_connector_form(who: Principal, known: set[str]) -> None:
    """Add a connector: name, languages, contact and home Sozialraum (its ID, as many digits as the data's)."""
    with st.form("tandems_new_connector", clear_on_submit=True):
        st.markdown(f"**{t('tandems.add_connector')}**")
        name = st.text_input(t("tandems.display_name"))
        languages = st.text_input(t("tandems.languages"), placeholder="Arabisch, Englisch")
        contact = st.text_input(t("tandems.contact"))
        example = min(known, default="")
        home = st.text_input(
            t("tandems.home"),
            max_chars=UNIT_ID_MAX,
            help=t("tandems.home_help", n=len(example), example=example),
        )
        if st.form_submit_button(t("tandems.save")):
            register().add_connector(
                name,
                languages,
                by=who,
                contact=contact,
                home_sozialraum_id=home.strip() or None,
                known_ids=known,
            )
            saved(t("tandems.saved_connector", name=plain(name)))


def edit_connector_form(who: Principal, people: list[store.PrivateConnector]) -> store.PrivateConnector:
    """Change a connector picked by ID (a form older than the record is refused, not saved over it)."""
    by_id = {c.id: c for c in people}
    chosen = st.selectbox(
        t("tandems.edit_connector"),
        list(by_id),
        key="tandems_edit_connector",
        format_func=labelled(distinct({i: c.display_name for i, c in by_id.items()})),
    )
    version = opened_version("tandems_connector", chosen, by_id[chosen].version)
    c = by_id[chosen]
    with st.form("tandems_edit_connector_form"):
        name = st.text_input(t("tandems.display_name"), value=c.display_name)
        languages = st.text_input(t("tandems.languages"), value=", ".join(c.languages))
        contact = st.text_input(t("tandems.contact"), value=c.contact)
        home = st.text_input(t("tandems.home"), value=c.home_sozialraum_id or "", max_chars=UNIT_ID_MAX)
        active = st.checkbox(t("tandems.active"), value=c.active)
        if st.form_submit_button(t("tandems.save")):
            register().update_connector(
                c.id,
                by=who,
                version=version,
                display_name=name,
                languages=languages,
                contact=contact,
                home_sozialraum_id=home.strip() or None,
                active=active,
            )
            forget_opened("tandems_connector")
            saved(t("tandems.saved_connector", name=plain(name)))
    return c


def connectors_tab(who: Principal, known: set[str]) -> None:
    """Add and edit connectors (names and contacts are visible here only)."""
    people = register().private_connectors(by=who)
    if people:
        rows = [
            {
                "ID": c.id,
                t("tandems.display_name"): c.display_name,
                t("tandems.languages"): ", ".join(c.languages),
                t("tandems.contact"): c.contact,
                t("tandems.home"): c.home_sozialraum_id or "",
                t("tandems.active"): c.active,
            }
            for c in people
        ]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    new_connector_form(who, known)
    if people:
        erase_connector(who, edit_connector_form(who, people))


def erase_connector(who: Principal, c: store.PrivateConnector) -> None:
    """Erase a person's data on request (asked twice); the audit log keeps that it happened, not what."""
    if c.display_name.startswith(privacy.ERASED_NAME) or not who.may(Action.ERASE_PERSON):
        return
    with st.expander(t("tandems.erase_title")):
        st.caption(t("tandems.erase_note"))
        sure = st.checkbox(
            t("tandems.erase_confirm", name=plain(c.display_name)), key=f"tandems_erase_ok_{c.id}"
        )
        if st.button(
            t("tandems.erase_button"), key=f"tandems_erase_{c.id}", disabled=not sure, type="primary"
        ):
            privacy.erase_connector(register(), c.id, by=who)
            forget_opened("tandems_connector")
            saved(t("tandems.erased"))


def new_tandem_form(who: Principal, points: dict[str, str]) -> None:
    """A new tandem: its name, its active members, its Welcome Point, its first day."""
    people = {c.id: c for c in register().private_connectors(by=who) if c.active}
    with st.form("tandems_new_tandem", clear_on_submit=True):
        st.markdown(f"**{t('tandems.add_tandem')}**")
        name = st.text_input(t("tandems.name"))
        members = multiselect(
            t("tandems.members"),
            list(people),
            format_func=labelled(distinct({i: c.display_name for i, c in people.items()})),
        )
        wp = st.selectbox(
            t("tandems.welcome_point"),
            [None, *points],
            format_func=bound(lambda w: points.get(w, "–") if w else "–"),
        )
        start = st.date_input(t("tandems.start"), value=date.today(), format="DD.MM.YYYY")
        if st.form_submit_button(t("tandems.save")):
            register().create_tandem(name, members, by=who, start=start, welcome_point_id=wp)
            saved(t("tandems.saved_tandem", name=plain(name)))


def edit_tandem_form(who: Principal, points: dict[str, str], tandems: dict) -> None:
    """Change a tandem picked by ID, or end it (a form older than the record is refused, not saved over it)."""
    chosen = st.selectbox(
        t("tandems.edit_tandem"),
        list(tandems),
        key="tandems_edit_tandem",
        format_func=labelled(distinct({i: tv.name for i, tv in tandems.items()})),
    )
    version = opened_version("tandems_tandem", chosen, tandems[chosen].version)
    tv = tandems[chosen]
    everyone = {c.id: c for c in register().private_connectors(by=who)}
    wp_options = [None, *points]
    with st.form("tandems_edit_tandem_form"):
        name = st.text_input(t("tandems.name"), value=tv.name)
        members = multiselect(
            t("tandems.members"),
            list(everyone),
            default=list(tv.member_ids),
            format_func=labelled(distinct({i: c.display_name for i, c in everyone.items()})),
        )
        wp = st.selectbox(
            t("tandems.welcome_point"),
            wp_options,
            index=wp_options.index(tv.welcome_point_id) if tv.welcome_point_id in wp_options else 0,
            format_func=bound(lambda w: points.get(w, "–") if w else "–"),
        )
        end = st.date_input(
            t("tandems.end"), value=tv.end_date, format="DD.MM.YYYY", help=t("tandems.end_help")
        )
        if st.form_submit_button(t("tandems.save")):
            register().update_tandem(
                tv.id,
                by=who,
                version=version,
                name=name,
                member_ids=members,
                welcome_point_id=wp or "",
                end=end if end != tv.end_date else None,
            )
            forget_opened("tandems_tandem")
            saved(t("tandems.saved_tandem", name=plain(name)))


def tandems_tab(who: Principal, points: dict[str, str]) -> None:
    """Create, edit and end tandems."""
    new_tandem_form(who, points)
    tandems = {tv.id: tv for tv in register().tandems()}
    if tandems:
        edit_tandem_form(who, points, tandems)


def assignment_history(labels: dict[str, str], names: dict[int, str], history: list) -> None:
    """Every assignment with its dates (the history stays), and ending one that is still open."""
    rows = [
        {
            "ID": a.id,
            t("tandems.name"): names[a.tandem_id],
            t("tandems.sozialraum"): labels.get(a.sozialraum_id, a.sozialraum_id),
            t("tandems.from"): i18n.format_date(a.valid_from, lang()),
            t("tandems.to"): i18n.format_date(a.valid_to, lang()) if a.valid_to else "",
        }
        for a in history
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def end_assignment_form(who: Principal, labels: dict[str, str], names: dict[int, str], history: list) -> None:
    """End an open assignment on a day."""
    open_ones = {a.id: a for a in history if a.valid_to is None}
    if not open_ones:
        return
    shown = distinct(
        {i: f"{names[a.tandem_id]}: {labels.get(a.sozialraum_id)}" for i, a in open_ones.items()}
    )
    with st.form("tandems_end_assignment"):
        which = st.selectbox(t("tandems.end_assignment"), list(open_ones), format_func=labelled(shown))
        end = st.date_input(t("tandems.to"), value=date.today(), format="DD.MM.YYYY")
        if st.form_submit_button(t("tandems.end_button")) and which is not None:
            register().end_assignment(which, by=who, version=open_ones[which].version, valid_to=end)
            saved(t("tandems.ended_assignment"))


def assignments_tab(who: Principal, labels: dict[str, str], known: set[str]) -> None:
    """Assign tandems to Sozialräume and end assignments; history stays."""
    reg = register()
    tandems = {tv.id: tv for tv in reg.tandems() if tv.end_date is None or tv.end_date >= date.today()}
    if not tandems:
        st.info(t("tandems.none"))
        return
    with st.form("tandems_assign", clear_on_submit=True):
        st.markdown(f"**{t('tandems.assign')}**")
        tandem = st.selectbox(
            t("tandems.name"),
            list(tandems),
            format_func=labelled(distinct({i: tv.name for i, tv in tandems.items()})),
        )
        sid = pick_sozialraum(labels)
        start = st.date_input(t("tandems.from"), value=date.today(), format="DD.MM.YYYY")
        if st.form_submit_button(t("tandems.save")):
            reg.assign(tandem, sid or "", by=who, valid_from=start, known_ids=known)
            sozialraum = labels.get(sid or "", sid)
            saved(t("tandems.saved_assignment", name=tandems[tandem].name, sozialraum=sozialraum))
    names = {tv.id: tv.name for tv in reg.tandems()}
    history = reg.assignments()
    if history:
        assignment_history(labels, names, history)
        end_assignment_form(who, labels, names, history)


def handover_tab(who: Principal, labels: dict[str, str]) -> None:
    """When a connector leaves: every partner, open concern, planned activity and Sozialraum gets a successor."""
    st.caption(t("handover.intro"))
    people = {c.id: c.display_name for c in register().private_connectors(by=who) if c.active}
    if not people:
        st.info(t("handover.nobody"))
        return
    due = knowledge.due_for_handover(register(), by=who)
    if not due.empty:  # whose planned end is reached or near: they come first in the list
        st.warning(
            t(
                "handover.due",
                n=len(due),
                names=plain(
                    ", ".join(
                        f"{row.name} ({i18n.format_date(row.planned_end, lang())})"
                        for row in due.itertuples()
                    )
                ),
            ),
            icon=":material/event_upcoming:",
        )
        first = [int(i) for i in due["connector_id"] if int(i) in people]
        people = {i: people[i] for i in [*first, *(i for i in people if i not in first)]}
    chosen = st.selectbox(
        t("handover.who"),
        list(people),
        index=None,
        placeholder=t("app.choose"),
        format_func=labelled(distinct(people)),
        key="tandems_handover_person",
    )
    if chosen is not None:
        handover_form(who, int(chosen), people[int(chosen)], labels)
    past = knowledge.handovers(register(), by=who)
    if not past.empty:
        st.markdown(f"**{t('handover.past')}**")
        names = {c.id: c.display_name for c in register().private_connectors(by=who)}
        st.dataframe(
            pd.DataFrame(
                {
                    t("handover.person"): past["connector_id"].map(lambda i: names.get(int(i), f"#{i}")),
                    t("handover.reason"): past["reason"].map(lambda r: t(f"handover.reason.{r}")),
                    t("handover.items"): past["items"],
                    t("handover.alumni"): past["alumni"].map(
                        lambda a: t("handover.yes") if a else t("handover.no")
                    ),
                    t("handover.when"): i18n.format_dates(past["decided_at"], lang()),
                }
            ),
            hide_index=True,
            width="stretch",
        )


def _successor_label(options: dict[str, str], key: str | None) -> str:
    return t("handover.open") if key is None else options[key]


def handover_form(who: Principal, connector_id: int, name: str, labels: dict[str, str]) -> None:
    """The handover list of one connector, each item with its successor, and the reason for leaving."""
    plan = knowledge.handover_plan(register(), connector_id, by=who)
    tandem_labels = {f"tandem:{i}": n for i, n in plan.tandems.items()}
    person_labels = {f"connector:{i}": n for i, n in plan.connectors.items()}
    staying = [i for i in plan.items if not i.needs_successor]
    if staying:
        st.markdown(f"**{t('handover.staying')}**")
        st.markdown(
            "\n".join(
                f"- {plain(t(f'handover.kind.{i.kind}'))}: {plain(labels.get(i.label, i.label))} → "
                f"{plain(tandem_labels.get(i.proposed, i.proposed))}"
                for i in staying
            )
        )
    with st.form(f"tandems_handover_{connector_id}"):
        st.markdown(f"**{t('handover.list', name=plain(name), n=len(plan.open_items))}**")
        if not plan.open_items:
            st.caption(t("handover.nothing_open"))
        choices: dict[str, str | None] = {}
        for item in plan.open_items:
            options = {
                **(person_labels if item.kind == "partner" else tandem_labels),
                knowledge.COORDINATION: t("handover.coordination"),
            }
            keys: list[str | None] = [None, *options]
            choices[item.key] = st.selectbox(
                f"{t(f'handover.kind.{item.kind}')}: {labels.get(item.label, item.label)}",
                keys,
                index=keys.index(item.proposed) if item.proposed in keys else 0,
                format_func=bound(functools.partial(_successor_label, options)),
                key=f"tandems_handover_{connector_id}_{item.key}",
            )
        reason = st.selectbox(
            t("handover.reason"),
            knowledge.LEAVE_REASONS,
            index=None,
            placeholder=t("app.choose"),
            format_func=bound(lambda r: t(f"handover.reason.{r}")),
        )
        note = st.text_input(t("handover.note"))
        alumni = st.checkbox(t("handover.alumni_ask"), help=t("handover.alumni_help"))
        rest = st.checkbox(t("handover.rest_to_coordination"))
        if st.form_submit_button(t("handover.submit"), type="primary"):
            with friendly_errors():
                result = knowledge.hand_over(
                    register(),
                    connector_id,
                    by=who,
                    successors={k: v for k, v in choices.items() if v},
                    reason=reason or "",
                    note=note,
                    alumni=alumni,
                    rest_to_coordination=rest,
                )
                st.session_state.pop("tandems_handover_person", None)
                saved(t("handover.done", name=plain(name), n=len(result.handed)))


def files_tab(who: Principal, known: set[str], points: dict[str, str]) -> None:
    """CSV import (with a report of rows not taken) and export (never with personal fields)."""
    reg = register()
    frames = store.export_frames(reg)
    c1, c2 = st.columns(2)
    c1.download_button(
        t("tandems.export_tandems"), export.csv_bytes(frames["tandems"]), "tandems.csv", "text/csv"
    )
    c2.download_button(
        t("tandems.export_assignments"),
        export.csv_bytes(frames["assignments"]),
        "zuordnungen.csv",
        "text/csv",
    )
    st.caption(t("tandems.export_note"))
    kind = st.radio(
        t("tandems.import_kind"),
        ["connectors", "tandems", "assignments"],
        horizontal=True,
        format_func=bound(lambda k: t(f"tandems.import_{k}")),
        key="tandems_import_kind",
    )
    upload = st.file_uploader(t("tandems.import_file"), type=["csv"], key="tandems_import_file")
    if upload is None:
        return
    with tempfile.NamedTemporaryFile(suffix=".csv") as tmp:
        tmp.write(upload.getvalue())
        tmp.flush()
        frame = sources.read_table(Path(tmp.name))  # any delimiter and encoding, as for the city's files
    preview = store.preview_import(frame, kind)
    st.write(
        t(
            "tandems.import_preview",
            n=preview.rows,
            used=plain(", ".join(preview.used_columns) or "–"),
            ignored=plain(", ".join(preview.ignored_columns) or "–"),
        )
    )
    if preview.doubtful:  # another kind of table (the Quartiersatlas as a connector list): refused in geo too
        st.error(t("tandems.import_doubtful", kind=t(f"tandems.import_{kind}")))
        return
    st.dataframe(frame[preview.used_columns].head(5), hide_index=True)  # the first rows, as they will go in
    if st.button(t("tandems.import_confirm", n=preview.rows), key="tandems_import"):
        if kind == "connectors":
            problems = store.import_connectors(reg, frame, by=who, known_ids=known)
        elif kind == "tandems":
            problems = store.import_tandems(reg, frame, by=who, known_points=set(points))
        else:
            problems = store.import_assignments(reg, frame, by=who, known_ids=known)
        taken = len(frame) - len(problems)
        st.success(t("tandems.imported", n=taken))
        for p in problems:
            st.warning(t("tandems.row_problem", row=p.row, message=plain(p.message)))


with friendly_errors():
    data, _ = load_current()
    labels = labels_current()  # made once per dataset version for all sessions
    points = dict(zip(data.welcome_points["welcome_point_id"], data.welcome_points["name"], strict=True))
    flash = st.session_state.pop("tandems_flash", None)
    public_overview(labels, points)
    who = principal()
    if not who.may(Action.READ_REGISTER):
        st.caption(t("tandems.public_note"))
        st.stop()
    st.divider()
    st.subheader(t("tandems.register"))
    if data.meta.demo:
        st.info(t("tandems.demo_register"), icon=":material/info:")
    known = set(data.spaces["sozialraum_id"])
    panel, boxes = panels(
        "tandems",
        {
            "connectors": t("tandems.tab_connectors"),
            "tandems": t("tandems.tab_tandems"),
            "assignments": t("tandems.tab_assignments"),
            "files": t("tandems.tab_files"),
            **({"handover": t("tandems.tab_handover")} if who.may(Action.HANDOVER) else {}),
        },
    )
    with boxes[panel], friendly_errors():
        if flash:  # beside the form that was used
            st.success(flash, icon=":material/check_circle:")
        if panel == "connectors":
            connectors_tab(who, known)
        elif panel == "tandems":
            tandems_tab(who, points)
        elif panel == "assignments":
            assignments_tab(who, labels, known)
        elif panel == "handover":
            handover_tab(who, labels)
        else:
            files_tab(who, known, points)
