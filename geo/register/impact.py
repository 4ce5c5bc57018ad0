"""
What the programme achieved ("Wirkung"), and the monthly meeting's agenda.

Figures per Sozialraum, tandem, Stadtbezirk, need class and quarter, for a period (both days included):

- **activities held**: activities with status "durchgeführt" that began in the period; **participants**:
  the sum of their recorded participants;
- **concerns logged**: concerns created in the period (a concern naming several Sozialräume counts in each;
  in the city's total once);
- **answered**: concerns whose first answer (the first status entry after the one that logged them) falls
  in the period; **days to an answer**: from logging to that first answer, the median over those;
- **resolved**: concerns that reached "erledigt" in the period (the first time).

No personal data: tandems by name, counts only. Anyone who may see the public views may see these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import select

from geo.analysis import need
from geo.core import i18n
from geo.core.access import Action, Principal
from geo.core.errors import RegisterError
from geo.data.dataset import Dataset
from geo.register import models
from geo.register.models import OPEN_CONCERN_STATUSES, Activity, Concern, ConcernUpdate
from geo.register.store import Register

OPEN_STATUSES = OPEN_CONCERN_STATUSES
FIGURES = ("activities", "participants", "logged", "answered", "resolved", "median_days")


def places(data: Dataset) -> pd.DataFrame:
    """One row per Sozialraum of `data` with its need class (the default index): what `impact` needs."""
    result = need.need_index(data.spaces, need.default_components(data.indicator_ids(), data.catalogue))
    frame = pd.DataFrame(
        {
            "sozialraum_id": data.spaces["sozialraum_id"].to_numpy(),
            "name": data.spaces["name"].to_numpy(),
            "stadtbezirk": data.spaces["stadtbezirk"].astype(str).to_numpy(),
            "population": data.spaces["bevoelkerung"].to_numpy()
            if "bevoelkerung" in data.spaces
            else float("nan"),
        }
    )
    frame["need_class"] = frame["sozialraum_id"].map(result.need_class).fillna(0).astype(int)
    return frame


def covered_on(register: Register, day: date) -> set[str]:
    """The Sozialräume with a tandem on `day`."""
    return set(register.active_assignments(day)["sozialraum_id"])


def quarter(text: str) -> tuple[date, date]:
    """The first and last day of "YYYY-Qn" (e.g. "2026-Q3" → 1 July – 30 September 2026)."""
    match = re.fullmatch(r"\s*(\d{4})-?[Qq]([1-4])\s*", text)
    if match is None:
        raise RegisterError("impact.bad_quarter", value=text[:20])
    year, q = int(match[1]), int(match[2])
    start = date(year, 3 * q - 2, 1)
    end = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - timedelta(days=1)
    return start, end


def quarter_of(day: date | datetime | pd.Timestamp) -> str:
    """Name the quarter of a day: "YYYY-Qn"."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class Events:
    """The journal reduced to what impact needs (no text but topics, no people)."""

    activities: pd.DataFrame  # id, starts_at, sozialraum_id, tandem_id, status, actual
    concerns: pd.DataFrame  # id, created_at, sozialraum_ids (list), tandem_id, answered_at, resolved_at


def events(register: Register, *, by: Principal) -> Events:
    """Read activities and concerns once (anyone who may see the public views)."""
    with register.read(by, Action.READ_PUBLIC) as s:
        acts = [
            (a.id, a.starts_at, a.sozialraum_id, a.tandem_id, a.status, a.actual)
            for a in s.scalars(select(Activity).order_by(Activity.id))
        ]
        updates: dict[int, list[tuple[str, datetime, str]]] = {}
        for u in s.scalars(select(ConcernUpdate).order_by(ConcernUpdate.id)):
            updates.setdefault(u.concern_id, []).append((u.status, u.created_at, u.kind))
        rows = []
        for c in s.scalars(select(Concern).order_by(Concern.id)):
            history = updates.get(c.id, [])[1:]  # the first entry is the logging itself
            answers = [at for _status, at, kind in history if kind == "status"]
            resolved = [at for status, at, kind in history if kind == "status" and status == "erledigt"]
            rows.append(
                (
                    c.id,
                    c.created_at,
                    [i for i in c.sozialraum_ids.split(",") if i],
                    c.tandem_id,
                    answers[0] if answers else None,
                    resolved[0] if resolved else None,
                )
            )
    activities = pd.DataFrame(
        acts, columns=["id", "starts_at", "sozialraum_id", "tandem_id", "status", "actual"]
    )
    concerns = pd.DataFrame(
        rows, columns=["id", "created_at", "sozialraum_ids", "tandem_id", "answered_at", "resolved_at"]
    )
    for frame, columns in (
        (activities, ["starts_at"]),
        (concerns, ["created_at", "answered_at", "resolved_at"]),
    ):
        for column in columns:
            frame[column] = pd.to_datetime(frame[column])
    return Events(activities=activities, concerns=concerns)


