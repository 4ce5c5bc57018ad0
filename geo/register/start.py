"""
The start page of each person: what is mine, what comes next, what is due (computed here, shown by a page).

Three kinds of start, by what the acting principal may do:

- **public**: nobody logged in. What the app is and the three main tasks (no register read at all).
- **connector**: their tandems and Sozialräume, the tandems' next activities, news on their concerns, what is
  due (hours to enter for activities they took part in, their engagement ending), and one-tap actions.
- **coordinator**: concerns waiting for a first answer (oldest first), Sozialräume of high need without a
  tandem, the last monthly meeting, engagements ending, and one-tap actions.

Every read goes through the register with the acting principal: a connector sees only their own tandems'
activities and concerns, and the engagement end only of themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import func, select

from geo.core.access import Action, Principal
from geo.register import digest, programme
from geo.register.impact import covered_on
from geo.register.models import Activity, Concern, ConcernUpdate, Participation
from geo.register.store import Register

#: How far back an activity without hours entered still counts as "hours to enter".
HOURS_DAYS = 30
#: How far ahead the next activities are listed.
UPCOMING_DAYS = 14
#: Need classes that count as high need (1 = the highest need).
HIGH_NEED = (1, 2)
#: At most this many rows per list on the start page (the full lists are one tap away).
TOP = 5


@dataclass(frozen=True)
class Step:
    """A next step the person can take with one tap: the page (its `url_path`) and a panel on it."""

    key: str  # catalogue key of the button text: "start.do_<key>"
    page: str  # the script under app_pages/, e.g. "concerns"
    panel: str = ""  # the panel (tab) to open there, "" for the page's first


@dataclass(frozen=True)
class TandemCard:
    """One of the person's tandems and where it works today."""

    id: int
    name: str
    sozialraum_ids: tuple[str, ...]


@dataclass(frozen=True)
class Start:
    """What one person's start page shows."""

    kind: str  # "public", "connector" or "coordinator"
    today: date
    name: str = ""  # how to greet the person: their connector name, else their account's label
    tandems: tuple[TandemCard, ...] = ()
    upcoming: pd.DataFrame = field(
        default_factory=pd.DataFrame
    )  # id, starts_at, title, sozialraum_id, tandem
    news: pd.DataFrame = field(default_factory=pd.DataFrame)  # concern_id, thema, status, created_at
    hours_due: pd.DataFrame = field(default_factory=pd.DataFrame)  # activity_id, starts_at, title
    ending: date | None = None  # the person's own engagement ends on this day (within the notice period)
    waiting: pd.DataFrame = field(
        default_factory=pd.DataFrame
    )  # concern_id, thema, sozialraum_ids, created_at, days
    waiting_count: int = 0
    gaps: pd.DataFrame = field(default_factory=pd.DataFrame)  # sozialraum_id, name, need_class, population
    gap_count: int = 0
    endings: pd.DataFrame = field(default_factory=pd.DataFrame)  # connector_id, name, planned_end, days_left
    last_meeting: date | None = None
    steps: tuple[Step, ...] = ()

    @property
    def sozialraum_ids(self) -> tuple[str, ...]:
        """Every Sozialraum the person's tandems work in today, each once, in the tandems' order."""
        return tuple(dict.fromkeys(i for t in self.tandems for i in t.sozialraum_ids))

    @property
    def due_count(self) -> int:
        """How many things wait for this person (shown as a number beside "Zu tun")."""
        return len(self.hours_due) + (self.ending is not None) + self.waiting_count + len(self.endings)


PUBLIC_STEPS = (
    Step("map", "explore"),
    Step("nearby", "explore", "nearby"),
    Step("concerns", "concerns", "mine"),
)
CONNECTOR_STEPS = (
    Step("concern", "concerns", "new"),
    Step("activity", "activities", "new"),
    Step("hours", "programme", "hours"),
)
COORDINATOR_STEPS = (
    Step("answer", "concerns", "all"),
    Step("gaps", "coverage"),
    Step("agenda", "programme", "meeting"),
)


