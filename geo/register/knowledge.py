"""
Knowledge that stays: debriefs, what is known about a Sozialraum, and the handover when a connector leaves.

- A **debrief** belongs to a held activity: whom it reached (number, groups, languages), which partners took
  part, what worked, what to do differently, would we repeat it; written in any UI language (stored with it).
  The activity's tandem writes it; logged-in connectors and coordinators read it; a coordinator may mark it
  public, and public views then show it without the tandem's name.
- **Was wir hier wissen** (`what_we_know`): a Sozialraum's partners, debriefs, concerns and what became of them,
  and its Welcome Point, as the reader may see them. Alumni advisers read it for their former Sozialräume only.
- **Handover** (`handover_plan`, `hand_over`): when a connector leaves, every partner relation they keep and
  every open concern and planned activity their tandems would leave without an active member is handed to a
  named successor (a connector, a tandem, or the coordination). Invariant: afterwards nothing of it is left
  without an active owner; a connector is not set to "left" while items are unassigned unless a coordinator
  confirms that they go to the coordination.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.core.access import AccessDeniedError, Action, Principal, Role
from geo.core.errors import ConcurrentEditError, RegisterError
from geo.register import _handover, journal, models, partners, programme
from geo.register.models import (
    Account,
    Assignment,
    Connector,
    Debrief,
    Handover,
    Tandem,
    TandemMember,
)
from geo.register.store import Register

REPEAT_CHOICES = ("ja", "vielleicht", "nein")
#: Why a connector leaves (after the archive reasons of volunteer-management tools such as Better Impact).
LEAVE_REASONS = ("time", "moved", "work_or_study", "family", "health", "term_ended", "other")
#: Concern statuses that still wait for something.
OPEN_CONCERN = models.OPEN_CONCERN_STATUSES
PLANNED_ACTIVITY = _handover.PLANNED_ACTIVITY
COORDINATION = _handover.COORDINATION
HandoverItem = _handover.HandoverItem
HandoverPlan = _handover.HandoverPlan


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


# --- debriefs ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DebriefInput:
    """A debrief as entered."""

    worked: str = ""
    differently: str = ""
    repeat: str = "vielleicht"
    reached: int | None = None
    groups: str = ""
    languages: str = ""
    partner_ids: tuple[str, ...] = ()
    lang: str = "de"


def save_debrief(register: Register, activity_id: int, data: DebriefInput, *, by: Principal) -> int:
    """
    Write (or rewrite) the debrief of a held activity; returns its ID.

    The activity's tandem (coordinators: any) writes it; refused before the activity is marked held.
    """
    if data.repeat not in REPEAT_CHOICES:
        raise RegisterError("journal.unknown_choice", value=data.repeat)
    if data.reached is not None and data.reached < 0:
        raise RegisterError("knowledge.reached_negative")
    if not (data.worked.strip() or data.differently.strip() or data.reached is not None):
        raise RegisterError("knowledge.debrief_empty")
    with register.write(
        by, Action.READ_PUBLIC, "debrief.save", target="activity", target_id=activity_id
    ) as tx:
        s = tx.session
        activity = s.get(models.Activity, activity_id)
        if activity is None:
            raise RegisterError("register.not_found", what=f"activity {activity_id}")
        tx.require(Action.WRITE_DEBRIEF, tandem_id=activity.tandem_id)
        if activity.status != "durchgefuehrt":
            raise RegisterError("knowledge.not_held")
        known = set(s.scalars(select(models.Partner.id)))
        unknown = [p for p in data.partner_ids if p not in known]
        if unknown:
            raise RegisterError("register.not_found", what=f"partner {', '.join(unknown)}")
        record = s.scalar(select(Debrief).where(Debrief.activity_id == activity_id))
        if record is None:
            record = Debrief(activity_id=activity_id)
            s.add(record)
        record.reached = data.reached
        record.groups = data.groups.strip()
        record.languages = data.languages.strip()
        record.partner_ids = ",".join(dict.fromkeys(data.partner_ids))
        record.worked = data.worked.strip()
        record.differently = data.differently.strip()
        record.repeat = data.repeat
        record.lang = data.lang
        s.flush()
        tx.details = {"partners": len(data.partner_ids), "reached": data.reached is not None}
        return record.id


def publish_debrief(
    register: Register, debrief_id: int, *, by: Principal, public: bool, version: int
) -> None:
    """Show a debrief in public views (without names) or take it back (coordinators, after reading it)."""
    with register.write(
        by, Action.PUBLISH_DEBRIEF, "debrief.publish", target="debrief", target_id=debrief_id
    ) as tx:
        record = tx.session.get(Debrief, debrief_id)
        if record is None:
            raise RegisterError("register.not_found", what=f"debrief {debrief_id}")
        if record.version != version:
            raise ConcurrentEditError("register.concurrent_edit")
        record.public = public
        tx.details = {"public": public}


def former_areas(s: Session, connector_id: int) -> set[str]:
    """Every Sozialraum a tandem of the connector ever worked in."""
    query = (
        select(Assignment.sozialraum_id)
        .join(TandemMember, TandemMember.tandem_id == Assignment.tandem_id)
        .where(TandemMember.connector_id == connector_id)
    )
    return set(s.scalars(query))


def _knows(s: Session, by: Principal, sozialraum_id: str | None) -> bool:
    """True when `by` reads what is known in full (connectors, coordinators; alumni in former areas)."""
    if not by.may(Action.READ_KNOWLEDGE):
        return False
    if by.system or by.roles & {Role.CONNECTOR, Role.COORDINATOR}:
        return True
    if by.connector_id is None or sozialraum_id is None:
        return False
    return sozialraum_id in former_areas(s, by.connector_id)


def reads_in_full(register: Register, sozialraum_id: str, *, by: Principal) -> bool:
    """True when `by` reads what is known about `sozialraum_id` in full (see `what_we_know`)."""
    with register.read() as s:
        return _knows(s, register.current(s, by), sozialraum_id)


DEBRIEF_COLUMNS = [
    "id",
    "activity_id",
    "title",
    "kind",
    "starts_at",
    "sozialraum_id",
    "tandem_id",
    "tandem",
    "reached",
    "groups",
    "languages",
    "partners",
    "worked",
    "differently",
    "repeat",
    "lang",
    "public",
    "version",
]


def debriefs(
    register: Register,
    *,
    by: Principal | None = None,
    sozialraum_id: str | None = None,
    tandem_id: int | None = None,
) -> pd.DataFrame:
    """
    Debriefs, newest activity first, as `by` may read them.

    In full for connectors and coordinators (alumni: their former Sozialräume); for everyone else only those
    marked public, without the tandem.
    """
    by = by or Principal.public()
    names = {t.id: t.name for t in register.tandems()}
    with register.read() as s:
        by = register.current(s, by)
        partner_names = dict(s.execute(select(models.Partner.id, models.Partner.name)).all())
        query = (
            select(Debrief, models.Activity)
            .join(models.Activity, models.Activity.id == Debrief.activity_id)
            .order_by(models.Activity.starts_at.desc(), Debrief.id.desc())
        )
        if sozialraum_id is not None:
            query = query.where(models.Activity.sozialraum_id == sozialraum_id)
        if tandem_id is not None:
            query = query.where(models.Activity.tandem_id == tandem_id)
        rows = []
        for d, a in s.execute(query):
            full = _knows(s, by, a.sozialraum_id)
            if not full and not d.public:
                continue
            rows.append(
                {
                    "id": d.id,
                    "activity_id": a.id,
                    "title": a.title,
                    "kind": a.kind,
                    "starts_at": a.starts_at,
                    "sozialraum_id": a.sozialraum_id,
                    "tandem_id": a.tandem_id if full else None,
                    "tandem": names.get(a.tandem_id or -1, "") if full else "",
                    "reached": d.reached,
                    "groups": d.groups,
                    "languages": d.languages,
                    "partners": ", ".join(
                        partner_names[p] for p in d.partner_ids.split(",") if p in partner_names
                    ),
                    "worked": d.worked,
                    "differently": d.differently,
                    "repeat": d.repeat,
                    "lang": d.lang,
                    "public": d.public,
                    "version": d.version,
                }
            )
    frame = pd.DataFrame(rows, columns=DEBRIEF_COLUMNS)
    frame["starts_at"] = pd.to_datetime(frame["starts_at"])
    return frame


def debrief_of(register: Register, activity_id: int, *, by: Principal) -> DebriefInput | None:
    """The debrief of an activity for editing (the activity's tandem and coordinators), or None."""
    with register.read() as s:
        by = register.current(s, by)
        activity = s.get(models.Activity, activity_id)
        if activity is None:
            raise RegisterError("register.not_found", what=f"activity {activity_id}")
        if not by.may(Action.WRITE_DEBRIEF, tandem_id=activity.tandem_id):
            raise AccessDeniedError("access.not_your_tandem")
        d = s.scalar(select(Debrief).where(Debrief.activity_id == activity_id))
        if d is None:
            return None
        return DebriefInput(
            worked=d.worked,
            differently=d.differently,
            repeat=d.repeat,
            reached=d.reached,
            groups=d.groups,
            languages=d.languages,
            partner_ids=tuple(p for p in d.partner_ids.split(",") if p),
            lang=d.lang,
        )


def debrief_state(register: Register, activity_id: int) -> tuple[int, int, bool] | None:
    """The debrief of an activity as (ID, version, public), or None when there is none (no text in it)."""
    with register.read() as s:
        d = s.scalar(select(Debrief).where(Debrief.activity_id == activity_id))
        return (d.id, d.version, d.public) if d is not None else None


# --- what we know about a Sozialraum ------------------------------------------------------------------


@dataclass(frozen=True)
class Knowledge:
    """What is known about one Sozialraum, as the reader may see it."""

    sozialraum_id: str
    full: bool
    partners: list[partners.PartnerView]
    debriefs: pd.DataFrame
    concerns: pd.DataFrame
    activities: pd.DataFrame
    #: Concern ID -> its latest answer (status entries after the logging), for what became of it.
    answers: dict[int, str] = field(default_factory=dict)


def what_we_know(
    register: Register, sozialraum_id: str, *, by: Principal | None = None, need_full: bool = False
) -> Knowledge:
    """
    A Sozialraum's partners, debriefs, concerns (with their latest answer) and activities.

    Connectors and coordinators (alumni: in their former Sozialräume) read it in full; everyone else sees
    the public part: organisations and offers, public debriefs and public concerns, no tandem, no person.
    With `need_full`, refused (`AccessDeniedError`) unless `by` reads it in full.
    """
    by = by or Principal.public()
    with register.read() as s:
        by = register.current(s, by)
        full = _knows(s, by, sozialraum_id)
    if need_full and not full:
        if by.is_public:
            raise AccessDeniedError("access.login_needed")
        raise AccessDeniedError("knowledge.not_your_area")
    area_partners = partners.partners(register, by=by, sozialraum_id=sozialraum_id)
    # the programme's members read every concern raised here with what became of it (topic, status, answers);
    # description, contact and who logged it only where they read the concern in full anyway
    reader = Principal.cli() if full else by
    concerns = journal.concerns(register, by=reader)
    here = [sozialraum_id in str(ids or "").split(",") for ids in concerns["sozialraum_ids"]]
    concerns = concerns.loc[[h and (full or bool(p)) for h, p in zip(here, concerns["public"], strict=True)]]
    if full:
        concerns = (
            concerns.apply(lambda row: _as_seen_by(row, by), axis=1) if not concerns.empty else concerns
        )
    answers: dict[int, str] = {}
    for concern_id in concerns["id"]:
        steps = journal.history(register, int(concern_id), by=reader)
        said = steps[steps["comment"] != journal.LOGGED_COMMENT]
        if not said.empty:
            answers[int(concern_id)] = str(said.iloc[-1]["comment"])
    activities = journal.activities(register, by=by, sozialraum_id=sozialraum_id)
    if not full:
        activities = activities.assign(tandem="", notes="")
    return Knowledge(
        sozialraum_id=sozialraum_id,
        full=full,
        partners=area_partners,
        debriefs=debriefs(register, by=by, sozialraum_id=sozialraum_id),
        concerns=concerns.reset_index(drop=True),
        activities=activities.reset_index(drop=True),
        answers=answers,
    )


def _as_seen_by(row: pd.Series, by: Principal) -> pd.Series:
    """A concern's row with only the public fields, unless `by` reads that concern in full."""
    tandem = int(row["tandem_id"]) if pd.notna(row["tandem_id"]) else None
    if journal.visibility(by, bool(row["public"]), tandem) == "full":
        return row
    kept = set(journal.PUBLIC_CONCERN_FIELDS)
    return pd.Series({c: (row[c] if c in kept else journal.blank(c)) for c in row.index}, name=row.name)


# --- handover ------------------------------------------------------------------------------------------


def _may_hand_over(by: Principal, connector_id: int) -> None:
    if by.may(Action.HANDOVER):
        return
    if by.connector_id == connector_id and by.may(Action.OWN_RECORD):
        return
    if by.is_public:
        raise AccessDeniedError("access.login_needed")
    raise AccessDeniedError("access.not_your_record")


def due_for_handover(register: Register, *, by: Principal, today: date | None = None) -> pd.DataFrame:
    """
    Active connectors whose planned end is reached or near, soonest first (coordinators).

    Near: within `programme.NOTICE_DAYS`. The handover list starts with them.

    Columns `connector_id`, `name`, `planned_end`, `days_left` (negative: the end has passed).
    """
    today = today or date.today()
    with register.read(by, Action.HANDOVER) as s:
        query = (
            select(models.Engagement, Connector)
            .join(Connector, Connector.id == models.Engagement.connector_id)
            .where(
                models.Engagement.planned_end.is_not(None),
                models.Engagement.planned_end <= today + timedelta(days=programme.NOTICE_DAYS),
                Connector.active.is_(True),
                Connector.erased_at.is_(None),
            )
            .order_by(models.Engagement.planned_end)
        )
        rows = [
            (c.id, c.display_name, e.planned_end, (e.planned_end - today).days)
            for e, c in s.execute(query)
            if e.planned_end is not None
        ]
    return pd.DataFrame(rows, columns=["connector_id", "name", "planned_end", "days_left"])


def handover_plan(register: Register, connector_id: int, *, by: Principal) -> HandoverPlan:
    """What `connector_id` would leave behind (coordinators; the connector for themselves)."""
    with register.read() as s:
        _may_hand_over(register.current(s, by), connector_id)
        return _handover.plan(s, connector_id)


@dataclass(frozen=True)
class HandoverResult:
    """What `hand_over` did: items per successor, tandems ended, whether the person stays as alumni."""

    handed: dict[str, str]
    to_coordination: int
    tandems_ended: list[int]
    alumni: bool


def _successor(s: Session, value: str, plan: HandoverPlan, kind: str) -> tuple[str, int | None]:
    if value == COORDINATION:
        return COORDINATION, None
    what, _, number = value.partition(":")
    if not number.isdigit():
        raise RegisterError("handover.bad_successor", value=value)
    ident = int(number)
    if kind == "partner":
        if what != "connector" or ident not in plan.connectors:
            raise RegisterError("handover.bad_successor", value=value)
        return what, ident
    if what != "tandem" or ident not in plan.tandems:
        raise RegisterError("handover.bad_successor", value=value)
    return what, ident


def hand_over(
    register: Register,
    connector_id: int,
    *,
    by: Principal,
    successors: dict[str, str],
    reason: str,
    note: str = "",
    alumni: bool = False,
    rest_to_coordination: bool = False,
) -> HandoverResult:
    """
    Hand a leaving connector's items to successors and mark them as left, all in one transaction.

    `successors` maps an item's key to "connector:<id>" (partner relations), "tandem:<id>" (concerns,
    activities, Sozialräume) or "coordination". Items that need a successor and have none go to the
    coordination only with `rest_to_coordination` from a coordinator; otherwise nothing changes. A tandem left
    without an active member ends today with its assignments. With `alumni`, the person's account becomes an
    alumni adviser (reads what is known about their former Sozialräume); otherwise it loses the connector role.
    """
    if reason not in LEAVE_REASONS:
        raise RegisterError("handover.reason_missing")
    with register.write(
        by, Action.READ_PUBLIC, "connector.handover", target="connector", target_id=connector_id
    ) as tx:
        s = tx.session
        _may_hand_over(tx.by, connector_id)
        plan = _handover.plan(s, connector_id)
        leaver = s.get(Connector, connector_id)
        assert leaver is not None
        if not leaver.active:
            raise RegisterError("handover.already_left")
        unknown = set(successors) - {i.key for i in plan.items}
        if unknown:
            raise RegisterError("handover.unknown_item", items=", ".join(sorted(unknown)))
        missing = [i for i in plan.open_items if not successors.get(i.key)]
        if missing and not rest_to_coordination:
            raise RegisterError("handover.unassigned", n=len(missing))
        if missing:
            tx.require(Action.HANDOVER)  # only a coordinator confirms that the rest goes to the coordination
        handed: dict[str, str] = {}
        to_coordination = 0
        for item in plan.items:
            wanted = successors.get(item.key) or (COORDINATION if item.needs_successor else "")
            if not wanted:
                continue
            what, ident = _successor(s, wanted, plan, item.kind)
            to_coordination += what == COORDINATION
            handed[item.key] = wanted
            _apply(s, item, ident)
        _mark_left(s, leaver, note)
        ended = _end_empty_tandems(s, connector_id)
        _change_account(s, connector_id, alumni=alumni)
        s.add(
            Handover(
                connector_id=connector_id,
                reason=reason,
                note=note.strip(),
                alumni=alumni,
                items=json.dumps(handed, sort_keys=True),
                decided_by=tx.by.label[:254],
            )
        )
        s.flush()
        mine = {i.key for i in plan.items}
        left = [key for key in orphans(s) if key in mine]
        if left:  # the invariant; a bug, not a user's mistake: roll everything back
            raise RegisterError("handover.orphans", items=", ".join(left))
        tx.details = {
            "items": len(handed),
            "to_coordination": to_coordination,
            "tandems_ended": len(ended),
            "alumni": alumni,
            "reason": reason,
        }
        return HandoverResult(handed, to_coordination, ended, alumni)


def _mark_left(s: Session, leaver: Connector, note: str) -> None:
    """The connector is inactive from today, and the journey shows the step (no earlier than the last one)."""
    leaver.active = False
    leaver.left_on = date.today()
    newest = s.scalars(
        select(models.ConnectorStatus.since)
        .where(models.ConnectorStatus.connector_id == leaver.id)
        .order_by(models.ConnectorStatus.since.desc())
    ).first()
    s.add(
        models.ConnectorStatus(
            connector_id=leaver.id,
            status="ausgeschieden",
            since=max(date.today(), newest or date.today()),
            note=note.strip()[:300],
        )
    )


def _apply(s: Session, item: HandoverItem, ident: int | None) -> None:
    kind, _, raw = item.key.partition(":")
    if kind == "partner":
        record = s.get(models.Partner, raw)
        assert record is not None
        record.keeper_id = ident
        if ident is not None:  # the successor's tandems work with the partner from now on
            for tandem_id in _handover.connector_tandems(s, ident):
                if s.get(models.PartnerTandem, (raw, tandem_id)) is None:
                    s.add(models.PartnerTandem(partner_id=raw, tandem_id=tandem_id))
    elif kind == "concern":
        concern = s.get(models.Concern, int(raw))
        assert concern is not None
        concern.tandem_id = ident
    elif kind == "activity":
        activity = s.get(models.Activity, int(raw))
        assert activity is not None
        activity.tandem_id = ident
    elif kind == "area":
        assignment = s.get(Assignment, int(raw))
        assert assignment is not None
        if ident is not None and ident != assignment.tandem_id:
            assignment.valid_to = date.today()
            s.add(
                Assignment(tandem_id=ident, sozialraum_id=assignment.sozialraum_id, valid_from=date.today())
            )
        elif ident is None:
            assignment.valid_to = date.today()


def _end_empty_tandems(s: Session, leaver: int) -> list[int]:
    ended = []
    for tandem_id in sorted(_handover.connector_tandems(s, leaver)):
        tandem = s.get(Tandem, tandem_id)
        assert tandem is not None
        members = [s.get(Connector, m.connector_id) for m in tandem.members]
        if any(c is not None and c.active for c in members):
            continue
        tandem.end_date = date.today()
        for assignment in s.scalars(
            select(Assignment).where(Assignment.tandem_id == tandem_id, Assignment.valid_to.is_(None))
        ):
            assignment.valid_to = date.today()
        ended.append(tandem_id)
    return ended


def _change_account(s: Session, connector_id: int, *, alumni: bool) -> None:
    for account in s.scalars(select(Account).where(Account.connector_id == connector_id)):
        roles = set(account.role_set()) - {Role.CONNECTOR.value}
        if alumni:
            roles.add(Role.ALUMNI.value)
        account.roles = ",".join(sorted(roles))


def orphans(s: Session) -> list[str]:
    """
    Items without an active owner (empty when the invariant holds).

    Partner relations kept by a connector who left, open concerns and planned activities of a tandem that
    ended or has no active member.
    """
    today = date.today()
    alive: set[int] = set()
    for tandem in s.scalars(select(Tandem)):
        if tandem.end_date is not None and tandem.end_date < today:
            continue
        if any((m_c := s.get(Connector, m.connector_id)) is not None and m_c.active for m in tandem.members):
            alive.add(tandem.id)
    out = []
    for p in s.scalars(select(models.Partner).where(models.Partner.status != "closed")):
        keeper = s.get(Connector, p.keeper_id) if p.keeper_id is not None else None
        if p.keeper_id is not None and (keeper is None or not keeper.active):
            out.append(f"partner:{p.id}")
    for c in s.scalars(select(models.Concern).where(models.Concern.status.in_(OPEN_CONCERN))):
        if c.tandem_id is not None and c.tandem_id not in alive:
            out.append(f"concern:{c.id}")
    start = datetime.combine(today, datetime.min.time())
    for a in s.scalars(
        select(models.Activity).where(
            models.Activity.status.in_(PLANNED_ACTIVITY), models.Activity.starts_at >= start
        )
    ):
        if a.tandem_id is not None and a.tandem_id not in alive:
            out.append(f"activity:{a.id}")
    return out


def orphaned(register: Register) -> list[str]:
    """`orphans` over the whole register (for checks and the command line)."""
    with register.read() as s:
        return orphans(s)


def handovers(register: Register, *, by: Principal) -> pd.DataFrame:
    """Past handovers (coordinators): connector, reason, alumni, items handed, when, by whom."""
    with register.read(by, Action.HANDOVER) as s:
        rows = [
            {
                "connector_id": h.connector_id,
                "reason": h.reason,
                "alumni": h.alumni,
                "items": len(json.loads(h.items or "{}")),
                "decided_at": h.decided_at,
                "decided_by": h.decided_by,
            }
            for h in s.scalars(select(Handover).order_by(Handover.decided_at.desc()))
        ]
    return pd.DataFrame(
        rows, columns=["connector_id", "reason", "alumni", "items", "decided_at", "decided_by"]
    )