def _within(values: pd.Series, start: date, end: date) -> pd.Series:
    low = pd.Timestamp(start)
    high = pd.Timestamp(end) + pd.Timedelta(days=1)
    return values.notna() & (values >= low) & (values < high)


def _figures(ev: Events, start: date, end: date, key: str | None) -> pd.DataFrame:
    """Figures for the period grouped by `key` ("sozialraum_id", "tandem_id"; None: the city as one row)."""
    acts = ev.activities[
        (ev.activities["status"] == "durchgefuehrt") & _within(ev.activities["starts_at"], start, end)
    ]
    concerns = ev.concerns
    if key == "sozialraum_id":
        concerns = concerns.explode("sozialraum_ids").rename(columns={"sozialraum_ids": "sozialraum_id"})
        concerns = concerns[concerns["sozialraum_id"].notna()]
    group = key or "_all"
    acts = acts.assign(_all="all")
    concerns = concerns.assign(_all="all")
    logged = concerns[_within(concerns["created_at"], start, end)]
    answered = concerns[_within(concerns["answered_at"], start, end)]
    resolved = concerns[_within(concerns["resolved_at"], start, end)]
    days = (answered["answered_at"] - answered["created_at"]).dt.total_seconds() / 86400
    out = pd.DataFrame(
        {
            "activities": acts.groupby(group)["id"].count(),
            "participants": acts.groupby(group)["actual"].sum(min_count=1),
            "logged": logged.groupby(group)["id"].count(),
            "answered": answered.groupby(group)["id"].count(),
            "resolved": resolved.groupby(group)["id"].count(),
            "median_days": days.groupby(answered[group]).median(),
        }
    )
    counts = ["activities", "participants", "logged", "answered", "resolved"]
    out[counts] = out[counts].fillna(0).astype(int)
    out.index.name = key or "city"
    return out.reset_index()


@dataclass(frozen=True)
class Impact:
    """The figures of one period at every level."""

    start: date
    end: date
    city: dict[str, float]
    by_sozialraum: pd.DataFrame  # sozialraum_id, name, stadtbezirk, need_class, figures
    by_tandem: pd.DataFrame  # tandem, figures
    by_bezirk: pd.DataFrame  # stadtbezirk, figures
    by_need: (
        pd.DataFrame
    )  # need_class, sozialraeume, population_share, activity_share, concern_share, with_tandem


def impact(
    ev: Events,
    places: pd.DataFrame,
    start: date,
    end: date,
    *,
    tandem_names: dict[int, str],
    covered: set[str] | None = None,
) -> Impact:
    """
    The figures from `start` to `end`.

    `places` has one row per Sozialraum: `sozialraum_id`, `name`, `stadtbezirk`, `need_class` (1 = the highest
    need … 5, 0 or missing when unranked), `population`. `covered` are the Sozialräume with a tandem at the end of the period.
    """
    if end < start:
        raise RegisterError("register.dates_order", start=start.isoformat(), end=end.isoformat())
    city_row = _figures(ev, start, end, None)
    city = {f: float(city_row[f].iloc[0]) if not city_row.empty else 0.0 for f in FIGURES}
    if city_row.empty:
        city = dict.fromkeys(FIGURES, 0.0)
        city["median_days"] = float("nan")
    places = places[["sozialraum_id", "name", "stadtbezirk", "need_class", "population"]]
    spaces = places.merge(_figures(ev, start, end, "sozialraum_id"), on="sozialraum_id", how="left")
    counts = ["activities", "participants", "logged", "answered", "resolved"]
    spaces[counts] = spaces[counts].fillna(0).astype(int)
    spaces = spaces.sort_values(["activities", "logged", "sozialraum_id"], ascending=[False, False, True])
    tandems = _figures(ev, start, end, "tandem_id")
    tandems = tandems[tandems["tandem_id"].notna()]
    tandems.insert(0, "tandem", [tandem_names.get(int(i), f"#{int(i)}") for i in tandems["tandem_id"]])
    tandems = tandems.drop(columns="tandem_id").sort_values("tandem").reset_index(drop=True)
    # per Bezirk: sums over its Sozialräume, the median again from the concerns themselves
    bezirk_of = dict(zip(places["sozialraum_id"], places["stadtbezirk"], strict=True))
    ev_b = Events(
        activities=ev.activities.assign(sozialraum_id=ev.activities["sozialraum_id"].map(bezirk_of)),
        concerns=ev.concerns.assign(
            sozialraum_ids=[
                sorted({bezirk_of[i] for i in ids if i in bezirk_of}) for ids in ev.concerns["sozialraum_ids"]
            ]
        ),
    )
    bezirke = _figures(ev_b, start, end, "sozialraum_id").rename(columns={"sozialraum_id": "stadtbezirk"})
    ordered = sorted(places["stadtbezirk"].unique(), key=lambda b: (len(str(b)), str(b)))  # 1, 2, …, 10
    bezirke = pd.DataFrame({"stadtbezirk": ordered}).merge(bezirke, on="stadtbezirk", how="left")
    bezirke[counts] = bezirke[counts].fillna(0).astype(int)
    return Impact(
        start=start,
        end=end,
        city=city,
        by_sozialraum=spaces.reset_index(drop=True),
        by_tandem=tandems,
        by_bezirk=bezirke,
        by_need=_by_need(spaces, covered or set()),
    )


