"""
What tandems do and what they meet: activities, and the problem log ("Anliegen") with its answers.

Tables live in the register's database (`geo.register.store`), migrated by Alembic. A concern's status only changes
together with a comment (the administration's answer), and every change is kept: that history is what
connectors read under "Rückmeldungen". A concern or activity names a tandem, never a person.

Rights (see `geo.core.access`): connectors log concerns and plan activities for their own tandems only;
coordinators for any. The whole problem log (descriptions, who logged what) is for coordinators and the
tandem that logged a concern; everyone else sees a concern only when it is marked public, and then only its
topic, Sozialraum, status and answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select

from geo.core.access import AccessDeniedError, Action, Principal
from geo.core.errors import ConcurrentEditError, RegisterError
from geo.core.settings import unit_id
from geo.core.tables import FORMULA_PREFIXES
from geo.data import sources
from geo.register import models
from geo.register.models import Activity, Concern, ConcernUpdate, Notice
from geo.register.store import Register, RowProblem, Tx

#: What becomes of a concern, in order, and those still waiting (kept with their column in `models`).
CONCERN_STATUSES = models.CONCERN_STATUSES
OPEN_CONCERN_STATUSES = models.OPEN_CONCERN_STATUSES
ACTIVITY_KINDS = (
    "stadtteilrundgang",
    "interkultureller_abend",
    "quizabend",
    "infoveranstaltung",
    "sonstiges",
)
ACTIVITY_STATUSES = ("idee", "geplant", "durchgefuehrt", "abgesagt")
PRIORITIES = ("hoch", "mittel", "niedrig")
#: The comment of a concern's first history entry (the logging itself); pages show it in the reader's words.
LOGGED_COMMENT = "erfasst"
#: The programme's spreadsheet columns, exactly (see the background article).
CONCERN_COLUMNS = {
    "thema": "Thema",
    "beschreibung": "Problembeschreibung",
    "prioritaet": "Priorität",
    "lokalisierung": "Lokalisierung des Problems",
    "loesungen": "mögliche Lösungen",
    "kontakt": "Kontakt innerhalb der Stadtverwaltung",
    "status": "Status",
}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _ids(value: str | list[str] | tuple[str, ...], known: set[str]) -> list[str]:
    items = re.findall(r"\d+", value) if isinstance(value, str) else list(value)
    ids = list(dict.fromkeys(unit_id(i, known) for i in items))
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise RegisterError("register.unknown_sozialraum", id=", ".join(unknown))
    return ids


# --- activities --------------------------------------------------------------------------------------


def add_activity(
    register: Register,
    *,
    by: Principal,
    kind: str,
    title: str,
    starts_at: datetime,
    sozialraum_id: str,
    known_ids: set[str],
    status: str = "geplant",
    ends_at: datetime | None = None,
    tandem_id: int | None = None,
    welcome_point_id: str | None = None,
    venue: str = "",
    point: tuple[float, float] | None = None,
    languages: str = "",
    target_group: str = "",
    expected: int | None = None,
    actual: int | None = None,
    notes: str = "",
) -> int:
    """
    Record an activity; returns its ID. `point` is (lat, lon) of a venue picked on the map.

    Connectors record activities of their own tandems only; coordinators of any tandem or none.
    """
    if kind not in ACTIVITY_KINDS or status not in ACTIVITY_STATUSES:
        raise RegisterError("journal.unknown_choice", value=f"{kind}/{status}")
    if not title.strip():
        raise RegisterError("register.name_missing")
    _ids([sozialraum_id], known_ids)
    if ends_at is not None and ends_at < starts_at:
        raise RegisterError("register.dates_order", start=starts_at.isoformat(), end=ends_at.isoformat())
    with register.write(
        by, Action.WRITE_ACTIVITY, "activity.create", tandem_id=tandem_id, target="activity"
    ) as tx:
        s = tx.session
        record = Activity(
            kind=kind,
            title=title.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            sozialraum_id=sozialraum_id,
            welcome_point_id=welcome_point_id or None,
            venue=venue.strip(),
            lat=point[0] if point else None,
            lon=point[1] if point else None,
            tandem_id=tandem_id,
            languages=languages.strip(),
            target_group=target_group.strip(),
            status=status,
            expected=expected,
            actual=actual,
            notes=notes.strip(),
        )
        s.add(record)
        s.flush()
        tx.target_id = record.id
        return record.id


def update_activity(
    register: Register, activity_id: int, *, by: Principal, version: int, **fields: object
) -> None:
    """
    Change an activity (status, participants, notes, ...); refused when someone else saved it meanwhile.

    Connectors change only activities of their own tandems, and cannot hand one to another tandem.
    """
    allowed = {c.key for c in Activity.__table__.columns} - {"id", "version"}
    unknown = set(fields) - allowed
    if unknown:
        msg = f"unknown activity field {sorted(unknown)!r}"
        raise ValueError(msg)
    if "status" in fields and fields["status"] not in ACTIVITY_STATUSES:
        raise RegisterError("journal.unknown_choice", value=str(fields["status"]))
    with register.write(
        by, Action.READ_PUBLIC, "activity.update", target="activity", target_id=activity_id
    ) as tx:
        record = tx.session.get(Activity, activity_id)
        if record is None or record.version != version:
            raise ConcurrentEditError("register.concurrent_edit")
        tx.require(Action.WRITE_ACTIVITY, tandem_id=record.tandem_id)
        if "tandem_id" in fields:
            tx.require(Action.WRITE_ACTIVITY, tandem_id=fields["tandem_id"])  # type: ignore[arg-type]
        for key, value in fields.items():
            setattr(record, key, value)
        tx.details = {"fields": sorted(fields)}


def activities(
    register: Register,
    *,
    by: Principal | None = None,
    tandem_id: int | None = None,
    sozialraum_id: str | None = None,
    status: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """
    Activities matching the filters, by start time; with the tandem's name (never a person's).

    Notes are internal: they are kept only for coordinators and the activity's own tandem (`by`).
    """
    by = by or Principal.public()
    names = {t.id: t.name for t in register.tandems()}
    with register.read() as s:
        query = select(Activity).order_by(Activity.starts_at, Activity.id)
        if tandem_id is not None:
            query = query.where(Activity.tandem_id == tandem_id)
        if sozialraum_id is not None:
            query = query.where(Activity.sozialraum_id == sozialraum_id)
        if status is not None:
            query = query.where(Activity.status == status)
        if start is not None:
            query = query.where(Activity.starts_at >= datetime.combine(start, datetime.min.time()))
        if end is not None:
            query = query.where(
                Activity.starts_at < datetime.combine(end + timedelta(days=1), datetime.min.time())
            )
        rows = [{c.key: getattr(a, c.key) for c in Activity.__table__.columns} for a in s.scalars(query)]
    frame = pd.DataFrame(rows, columns=[c.key for c in Activity.__table__.columns])
    for column in ("starts_at", "ends_at"):
        frame[column] = pd.to_datetime(frame[column])  # typed even when there are no rows
    frame["tandem"] = _tandem_names(frame["tandem_id"], names)
    frame["notes"] = [
        n if by.may(Action.READ_TANDEM_JOURNAL, tandem_id=_int(t)) else ""
        for n, t in zip(frame["notes"], frame["tandem_id"], strict=True)
    ]
    return frame


def _int(value: object) -> int | None:
    return int(value) if value is not None and pd.notna(value) else None  # type: ignore[call-overload]


def _tandem_names(ids: pd.Series, names: dict[int, str]) -> list[str]:
    return [names.get(int(i), "") if pd.notna(i) else "" for i in ids]


#: Activities happen in Düsseldorf: times are stored as local wall-clock times and exported in this zone.
TIME_ZONE = "Europe/Berlin"


# --- concerns ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConcernInput:
    """A concern as entered or imported, before it is stored."""

    thema: str
    beschreibung: str = ""
    prioritaet: str = "mittel"
    lokalisierung: str = ""
    sozialraum_ids: tuple[str, ...] = ()
    point: tuple[float, float] | None = None
    loesungen: str = ""
    kontakt: str = ""
    status: str = "offen"
    tandem_id: int | None = None
    public: bool = False
    public_wanted: bool = False


def add_concern(
    register: Register,
    concern: ConcernInput,
    *,
    by: Principal,
    known_ids: set[str],
    comment: str = LOGGED_COMMENT,
) -> int:
    """
    Log a concern (connectors for their own tandem); its first history entry records the starting status.

    Only the coordination publishes a concern (`change_status`), after reading it: a topic can name people
    or places. A connector's wish to show it publicly is kept (``public_wanted``) for the coordination.
    """
    with register.write(
        by, Action.LOG_CONCERN, "concern.create", tandem_id=concern.tandem_id, target="concern"
    ) as tx:
        if concern.public and not tx.by.may(Action.ANSWER_CONCERN):
            concern = replace(concern, public=False, public_wanted=True)
        return _insert_concern(tx, concern, known_ids=known_ids, comment=comment)


def _insert_concern(tx: Tx, concern: ConcernInput, *, known_ids: set[str], comment: str) -> int:
    if not concern.thema.strip():
        raise RegisterError("journal.thema_missing")
    if concern.prioritaet not in PRIORITIES or concern.status not in CONCERN_STATUSES:
        raise RegisterError("journal.unknown_choice", value=f"{concern.prioritaet}/{concern.status}")
    ids = _ids(concern.sozialraum_ids, known_ids)
    s = tx.session
    record = Concern(
        thema=concern.thema.strip(),
        beschreibung=concern.beschreibung.strip(),
        prioritaet=concern.prioritaet,
        lokalisierung=concern.lokalisierung.strip(),
        sozialraum_ids=",".join(ids),
        lat=concern.point[0] if concern.point else None,
        lon=concern.point[1] if concern.point else None,
        loesungen=concern.loesungen.strip(),
        kontakt=concern.kontakt.strip(),
        status=concern.status,
        tandem_id=concern.tandem_id,
        public=concern.public,
        public_wanted=concern.public_wanted or concern.public,
    )
    s.add(record)
    s.flush()
    s.add(ConcernUpdate(concern_id=record.id, status=concern.status, comment=comment))
    tx.target_id = record.id
    return record.id


def change_status(
    register: Register,
    concern_id: int,
    *,
    by: Principal,
    version: int,
    status: str,
    comment: str,
    public: bool | None = None,
) -> None:
    """A new status with the administration's answer (coordinators); both are kept in the history."""
    if status not in CONCERN_STATUSES:
        raise RegisterError("journal.unknown_choice", value=status)
    if not comment.strip():
        raise RegisterError("journal.comment_missing")
    with register.write(
        by, Action.ANSWER_CONCERN, "concern.answer", target="concern", target_id=concern_id
    ) as tx:
        record = tx.session.get(Concern, concern_id)
        if record is None or record.version != version:
            raise ConcurrentEditError("register.concurrent_edit")
        changed = record.status != status
        record.status = status
        if public is not None:
            record.public = public
        tx.session.add(ConcernUpdate(concern_id=concern_id, status=status, comment=comment.strip()))
        if changed and record.tandem_id is not None:  # the tandem that logged it is told
            tx.session.add(Notice(tandem_id=record.tandem_id, concern_id=concern_id, status=status))
        tx.details = {
            "status": status,
            "public": record.public,
            "notice": changed and record.tandem_id is not None,
        }


