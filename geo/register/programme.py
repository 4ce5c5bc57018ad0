"""
The programme year of a connector: status with dates, planned end, qualifications, availability and hours.

Connectors join for up to two years and pass through selection, training and onboarding (see
`../shared/background/community-connectors-article.txt`). All of this is personal data: only coordinators
(`READ_REGISTER` / `WRITE_REGISTER`) and the person themselves (`OWN_RECORD`, their own connector record)
read it; the person may set their own availability and hours, coordinators everything. Every write goes
through `Register.write` (one transaction with its audit entry: field names, never values).

Hours: who took part in an activity and for how long, plus preparation, one row per activity and person.
Totals per month and year, and a certificate of volunteering ("Ehrenamtsnachweis", `geo.output.programme_pdfs`) that
says whether the hours reach the threshold of the Ehrenamtskarte NRW (`EHRENAMTSKARTE_*` below).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.core.access import AccessDeniedError, Action, Principal
from geo.core.errors import ConcurrentEditError, RegisterError
from geo.register import _handover
from geo.register.journal import TIME_ZONE
from geo.register.models import (
    Activity,
    Connector,
    ConnectorStatus,
    Engagement,
    Participation,
    Qualification,
    Tandem,
    TandemMember,
)
from geo.register.store import Register

#: The stages of an engagement, in the order people pass them.
STATUSES = ("interessiert", "in_schulung", "aktiv", "pausiert", "ausgeschieden")
#: A notice is given this many days before the planned end of an engagement.
NOTICE_DAYS = 60
#: Connectors join for up to two years (the programme's rule); the default planned end from joining.
ENGAGEMENT_YEARS = 2
#: Weekdays and parts of a day for general availability: code -> (first hour, hour after the last).
WEEKDAYS = ("mo", "di", "mi", "do", "fr", "sa", "so")
DAY_PARTS: dict[str, tuple[int, int]] = {"vormittag": (8, 12), "nachmittag": (12, 17), "abend": (17, 22)}
#: One entry may not claim more than a day.
MAX_MINUTES = 24 * 60

#: Ehrenamtskarte NRW: since February 2026 at least 200 hours a year or on average four hours a week of
#: voluntary work (before: 250 hours or five hours a week). Source: Staatskanzlei NRW, press release
#: "Mehr Anerkennung für freiwilliges Engagement: Zugangsvoraussetzungen zum Erhalt der Ehrenamtskarte NRW
#: werden erleichtert", 26 January 2026, https://www.land.nrw/pressemitteilung/mehr-anerkennung-fuer-
#: freiwilliges-engagement-zugangsvoraussetzungen-zum-erhalt (read 2026-11-23). The card is granted by the
#: city on application; municipalities may add conditions (e.g. a minimum duration of the engagement).
EHRENAMTSKARTE_HOURS_PER_YEAR = 200
EHRENAMTSKARTE_HOURS_PER_WEEK = 4
EHRENAMTSKARTE_SOURCE = "Staatskanzlei NRW, Pressemitteilung vom 26.01.2026 (land.nrw)"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def local_now() -> datetime:
    """Now as a Düsseldorf wall-clock time (how activity times are stored)."""
    return datetime.now(ZoneInfo(TIME_ZONE)).replace(tzinfo=None, microsecond=0)


# --- who may -------------------------------------------------------------------------------------------


def _require_person(by: Principal, connector_id: int, *, write: bool = False) -> None:
    """Coordinators for anyone; a connector for their own record only."""
    if by.may(Action.WRITE_REGISTER if write else Action.READ_REGISTER):
        return
    if by.may(Action.OWN_RECORD) and by.connector_id == connector_id:
        return
    if by.is_public:
        raise AccessDeniedError("access.login_needed")
    raise AccessDeniedError("access.not_your_record")


def _connector(s: Session, connector_id: int) -> Connector:
    record = s.get(Connector, connector_id)
    if record is None or record.erased_at is not None:
        raise RegisterError("register.not_found", what=f"connector {connector_id}")
    return record


# --- availability --------------------------------------------------------------------------------------


def parse_availability(text: str) -> frozenset[tuple[str, str]]:
    """Read the stored form "mo:abend,sa:vormittag" as {(day, part)}; unknown codes are refused."""
    slots = set()
    for item in (i.strip() for i in text.split(",")):
        if not item:
            continue
        day, _, part = item.partition(":")
        if day not in WEEKDAYS or part not in DAY_PARTS:
            raise RegisterError("programme.bad_slot", value=item)
        slots.add((day, part))
    return frozenset(slots)


def availability_text(slots: frozenset[tuple[str, str]] | set[tuple[str, str]]) -> str:
    """The stored form of a set of slots, in week order."""
    order = {(d, p): (WEEKDAYS.index(d), list(DAY_PARTS).index(p)) for d in WEEKDAYS for p in DAY_PARTS}
    return ",".join(f"{d}:{p}" for d, p in sorted(slots, key=order.__getitem__))


def slots_of(start: datetime, end: datetime) -> frozenset[tuple[str, str]]:
    """The weekday parts an activity from `start` to `end` touches (local wall-clock times)."""
    slots = set()
    hour = start.replace(minute=0, second=0, microsecond=0)
    while hour < end:
        for part, (first, after) in DAY_PARTS.items():
            if first <= hour.hour < after:
                slots.add((WEEKDAYS[hour.weekday()], part))
        hour += timedelta(hours=1)
    return frozenset(slots)


# --- the journey ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Journey:
    """Where a connector stands: statuses with dates, planned end, qualifications, languages, availability."""

    connector_id: int
    name: str
    languages: tuple[str, ...]
    steps: tuple[tuple[str, date, str], ...]  # (status, since, note), oldest first
    planned_end: date | None
    availability: frozenset[tuple[str, str]]
    qualifications: tuple[tuple[str, date], ...]
    version: int  # of the engagement row (0 while there is none)

    @property
    def status(self) -> str | None:
        """The current status (the newest step), None before the first."""
        return self.steps[-1][0] if self.steps else None

    def days_left(self, today: date) -> int | None:
        """Days until the planned end (negative once past), None without one."""
        return None if self.planned_end is None else (self.planned_end - today).days

    def ending_soon(self, today: date) -> bool:
        """True within `NOTICE_DAYS` before the planned end, while the person has not left."""
        left = self.days_left(today)
        return left is not None and 0 <= left <= NOTICE_DAYS and self.status != "ausgeschieden"


def journey(register: Register, connector_id: int, *, by: Principal) -> Journey:
    """A connector's journey (coordinators, or the person themselves)."""
    with register.read() as s:
        _require_person(register.current(s, by), connector_id)
        record = _connector(s, connector_id)
        steps = tuple(
            (r.status, r.since, r.note)
            for r in s.scalars(
                select(ConnectorStatus)
                .where(ConnectorStatus.connector_id == connector_id)
                .order_by(ConnectorStatus.since, ConnectorStatus.id)
            )
        )
        engagement = s.get(Engagement, connector_id)
        qualifications = tuple(
            (q.name, q.obtained_on)
            for q in s.scalars(
                select(Qualification)
                .where(Qualification.connector_id == connector_id)
                .order_by(Qualification.obtained_on, Qualification.id)
            )
        )
        return Journey(
            connector_id=connector_id,
            name=record.display_name,
            languages=tuple(x.strip() for x in record.languages.split(",") if x.strip()),
            steps=steps,
            planned_end=engagement.planned_end if engagement else None,
            availability=parse_availability(engagement.availability) if engagement else frozenset(),
            qualifications=qualifications,
            version=engagement.version if engagement else 0,
        )