def start(
    register: Register | None, places: pd.DataFrame, *, by: Principal, today: date | None = None
) -> Start:
    """
    The start page of `by`: public, connector or coordinator.

    A coordinator who is also a connector gets the coordinator's start with their own tandems on it.

    `places` is `geo.register.impact.places(dataset)` (need class per Sozialraum); `register` may be None when it cannot
    be opened, and then everyone gets the public start.
    """
    today = today or date.today()
    if register is None or by.is_public:
        return Start(kind="public", today=today, steps=PUBLIC_STEPS)
    coordinator = by.may(Action.READ_CONCERNS)
    tandems = _tandems(register, by, today)
    upcoming = _upcoming(register, tandems, today)
    news = _news(register, by)
    own = _own(register, by, today)
    name = _name(register, by)
    mine = Start(
        kind="connector",
        today=today,
        name=name,
        tandems=tandems,
        upcoming=upcoming,
        news=news,
        hours_due=own[0],
        ending=own[1],
        steps=CONNECTOR_STEPS if tandems else (Step("map", "explore"),),
    )
    if not coordinator:
        return mine
    waiting = _waiting(register, by, today)
    gaps = _gaps(register, places, today)
    return replace(
        mine,
        kind="coordinator",
        waiting=waiting.head(TOP),
        waiting_count=len(waiting),
        gaps=gaps.head(TOP),
        gap_count=len(gaps),
        endings=programme.ending_soon(register, by=by, today=today),
        last_meeting=_last_meeting(register, by),
        steps=COORDINATOR_STEPS,
    )


def _name(register: Register, by: Principal) -> str:
    """The person's own name as the register holds it (their connector record), else their account's label."""
    if by.connector_id is not None and by.may(Action.OWN_RECORD):
        own = register.own_connector(by=by)
        if own is not None and own.display_name:
            return own.display_name
    return by.label.split("@")[0]  # an e-mail address as a greeting would become a link: its name part


def _tandems(register: Register, by: Principal, today: date) -> tuple[TandemCard, ...]:
    """The tandems `by` belongs to and works in today, with their Sozialräume (sorted by ID)."""
    if not by.tandem_ids:
        return ()
    places: dict[int, list[str]] = {}
    for row in register.active_assignments(today).itertuples():
        places.setdefault(int(row.tandem_id), []).append(str(row.sozialraum_id))
    return tuple(
        TandemCard(id=t.id, name=t.name, sozialraum_ids=tuple(sorted(places.get(t.id, []))))
        for t in register.tandems()
        if t.id in by.tandem_ids and t.active_on(today)
    )


def _upcoming(register: Register, tandems: tuple[TandemCard, ...], today: date) -> pd.DataFrame:
    """The next activities (idea or planned) of the person's tandems, soonest first."""
    columns = ["id", "starts_at", "title", "sozialraum_id", "tandem"]
    names = {t.id: t.name for t in tandems}
    if not names:
        return pd.DataFrame(columns=columns)
    begin = datetime.combine(today, datetime.min.time())
    with register.read() as s:
        rows = [
            (a.id, a.starts_at, a.title, a.sozialraum_id, names[a.tandem_id] if a.tandem_id else "")
            for a in s.scalars(
                select(Activity)
                .where(Activity.tandem_id.in_(sorted(names)), Activity.status.in_(("idee", "geplant")))
                .where(
                    Activity.starts_at >= begin,
                    Activity.starts_at < begin + timedelta(days=UPCOMING_DAYS + 1),
                )
                .order_by(Activity.starts_at, Activity.id)
                .limit(TOP)
            )
        ]
    frame = pd.DataFrame(rows, columns=columns)
    frame["starts_at"] = pd.to_datetime(frame["starts_at"])
    return frame