def record_decision(
    register: Register, concern_id: int, *, by: Principal, text: str, meeting_on: date
) -> None:
    """
    Note what the monthly meeting decided about a concern (coordinators); it shows in the concern's history.

    The status stays as it is; a decision is an entry of its own kind ("beschluss") with the meeting's date.
    """
    if not text.strip():
        raise RegisterError("journal.comment_missing")
    if meeting_on > date.today() + timedelta(days=1):
        raise RegisterError("programme.meeting_in_future", date=meeting_on.isoformat())
    with register.write(
        by, Action.ANSWER_CONCERN, "concern.decision", target="concern", target_id=concern_id
    ) as tx:
        record = tx.session.get(Concern, concern_id)
        if record is None:
            raise RegisterError("register.not_found", what=f"concern {concern_id}")
        tx.session.add(
            ConcernUpdate(
                concern_id=concern_id,
                status=record.status,
                comment=text.strip(),
                kind="beschluss",
                meeting_on=meeting_on,
            )
        )
        tx.details = {"meeting_on": meeting_on.isoformat()}


#: What anyone may see of a concern marked public (never who logged it).
PUBLIC_CONCERN_FIELDS = ("id", "thema", "sozialraum_ids", "status", "created_at", "public", "version")


def visibility(by: Principal, public: bool, tandem_id: int | None) -> str:
    """How much of a concern `by` sees: "full", "public" or "" (nothing)."""
    if by.may(Action.READ_CONCERNS) or by.may(Action.READ_TANDEM_JOURNAL, tandem_id=tandem_id):
        return "full"
    return "public" if public and by.may(Action.READ_PUBLIC) else ""


