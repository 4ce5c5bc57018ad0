"""
The connectors decide: the roles the group elects, proposals, the monthly decision round, consultations.

The programme's connectors are a self-organised decision body (``../shared/background/``, sections 3.2, 4
and 6): all of them meet monthly and decide, with one of three consensual methods, the direction of their
activities and what goes to the administration; they elect two speakers and three moderators; the city asks
them for feedback (consultations). This module keeps that, decided here for every caller:

- **Group roles** (`GroupRole`): speaker or moderator for a term, recorded with the meeting that elected
  them, by a coordinator or admin (`Action.RECORD_ELECTION`); nobody gives themselves a role. A moderator
  in office may record meetings (`Action.RUN_MEETING`, granted by the term, see `geo.core.access.GROUP_ROLES`).
- **Proposals**: any connector proposes (`Action.PROPOSE`) a topic for the city (optionally from concerns of
  the problem log), an activity idea or a change to how the group works; others comment and support it
  (one support per person, withdrawable).
- **Meetings and decisions**: a moderator records who is present (the quorum the group set), and per item
  the method, the options, the inputs as given and the result, computed here (`consent`, `consensing`,
  `majority`; a tie is named as a tie), and who carries it forward by when. Individual inputs are the
  group's (`Action.READ_GROUP`); the result is for everyone logged in; a decision marked public shows
  without names.
- **The city's answer**: a decision that goes to the city waits for the coordination's answer and what
  changed (`answer_decision`); the answer reaches the proposal, its concerns (their history) and the
  tandems that logged them (a notice, so the weekly digest carries it).
- **Consultations**: the coordination asks (`Action.CONSULT`), connectors answer in their language
  (`Action.ANSWER_CONSULTATION`), the coordination closes it with what changed because of the answers.
- **You said, we did** (`you_said_we_did`): every proposal taken to the city and every consultation, with
  the answer, what changed and the days it took; without names.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import (
    delete,
    func,
    select,
)
from sqlalchemy.orm import Session

from geo.core.access import AccessDeniedError, Action, Principal
from geo.core.errors import ConcurrentEditError, RegisterError
from geo.core.tables import printable
from geo.register import journal, models
from geo.register.models import (
    TITLE_MAX,
    Concern,
    ConcernUpdate,
    Connector,
    Consultation,
    ConsultationAnswer,
    ConsultationFile,
    Decision,
    DecisionInput,
    GroupMeeting,
    GroupRole,
    MeetingPresence,
    Notice,
    Proposal,
    ProposalComment,
    ProposalConcern,
    ProposalSupport,
)
from geo.register.store import Register

#: Roles the group elects for a term.
GROUP_ROLES = ("speaker", "moderator")
#: What a proposal is about.
PROPOSAL_KINDS = ("city", "activity", "group")
#: Where a proposal stands.
PROPOSAL_STATUSES = ("open", "decided", "rejected", "to_city", "answered", "withdrawn")
#: The group's three decision methods.
METHODS = ("consent", "consensing", "majority")
#: Systemic consensing: resistance from 0 (none) to 10 (total).
RESISTANCE_MAX = 10
#: Majority votes.
VOTES = ("yes", "no", "abstain")
#: Longest texts kept.
TEXT_MAX = 4000
#: The largest document or image a consultation may carry, in bytes.
ATTACHMENT_MAX = 5 * 1024 * 1024
#: What a consultation's file may be, recognised by its first bytes (never by its name).
ATTACHMENT_TYPES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


# --- tables ---------------------------------------------------------------------------------------------


def _names(s: Session) -> dict[int, str]:
    return {int(i): str(n) for i, n in s.execute(select(Connector.id, Connector.display_name))}


# --- the three methods (pure: computed from the inputs as given) -------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """
    A decision's result.

    `winners`: the option(s) with the best score (several: a tie); `adopted`: one option won (consent:
    nobody objected seriously; majority: more yes than no); `totals`: per option the total resistance
    (consensing) or the number of votes (majority), for consent the number of serious objections.
    """

    method: str
    winners: tuple[str, ...]
    tie: bool
    adopted: bool
    totals: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> str:
        """The result as stored."""
        return json.dumps(
            {"winners": list(self.winners), "tie": self.tie, "adopted": self.adopted, "totals": self.totals},
            ensure_ascii=False,
        )


def consent(objections: dict[int, bool], option: str) -> Outcome:
    """
    Consent: `option` passes when no present person raises a serious objection.

    `objections`: per present person, True for a serious objection (False: none, or a concern that does not
    block).
    """
    serious = sum(1 for v in objections.values() if v)
    adopted = serious == 0
    return Outcome("consent", (option,) if adopted else (), False, adopted, {option: serious})


def consensing(resistance: dict[str, dict[int, int]]) -> Outcome:
    """
    Systemic consensing: the option with the least total resistance wins.

    Every present person gives each option a resistance from 0 to 10. Several options with the same least
    total are a tie (the group decides again).

    Raises
    ------
    RegisterError
        ``decide.resistance_range`` for a value outside 0-10, ``decide.resistance_missing`` when someone
        gave no value for an option the others rated.
    """
    if not resistance:
        raise RegisterError("decide.options_missing")
    people = set().union(*(set(v) for v in resistance.values()))
    for values in resistance.values():
        if set(values) != people:
            raise RegisterError("decide.resistance_missing")
        if any(not isinstance(x, int) or not 0 <= x <= RESISTANCE_MAX for x in values.values()):
            raise RegisterError("decide.resistance_range", max=RESISTANCE_MAX)
    totals = {option: sum(values.values()) for option, values in resistance.items()}
    least = min(totals.values())
    winners = tuple(o for o in resistance if totals[o] == least)
    tie = len(winners) > 1
    return Outcome("consensing", winners, tie, not tie, totals)


def majority(votes: dict[int, str], options: tuple[str, ...] = ("yes", "no")) -> Outcome:
    """
    Simple majority.

    With the options yes and no: adopted when more yes than no (abstentions do not count;
    as many yes as no is a tie, not adopted). With other options (an election): the option with the most
    votes wins; several with the most are a tie.
    """
    counts = dict.fromkeys(options, 0)
    for vote in votes.values():
        if vote == "abstain":
            continue
        if vote not in counts:
            raise RegisterError("journal.unknown_choice", value=vote)
        counts[vote] += 1
    if set(options) == {"yes", "no"}:
        tie = counts["yes"] == counts["no"]
        adopted = counts["yes"] > counts["no"]
        return Outcome(
            "majority", ("yes",) if adopted else ("no",) if not tie else ("yes", "no"), tie, adopted, counts
        )
    most = max(counts.values(), default=0)
    winners = tuple(o for o in options if counts[o] == most) if most else ()
    tie = len(winners) > 1
    return Outcome("majority", winners, tie, len(winners) == 1, counts)


def result_in_words(method: str, winners: tuple[str, ...], *, tie: bool, adopted: bool, lang: str) -> str:
    """A decision's result as a person reads it: adopted or not, the option chosen, or a tie with its options."""
    from geo.core import i18n  # noqa: PLC0415 - words only here

    if tie:
        return i18n.translate("group.tie", lang, options=", ".join(map(str, winners)))
    if method == "consensing":
        return i18n.translate("group.chosen", lang, option=", ".join(map(str, winners)))
    return i18n.translate("group.adopted" if adopted else "group.not_adopted", lang)