def set_status(
    register: Register, connector_id: int, status: str, since: date, *, by: Principal, note: str = ""
) -> None:
    """
    A new step of a connector's journey (coordinators).

    Leaving marks the connector inactive from that day (retention counts from there); coming back to "aktiv"
    marks them active again. Becoming "aktiv" sets the planned end two years on, unless one is set.
    """
    if status not in STATUSES:
        raise RegisterError("journal.unknown_choice", value=status)
    if since > date.today() + timedelta(days=366):
        raise RegisterError("programme.date_far", date=since.isoformat())
    with register.write(
        by, Action.WRITE_REGISTER, "connector.status", target="connector", target_id=connector_id
    ) as tx:
        s = tx.session
        record = _connector(s, connector_id)
        newest = s.scalars(
            select(ConnectorStatus)
            .where(ConnectorStatus.connector_id == connector_id)
            .order_by(ConnectorStatus.since.desc(), ConnectorStatus.id.desc())
        ).first()
        if newest is not None and since < newest.since:
            raise RegisterError("programme.status_before", date=newest.since.isoformat())
        s.add(ConnectorStatus(connector_id=connector_id, status=status, since=since, note=note.strip()[:300]))
        if status == "ausgeschieden":
            if record.active and _handover.items_needing_successor(s, connector_id):
                raise RegisterError("handover.needed")  # nothing may be left without an owner
            record.active = False
            record.left_on = since
        elif status == "aktiv":
            record.active = True
            record.left_on = None
            engagement = s.get(Engagement, connector_id)
            if engagement is None:
                engagement = Engagement(connector_id=connector_id, availability="")
                s.add(engagement)
            if engagement.planned_end is None:
                engagement.planned_end = since.replace(year=since.year + ENGAGEMENT_YEARS) - timedelta(days=1)
        tx.details = {"status": status}