def concerns(register: Register, *, by: Principal) -> pd.DataFrame:
    """
    The concerns `by` may see, newest first, with the name of the tandem that logged them.

    Coordinators see all; a connector also their own tandems' concerns in full; everyone sees concerns
    marked public, but of those only topic, Sozialraum, status and date (no description, no contact, no
    point, no tandem).
    """
    names = {t.id: t.name for t in register.tandems()}
    columns = [c.key for c in Concern.__table__.columns]
    rows = []
    with register.read() as s:
        by = register.current(s, by)  # as the register holds the account now, not as the caller built it
        for r in s.scalars(select(Concern).order_by(Concern.created_at.desc(), Concern.id.desc())):
            seen = visibility(by, r.public, r.tandem_id)
            if not seen:
                continue
            row = {c: getattr(r, c) for c in columns}
            if seen == "public":
                row = {c: (row[c] if c in PUBLIC_CONCERN_FIELDS else blank(c)) for c in columns}
            rows.append(row)
    frame = pd.DataFrame(rows, columns=columns)
    frame["created_at"] = pd.to_datetime(frame["created_at"])  # typed even when there are no rows
    frame["tandem"] = _tandem_names(frame["tandem_id"], names)
    return frame


def blank(column: str) -> object:
    """The empty value of a concern's column that a reader may not see."""
    if column == "public_wanted":
        return False
    return None if column in {"lat", "lon", "tandem_id"} else ""