# --- who holds a role -----------------------------------------------------------------------------------


def record_election(
    register: Register,
    connector_id: int,
    role: str,
    *,
    by: Principal,
    valid_from: date,
    valid_to: date | None = None,
    meeting_id: int | None = None,
) -> int:
    """Record that the group elected `connector_id` as speaker or moderator (coordinators, admins)."""
    if role not in GROUP_ROLES:
        raise RegisterError("journal.unknown_choice", value=role)
    if valid_to is not None and valid_to < valid_from:
        raise RegisterError("decide.term_backwards")
    with register.write(
        by, Action.RECORD_ELECTION, "group.elect", target="connector", target_id=connector_id
    ) as tx:
        s = tx.session
        person = s.get(Connector, connector_id)
        if person is None or not person.active:
            raise RegisterError("decide.not_active", value=str(connector_id))
        if meeting_id is not None and s.get(GroupMeeting, meeting_id) is None:
            raise RegisterError("register.not_found", what=f"meeting {meeting_id}")
        term = GroupRole(
            connector_id=connector_id,
            role=role,
            valid_from=valid_from,
            valid_to=valid_to,
            meeting_id=meeting_id,
            recorded_by=tx.by.label[:254],
        )
        s.add(term)
        s.flush()
        tx.details = {"role": role, "valid_from": valid_from.isoformat()}
        return term.id


def terms(register: Register, *, by: Principal) -> pd.DataFrame:
    """
    Who holds and held a group role (the group and the coordination).

    Columns `connector_id`, `name`, `role`, `valid_from`, `valid_to`, `current`.
    """
    today = date.today()
    with register.read(by, Action.READ_GROUP) as s:
        rows = [
            (
                t.connector_id,
                c.display_name,
                t.role,
                t.valid_from,
                t.valid_to,
                t.valid_from <= today and (t.valid_to is None or t.valid_to >= today),
            )
            for t, c in s.execute(
                select(GroupRole, Connector)
                .join(Connector, Connector.id == GroupRole.connector_id)
                .order_by(GroupRole.valid_from.desc(), GroupRole.id)
            )
        ]
    return pd.DataFrame(rows, columns=["connector_id", "name", "role", "valid_from", "valid_to", "current"])


def members(register: Register, *, by: Principal) -> dict[int, str]:
    """The group: every active connector by ID with their name (the group and the coordination)."""
    with register.read(by, Action.READ_GROUP) as s:
        query = select(Connector.id, Connector.display_name).where(Connector.active.is_(True))
        return {int(i): str(n) for i, n in s.execute(query.order_by(Connector.display_name))}


# --- proposals ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalInput:
    """A proposal as typed."""

    kind: str
    title: str
    text: str = ""
    concern_ids: tuple[int, ...] = ()
    lang: str = "de"


def _clean(text: str, limit: int) -> str:
    return " ".join(text.split())[:limit] if limit <= TITLE_MAX else text.strip()[:limit]


def propose(register: Register, data: ProposalInput, *, by: Principal) -> int:
    """A connector's proposal (connectors only: the group's own)."""
    if data.kind not in PROPOSAL_KINDS:
        raise RegisterError("journal.unknown_choice", value=data.kind)
    title = _clean(data.title, TITLE_MAX)
    if not title:
        raise RegisterError("decide.title_missing")
    with register.write(by, Action.PROPOSE, "proposal.create", target="proposal") as tx:
        s = tx.session
        if tx.by.connector_id is None:
            raise AccessDeniedError("decide.connectors_only")
        concerns = list(dict.fromkeys(data.concern_ids))
        for concern_id in concerns:
            if s.get(Concern, concern_id) is None:
                raise RegisterError("register.not_found", what=f"concern {concern_id}")
        record = Proposal(
            kind=data.kind,
            title=title,
            text=_clean(data.text, TEXT_MAX),
            lang=data.lang,
            author_id=tx.by.connector_id,
        )
        s.add(record)
        s.flush()
        s.add_all(ProposalConcern(proposal_id=record.id, concern_id=c) for c in concerns)
        tx.target_id = record.id
        tx.details = {"proposal_kind": data.kind, "concerns": len(concerns)}
        return record.id