def _by_need(spaces: pd.DataFrame, covered: set[str]) -> pd.DataFrame:
    """Per need class: how many Sozialräume, their share of people, of activities and concerns, with a tandem."""
    ranked = spaces[spaces["need_class"].fillna(0) > 0]
    total_pop = ranked["population"].sum()
    total_act = ranked["activities"].sum()
    total_con = ranked["logged"].sum()
    rows = []
    for klass, part in ranked.groupby("need_class"):
        rows.append(
            {
                "need_class": int(klass),
                "sozialraeume": len(part),
                "population_share": part["population"].sum() / total_pop if total_pop else float("nan"),
                "activity_share": part["activities"].sum() / total_act if total_act else float("nan"),
                "concern_share": part["logged"].sum() / total_con if total_con else float("nan"),
                "with_tandem": int(part["sozialraum_id"].isin(covered).sum()),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "need_class",
            "sozialraeume",
            "population_share",
            "activity_share",
            "concern_share",
            "with_tandem",
        ],
    ).sort_values("need_class", ignore_index=True)


#: The need table's share columns (0-100, in percent), in the order of `need_view`.
NEED_SHARES = ("population_share", "activity_share", "concern_share")


def need_view(result: Impact, lang: str) -> pd.DataFrame:
    """
    The quarter by need class as the page and the PDF show it.

    Headers in `lang`, the class by name, counts, and the shares of population, activities and concerns in
    percent (0-100).
    """

    def t(key: str) -> str:
        return i18n.translate(key, lang)

    by_need = result.by_need
    return pd.DataFrame(
        {
            t("impact.need_class"): [t(f"need.short{c}") for c in by_need["need_class"]],
            t("impact.sozialraeume"): by_need["sozialraeume"],
            t("impact.with_tandem"): by_need["with_tandem"],
            **{t(f"impact.{share}"): 100 * by_need[share] for share in NEED_SHARES},
        }
    )


def by_quarter(ev: Events, *, first: date | None = None, last: date | None = None) -> pd.DataFrame:
    """The city's figures per quarter from the first to the last event (or the given days): `quarter`, figures."""
    stamps = pd.concat(
        [ev.activities["starts_at"], ev.concerns["created_at"], ev.concerns["answered_at"]], ignore_index=True
    ).dropna()
    if stamps.empty and (first is None or last is None):
        return pd.DataFrame(columns=["quarter", *FIGURES])
    low = first or stamps.min().date()
    high = last or stamps.max().date()
    rows = []
    q_start, _ = quarter(quarter_of(low))
    while q_start <= high:
        start, end = quarter(quarter_of(q_start))
        figures = _figures(ev, start, end, None)
        empty = {f: (float("nan") if f == "median_days" else 0) for f in FIGURES}
        row = {f: figures[f].iloc[0] for f in FIGURES} if not figures.empty else empty
        rows.append({"quarter": quarter_of(start), **row})
        q_start = end + timedelta(days=1)
    return pd.DataFrame(rows, columns=["quarter", *FIGURES])


# --- the monthly meeting -------------------------------------------------------------------------------


PROPOSAL_COLUMNS = ["title", "kind", "supports", "sozialraum_ids"]
CITY_COLUMNS = ["title", "held_on", "waiting_days"]