def set_engagement(
    register: Register,
    connector_id: int,
    *,
    by: Principal,
    version: int,
    planned_end: date | None = None,
    set_end: bool = False,
    availability: frozenset[tuple[str, str]] | set[tuple[str, str]] | None = None,
) -> None:
    """
    Set the planned end and/or the general availability.

    The planned end (with `set_end=True`; None removes it) is for coordinators; the availability also for
    the person.

    `version` is the `Journey.version` read before (0 when there was no engagement row yet): a change
    someone else saved meanwhile is refused.
    """
    end_changes = set_end
    with register.write(
        by, Action.OWN_RECORD, "connector.engagement", target="connector", target_id=connector_id
    ) as tx:
        _require_person(tx.by, connector_id)
        if end_changes:
            tx.require(Action.WRITE_REGISTER)  # the planned end is the coordinators' to set
        s = tx.session
        _connector(s, connector_id)
        engagement = s.get(Engagement, connector_id)
        if (engagement.version if engagement else 0) != version:
            raise ConcurrentEditError("register.concurrent_edit")
        if engagement is None:
            engagement = Engagement(connector_id=connector_id, availability="")
            s.add(engagement)
        fields = []
        if end_changes:
            engagement.planned_end = planned_end
            fields.append("planned_end")
        if availability is not None:
            engagement.availability = availability_text(frozenset(availability))
            fields.append("availability")
        tx.details = {"fields": fields}


def add_qualification(
    register: Register, connector_id: int, name: str, obtained_on: date, *, by: Principal
) -> None:
    """Record a training or qualification (coordinators)."""
    if not name.strip():
        raise RegisterError("register.name_missing")
    if obtained_on > date.today():
        raise RegisterError("programme.date_future", date=obtained_on.isoformat())
    with register.write(
        by, Action.WRITE_REGISTER, "connector.qualification", target="connector", target_id=connector_id
    ) as tx:
        _connector(tx.session, connector_id)
        tx.session.add(
            Qualification(connector_id=connector_id, name=name.strip()[:200], obtained_on=obtained_on)
        )