def _open_proposal(s: Session, proposal_id: int) -> Proposal:
    record = s.get(Proposal, proposal_id)
    if record is None:
        raise RegisterError("register.not_found", what=f"proposal {proposal_id}")
    if record.status != "open":
        raise RegisterError("decide.proposal_closed")
    return record


def support(register: Register, proposal_id: int, *, by: Principal, on: bool = True) -> bool:
    """Support a proposal (`on`) or withdraw one's support; one per person. Returns whether it is supported."""
    with register.write(
        by, Action.PROPOSE, "proposal.support" if on else "proposal.unsupport", target="proposal"
    ) as tx:
        tx.target_id = proposal_id
        s = tx.session
        if tx.by.connector_id is None:
            raise AccessDeniedError("decide.connectors_only")
        _open_proposal(s, proposal_id)
        mine = s.get(ProposalSupport, (proposal_id, tx.by.connector_id))
        if on and mine is None:
            s.add(ProposalSupport(proposal_id=proposal_id, connector_id=tx.by.connector_id))
        elif not on and mine is not None:
            s.delete(mine)
        return on


def comment(register: Register, proposal_id: int, text: str, *, by: Principal, lang: str = "de") -> int:
    """A comment on an open proposal (connectors)."""
    cleaned = _clean(text, TEXT_MAX)
    if not cleaned:
        raise RegisterError("journal.comment_missing")
    with register.write(by, Action.PROPOSE, "proposal.comment", target="proposal") as tx:
        tx.target_id = proposal_id
        s = tx.session
        if tx.by.connector_id is None:
            raise AccessDeniedError("decide.connectors_only")
        _open_proposal(s, proposal_id)
        record = ProposalComment(
            proposal_id=proposal_id, connector_id=tx.by.connector_id, text=cleaned, lang=lang
        )
        s.add(record)
        s.flush()
        return record.id


def withdraw(register: Register, proposal_id: int, *, by: Principal, version: int) -> None:
    """The author withdraws their open proposal."""
    with register.write(by, Action.PROPOSE, "proposal.withdraw", target="proposal") as tx:
        tx.target_id = proposal_id
        record = _open_proposal(tx.session, proposal_id)
        if record.author_id is None or record.author_id != tx.by.connector_id:
            raise AccessDeniedError("decide.not_yours")
        if record.version != version:
            raise ConcurrentEditError("register.concurrent_edit")
        record.status = "withdrawn"


def support_counts(s: Session) -> dict[int, int]:
    """How many connectors support each proposal (the one count the page, the agenda and the digest use)."""
    return {
        int(p_id): int(n)
        for p_id, n in s.execute(
            select(ProposalSupport.proposal_id, func.count()).group_by(ProposalSupport.proposal_id)
        )
    }


def proposal_areas(s: Session) -> dict[int, set[str]]:
    """The Sozialräume of each proposal: those of the concerns it takes up."""
    areas: dict[int, set[str]] = {}
    for p_id, ids in s.execute(
        select(ProposalConcern.proposal_id, Concern.sozialraum_ids).join(
            Concern, Concern.id == ProposalConcern.concern_id
        )
    ):
        areas.setdefault(int(p_id), set()).update(i for i in str(ids or "").split(",") if i)
    return areas


@dataclass(frozen=True)
class OpenProposal:
    """An open proposal as the agenda and the digest show it: no author, no text."""

    id: int
    title: str
    kind: str
    supports: int
    sozialraum_ids: tuple[str, ...]


def open_proposals(s: Session) -> list[OpenProposal]:
    """The open proposals, most supported first (then by title): for the agenda and the weekly digest."""
    supports = support_counts(s)
    areas = proposal_areas(s)
    found = [
        OpenProposal(p.id, p.title, p.kind, supports.get(p.id, 0), tuple(sorted(areas.get(p.id, set()))))
        for p in s.scalars(select(Proposal).where(Proposal.status == "open"))
    ]
    return sorted(found, key=lambda p: (-p.supports, p.title.casefold(), p.id))


def linkable_concerns(register: Register, *, by: Principal) -> dict[int, str]:
    """The open concerns of the problem log `by` sees, by ID with their topic: what a proposal may take up."""
    seen = journal.concerns(register, by=by)  # the problem log decides who sees which concern
    if seen.empty:
        return {}
    open_ones = seen[seen["status"].isin(models.OPEN_CONCERN_STATUSES)]
    return {int(r.id): str(r.thema) for r in open_ones.itertuples()}