def _group_items(register: Register, today: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The open proposals (with supports and the Sozialräume of their concerns) and what waits for the city."""
    from geo.register import decide  # noqa: PLC0415 - the group's tables, same layer

    with register.read() as s:
        proposals = [
            (p.title, p.kind, p.supports, ", ".join(p.sozialraum_ids)) for p in decide.open_proposals(s)
        ]
        waiting = [
            (d.title, held_on, (today - held_on).days)
            for d, held_on in s.execute(
                select(models.Decision, models.GroupMeeting.held_on)
                .join(models.GroupMeeting, models.GroupMeeting.id == models.Decision.meeting_id)
                .where(models.Decision.to_city.is_(True), models.Decision.answered_at.is_(None))
                .order_by(models.GroupMeeting.held_on)
            )
        ]
    return pd.DataFrame(proposals, columns=PROPOSAL_COLUMNS), pd.DataFrame(waiting, columns=CITY_COLUMNS)


@dataclass(frozen=True)
class Agenda:
    """The monthly meeting's page: what waits longest, what comes, where tandems went missing."""

    today: date
    waiting: pd.DataFrame  # concern_id, thema, sozialraum_ids, status, tandem, since, waiting_days
    upcoming: pd.DataFrame  # id, starts_at, title, sozialraum_id, tandem
    new_gaps: pd.DataFrame  # sozialraum_id, name, need_class, population
    gap_count: int
    #: The connectors' open proposals, most supported first: title, kind, supports, sozialraum_ids.
    proposals: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROPOSAL_COLUMNS))
    #: Decisions that went to the city and wait for its answer: title, held_on, waiting_days.
    city_waiting: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CITY_COLUMNS))


def agenda(
    register: Register,
    places: pd.DataFrame,
    *,
    by: Principal,
    today: date | None = None,
    min_class: int = 2,
    since_days: int = 31,
    top: int = 10,
) -> Agenda:
    """
    The agenda of the monthly meeting (coordinators).

    `waiting`: open concerns, longest without a new entry first (top `top`); `upcoming`: activities of the
    next 31 days; `new_gaps`: Sozialräume of need class 1 … `min_class` (1 = the highest need) that had a tandem `since_days` ago and
    have none today; `gap_count`: all such Sozialräume without a tandem today.
    """
    today = today or date.today()
    names = {t.id: t.name for t in register.tandems()}
    with register.read(by, Action.READ_CONCERNS) as s:
        last: dict[int, datetime] = {}
        for u in s.scalars(select(ConcernUpdate).order_by(ConcernUpdate.id)):
            last[u.concern_id] = u.created_at
        now = datetime.combine(today, datetime.max.time())
        waiting = [
            (
                c.id,
                c.thema,
                c.sozialraum_ids.replace(",", ", "),
                c.status,
                names.get(c.tandem_id, "") if c.tandem_id is not None else "",
                last.get(c.id, c.created_at),
                (now - last.get(c.id, c.created_at)).days,
            )
            for c in s.scalars(select(Concern).where(Concern.status.in_(OPEN_STATUSES)))
        ]
        start = datetime.combine(today, datetime.min.time())
        upcoming = [
            (a.id, a.starts_at, a.title, a.sozialraum_id, names.get(a.tandem_id, "") if a.tandem_id else "")
            for a in s.scalars(
                select(Activity)
                .where(Activity.status.in_(("idee", "geplant")))
                .where(Activity.starts_at >= start, Activity.starts_at < start + timedelta(days=31))
                .order_by(Activity.starts_at)
            )
        ]
    wait = pd.DataFrame(
        waiting,
        columns=["concern_id", "thema", "sozialraum_ids", "status", "tandem", "since", "waiting_days"],
    ).sort_values(["waiting_days", "concern_id"], ascending=[False, True], ignore_index=True)
    proposals, city_waiting = _group_items(register, today)
    klass = places["need_class"].fillna(0)
    high = places[(klass >= 1) & (klass <= min_class)]
    now_covered = covered_on(register, today)
    then_covered = covered_on(register, today - timedelta(days=since_days))
    gaps = high[~high["sozialraum_id"].isin(now_covered)]
    new = gaps[gaps["sozialraum_id"].isin(then_covered)]
    return Agenda(
        today=today,
        waiting=wait.head(top),
        upcoming=pd.DataFrame(upcoming, columns=["id", "starts_at", "title", "sozialraum_id", "tandem"]),
        new_gaps=new[["sozialraum_id", "name", "need_class", "population"]].reset_index(drop=True),
        gap_count=len(gaps),
        proposals=proposals,
        city_waiting=city_waiting,
    )


def group_agenda(register: Register, *, by: Principal, today: date | None = None) -> Agenda:
    """
    The group's part of the monthly meeting's agenda, for its moderators (`Action.READ_GROUP`).

    The open proposals, most supported first, and the decisions waiting for the city's answer; the
    coordination's part (concerns, activities, gaps) stays empty.
    """
    today = today or date.today()
    with register.read(by, Action.READ_GROUP):
        pass  # the check; the figures below name nobody
    proposals, city_waiting = _group_items(register, today)
    return Agenda(
        today=today,
        waiting=pd.DataFrame(
            columns=["concern_id", "thema", "sozialraum_ids", "status", "tandem", "since", "waiting_days"]
        ),
        upcoming=pd.DataFrame(columns=["id", "starts_at", "title", "sozialraum_id", "tandem"]),
        new_gaps=pd.DataFrame(columns=["sozialraum_id", "name", "need_class", "population"]),
        gap_count=0,
        proposals=proposals,
        city_waiting=city_waiting,
    )
