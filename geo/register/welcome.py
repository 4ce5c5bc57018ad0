"""
Welcome Points kept in the app: the imported registry is where the list starts, coordinators record what changes.

The city's registry says nothing when a Welcome Point closes (Bilk and Pempelfort were reported closed in
2024 and are still listed). Coordinators record changes in the register, each from a date:

``close``    the Welcome Point is closed from that day (a reason may be given);
``reopen``   it is open again;
``edit``     name, organisation, address, position (moved), phone or opening hours change;
``add``      a Welcome Point the registry does not list.

Nothing is overwritten: the list as of a day is the imported list with every change up to that day applied in
order, and each Welcome Point's history is its changes. A closed Welcome Point no longer counts in distances,
coverage and suggestions (it is not in `Dataset.welcome_points`) but stays on the map and in the list as
closed (`Dataset.closed_welcome_points`). A new import of the registry replaces the starting list; the
changes stay, and `differences` shows where the file and the kept list disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import func, select

from geo.core.access import Action, Principal
from geo.core.errors import DataError
from geo.core.settings import CITY_EXTENT, STORAGE_CRS
from geo.data import sources
from geo.register.models import WelcomePointChange

if TYPE_CHECKING:
    from geo.data.dataset import Dataset
    from geo.register.store import Register

KINDS = ("add", "close", "reopen", "edit")
#: Fields a change may set; `lon`/`lat` move the point (EPSG:4326).
FIELDS = ("name", "organisation", "address", "phone", "hours", "reason", "lon", "lat")
_TEXT_LIMIT = 300


class WelcomePointError(DataError):
    """A change that cannot be recorded (unknown Welcome Point, already closed, a position outside the city)."""


@dataclass(frozen=True)
class Change:
    """One recorded change."""

    id: int
    welcome_point_id: str
    kind: str
    valid_from: date
    fields: dict[str, Any]
    created_at: datetime
    created_by: str


def stamp(register: Register) -> int:
    """The newest change's number (0 without any): a cache key that moves with every change."""
    with register.read() as s:
        return int(s.scalar(select(func.max(WelcomePointChange.id))) or 0)


def changes(register: Register) -> list[Change]:
    """Every recorded change, oldest first (public: Welcome Points are public places)."""
    with register.read() as s:
        rows = s.scalars(select(WelcomePointChange).order_by(WelcomePointChange.id)).all()
        return [
            Change(
                r.id,
                r.welcome_point_id,
                r.kind,
                r.valid_from,
                json.loads(r.fields or "{}"),
                r.created_at,
                r.created_by,
            )
            for r in rows
        ]


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key not in FIELDS:
            raise WelcomePointError("welcome.unknown_field", field=key)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if key in ("lon", "lat"):
            try:
                number = float(str(value).replace(",", "."))
            except ValueError as exc:
                raise WelcomePointError("welcome.bad_position") from exc
            out[key] = number
        else:
            text = " ".join(str(value).split())
            if len(text) > _TEXT_LIMIT:
                raise WelcomePointError("welcome.too_long", field=key, limit=_TEXT_LIMIT)
            out[key] = text
    if ("lon" in out) != ("lat" in out):
        raise WelcomePointError("welcome.bad_position")
    if "lon" in out:
        west, south, east, north = CITY_EXTENT
        if not (west <= out["lon"] <= east and south <= out["lat"] <= north):
            raise WelcomePointError("welcome.outside_city")
    return out