def proposals(register: Register, *, by: Principal) -> pd.DataFrame:
    """
    Every proposal with its supports and concerns, as the group sees it (`Action.READ_GROUP`).

    Columns `id`, `kind`, `title`, `text`, `lang`, `author_id`, `author`, `status`, `created_at`,
    `supports`, `supported_by_me`, `concern_ids`, `comments`, `version`, and what the city did with it:
    `city_answer`, `city_changed`, `answered_at` (of the latest answered decision on it; empty otherwise).
    """
    with register.read(by, Action.READ_GROUP) as s:
        who = register.current(s, by)
        names = _names(s)
        answers: dict[int, tuple[str, str, datetime | None]] = {}
        for d in s.scalars(
            select(Decision)
            .where(Decision.proposal_id.is_not(None), Decision.answered_at.is_not(None))
            .order_by(Decision.answered_at, Decision.id)
        ):
            if d.proposal_id is not None:
                answers[d.proposal_id] = (d.city_answer or "", d.city_changed or "", d.answered_at)
        supports: dict[int, set[int]] = {}
        for p_id, c_id in s.execute(select(ProposalSupport.proposal_id, ProposalSupport.connector_id)):
            supports.setdefault(p_id, set()).add(c_id)
        concerns: dict[int, list[int]] = {}
        for p_id, c_id in s.execute(select(ProposalConcern.proposal_id, ProposalConcern.concern_id)):
            concerns.setdefault(p_id, []).append(c_id)
        comments: dict[int, int] = {}
        for (p_id,) in s.execute(select(ProposalComment.proposal_id)):
            comments[p_id] = comments.get(p_id, 0) + 1
        rows = [
            (
                p.id,
                p.kind,
                p.title,
                p.text,
                p.lang,
                p.author_id,
                names.get(p.author_id, "") if p.author_id else "",
                p.status,
                p.created_at,
                len(supports.get(p.id, set())),
                who.connector_id in supports.get(p.id, set()),
                tuple(sorted(concerns.get(p.id, []))),
                comments.get(p.id, 0),
                p.version,
                *answers.get(p.id, ("", "", None)),
            )
            for p in s.scalars(select(Proposal).order_by(Proposal.created_at.desc(), Proposal.id.desc()))
        ]
    columns = [
        "id",
        "kind",
        "title",
        "text",
        "lang",
        "author_id",
        "author",
        "status",
        "created_at",
        "supports",
        "supported_by_me",
        "concern_ids",
        "comments",
        "version",
        "city_answer",
        "city_changed",
        "answered_at",
    ]
    return pd.DataFrame(rows, columns=columns)


# --- meetings and decisions -----------------------------------------------------------------------------


def default_quorum(active_connectors: int) -> int:
    """The quorum until the group sets another: more than half of the active connectors."""
    return max(1, math.floor(active_connectors / 2) + 1)


def record_meeting(
    register: Register, held_on: date, present: list[int], *, by: Principal, quorum: int | None = None
) -> int:
    """
    A meeting with who was present (moderators in office).

    `quorum`: the number present the group requires (default: more than half of the active connectors).
    """
    if held_on > date.today():
        raise RegisterError("programme.meeting_in_future", date=held_on.isoformat())
    with register.write(by, Action.RUN_MEETING, "meeting.record", target="meeting") as tx:
        s = tx.session
        if s.scalar(select(GroupMeeting.id).where(GroupMeeting.held_on == held_on)) is not None:
            raise RegisterError("decide.meeting_exists", date=held_on.isoformat())
        active = set(s.scalars(select(Connector.id).where(Connector.active.is_(True))))
        unknown = set(present) - active
        if unknown:
            raise RegisterError("decide.not_active", value=", ".join(map(str, sorted(unknown))))
        needed = quorum if quorum is not None else default_quorum(len(active))
        if needed < 1:
            raise RegisterError("decide.quorum_invalid")
        meeting = GroupMeeting(held_on=held_on, quorum=needed, recorded_by=tx.by.label[:254])
        s.add(meeting)
        s.flush()
        s.add_all(MeetingPresence(meeting_id=meeting.id, connector_id=c) for c in dict.fromkeys(present))
        tx.target_id = meeting.id
        tx.details = {"present": len(set(present)), "quorum": needed}
        return meeting.id


def meetings(register: Register, *, by: Principal) -> pd.DataFrame:
    """
    The meetings, newest first, with who was present (the group and the coordination).

    Columns `id`, `held_on`, `quorum`, `present` (tuple of connector IDs), `names` (tuple of names).
    """
    with register.read(by, Action.READ_GROUP) as s:
        names = _names(s)
        present: dict[int, list[int]] = {}
        for m_id, c_id in s.execute(select(MeetingPresence.meeting_id, MeetingPresence.connector_id)):
            present.setdefault(m_id, []).append(c_id)
        rows = [
            (
                m.id,
                m.held_on,
                m.quorum,
                tuple(sorted(present.get(m.id, []))),
                tuple(sorted(names.get(c, "") for c in present.get(m.id, []))),
            )
            for m in s.scalars(select(GroupMeeting).order_by(GroupMeeting.held_on.desc()))
        ]
    return pd.DataFrame(rows, columns=["id", "held_on", "quorum", "present", "names"])


@dataclass(frozen=True)
class Minutes:
    """
    One meeting as its minutes tell it.

    `present` names the people (the group's copy) or is empty (the public copy: only `present_count`);
    `decisions` rows as `decisions` gives them, with `inputs` per decision only for the group's copy.
    """

    held_on: date
    quorum: int
    present_count: int
    present: tuple[str, ...]
    decisions: pd.DataFrame
    inputs: dict[int, pd.DataFrame]
    public: bool
    #: (name, role) of whom this meeting elected (the group's copy only).
    elected: tuple[tuple[str, str], ...] = ()