def _concern_seen(register: Register, concern_id: int, by: Principal) -> str:
    with register.read() as s:
        by = register.current(s, by)
        record = s.get(Concern, concern_id)
        seen = visibility(by, record.public, record.tandem_id) if record is not None else ""
    if not seen:
        raise AccessDeniedError("access.denied", action=Action.READ_CONCERNS.value)
    return seen


def history(register: Register, concern_id: int, *, by: Principal) -> pd.DataFrame:
    """
    A concern's history, oldest first (if `by` may see it).

    Columns `status`, `comment`, `created_at`, `kind` ("status" or "beschluss": a meeting's decision) and
    `meeting_on` (the meeting's day, for decisions).
    """
    _concern_seen(register, concern_id, by)
    with register.read() as s:
        rows = [
            (u.status, u.comment, u.created_at, u.kind, u.meeting_on)
            for u in s.scalars(
                select(ConcernUpdate).where(ConcernUpdate.concern_id == concern_id).order_by(ConcernUpdate.id)
            )
        ]
    frame = pd.DataFrame(rows, columns=["status", "comment", "created_at", "kind", "meeting_on"])
    frame["created_at"] = pd.to_datetime(frame["created_at"])
    return frame


@dataclass(frozen=True)
class ConcernCard:
    """One concern as a card: what `by` may see of it, and its whole history (oldest first)."""

    record: dict[str, Any]  # the columns of `concerns` (blank where `by` may not see them)
    history: pd.DataFrame  # status, comment, created_at, kind, meeting_on
    latest: datetime  # the newest entry: cards are sorted by it, newest first


def concern_cards(register: Register, *, by: Principal, limit: int = 50) -> list[ConcernCard]:
    """
    The concerns that matter to `by`, one card each with its history inside, the most recently changed first.

    A connector: their own tandems' concerns (a new one appears at once, before anyone answered it);
    coordinators: every concern; everyone else: the concerns marked public.
    """
    frame = concerns(register, by=by)
    with register.read() as s:
        by = register.current(s, by)
    if by.tandem_ids and not by.all_tandems():
        frame = frame[frame["tandem_id"].isin(sorted(by.tandem_ids))]
    ids = [int(i) for i in frame["id"]]
    entries: dict[int, list[tuple[object, ...]]] = {i: [] for i in ids}
    if ids:
        with register.read() as s:
            for u in s.scalars(
                select(ConcernUpdate)
                .where(ConcernUpdate.concern_id.in_(ids))
                .order_by(ConcernUpdate.concern_id, ConcernUpdate.id)
            ):
                entries[u.concern_id].append((u.status, u.comment, u.created_at, u.kind, u.meeting_on))
    cards = []
    for record in frame.to_dict("records"):
        cid = int(record["id"])
        hist = pd.DataFrame(entries[cid], columns=["status", "comment", "created_at", "kind", "meeting_on"])
        hist["created_at"] = pd.to_datetime(hist["created_at"])
        latest = hist["created_at"].max() if not hist.empty else record["created_at"]
        cards.append(ConcernCard(record=record, history=hist, latest=pd.Timestamp(latest).to_pydatetime()))
    cards.sort(key=lambda c: (c.latest, int(c.record["id"])), reverse=True)
    return cards[:limit]