def ending_soon(register: Register, *, by: Principal, today: date | None = None) -> pd.DataFrame:
    """
    Connectors whose engagement ends within `NOTICE_DAYS` (coordinators: everyone; a connector: themselves).

    Columns `connector_id`, `name`, `planned_end`, `days_left`.
    """
    today = today or date.today()
    rows = []
    with register.read() as s:
        who = register.current(s, by)
        if not who.may(Action.READ_REGISTER) and who.connector_id is None:
            _require_person(who, -1)
        query = select(Engagement, Connector).join(Connector, Connector.id == Engagement.connector_id)
        query = query.where(
            Engagement.planned_end.is_not(None),
            Engagement.planned_end >= today,
            Engagement.planned_end <= today + timedelta(days=NOTICE_DAYS),
            Connector.active.is_(True),
            Connector.erased_at.is_(None),
        )
        if not who.may(Action.READ_REGISTER):
            query = query.where(Connector.id == who.connector_id)
        for engagement, connector in s.execute(query.order_by(Engagement.planned_end)):
            assert engagement.planned_end is not None
            rows.append(
                (
                    connector.id,
                    connector.display_name,
                    engagement.planned_end,
                    (engagement.planned_end - today).days,
                )
            )
    return pd.DataFrame(rows, columns=["connector_id", "name", "planned_end", "days_left"])


# --- hours ---------------------------------------------------------------------------------------------


def record_hours(
    register: Register,
    activity_id: int,
    connector_id: int,
    *,
    by: Principal,
    minutes: int,
    prep_minutes: int = 0,
) -> None:
    """
    Record (or correct) who took part in an activity and for how long, preparation included.

    A connector records their own hours, for activities of their own tandems; coordinators anyone's. Only
    for an activity that has begun and was not cancelled. Zero minutes in all removes the entry.
    """
    for value in (minutes, prep_minutes):
        if not 0 <= value <= MAX_MINUTES:
            raise RegisterError("programme.bad_minutes", value=str(value))
    with register.write(
        by, Action.OWN_RECORD, "participation.record", target="activity", target_id=activity_id
    ) as tx:
        s = tx.session
        activity = s.get(Activity, activity_id)
        if activity is None:
            raise RegisterError("register.not_found", what=f"activity {activity_id}")
        if not tx.by.may(Action.WRITE_REGISTER):
            if tx.by.connector_id != connector_id:
                raise AccessDeniedError("access.not_your_record")
            tx.require(Action.WRITE_ACTIVITY, tandem_id=activity.tandem_id)
        _connector(s, connector_id)
        if activity.status == "abgesagt":
            raise RegisterError("programme.cancelled")
        if activity.starts_at > local_now():  # stored as Düsseldorf wall-clock time
            raise RegisterError("programme.not_yet", date=activity.starts_at.date().isoformat())
        entry = s.scalars(
            select(Participation).where(
                Participation.activity_id == activity_id, Participation.connector_id == connector_id
            )
        ).first()
        if minutes + prep_minutes == 0:
            if entry is not None:
                s.delete(entry)
            tx.details = {"removed": entry is not None}
            return
        if entry is None:
            s.add(
                Participation(
                    activity_id=activity_id,
                    connector_id=connector_id,
                    minutes=minutes,
                    prep_minutes=prep_minutes,
                )
            )
        else:
            entry.minutes = minutes
            entry.prep_minutes = prep_minutes
        tx.details = {"fields": ["minutes", "prep_minutes"]}


HOURS_COLUMNS = [
    "activity_id",
    "starts_at",
    "title",
    "kind",
    "sozialraum_id",
    "tandem",
    "minutes",
    "prep_minutes",
    "hours",
]