def minutes(
    register: Register, *, by: Principal, held_on: date | None = None, public: bool = False
) -> Minutes:
    """
    The minutes of the meeting on `held_on` (the latest when None).

    The group's copy (`Action.READ_GROUP`) names who was present, who carries what and each person's input
    (`Action.READ_VOTES`); the public copy names nobody and holds only the decisions marked public.
    """
    with register.read(by, Action.READ_PUBLIC) as s:
        who = register.current(s, by)
        if not public and not who.may(Action.READ_GROUP):
            raise AccessDeniedError("access.login_needed" if who.is_public else "decide.connectors_only")
        query = select(GroupMeeting).order_by(GroupMeeting.held_on.desc())
        if held_on is not None:
            query = query.where(GroupMeeting.held_on == held_on)
        meeting = s.scalars(query).first()
        if meeting is None:
            raise RegisterError("decide.no_meeting", date=held_on.isoformat() if held_on else "–")
        people = list(
            s.scalars(select(MeetingPresence.connector_id).where(MeetingPresence.meeting_id == meeting.id))
        )
        names = _names(s)
        votes = who.may(Action.READ_VOTES) and not public
        elected = tuple(
            (names.get(r.connector_id, ""), r.role)
            for r in s.scalars(
                select(GroupRole).where(GroupRole.meeting_id == meeting.id).order_by(GroupRole.id)
            )
        )
    frame = decisions(register, by=by)
    frame = frame[frame["meeting_id"] == meeting.id]
    if public:
        frame = frame[frame["public"]].assign(carried_by="")
    given = {int(i): inputs(register, int(i), by=by) for i in frame["id"]} if votes else {}
    return Minutes(
        held_on=meeting.held_on,
        quorum=meeting.quorum,
        present_count=len(people),
        present=() if public else tuple(sorted(names.get(p, "") for p in people)),
        decisions=frame.reset_index(drop=True),
        inputs=given,
        public=public,
        elected=() if public else elected,
    )


@dataclass(frozen=True)
class DecisionRecord:
    """
    One item as the meeting decided it.

    `inputs` per method: consent ``{connector: (serious objection?, reason)}``; consensing
    ``{option: {connector: resistance}}``; majority ``{connector: option or "abstain"}``.
    """

    title: str
    method: str
    inputs: dict[Any, Any]
    options: tuple[str, ...] = ()
    proposal_id: int | None = None
    carried_by: int | None = None
    due_on: date | None = None
    public: bool = False
    to_city: bool = False


def record_decision(register: Register, meeting_id: int, item: DecisionRecord, *, by: Principal) -> Outcome:
    """
    Record one decision of a meeting (moderators in office).

    Only inputs of present people count; the result is computed by the method; refused without the quorum.
    """
    if item.method not in METHODS:
        raise RegisterError("journal.unknown_choice", value=item.method)
    title = _clean(item.title, TITLE_MAX)
    if not title:
        raise RegisterError("decide.title_missing")
    with register.write(
        by, Action.RUN_MEETING, "decision.record", target="meeting", target_id=meeting_id
    ) as tx:
        s = tx.session
        meeting = s.get(GroupMeeting, meeting_id)
        if meeting is None:
            raise RegisterError("register.not_found", what=f"meeting {meeting_id}")
        present = set(
            s.scalars(select(MeetingPresence.connector_id).where(MeetingPresence.meeting_id == meeting_id))
        )
        if len(present) < meeting.quorum:
            raise RegisterError("decide.no_quorum", present=len(present), quorum=meeting.quorum)
        outcome, rows = _outcome(item, present)
        if item.carried_by is not None and item.carried_by not in present | set(
            s.scalars(select(Connector.id).where(Connector.active.is_(True)))
        ):
            raise RegisterError("decide.not_active", value=str(item.carried_by))
        record = Decision(
            meeting_id=meeting_id,
            proposal_id=item.proposal_id,
            title=title,
            method=item.method,
            options=json.dumps(list(item.options) or list(outcome.totals), ensure_ascii=False),
            result=outcome.as_json(),
            adopted=outcome.adopted,
            carried_by=item.carried_by,
            due_on=item.due_on,
            public=item.public,
            to_city=item.to_city and outcome.adopted,
        )
        s.add(record)
        s.flush()
        s.add_all(DecisionInput(decision_id=record.id, **row) for row in rows)
        if item.proposal_id is not None:
            proposal = _open_proposal(s, item.proposal_id)
            proposal.status = ("to_city" if record.to_city else "decided") if outcome.adopted else "rejected"
        tx.details = {"method": item.method, "adopted": outcome.adopted, "tie": outcome.tie}
        return outcome


def _outcome(item: DecisionRecord, present: set[int]) -> tuple[Outcome, list[dict[str, Any]]]:
    """The result of `item` and its inputs as rows, from present people only."""
    rows: list[dict[str, Any]] = []
    if item.method == "consent":
        given = {int(k): v for k, v in item.inputs.items()}
        _only_present(given, present)
        option = item.options[0] if item.options else item.title
        objections = {k: bool(v[0]) for k, v in given.items()}
        rows = [
            {"connector_id": k, "option": option, "value": int(v[0]), "text": str(v[1])[:TEXT_MAX]}
            for k, v in given.items()
        ]
        return consent(objections, option), rows
    if item.method == "consensing":
        resistance = {str(o): {int(k): v for k, v in values.items()} for o, values in item.inputs.items()}
        for values in resistance.values():
            _only_present(values, present)
        rows = [
            {"connector_id": k, "option": o, "value": v, "text": ""}
            for o, values in resistance.items()
            for k, v in values.items()
        ]
        return consensing(resistance), rows
    votes = {int(k): str(v) for k, v in item.inputs.items()}
    _only_present(votes, present)
    options = item.options or ("yes", "no")
    rows = [{"connector_id": k, "option": v, "value": None, "text": ""} for k, v in votes.items()]
    return majority(votes, tuple(options)), rows