def record(
    register: Register,
    by: Principal,
    kind: str,
    *,
    valid_from: date,
    known: gpd.GeoDataFrame,
    welcome_point_id: str | None = None,
    **fields: Any,
) -> str:
    """
    Record a change (coordinators and admins); returns the Welcome Point's ID (new for ``add``).

    Parameters
    ----------
    register
        Where the change is kept.
    by
        Who records it.
    kind
        One of `KINDS`.
    valid_from
        The day the change takes effect (a closure from the first of next month, say).
    welcome_point_id
        The Welcome Point changed (not for ``add``).
    known
        The imported Welcome Points (`Dataset.welcome_points` as read, before changes): a change must name
        one of them or one added in the app.
    fields
        See `FIELDS`; ``add`` needs `name`, `address`, `lon` and `lat`.

    Raises
    ------
    geo.core.access.AccessDeniedError
        When `by` may not manage Welcome Points.
    WelcomePointError
        For an unknown Welcome Point, closing a closed one or reopening an open one (as of `valid_from`),
        an edit without a field, a position outside the city, a text too long.
    """
    if kind not in KINDS:
        raise WelcomePointError("welcome.unknown_kind", kind=kind)
    values = _clean(fields)
    earlier = changes(register)
    with register.write(
        by, Action.MANAGE_WELCOME_POINTS, f"welcome_point.{kind}", target="welcome_point"
    ) as tx:
        if kind == "add":
            missing = [f for f in ("name", "address", "lon", "lat") if f not in values]
            if missing:
                raise WelcomePointError("welcome.add_needs", fields=", ".join(missing))
            taken = set(known["welcome_point_id"]) | {c.welcome_point_id for c in earlier}
            base = f"wp-app-{sources.slug(values['address'])[:80]}"
            wp_id, n = base, 2
            while wp_id in taken:
                wp_id, n = f"{base}-{n}", n + 1
        else:
            wp_id = str(welcome_point_id or "")
            state = as_of(known, earlier, valid_from)
            everyone = pd.concat([state.open["welcome_point_id"], state.closed["welcome_point_id"]])
            if wp_id not in set(everyone):
                raise WelcomePointError("welcome.unknown", id=wp_id)
            is_closed = wp_id in set(state.closed["welcome_point_id"])
            if kind == "close" and is_closed:
                raise WelcomePointError("welcome.already_closed", id=wp_id)
            if kind == "reopen" and not is_closed:
                raise WelcomePointError("welcome.not_closed", id=wp_id)
            if kind == "edit" and not (set(values) - {"reason"}):
                raise WelcomePointError("welcome.nothing_changed")
        tx.session.add(
            WelcomePointChange(
                welcome_point_id=wp_id,
                kind=kind,
                valid_from=valid_from,
                fields=json.dumps(values, ensure_ascii=False, sort_keys=True),
                created_by=tx.by.label[:254],
            )
        )
        tx.target_id = wp_id
        tx.details = {"kind": kind, "fields": sorted(values), "valid_from": valid_from.isoformat()}
    return wp_id


@dataclass(frozen=True)
class State:
    """The Welcome Points as of a day: the open ones and the closed ones (with `closed_from`, `reason`)."""

    open: gpd.GeoDataFrame
    closed: gpd.GeoDataFrame


_COLUMNS = ("welcome_point_id", "name", "organisation", "address", "stadtteil", "url", "contacts", "hours")


def _phone_contacts(contacts: object, phone: str) -> str:
    """The contacts JSON with `phone` as the first contact's phone (the registry keeps one per person)."""
    try:
        people = json.loads(contacts) if isinstance(contacts, str) and contacts else []
    except ValueError:
        people = []
    if not isinstance(people, list):
        people = []
    if people and isinstance(people[0], dict):
        people[0] = {**people[0], "telefon": phone}
    else:
        people = [{"organisation": "", "einrichtung": "", "telefon": phone}]
    return json.dumps(people, ensure_ascii=False)


def as_of(known: gpd.GeoDataFrame, recorded: list[Change], day: date) -> State:
    """The imported Welcome Points with every change up to `day` applied, in the order they take effect."""
    rows: dict[str, dict[str, Any]] = {}
    for record_ in known.to_crs(STORAGE_CRS).to_dict("records"):
        row = {c: record_.get(c, "") for c in _COLUMNS}
        row |= {"geometry": record_["geometry"], "status": "open", "closed_from": None, "reason": ""}
        row["hours"] = row.get("hours") or ""
        rows[str(row["welcome_point_id"])] = row
    for change in sorted(recorded, key=lambda c: (c.valid_from, c.id)):
        if change.valid_from > day:
            continue
        f = change.fields
        if change.kind == "add":
            rows[change.welcome_point_id] = {
                "welcome_point_id": change.welcome_point_id,
                "name": f.get("name", ""),
                "organisation": f.get("organisation", ""),
                "address": f.get("address", ""),
                "stadtteil": "",
                "url": "",
                "contacts": _phone_contacts("", f["phone"]) if f.get("phone") else "[]",
                "hours": f.get("hours", ""),
                "geometry": shapely.Point(f["lon"], f["lat"]),
                "status": "open",
                "closed_from": None,
                "reason": "",
            }
            continue
        found = rows.get(change.welcome_point_id)
        if found is None:  # a change to a Welcome Point a later import no longer lists
            continue
        row = found
        if change.kind == "close":
            row |= {"status": "closed", "closed_from": change.valid_from, "reason": f.get("reason", "")}
        elif change.kind == "reopen":
            row |= {"status": "open", "closed_from": None, "reason": ""}
        else:
            for key in ("name", "organisation", "address", "hours"):
                if key in f:
                    row[key] = f[key]
            if "phone" in f:
                row["contacts"] = _phone_contacts(row.get("contacts"), f["phone"])
            if "lon" in f:
                row["geometry"] = shapely.Point(f["lon"], f["lat"])
    frame = gpd.GeoDataFrame(
        list(rows.values()) or None,
        columns=[*_COLUMNS, "status", "closed_from", "reason", "geometry"],
        geometry="geometry",
        crs=STORAGE_CRS,
    )
    is_open = frame["status"].eq("open").to_numpy()
    keep = [c for c in frame.columns if c not in ("status", "closed_from", "reason")]
    return State(
        open=frame.loc[is_open, keep].reset_index(drop=True),
        closed=frame.loc[~is_open].reset_index(drop=True),
    )