def hours(
    register: Register,
    connector_id: int,
    *,
    by: Principal,
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """
    A connector's hours per activity between `start` and `end` (inclusive), by date.

    `hours` = (minutes + prep_minutes) / 60. Coordinators, or the person themselves.
    """
    names = {t.id: t.name for t in register.tandems()}
    with register.read() as s:
        _require_person(register.current(s, by), connector_id)
        query = (
            select(Participation, Activity)
            .join(Activity, Activity.id == Participation.activity_id)
            .where(Participation.connector_id == connector_id)
            .order_by(Activity.starts_at, Activity.id)
        )
        if start is not None:
            query = query.where(Activity.starts_at >= datetime.combine(start, datetime.min.time()))
        if end is not None:
            query = query.where(
                Activity.starts_at < datetime.combine(end + timedelta(days=1), datetime.min.time())
            )
        rows = [
            (
                a.id,
                a.starts_at,
                a.title,
                a.kind,
                a.sozialraum_id,
                names.get(a.tandem_id, "") if a.tandem_id is not None else "",
                p.minutes,
                p.prep_minutes,
                (p.minutes + p.prep_minutes) / 60,
            )
            for p, a in s.execute(query)
        ]
    frame = pd.DataFrame(rows, columns=HOURS_COLUMNS)
    frame["starts_at"] = pd.to_datetime(frame["starts_at"])
    return frame


def totals(frame: pd.DataFrame) -> pd.DataFrame:
    """Hours of a `hours` frame per month: columns `year`, `month`, `activities`, `hours`; and a year total row per year (`month` = 0)."""
    if frame.empty:
        return pd.DataFrame(columns=["year", "month", "activities", "hours"])
    keyed = frame.assign(year=frame["starts_at"].dt.year, month=frame["starts_at"].dt.month)
    monthly = keyed.groupby(["year", "month"], as_index=False).agg(
        activities=("activity_id", "count"), hours=("hours", "sum")
    )
    yearly = keyed.groupby("year", as_index=False).agg(
        activities=("activity_id", "count"), hours=("hours", "sum")
    )
    yearly["month"] = 0
    out = pd.concat([monthly, yearly[["year", "month", "activities", "hours"]]], ignore_index=True)
    return out.sort_values(
        ["year", "month"], key=lambda c: c.replace(0, 13) if c.name == "month" else c
    ).reset_index(drop=True)


@dataclass(frozen=True)
class Threshold:
    """The hours of a period against the Ehrenamtskarte NRW rule (200 h a year or 4 h a week on average)."""

    hours: float
    days: int
    needed: float  # the yearly hours, pro rata for the period
    per_week: float

    @property
    def reached(self) -> bool:
        """True when the hours reach the rule for the period (pro rata of 200 h a year, or 4 h a week)."""
        return self.hours >= self.needed or self.per_week >= EHRENAMTSKARTE_HOURS_PER_WEEK

    @property
    def full_year(self) -> bool:
        """True when the period covers at least a year (shorter periods are a projection)."""
        return self.days >= 365


def ehrenamtskarte(total_hours: float, start: date, end: date) -> Threshold:
    """The hours from `start` to `end` (inclusive) against the Ehrenamtskarte NRW threshold."""
    if end < start:
        raise RegisterError("register.dates_order", start=start.isoformat(), end=end.isoformat())
    days = (end - start).days + 1
    needed = EHRENAMTSKARTE_HOURS_PER_YEAR * min(days, 365) / 365
    return Threshold(hours=total_hours, days=days, needed=needed, per_week=total_hours / (days / 7))


# --- planning with people ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberCheck:
    """One tandem member at the time of a planned activity."""

    connector_id: int
    name: str  # empty unless the asker may see names
    available: bool | None  # None: no availability given
    status: str | None
    clashes: tuple[str, ...]  # titles and times of the person's other activities at that time


def planning_check(
    register: Register,
    tandem_id: int,
    starts_at: datetime,
    ends_at: datetime,
    *,
    by: Principal,
    ignore_activity: int | None = None,
) -> list[MemberCheck]:
    """
    Which members of `tandem_id` are available from `starts_at` to `ends_at`, and which have a clash.

    A clash is another activity (not cancelled) of any tandem the member belongs to that overlaps. Asked by
    coordinators or a member of the tandem; names only for those who may read the register (members see
    each other's IDs, their own name).
    """
    slots = slots_of(starts_at, ends_at)
    out = []
    with register.read() as s:
        who = register.current(s, by)
        if not who.may(Action.WRITE_ACTIVITY, tandem_id=tandem_id):
            raise AccessDeniedError("access.not_your_tandem")
        tandem = s.get(Tandem, tandem_id)
        if tandem is None:
            raise RegisterError("register.not_found", what=f"tandem {tandem_id}")
        for member in tandem.members:
            person = s.get(Connector, member.connector_id)
            assert person is not None
            engagement = s.get(Engagement, member.connector_id)
            given = parse_availability(engagement.availability) if engagement else frozenset()
            newest = s.scalars(
                select(ConnectorStatus.status)
                .where(
                    ConnectorStatus.connector_id == member.connector_id,
                    ConnectorStatus.since <= starts_at.date(),
                )
                .order_by(ConnectorStatus.since.desc(), ConnectorStatus.id.desc())
            ).first()
            their_tandems = select(TandemMember.tandem_id).where(
                TandemMember.connector_id == member.connector_id
            )
            overlapping = s.scalars(
                select(Activity)
                .where(Activity.tandem_id.in_(their_tandems), Activity.status != "abgesagt")
                .where(Activity.starts_at < ends_at)
                .order_by(Activity.starts_at)
            )
            clashes = tuple(
                f"{a.title} ({a.starts_at:%d.%m.%Y %H:%M})"
                for a in overlapping
                if a.id != ignore_activity and (a.ends_at or a.starts_at + timedelta(hours=2)) > starts_at
            )
            if newest in {"pausiert", "ausgeschieden"}:
                available: bool | None = False
            elif not given:
                available = None
            else:
                available = slots <= given
            seen = who.may(Action.READ_REGISTER) or who.connector_id == member.connector_id
            out.append(
                MemberCheck(
                    connector_id=member.connector_id,
                    name=person.display_name if seen else "",
                    available=available,
                    status=newest,
                    clashes=clashes,
                )
            )
    return out


# --- for pickers ---------------------------------------------------------------------------------------


def people(register: Register, *, by: Principal) -> dict[int, str]:
    """The connectors `by` may open here: coordinators every one not erased, a connector themselves."""
    with register.read() as s:
        who = register.current(s, by)
        query = select(Connector).where(Connector.erased_at.is_(None)).order_by(Connector.display_name)
        if not who.may(Action.READ_REGISTER):
            if who.connector_id is None or not who.may(Action.OWN_RECORD):
                return {}
            query = query.where(Connector.id == who.connector_id)
        return {c.id: c.display_name for c in s.scalars(query)}


def activities_for_hours(
    register: Register, connector_id: int, *, by: Principal, days: int = 400
) -> dict[int, str]:
    """
    Activities whose hours `by` may record for `connector_id`: begun, not cancelled, within `days`.

    Coordinators: every activity; a connector: those of the tandems they belong to. ID -> "date · title".
    """
    if by.connector_id != connector_id:
        _require_person(by, connector_id, write=True)
    now = local_now()
    with register.read() as s:
        who = register.current(s, by)
        query = (
            select(Activity)
            .where(Activity.status != "abgesagt", Activity.starts_at <= now)
            .where(Activity.starts_at >= now - timedelta(days=days))
            .order_by(Activity.starts_at.desc())
        )
        if not who.may(Action.WRITE_REGISTER):
            query = query.where(Activity.tandem_id.in_(sorted(who.tandem_ids) or [-1]))
        return {a.id: f"{a.starts_at:%d.%m.%Y} · {a.title}" for a in s.scalars(query)}