def _only_present(given: Mapping[int, object], present: set[int]) -> None:
    absent = set(given) - present
    if absent:
        raise RegisterError("decide.not_present", value=", ".join(map(str, sorted(absent))))


def answer_decision(
    register: Register, decision_id: int, *, by: Principal, version: int, answer: str, changed: str = ""
) -> None:
    """
    The coordination answers a decision that went to the city.

    The answer and what changed reach the proposal, its concerns (their history) and the tandems that
    logged them (the weekly digest).
    """
    if not answer.strip():
        raise RegisterError("journal.comment_missing")
    with register.write(
        by, Action.ANSWER_CONCERN, "decision.answer", target="decision", target_id=decision_id
    ) as tx:
        s = tx.session
        record = s.get(Decision, decision_id)
        if record is None:
            raise RegisterError("register.not_found", what=f"decision {decision_id}")
        if not record.to_city:
            raise RegisterError("decide.not_to_city")
        if record.version != version:
            raise ConcurrentEditError("register.concurrent_edit")
        record.city_answer = answer.strip()[:TEXT_MAX]
        record.city_changed = changed.strip()[:TEXT_MAX]
        record.answered_at = _now()
        record.answered_by = tx.by.label[:254]
        told = 0
        if record.proposal_id is not None:
            proposal = s.get(Proposal, record.proposal_id)
            if proposal is not None:
                proposal.status = "answered"
            note = record.city_answer + (f"\n\n{record.city_changed}" if record.city_changed else "")
            for concern_id in s.scalars(
                select(ProposalConcern.concern_id).where(ProposalConcern.proposal_id == record.proposal_id)
            ):
                concern = s.get(Concern, concern_id)
                if concern is None:
                    continue
                s.add(ConcernUpdate(concern_id=concern_id, status=concern.status, comment=note))
                if concern.tandem_id is not None:
                    s.add(Notice(tandem_id=concern.tandem_id, concern_id=concern_id, status=concern.status))
                    told += 1
        tx.details = {"notices": told}


def decisions(register: Register, *, by: Principal) -> pd.DataFrame:
    """
    Every decision with its result (everyone logged in; the public: those marked public, without names).

    Columns `id`, `held_on`, `title`, `method`, `winners`, `tie`, `adopted`, `totals`, `carried_by`,
    `due_on`, `public`, `to_city`, `city_answer`, `city_changed`, `answered_at`, `proposal_id`, `version`.
    """
    with register.read(by, Action.READ_PUBLIC) as s:
        who = register.current(s, by)
        group = who.may(Action.READ_GROUP)
        names = _names(s) if group else {}
        rows = []
        for d, held_on in s.execute(
            select(Decision, GroupMeeting.held_on)
            .join(GroupMeeting, GroupMeeting.id == Decision.meeting_id)
            .order_by(GroupMeeting.held_on.desc(), Decision.id)
        ):
            if who.is_public and not d.public:  # the result is for everyone logged in; the public: if public
                continue
            result = json.loads(d.result or "{}")
            rows.append(
                (
                    d.id,
                    held_on,
                    d.title,
                    d.method,
                    tuple(result.get("winners", ())),
                    bool(result.get("tie")),
                    d.adopted,
                    result.get("totals", {}),
                    names.get(d.carried_by, "") if d.carried_by else "",
                    d.due_on,
                    d.public,
                    d.to_city,
                    d.city_answer,
                    d.city_changed,
                    d.answered_at,
                    d.proposal_id,
                    d.version,
                    d.meeting_id,
                )
            )
    columns = [
        "id",
        "held_on",
        "title",
        "method",
        "winners",
        "tie",
        "adopted",
        "totals",
        "carried_by",
        "due_on",
        "public",
        "to_city",
        "city_answer",
        "city_changed",
        "answered_at",
        "proposal_id",
        "version",
        "meeting_id",
    ]
    return pd.DataFrame(rows, columns=columns)


def inputs(register: Register, decision_id: int, *, by: Principal) -> pd.DataFrame:
    """Each present person's input on a decision, with names: the group's own (not the public's or the city's)."""
    with register.read(by, Action.READ_VOTES) as s:
        names = _names(s)
        rows = [
            (names.get(i.connector_id, ""), i.option, i.value, i.text)
            for i in s.scalars(
                select(DecisionInput)
                .where(DecisionInput.decision_id == decision_id)
                .order_by(DecisionInput.id)
            )
        ]
    return pd.DataFrame(rows, columns=["name", "option", "value", "text"])


# --- consultations --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    """A consultation's document or image: its file name, its type (`ATTACHMENT_TYPES`) and its bytes."""

    name: str
    content: bytes
    media_type: str = ""


