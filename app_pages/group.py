"""Mitentscheiden: the connectors' proposals, their meetings and decisions, consultations, and what became of it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from app_pages.ui.datasets import load_current, register, showing_demo
from app_pages.ui.page import explain_words, friendly_errors
from app_pages.ui.people import principal
from app_pages.ui.text import bound, labelled, lang, plain, t
from app_pages.ui.widgets import multiselect, panels, prepared_download
from geo.core import i18n
from geo.core.access import Action, Principal
from geo.output import programme_pdfs
from geo.register import decide, impact

st.title(t("group.title"))
st.caption(t("group.intro"))
explain_words("group")


def flash(kind: str) -> None:
    """The confirmation of a save, next to the form that was used."""
    if message := st.session_state.pop(f"group_flash_{kind}", None):
        st.success(message, icon=":material/check_circle:")


def saved(kind: str, message: str) -> None:
    """Remember the confirmation for the next run, then rerun so every list shows the new state."""
    st.session_state[f"group_flash_{kind}"] = message
    st.rerun()


# --- proposals -------------------------------------------------------------------------------------------


def proposals_panel(who: Principal) -> None:
    """Open proposals with their supports and comments; a form for a new one (connectors)."""
    flash("proposals")
    frame = decide.proposals(register(), by=who)
    if who.may(Action.PROPOSE):
        with st.expander(t("group.new_proposal"), expanded=frame.empty):
            new_proposal(who)
    if frame.empty:
        st.info(t("group.no_proposals"))
        return
    st.caption(t("group.proposals_count", n=int((frame["status"] == "open").sum())))
    for row in frame.itertuples():
        with st.container(border=True):
            st.markdown(f"**{plain(row.title)}**")
            st.caption(
                " · ".join(
                    [
                        t(f"decide.kind.{row.kind}"),
                        t(f"group.status.{row.status}"),
                        t("group.by", name=plain(row.author) or t("group.someone")),
                        i18n.format_date(row.created_at, lang()),
                        t("group.supports", n=int(row.supports)),
                    ]
                )
            )
            if row.text:
                st.markdown(plain(row.text))
            if row.concern_ids:
                st.caption(t("group.concerns_linked", n=len(row.concern_ids)))
            if row.city_answer:  # what the city did with it
                answer_block(who, row)
            if row.status == "open" and who.may(Action.PROPOSE):
                mine = bool(row.supported_by_me)
                label = t("group.unsupport") if mine else t("group.support")
                if st.button(label, key=f"group_support_{row.id}", type="secondary" if mine else "primary"):
                    with friendly_errors():
                        decide.support(register(), int(row.id), by=who, on=not mine)
                        done = t("group.unsupported") if mine else t("group.supported")
                        saved("proposals", f"{done} {plain(row.title)}")
                with st.form(f"group_comment_{row.id}", clear_on_submit=True):
                    text = st.text_input(t("group.comment"), key=f"group_comment_text_{row.id}")
                    if st.form_submit_button(t("group.comment_send")):
                        with friendly_errors():
                            decide.comment(register(), int(row.id), text, by=who, lang=lang())
                            saved("proposals", t("group.commented"))


def new_proposal(who: Principal) -> None:
    """A proposal: what it is about, a title, a few sentences, concerns of the problem log it takes up."""
    concern_labels = decide.linkable_concerns(register(), by=who)
    round_ = st.session_state.get("group_new_round", 0)
    with st.form(f"group_new_{round_}"):
        kind = st.radio(
            t("group.kind"), decide.PROPOSAL_KINDS, format_func=bound(lambda k: t(f"decide.kind.{k}"))
        )
        title = st.text_input(t("group.proposal_title"))
        text = st.text_area(t("group.proposal_text"))
        linked = (
            multiselect(t("group.from_concerns"), list(concern_labels), format_func=labelled(concern_labels))
            if concern_labels
            else []
        )
        if st.form_submit_button(t("group.propose"), type="primary"):
            with friendly_errors():
                decide.propose(
                    register(),
                    decide.ProposalInput(
                        kind=str(kind), title=title, text=text, concern_ids=tuple(linked), lang=lang()
                    ),
                    by=who,
                )
                st.session_state["group_new_round"] = round_ + 1
                saved("proposals", t("group.proposed", title=plain(title)))


# --- meetings and decisions ------------------------------------------------------------------------------


def decisions_panel(who: Principal) -> None:
    """Every decision with its method and result; moderators record meetings, the coordination answers."""
    flash("decisions")
    if who.may(Action.RUN_MEETING):
        prepared_download(
            "group_agenda",
            prepare=t("group.agenda_prepare"),
            make=lambda: [
                (
                    t("group.agenda_download"),
                    programme_pdfs.group_agenda(
                        impact.group_agenda(register(), by=who),
                        lang=lang(),
                        demo=showing_demo(),
                        spaces=load_current()[0].spaces,
                    ),
                    "tagesordnung-gruppe.pdf",
                    "application/pdf",
                )
            ],
        )
        with st.expander(t("group.record_meeting")):
            meeting_form(who)
        meetings = decide.meetings(register(), by=who)
        if not meetings.empty:
            with st.expander(t("group.record_decision")):
                decision_form(who, meetings)
    frame = decide.decisions(register(), by=who)
    if frame.empty:
        st.info(t("group.no_decisions"))
        return
    for row in frame.itertuples():
        with st.container(border=True):
            st.markdown(f"**{plain(row.title)}**")
            st.caption(
                " · ".join(
                    [
                        i18n.format_date(row.held_on, lang()),
                        t(f"decide.method.{row.method}"),
                        result_words(row),
                    ]
                )
            )
            if row.carried_by and row.due_on:
                st.caption(
                    t("group.carried", name=plain(row.carried_by), date=i18n.format_date(row.due_on, lang()))
                )
            elif row.carried_by:
                st.caption(t("group.carried_name", name=plain(row.carried_by)))
            if row.to_city:
                answer_block(who, row)


def result_words(row: Any) -> str:
    """A decision's result in words (`geo.register.decide.result_in_words`)."""
    return decide.result_in_words(
        str(row.method), tuple(row.winners), tie=bool(row.tie), adopted=bool(row.adopted), lang=lang()
    )