def _news(register: Register, by: Principal) -> pd.DataFrame:
    """Unread news on the concerns of the person's tandems: one row per concern (its newest status)."""
    if not by.tandem_ids:
        return pd.DataFrame(columns=["concern_id", "thema", "status", "created_at"])
    notes = digest.notices(register, by=by, unseen=True)
    notes = notes[notes["tandem_id"].isin(by.tandem_ids)]
    newest = notes.sort_values("created_at", ascending=False).drop_duplicates("concern_id")
    return newest[["concern_id", "thema", "status", "created_at"]].head(TOP).reset_index(drop=True)


def _own(register: Register, by: Principal, today: date) -> tuple[pd.DataFrame, date | None]:
    """
    What waits for the person themselves.

    Activities of their tandems held in the last `HOURS_DAYS` days (not cancelled) for which they entered no
    hours yet, newest first; and their engagement's end, if near.
    """
    columns = ["activity_id", "starts_at", "title"]
    if by.connector_id is None or not by.tandem_ids:
        return pd.DataFrame(columns=columns), None
    now = programme.local_now() if today == date.today() else datetime.combine(today, datetime.max.time())
    with register.read() as s:
        entered = select(Participation.activity_id).where(Participation.connector_id == by.connector_id)
        rows = [
            (a.id, a.starts_at, a.title)
            for a in s.scalars(
                select(Activity)
                .where(Activity.tandem_id.in_(sorted(by.tandem_ids)), Activity.status != "abgesagt")
                .where(Activity.starts_at <= now, Activity.starts_at >= now - timedelta(days=HOURS_DAYS))
                .where(Activity.id.not_in(entered))
                .order_by(Activity.starts_at.desc(), Activity.id.desc())
            )
        ]
    due = pd.DataFrame(rows, columns=columns)
    due["starts_at"] = pd.to_datetime(due["starts_at"])
    ending = programme.ending_soon(register, by=by, today=today)
    own_end = ending.loc[ending["connector_id"] == by.connector_id, "planned_end"]
    return due, (own_end.iloc[0] if len(own_end) else None)


def _waiting(register: Register, by: Principal, today: date) -> pd.DataFrame:
    """Concerns nobody has answered yet (status "offen", only the first entry), oldest first."""
    now = datetime.combine(today, datetime.max.time())
    with register.read(by, Action.READ_CONCERNS) as s:
        counted = select(ConcernUpdate.concern_id, func.count(ConcernUpdate.id)).group_by(
            ConcernUpdate.concern_id
        )
        entries = {int(cid): int(n) for cid, n in s.execute(counted).all()}
        rows = [
            (c.id, c.thema, c.sozialraum_ids, c.created_at, (now - c.created_at).days)
            for c in s.scalars(
                select(Concern).where(Concern.status == "offen").order_by(Concern.created_at, Concern.id)
            )
            if entries.get(c.id, 0) <= 1
        ]
    frame = pd.DataFrame(rows, columns=["concern_id", "thema", "sozialraum_ids", "created_at", "days"])
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    return frame


def _gaps(register: Register, places: pd.DataFrame, today: date) -> pd.DataFrame:
    """Sozialräume of high need without a tandem today: highest need first, then most inhabitants."""
    columns = ["sozialraum_id", "name", "need_class", "population"]
    if places.empty:
        return pd.DataFrame(columns=columns)
    high = places[places["need_class"].isin(HIGH_NEED)]
    open_ = high[~high["sozialraum_id"].isin(covered_on(register, today))]
    return (
        open_.assign(_pop=open_["population"].fillna(0))
        .sort_values(["need_class", "_pop", "sozialraum_id"], ascending=[True, False, True])[columns]
        .reset_index(drop=True)
    )


def _last_meeting(register: Register, by: Principal) -> date | None:
    """The day of the last monthly meeting that recorded a decision, if any."""
    with register.read(by, Action.READ_CONCERNS) as s:
        day = s.scalar(select(func.max(ConcernUpdate.meeting_on)))
    return day