def attachment_type(content: bytes) -> str:
    """
    The media type of a consultation's file from its first bytes: PDF, PNG or JPEG.

    Raises
    ------
    RegisterError
        When it is empty, larger than `ATTACHMENT_MAX`, or none of these (a renamed file is not taken).
    """
    if not content:
        raise RegisterError("decide.attachment_empty")
    if len(content) > ATTACHMENT_MAX:
        raise RegisterError("decide.attachment_too_big", mb=ATTACHMENT_MAX // (1024 * 1024))
    for magic, media_type in ATTACHMENT_TYPES.items():
        if content.startswith(magic):
            return media_type
    raise RegisterError("decide.attachment_type")


def open_consultation(
    register: Register,
    question: str,
    *,
    by: Principal,
    deadline: date,
    languages: tuple[str, ...] = ("de",),
    document_name: str = "",
    document: str = "",
    attachment: Attachment | None = None,
) -> int:
    """
    The coordination asks the connectors a question until `deadline`.

    `document` is a link or a short text version; `attachment` the flyer or plan itself (`attachment_type`).
    """
    if not question.strip():
        raise RegisterError("decide.question_missing")
    if deadline < date.today():
        raise RegisterError("decide.deadline_past", date=deadline.isoformat())
    media_type = attachment_type(attachment.content) if attachment is not None else ""
    with register.write(by, Action.CONSULT, "consultation.open", target="consultation") as tx:
        record = Consultation(
            question=question.strip()[:TEXT_MAX],
            languages=",".join(dict.fromkeys(languages)) or "de",
            deadline=deadline,
            document_name=document_name.strip()[:200],
            document=document.strip()[:TEXT_MAX],
            opened_by=tx.by.label[:254],
        )
        tx.session.add(record)
        tx.session.flush()
        tx.target_id = record.id
        if attachment is not None:
            name = printable(Path(attachment.name.replace("\\", "/")).name).strip()[:200] or "datei"
            tx.session.add(
                ConsultationFile(
                    consultation_id=record.id,
                    name=name,
                    media_type=media_type,
                    size=len(attachment.content),
                    content=attachment.content,
                )
            )
            tx.details = {"file": name, "bytes": len(attachment.content)}
        return record.id


def consultation_file(register: Register, consultation_id: int, *, by: Principal) -> Attachment | None:
    """The document or image of a consultation (everyone logged in, as the consultation itself)."""
    with register.read() as s:
        if register.current(s, by).is_public:
            raise AccessDeniedError("access.login_needed")
        found = s.scalar(select(ConsultationFile).where(ConsultationFile.consultation_id == consultation_id))
        return None if found is None else Attachment(found.name, found.content, found.media_type)


def answer_consultation(
    register: Register, consultation_id: int, text: str, *, by: Principal, lang: str = "de"
) -> None:
    """A connector's answer (one per person: a new one replaces theirs) while the consultation is open."""
    if not text.strip():
        raise RegisterError("journal.comment_missing")
    with register.write(
        by,
        Action.ANSWER_CONSULTATION,
        "consultation.answer",
        target="consultation",
        target_id=consultation_id,
    ) as tx:
        s = tx.session
        if tx.by.connector_id is None:
            raise AccessDeniedError("decide.connectors_only")
        record = s.get(Consultation, consultation_id)
        if record is None:
            raise RegisterError("register.not_found", what=f"consultation {consultation_id}")
        if record.closed_at is not None or record.deadline < date.today():
            raise RegisterError("decide.consultation_closed")
        s.execute(
            delete(ConsultationAnswer).where(
                ConsultationAnswer.consultation_id == consultation_id,
                ConsultationAnswer.connector_id == tx.by.connector_id,
            )
        )
        s.add(
            ConsultationAnswer(
                consultation_id=consultation_id,
                connector_id=tx.by.connector_id,
                text=text.strip()[:TEXT_MAX],
                lang=lang,
            )
        )


def close_consultation(
    register: Register, consultation_id: int, changed: str, *, by: Principal, version: int
) -> None:
    """The coordination closes a consultation with what changed because of the answers (seen by all)."""
    if not changed.strip():
        raise RegisterError("decide.changed_missing")
    with register.write(
        by, Action.CONSULT, "consultation.close", target="consultation", target_id=consultation_id
    ) as tx:
        record = tx.session.get(Consultation, consultation_id)
        if record is None:
            raise RegisterError("register.not_found", what=f"consultation {consultation_id}")
        if record.version != version:
            raise ConcurrentEditError("register.concurrent_edit")
        if record.closed_at is not None:
            raise RegisterError("decide.consultation_closed")
        record.changed = changed.strip()[:TEXT_MAX]
        record.closed_at = _now()


def consultations(register: Register, *, by: Principal) -> pd.DataFrame:
    """
    Every consultation, newest first (everyone logged in), with whether `by` answered it.

    Columns `id`, `question`, `languages` (tuple of codes), `deadline`, `document_name`, `document`,
    `open`, `changed`, `answers`, `answered_by_me`, `my_answer`, `version`, and the file it asks about:
    `file_name`, `file_type` (empty without one; the bytes come from `consultation_file`).
    """
    today = date.today()
    with register.read() as s:
        who = register.current(s, by)
        if who.is_public:
            raise AccessDeniedError("access.login_needed")
        counts: dict[int, int] = {}
        mine: dict[int, str] = {}
        files = {
            c_id: (name, media_type)
            for c_id, name, media_type in s.execute(
                select(ConsultationFile.consultation_id, ConsultationFile.name, ConsultationFile.media_type)
            )
        }
        for a in s.scalars(select(ConsultationAnswer)):
            counts[a.consultation_id] = counts.get(a.consultation_id, 0) + 1
            if who.connector_id is not None and a.connector_id == who.connector_id:
                mine[a.consultation_id] = a.text
        rows = [
            (
                c.id,
                c.question,
                tuple(x for x in c.languages.split(",") if x),
                c.deadline,
                c.document_name,
                c.document,
                c.closed_at is None and c.deadline >= today,
                c.changed,
                counts.get(c.id, 0),
                c.id in mine,
                mine.get(c.id, ""),
                c.version,
                *files.get(c.id, ("", "")),
            )
            for c in s.scalars(
                select(Consultation).order_by(Consultation.created_at.desc(), Consultation.id.desc())
            )
        ]
    columns = [
        "id",
        "question",
        "languages",
        "deadline",
        "document_name",
        "document",
        "open",
        "changed",
        "answers",
        "answered_by_me",
        "my_answer",
        "version",
        "file_name",
        "file_type",
    ]
    return pd.DataFrame(rows, columns=columns)


def consultation_answers(register: Register, consultation_id: int, *, by: Principal) -> pd.DataFrame:
    """The answers with names and languages (the coordination and the group)."""
    with register.read(by, Action.READ_GROUP) as s:
        names = _names(s)
        rows = [
            (names.get(a.connector_id, ""), a.text, a.lang, a.created_at)
            for a in s.scalars(
                select(ConsultationAnswer)
                .where(ConsultationAnswer.consultation_id == consultation_id)
                .order_by(ConsultationAnswer.created_at)
            )
        ]
    return pd.DataFrame(rows, columns=["name", "text", "lang", "created_at"])


# --- you said, we did -----------------------------------------------------------------------------------


SAID_COLUMNS = ["kind", "title", "since", "status", "answer", "changed", "days", "done"]


def _said_rows(s: Session, today: date) -> pd.DataFrame:
    """The rows of `you_said_we_did` (see there), newest first."""
    rows = []
    for d, held_on in s.execute(
        select(Decision, GroupMeeting.held_on)
        .join(GroupMeeting, GroupMeeting.id == Decision.meeting_id)
        .where(Decision.to_city.is_(True))
    ):
        done = d.answered_at.date() if d.answered_at else None
        status = "answered" if done else "waiting"
        days = ((done or today) - held_on).days
        rows.append(("decision", d.title, held_on, status, d.city_answer, d.city_changed, days, done))
    for c in s.scalars(select(Consultation)):
        asked = c.created_at.date()
        done = c.closed_at.date() if c.closed_at else None
        status = "closed" if done else "open"
        rows.append(
            ("consultation", c.question, asked, status, "", c.changed, ((done or today) - asked).days, done)
        )
    frame = pd.DataFrame(rows, columns=SAID_COLUMNS)
    return frame.sort_values("since", ascending=False, kind="stable").reset_index(drop=True)


def you_said_we_did(register: Register, *, by: Principal) -> pd.DataFrame:
    """
    Every decision taken to the city and every consultation: the answer, what changed, the days it took.

    Never a name: the group and the public read the same list (the transparency the programme missed).

    Columns `kind` ("decision" or "consultation"), `title`, `since` (the day it went to the city or was
    asked), `status` ("waiting", "answered", "open", "closed"), `answer`, `changed`, `days` (until the answer,
    or until today while it waits), `done` (the day of the answer or the closing; empty while it waits).
    """
    with register.read(by, Action.READ_PUBLIC) as s:
        return _said_rows(s, date.today())


@dataclass(frozen=True)
class SaidCounts:
    """In figures for a period: what went to the city and what came back, without names (Wirkung)."""

    to_city: int  # decisions taken to the city in the period
    answered: int  # of all decisions to the city, answered in the period
    median_days: float  # days from the meeting to the city's answer, for those answered in the period
    consultations: int  # opened in the period
    closed: int  # closed with what changed, in the period
    public_decisions: pd.DataFrame  # held_on, title, method, winners, tie, adopted (decisions marked public)
    #: The rows of `you_said_we_did` that went to the city, were asked, answered or closed in the period:
    #: the decisions first, then the consultations, each newest first.
    items: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SAID_COLUMNS))