def answer_block(who: Principal, row: Any) -> None:
    """The city's answer to a decision, or the coordination's form to give it."""
    answer = str(getattr(row, "city_answer", "") or "")
    if answer:
        st.markdown(f"{t('group.city_answer')}: {plain(answer)}")
        if changed := str(getattr(row, "city_changed", "") or ""):
            st.markdown(f"{t('group.city_changed')}: {plain(changed)}")
        return
    st.caption(t("group.waiting_for_city"))
    if not who.may(Action.ANSWER_CONCERN):
        return
    ident = int(row.id)
    with st.form(f"group_answer_{ident}"):
        text = st.text_area(t("group.city_answer_for", title=plain(str(row.title))))
        changed_text = st.text_input(t("group.city_changed"))
        if st.form_submit_button(t("group.answer_send"), type="primary"):
            with friendly_errors():
                decide.answer_decision(
                    register(),
                    ident,
                    by=who,
                    version=int(row.version),
                    answer=text,
                    changed=changed_text,
                )
                saved("decisions", t("group.answered"))


def meeting_form(who: Principal) -> None:
    """Who came to the monthly meeting, and the quorum the group set."""
    people = decide.members(register(), by=who)
    with st.form("group_meeting"):
        day = st.date_input(t("group.meeting_on"), value=date.today(), format="DD.MM.YYYY")
        present = multiselect(t("group.present"), list(people), format_func=labelled(people))
        quorum = st.number_input(
            t("group.quorum"),
            min_value=1,
            max_value=max(1, len(people)),
            value=decide.default_quorum(len(people)),
        )
        st.caption(t("group.quorum_hint"))
        if st.form_submit_button(t("group.meeting_save"), type="primary"):
            with friendly_errors():
                decide.record_meeting(register(), day, list(present), by=who, quorum=int(quorum))
                saved("decisions", t("group.meeting_saved", date=i18n.format_date(day, lang())))