def current(dataset: Dataset, recorded: list[Change], day: date) -> Dataset:
    """`dataset` with its Welcome Points as of `day` (closed ones apart), or `dataset` itself without changes."""
    if not recorded:
        return dataset
    state = as_of(dataset.welcome_points, recorded, day)
    open_points = sources.assign_sozialraum(state.open, dataset.spaces)
    return replace(
        dataset,
        welcome_points=open_points,
        closed_welcome_points=state.closed,
        imported_welcome_points=dataset.welcome_points,
    )


def history(recorded: list[Change], welcome_point_id: str) -> list[Change]:
    """The changes of one Welcome Point, in the order they take effect."""
    return sorted(
        (c for c in recorded if c.welcome_point_id == welcome_point_id), key=lambda c: (c.valid_from, c.id)
    )


def differences(imported: gpd.GeoDataFrame, kept: State) -> pd.DataFrame:
    """
    Where a registry file and the kept list disagree: `welcome_point_id`, `name`, `what`.

    `what` is ``only_in_file`` (listed by the file, not in the kept list), ``closed_in_app`` (listed by the
    file, closed in the app), ``added_in_app`` (added in the app, not in the file), ``address`` or ``name``
    (the file says otherwise).
    """
    rows: list[dict[str, str]] = []
    file = imported.set_index("welcome_point_id")
    opened = kept.open.set_index("welcome_point_id")
    closed = set(kept.closed["welcome_point_id"])
    for wp_id, row in file.iterrows():
        if wp_id in closed:
            rows.append({"welcome_point_id": str(wp_id), "name": str(row["name"]), "what": "closed_in_app"})
        elif wp_id not in opened.index:
            rows.append({"welcome_point_id": str(wp_id), "name": str(row["name"]), "what": "only_in_file"})
        else:
            for key in ("address", "name"):
                if str(row.get(key, "")) != str(opened.at[wp_id, key]):
                    rows.append({"welcome_point_id": str(wp_id), "name": str(row["name"]), "what": key})
    for wp_id, row in opened.iterrows():
        if wp_id not in file.index:
            rows.append({"welcome_point_id": str(wp_id), "name": str(row["name"]), "what": "added_in_app"})
    return pd.DataFrame(rows, columns=["welcome_point_id", "name", "what"])


def listing(state: State) -> pd.DataFrame:
    """Every Welcome Point with its status, for the list page (no geometry)."""
    frames = []
    for status, frame in (("open", state.open), ("closed", state.closed)):
        table = pd.DataFrame(frame.drop(columns="geometry"))
        table["status"] = status
        if "closed_from" not in table.columns:
            table["closed_from"] = None
            table["reason"] = ""
        frames.append(table)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    out["phone"] = out["contacts"].map(_first_phone)
    return out.sort_values(["status", "name"], ascending=[False, True]).reset_index(drop=True)


def _first_phone(contacts: object) -> str:
    try:
        people = json.loads(contacts) if isinstance(contacts, str) and contacts else []
    except ValueError:
        return ""
    for person in people if isinstance(people, list) else []:
        if isinstance(person, dict) and person.get("telefon"):
            return str(person["telefon"])
    return ""