def said_counts(register: Register, start: date, end: date, *, by: Principal) -> SaidCounts:
    """The counts of `you_said_we_did` from `start` to `end` (inclusive), and the public decisions then."""
    with register.read(by, Action.READ_PUBLIC) as s:
        to_city = answered = 0
        days: list[int] = []
        public_rows = []
        for d, held_on in s.execute(
            select(Decision, GroupMeeting.held_on)
            .join(GroupMeeting, GroupMeeting.id == Decision.meeting_id)
            .order_by(GroupMeeting.held_on, Decision.id)
        ):
            if d.to_city and start <= held_on <= end:
                to_city += 1
            if d.to_city and d.answered_at is not None and start <= d.answered_at.date() <= end:
                answered += 1
                days.append((d.answered_at.date() - held_on).days)
            if d.public and start <= held_on <= end:
                result = json.loads(d.result or "{}")
                public_rows.append(
                    (
                        held_on,
                        d.title,
                        d.method,
                        tuple(result.get("winners", ())),
                        bool(result.get("tie")),
                        d.adopted,
                    )
                )
        opened = closed = 0
        for c in s.scalars(select(Consultation)):
            opened += start <= c.created_at.date() <= end
            closed += c.closed_at is not None and start <= c.closed_at.date() <= end
        said = _said_rows(s, min(date.today(), end))
    touched = said["since"].between(start, end) | said["done"].map(
        lambda d: d is not None and start <= d <= end
    )
    columns = ["held_on", "title", "method", "winners", "tie", "adopted"]
    return SaidCounts(
        to_city=to_city,
        answered=answered,
        median_days=float(pd.Series(days).median()) if days else float("nan"),
        consultations=int(opened),
        closed=int(closed),
        public_decisions=pd.DataFrame(public_rows, columns=columns),
        items=said[touched]  # what the connectors took to the city first, then what the city asked
        .sort_values("kind", key=lambda k: k != "decision", kind="stable")
        .reset_index(drop=True),
    )