def present_inputs(method: str, present: dict, options: list[str]) -> dict:
    """Each present person's input by the method: objections (consent), resistance per option, or a vote."""
    inputs: dict = {}
    if method == "consent":
        objecting = multiselect(t("group.objections"), list(present), format_func=labelled(present))
        reason = st.text_input(t("group.objection_reason"))
        return {c: (c in objecting, reason if c in objecting else "") for c in present}
    if method == "consensing":
        for option in options:
            st.markdown(f"**{plain(option)}**")
            inputs[option] = {
                c: int(
                    st.number_input(
                        t("group.resistance", name=plain(name)),
                        min_value=0,
                        max_value=decide.RESISTANCE_MAX,
                        value=0,
                        key=f"group_res_{option}_{c}",
                    )
                )
                for c, name in present.items()
            }
        return inputs
    for c, name in present.items():
        inputs[c] = st.radio(
            plain(name),
            decide.VOTES,
            horizontal=True,
            format_func=bound(lambda v: t(f"group.vote.{v}")),
            key=f"group_vote_{c}",
        )
    return inputs


def meeting_and_method(meetings: pd.DataFrame) -> tuple[int | None, dict, str, list[str]]:
    """The meeting (its present people), the method, and for consensing the options, one per line."""
    by_id = meetings.set_index("id")
    meeting = st.selectbox(
        t("group.meeting"),
        list(by_id.index),
        format_func=labelled({int(i): i18n.format_date(by_id.at[i, "held_on"], lang()) for i in by_id.index}),
        key="group_decision_meeting",
    )
    if meeting is None:
        return None, {}, "", []
    present = dict(zip(by_id.at[meeting, "present"], by_id.at[meeting, "names"], strict=False))
    method = st.radio(
        t("group.method"),
        decide.METHODS,
        format_func=bound(lambda m: t(f"decide.method.{m}")),
        key="group_decision_method",
    )
    options_text = ""
    if method == "consensing":
        options_text = st.text_area(
            t("group.options"), key="group_decision_options", help=t("group.options_help")
        )
    return int(meeting), present, str(method), [o.strip() for o in options_text.splitlines() if o.strip()]


def decision_form(who: Principal, meetings: pd.DataFrame) -> None:
    """One item of a meeting: the method, the options and each present person's input."""
    meeting, present, method, options = meeting_and_method(meetings)
    if meeting is None:
        return
    open_proposals = decide.proposals(register(), by=who)
    open_proposals = open_proposals[open_proposals["status"] == "open"]
    proposal_labels = {int(r.id): str(r.title) for r in open_proposals.itertuples()}
    with st.form("group_decision"):
        title = st.text_input(t("group.item_title"))
        proposal = st.selectbox(
            t("group.from_proposal"),
            [None, *proposal_labels],
            format_func=bound(lambda p: t("group.no_proposal") if p is None else proposal_labels[p]),
        )
        inputs = present_inputs(method, present, options)
        carried = st.selectbox(
            t("group.carried_by"),
            [None, *present],
            format_func=bound(lambda c: t("group.nobody") if c is None else present[c]),
        )
        due = st.date_input(t("group.due_on"), value=None, format="DD.MM.YYYY")
        to_city = st.checkbox(t("group.to_city"))
        public = st.checkbox(t("group.public"), help=t("group.public_help"))
        if st.form_submit_button(t("group.decision_save"), type="primary"):
            record = decide.DecisionRecord(
                title=title or (proposal_labels.get(proposal, "") if proposal else ""),
                method=method,
                inputs=inputs,
                options=tuple(options),
                proposal_id=proposal,
                carried_by=carried,
                due_on=due,
                public=public,
                to_city=to_city,
            )
            with friendly_errors():
                outcome = decide.record_decision(register(), meeting, record, by=who)
                saved("decisions", t("group.decision_saved", result=result_words(outcome)))