def feedback(register: Register, *, by: Principal, limit: int = 50) -> pd.DataFrame:
    """The newest answers (status changes after the first entry) to concerns `by` may see, for "Rückmeldungen"."""
    with register.read() as s:
        by = register.current(s, by)
        first = {
            cid: uid
            for uid, cid in s.execute(
                select(ConcernUpdate.id, ConcernUpdate.concern_id).order_by(ConcernUpdate.id.desc())
            )
        }
        query = (
            select(ConcernUpdate, Concern)
            .join(Concern, Concern.id == ConcernUpdate.concern_id)
            .order_by(ConcernUpdate.id.desc())
        )
        rows = [
            (u.created_at, c.id, c.thema, c.sozialraum_ids, u.status, u.comment)
            for u, c in s.execute(query)
            if u.id != first[c.id] and visibility(by, c.public, c.tandem_id)
        ][:limit]
    return pd.DataFrame(
        rows, columns=["created_at", "concern_id", "thema", "sozialraum_ids", "status", "comment"]
    )


def counts_by_sozialraum(register: Register) -> pd.DataFrame:
    """Open concerns and planned or held activities per Sozialraum: `concerns`, `activities` (counts only)."""
    open_ = concerns(register, by=Principal(label="counts", system=True))
    open_ = open_[~open_["status"].isin(["erledigt", "nicht_umsetzbar"])]
    per_concern = open_["sozialraum_ids"].str.split(",").explode()
    per_concern = per_concern[per_concern.fillna("") != ""]
    acts = activities(register)
    acts = acts[acts["status"] != "abgesagt"]
    out = pd.DataFrame(
        {"concerns": per_concern.value_counts(), "activities": acts["sozialraum_id"].value_counts()}
    )
    return out.fillna(0).astype(int)


# --- the connectors' spreadsheet ------------------------------------------------------------------------

_STATUS_WORDS = {
    "offen": "offen",
    "neu": "offen",
    "weitergeleitet": "weitergeleitet",
    "in bearbeitung": "in_bearbeitung",
    "in_bearbeitung": "in_bearbeitung",
    "erledigt": "erledigt",
    "gelöst": "erledigt",
    "nicht umsetzbar": "nicht_umsetzbar",
    "nicht_umsetzbar": "nicht_umsetzbar",
    "abgelehnt": "nicht_umsetzbar",
}
_PRIORITY_WORDS = {
    "hoch": "hoch",
    "mittel": "mittel",
    "niedrig": "niedrig",
    "1": "hoch",
    "2": "mittel",
    "3": "niedrig",
}


@dataclass(frozen=True)
class SheetReading:
    """What a concern spreadsheet holds: readable rows, rows that are not, and columns not used."""

    rows: list[tuple[int, ConcernInput]]
    problems: list[RowProblem]
    ignored_columns: list[str]


def read_concern_sheet(
    path: str | Path, *, known_ids: set[str], names: dict[str, str] | None = None
) -> SheetReading:
    """
    Read the connectors' concern spreadsheet (XLSX or CSV) with the programme's German headers.

    Columns may come in any order; others are ignored and named. A row is unreadable when its Thema is
    empty, its Priorität or Status is not one the programme uses, or it names an unknown Sozialraum ID;
    each such row is reported with its spreadsheet row number. Nothing is written here.

    Parameters
    ----------
    path
        The file.
    known_ids
        Sozialraum IDs of the current dataset.
    names
        Sozialraum name (case-folded) -> ID, to place rows whose location names a Sozialraum.
    """
    frame = sources.read_table(path)
    wanted = {v.casefold(): k for k, v in CONCERN_COLUMNS.items()}
    mapping = {c: wanted[c.strip().casefold()] for c in frame.columns if c.strip().casefold() in wanted}
    if "thema" not in mapping.values():
        raise RegisterError("register.columns_missing", columns=["Thema"], found=list(frame.columns))
    ignored = [c for c in frame.columns if c not in mapping]
    frame = frame.rename(columns=mapping)
    names = names or {}
    rows, problems = [], []
    for number, record in enumerate(frame.to_dict("records"), start=2):

        def get(key: str, rec: dict[Any, Any] = record) -> str:
            return _unquote(str(rec.get(key, "") or "").strip())

        if not any(get(k) for k in CONCERN_COLUMNS):
            continue  # an empty line
        try:
            if not get("thema"):
                raise RegisterError("journal.thema_missing")
            priority = _PRIORITY_WORDS.get(get("prioritaet").casefold() or "mittel")
            status = _STATUS_WORDS.get(get("status").casefold() or "offen")
            if priority is None or status is None:
                raise RegisterError("journal.unknown_choice", value=f"{get('prioritaet')} / {get('status')}")
            place = get("lokalisierung")
            ids = _ids(place, known_ids) or ([names[place.casefold()]] if place.casefold() in names else [])
            rows.append(
                (
                    number,
                    ConcernInput(
                        thema=get("thema"),
                        beschreibung=get("beschreibung"),
                        prioritaet=priority,
                        lokalisierung=place,
                        sozialraum_ids=tuple(ids),
                        loesungen=get("loesungen"),
                        kontakt=get("kontakt"),
                        status=status,
                    ),
                )
            )
        except RegisterError as exc:
            problems.append(RowProblem(number, exc.message()))
    return SheetReading(rows, problems, ignored)


def _unquote(text: str) -> str:
    """Undo the apostrophe our CSV export puts before text that would otherwise run as a formula."""
    return text[1:] if text.startswith("'") and text[1:2] in FORMULA_PREFIXES else text


def import_concerns(register: Register, reading: SheetReading, *, by: Principal, known_ids: set[str]) -> int:
    """Store the readable rows of a sheet (the user confirmed), all or none; returns how many were stored."""
    with register.write(by, Action.EXPORT_CONCERNS, "concern.import", target="concern") as tx:
        for _number, concern in reading.rows:
            _insert_concern(tx, concern, known_ids=known_ids, comment="importiert")
        tx.details = {"rows": len(reading.rows)}
    return len(reading.rows)


def concerns_frame(register: Register, *, by: Principal) -> pd.DataFrame:
    """
    The whole problem log with the programme's columns plus when and by which tandem each was logged.

    For coordinators only; every export is recorded in the audit log.
    """
    with register.read(by, Action.EXPORT_CONCERNS):
        pass
    frame = concerns(register, by=by)
    out = pd.DataFrame(
        {
            CONCERN_COLUMNS["thema"]: frame["thema"],
            CONCERN_COLUMNS["beschreibung"]: frame["beschreibung"],
            CONCERN_COLUMNS["prioritaet"]: frame["prioritaet"],
            CONCERN_COLUMNS["lokalisierung"]: [
                "; ".join(p for p in (loc, ids.replace(",", ", ")) if p)
                for loc, ids in zip(frame["lokalisierung"], frame["sozialraum_ids"], strict=True)
            ],
            CONCERN_COLUMNS["loesungen"]: frame["loesungen"],
            CONCERN_COLUMNS["kontakt"]: frame["kontakt"],
            CONCERN_COLUMNS["status"]: frame["status"].str.replace("_", " "),
            "erfasst am": frame["created_at"].dt.strftime("%d.%m.%Y"),
            "erfasst von (Tandem)": frame["tandem"],
        }
    )
    register.record(by, "concern.export", target="concern", rows=len(out))
    return out


def map_pins(register: Register, *, by: Principal) -> pd.DataFrame:
    """Concerns (those `by` sees in full) and activities with a point of their own: `lat`, `lon`, `title`, `kind`."""
    rows = [
        {"lat": r.lat, "lon": r.lon, "title": r.thema, "kind": "concern"}
        for r in concerns(register, by=by).itertuples()
        if pd.notna(r.lat)
    ]
    rows += [
        {"lat": r.lat, "lon": r.lon, "title": r.title, "kind": "activity"}
        for r in activities(register).itertuples()
        if pd.notna(r.lat) and r.status != "abgesagt"
    ]
    return pd.DataFrame(rows, columns=["lat", "lon", "title", "kind"])


def open_concerns(register: Register, sozialraum_id: str, *, by: Principal) -> list[str]:
    """Topics of the concerns `by` may see in a Sozialraum that are not closed, newest first."""
    frame = concerns(register, by=by)
    mask = frame["sozialraum_ids"].str.split(",").map(lambda ids: sozialraum_id in ids) & ~frame[
        "status"
    ].isin(["erledigt", "nicht_umsetzbar"])
    return [str(v) for v in frame.loc[mask, "thema"]]