# --- consultations ---------------------------------------------------------------------------------------


def consultation_file(who: Principal, consultation_id: int) -> None:
    """The flyer or plan a consultation asks about: a picture shows, a PDF opens with a button."""
    found = decide.consultation_file(register(), consultation_id, by=who)
    if found is None:
        return
    if found.media_type.startswith("image/"):
        st.image(found.content, width="stretch")
    st.download_button(
        t("group.attachment_download", name=plain(found.name)),
        found.content,
        file_name=found.name,
        mime=found.media_type,
        key=f"group_file_{consultation_id}",
        icon=":material/description:",
    )


def new_consultation_form(who: Principal) -> None:
    """The coordination asks the connectors something: the question, its languages, a deadline, a document."""
    with st.expander(t("group.new_consultation")), st.form("group_consultation"):
        question = st.text_area(t("group.question"))
        offered = multiselect(
            t("group.languages"),
            list(i18n.LANGUAGES),
            default=[i18n.DEFAULT_LANGUAGE],
            format_func=labelled(dict(i18n.LANGUAGES)),
        )
        deadline = st.date_input(
            t("group.deadline"), value=date.today() + timedelta(days=14), format="DD.MM.YYYY"
        )
        document = st.text_input(t("group.document"), help=t("group.document_help"))
        upload = st.file_uploader(t("group.attachment"), type=["pdf", "png", "jpg", "jpeg"])
        if st.form_submit_button(t("group.consult"), type="primary"):
            with friendly_errors():
                decide.open_consultation(
                    register(),
                    question,
                    by=who,
                    deadline=deadline,
                    languages=tuple(offered),
                    document=document,
                    attachment=decide.Attachment(upload.name, upload.getvalue()) if upload else None,
                )
                saved("consultations", t("group.consulted"))


def consultation_card(who: Principal, row: Any) -> None:
    """One question: its state, document and file, what changed; the answer form or the answers; closing it."""
    st.markdown(f"**{plain(row.question)}**")
    state = t("group.until", date=i18n.format_date(row.deadline, lang())) if row.open else t("group.closed")
    st.caption(
        " · ".join([state, i18n.ui_languages(row.languages, lang()), t("group.answers", n=int(row.answers))])
    )
    if row.document:
        st.markdown(plain(row.document))
    if row.file_name:
        consultation_file(who, int(row.id))
    if row.changed:
        st.success(f"{t('group.what_changed')}: {plain(row.changed)}", icon=":material/task_alt:")
    if row.open and who.may(Action.ANSWER_CONSULTATION):
        with st.form(f"group_reply_{row.id}"):
            text = st.text_area(t("group.your_answer"), value=str(row.my_answer))
            if st.form_submit_button(t("group.reply"), type="primary"):
                with friendly_errors():
                    decide.answer_consultation(register(), int(row.id), text, by=who, lang=lang())
                    saved("consultations", t("group.replied"))
    if who.may(Action.CONSULT) and row.answers:
        for a in decide.consultation_answers(register(), int(row.id), by=who).itertuples():
            st.markdown(f"- {plain(a.text)} ({i18n.ui_languages([a.lang], lang())})")
    if who.may(Action.CONSULT) and row.open:
        with st.form(f"group_close_{row.id}"):
            changed = st.text_area(t("group.what_changed"))
            if st.form_submit_button(t("group.close")):
                with friendly_errors():
                    decide.close_consultation(
                        register(), int(row.id), changed, by=who, version=int(row.version)
                    )
                    saved("consultations", t("group.closed_saved"))


def consultations_panel(who: Principal) -> None:
    """The city's questions: answer them (connectors); open and close them (the coordination)."""
    flash("consultations")
    if who.may(Action.CONSULT):
        new_consultation_form(who)
    frame = decide.consultations(register(), by=who)
    if frame.empty:
        st.info(t("group.no_consultations"))
        return
    for row in frame.itertuples():
        with st.container(border=True):
            consultation_card(who, row)


# --- roles -----------------------------------------------------------------------------------------------


def roles_panel(who: Principal) -> None:
    """Who the group elected as speakers and moderators, now and before; the coordination records it."""
    flash("roles")
    terms = decide.terms(register(), by=who)
    if terms.empty:
        st.info(t("group.no_terms"))
    else:
        for current, rows in ((True, terms[terms["current"]]), (False, terms[~terms["current"]])):
            if rows.empty:
                continue
            st.markdown(f"**{t('group.now') if current else t('group.before')}**")
            st.markdown(
                "\n".join(
                    f"- {plain(r.name)}: {t(f'decide.role.{r.role}')} "
                    f"({i18n.format_date(r.valid_from, lang())} – "
                    f"{i18n.format_date(r.valid_to, lang()) if r.valid_to else t('group.open_end')})"
                    for r in rows.itertuples()
                )
            )
    if not who.may(Action.RECORD_ELECTION):
        return
    people = decide.members(register(), by=who)
    with st.expander(t("group.record_election")), st.form("group_election"):
        person = st.selectbox(t("group.person"), list(people), format_func=labelled(people))
        role = st.radio(
            t("group.role"), decide.GROUP_ROLES, format_func=bound(lambda r: t(f"decide.role.{r}"))
        )
        start = st.date_input(t("group.term_from"), value=date.today(), format="DD.MM.YYYY")
        end = st.date_input(t("group.term_to"), value=None, format="DD.MM.YYYY")
        if st.form_submit_button(t("group.election_save"), type="primary") and person is not None:
            with friendly_errors():
                decide.record_election(
                    register(), int(person), str(role), by=who, valid_from=start, valid_to=end
                )
                saved("roles", t("group.elected", name=plain(people[int(person)])))


# --- you said, we did ------------------------------------------------------------------------------------


def said_panel(who: Principal) -> None:
    """Every decision taken to the city and every consultation, with the answer and the days it took."""
    frame = decide.you_said_we_did(register(), by=who)
    if frame.empty:
        st.info(t("group.nothing_said"))
        return
    answered = frame[frame["status"].isin(("answered", "closed"))]
    st.caption(t("group.said_summary", n=len(frame), done=len(answered)))
    for row in frame.itertuples():
        with st.container(border=True):
            st.markdown(f"**{plain(row.title)}**")
            st.caption(
                " · ".join(
                    [
                        t(f"group.said_kind.{row.kind}"),
                        t(f"group.said_status.{row.status}"),
                        t("group.days", n=int(row.days)),
                    ]
                )
            )
            if row.answer:
                st.markdown(f"{t('group.city_answer')}: {plain(row.answer)}")
            if row.changed:
                st.markdown(f"{t('group.what_changed')}: {plain(row.changed)}")


who = principal()
options: dict[str, str] = {}
if who.may(Action.READ_GROUP):
    options["proposals"] = t("group.tab_proposals")
    options["decisions"] = t("group.tab_decisions")
if not who.is_public:
    options["consultations"] = t("group.tab_consultations")
if who.may(Action.READ_GROUP):
    options["roles"] = t("group.tab_roles")
options["said"] = t("group.tab_said")
panel, tabs = panels("group", options)
with friendly_errors(), tabs[panel]:
    if panel == "proposals":
        proposals_panel(who)
    elif panel == "decisions":
        decisions_panel(who)
    elif panel == "consultations":
        consultations_panel(who)
    elif panel == "roles":
        roles_panel(who)
    else:
        said_panel(who)
