"""
The local partners of the tandems: organisations, their offers, places, opening hours and contact people.

Modelled on Open Referral's Human Services Data Specification (HSDS 3.0): a partner is an HSDS
*organization*; its offers are *services* (topic, target group, languages, cost, how to access); its places are
*locations* with an address, a point, *schedules* (opening hours: weekday, opens, closes) and accessibility;
its people are *contacts*. Records keep HSDS's string IDs (UUIDs), so a record exported and imported again is
the same record. Every partner carries when it was last checked and by whom (HSDS ``assured_date``), its status
(active, temporarily closed, closed: closed partners are kept as history) and its source (entered here, an HSDS
package, the city's registry).

Who may do what (decided here, through `geo.core.access`):

- Organisations, offers, places and opening hours are public (the public map and pages may show them).
- Connectors add and change partners of their tandems' Sozialräume; coordinators any partner.
- Contact people are personal data of people who never signed up: stored only with a recorded basis (a public
  business contact, or consent with its date); read only by coordinators and by the tandems that work with the
  partner; never in a public page, map, export or brief; erased on request (`erase_contact`), with their
  partner's closing by the retention rule, and in every backup like the rest of the register.

The exchange as HSDS tabular data (the CSV files of an HSDS data package) lives in `geo.register.hsds`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from geo.core import i18n
from geo.core.access import AccessDeniedError, Action, Principal
from geo.core.errors import ConcurrentEditError, RegisterError
from geo.core.settings import env_number
from geo.register.models import (
    Assignment,
    Connector,
    Partner,
    PartnerArea,
    PartnerContact,
    PartnerLocation,
    PartnerSchedule,
    PartnerService,
    PartnerTandem,
    Tandem,
)
from geo.register.store import Register, check_name

#: Topics of an offer (the catalogue has their words: ``partners.topic.<key>``).
TOPICS = (
    "beratung",
    "sprache",
    "arbeit",
    "familie",
    "kinder_jugend",
    "gesundheit",
    "wohnen",
    "freizeit_sport",
    "religion_kultur",
    "nachbarschaft",
    "sonstiges",
)
#: A partner's status: closed partners stay as history (HSDS: ``active``, ``temporarily closed``, ``defunct``).
STATUSES = ("active", "temporarily_closed", "closed")
#: Where a record came from.
SOURCES = ("manual", "hsds", "registry", "demo")
#: The basis on which a contact person is stored (GDPR Art. 6): a published business contact, or consent.
CONTACT_BASES = ("business", "consent")
#: Weekdays as iCalendar / HSDS ``byday`` writes them.
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def check_months() -> int:
    """Months after which a partner not checked again is marked (`SOZIALRAUM_PARTNER_CHECK_MONTHS`, 12)."""
    return int(env_number("SOZIALRAUM_PARTNER_CHECK_MONTHS"))


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def new_id() -> str:
    """A new record ID (a UUID, as HSDS writes them)."""
    return str(uuid.uuid4())


# --- tables ----------------------------------------------------------------------------------------------


# --- what callers pass in and get back -----------------------------------------------------------------


@dataclass(frozen=True)
class Hours:
    """Opening hours on one weekday ("MO" ... "SU"), times as "HH:MM"."""

    byday: str
    opens_at: str
    closes_at: str
    note: str = ""


@dataclass(frozen=True)
class Place:
    """A place of a partner: address, point (lat, lon), accessibility and opening hours."""

    street: str = ""
    postal_code: str = ""
    city: str = ""
    point: tuple[float, float] | None = None
    accessibility: str = ""
    hours: tuple[Hours, ...] = ()
    name: str = ""
    id: str = ""


@dataclass(frozen=True)
class Offer:
    """An offer of a partner."""

    name: str
    topic: str = "sonstiges"
    description: str = ""
    target_group: str = ""
    languages: str = ""
    cost: str = ""
    access: str = ""
    id: str = ""


@dataclass(frozen=True)
class PartnerInput:
    """A partner as entered or imported, with its Sozialräume, tandems, offers and places."""

    name: str
    sozialraum_ids: tuple[str, ...]
    description: str = ""
    email: str = ""
    phone: str = ""
    website: str = ""
    status: str = "active"
    welcome_point_id: str | None = None
    tandem_ids: tuple[int, ...] = ()
    keeper_id: int | None = None
    offers: tuple[Offer, ...] = ()
    places: tuple[Place, ...] = ()
    source: str = "manual"
    source_key: str | None = None
    assured_date: date | None = None
    #: The ID for a new record (an imported HSDS ID keeps it); empty: a new UUID.
    id: str = ""


_T = TypeVar("_T")


def first_edited(existing: tuple[_T, ...], edited: _T, *, keep: bool) -> tuple[_T, ...]:
    """A partner's offers or places after a form changed the first: it first (unless emptied), then the rest."""
    return ((edited,) if keep else ()) + tuple(existing[1:])


@dataclass(frozen=True)
class Contact:
    """A contact person as entered; `basis` is "business" or "consent" (then `consent_on` is needed)."""

    name: str
    basis: str
    title: str = ""
    phone: str = ""
    email: str = ""
    consent_on: date | None = None
    id: str = ""


@dataclass(frozen=True)
class PartnerView:
    """A partner as `by` may see it: `contacts`, `keeper_id` and `assured_by` only for those allowed."""

    id: str
    name: str
    description: str
    email: str
    phone: str
    website: str
    status: str
    source: str
    welcome_point_id: str | None
    sozialraum_ids: tuple[str, ...]
    tandem_ids: tuple[int, ...]
    offers: tuple[Offer, ...]
    places: tuple[Place, ...]
    assured_date: date | None
    stale: bool
    version: int
    contacts: tuple[Contact, ...] = ()
    keeper_id: int | None = None
    assured_by: str = ""
    #: True when `by` sees the contact people (coordinators; tandems that work with the partner).
    private: bool = False
    topics: tuple[str, ...] = field(default=())
    languages: tuple[str, ...] = field(default=())


# --- rights ------------------------------------------------------------------------------------------


def tandem_areas(s: Session, tandem_ids: frozenset[int] | set[int], day: date | None = None) -> set[str]:
    """The Sozialräume the tandems work in on `day` (today)."""
    if not tandem_ids:
        return set()
    day = day or date.today()
    query = select(Assignment.sozialraum_id).where(
        Assignment.tandem_id.in_(tandem_ids),
        Assignment.valid_from <= day,
        (Assignment.valid_to.is_(None)) | (Assignment.valid_to >= day),
    )
    return set(s.scalars(query))


def _require_area(s: Session, by: Principal, area_ids: set[str]) -> None:
    """Refuse unless `by` may change partners in one of `area_ids` (connectors: their tandems' Sozialräume)."""
    if by.all_tandems():
        return
    if not area_ids & tandem_areas(s, by.tandem_ids):
        raise AccessDeniedError("partners.not_your_area")


def sees_contacts(by: Principal, tandem_ids: set[int] | frozenset[int] | tuple[int, ...]) -> bool:
    """True when `by` may read a partner's contact people (coordinators; a tandem working with it)."""
    return (by.all_tandems() and by.may(Action.READ_PARTNER_CONTACTS)) or any(
        by.may(Action.READ_PARTNER_CONTACTS, tandem_id=t) for t in tandem_ids
    )


# --- checks ---------------------------------------------------------------------------------------------


def _clean_time(value: str) -> str:
    text = value.strip().replace(".", ":")
    try:
        parsed = datetime.strptime(text, "%H:%M")
    except ValueError as exc:
        raise RegisterError("partners.bad_time", value=value) from exc
    return parsed.strftime("%H:%M")


def _check_input(data: PartnerInput, known_ids: set[str]) -> list[str]:
    check_name(data.name)
    if data.status not in STATUSES:
        raise RegisterError("journal.unknown_choice", value=data.status)
    if data.source not in SOURCES:
        raise RegisterError("journal.unknown_choice", value=data.source)
    ids = list(dict.fromkeys(str(i).strip() for i in data.sozialraum_ids if str(i).strip()))
    unknown = [i for i in ids if i not in known_ids]
    if unknown:
        raise RegisterError("register.unknown_sozialraum", id=", ".join(unknown))
    for offer in data.offers:
        check_name(offer.name)
        if offer.topic not in TOPICS:
            raise RegisterError("journal.unknown_choice", value=offer.topic)
    for place in data.places:
        if place.point is not None:
            lat, lon = place.point
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise RegisterError("partners.bad_point", value=f"{lat}, {lon}")
        for hours in place.hours:
            if hours.byday not in WEEKDAYS:
                raise RegisterError("journal.unknown_choice", value=hours.byday)
            if _clean_time(hours.closes_at) <= _clean_time(hours.opens_at):
                raise RegisterError("partners.hours_order", opens=hours.opens_at, closes=hours.closes_at)
    return ids


def _check_contact(contact: Contact) -> None:
    check_name(contact.name)
    if contact.basis not in CONTACT_BASES:
        raise RegisterError("partners.basis_missing")
    if contact.basis == "consent":
        if contact.consent_on is None:
            raise RegisterError("partners.consent_date_missing")
        if contact.consent_on > date.today():
            raise RegisterError("partners.consent_in_future", date=contact.consent_on.isoformat())
    if contact.email and "@" not in contact.email:
        raise RegisterError("partners.bad_email", value=contact.email)


# --- writes -----------------------------------------------------------------------------------------------


def save_partner(
    register: Register,
    data: PartnerInput,
    *,
    by: Principal,
    known_ids: set[str],
    partner_id: str | None = None,
    version: int | None = None,
) -> str:
    """
    Add a partner (no `partner_id`) or replace one's fields, offers and places; returns its ID.

    Saving is checking: the record's ``assured_date`` becomes today and ``assured_by`` the one who saved it
    (an import keeps the date the package gives). Connectors save partners of their tandems' Sozialräume only
    (old and new), and link only their own tandems; refused when someone else saved the partner meanwhile.
    """
    ids = _check_input(data, known_ids)
    event = "partner.update" if partner_id else "partner.create"
    with register.write(by, Action.WRITE_PARTNER, event, target="partner", target_id=partner_id or "") as tx:
        s = tx.session
        _require_area(s, tx.by, set(ids))
        if partner_id is None:
            if data.id and s.get(Partner, data.id) is not None:
                raise RegisterError("partners.id_taken", id=data.id)
            record = Partner(id=data.id or new_id(), source=data.source, source_key=data.source_key)
        else:
            found = s.get(Partner, partner_id)
            if found is None:
                raise RegisterError("register.not_found", what=f"partner {partner_id}")
            if version is not None and found.version != version:
                raise ConcurrentEditError("register.concurrent_edit")
            record = found
            _require_area(s, tx.by, set(_areas(s, record.id)))
        old_tandems = set(_tandems(s, record.id)) if partner_id else set()
        wanted_tandems = set(data.tandem_ids)
        if not tx.by.all_tandems() and (wanted_tandems ^ old_tandems) - set(tx.by.tandem_ids):
            raise AccessDeniedError("access.not_your_tandem")
        _check_tandems(s, wanted_tandems)
        if data.keeper_id is not None and s.get(Connector, data.keeper_id) is None:
            raise RegisterError("register.not_found", what=f"connector {data.keeper_id}")
        record.name = data.name.strip()
        record.description = data.description.strip()
        record.email = data.email.strip()
        record.phone = data.phone.strip()
        record.website = data.website.strip()
        record.status = data.status
        record.welcome_point_id = data.welcome_point_id or None
        record.keeper_id = data.keeper_id
        record.assured_date = data.assured_date or date.today()
        record.assured_by = tx.by.label[:254]
        if partner_id is None:
            s.add(record)
        s.flush()
        _replace_children(s, record.id, ids, wanted_tandems, data)
        tx.target_id = record.id
        tx.details = {"offers": len(data.offers), "places": len(data.places), "areas": len(ids)}
        return record.id


def _check_tandems(s: Session, tandem_ids: set[int]) -> None:
    for tandem_id in tandem_ids:
        if s.get(Tandem, tandem_id) is None:
            raise RegisterError("register.not_found", what=f"tandem {tandem_id}")


def _areas(s: Session, partner_id: str) -> list[str]:
    query = select(PartnerArea.sozialraum_id).where(PartnerArea.partner_id == partner_id)
    return sorted(s.scalars(query))


def _tandems(s: Session, partner_id: str) -> list[int]:
    return sorted(s.scalars(select(PartnerTandem.tandem_id).where(PartnerTandem.partner_id == partner_id)))


def _replace_children(
    s: Session, partner_id: str, ids: list[str], tandems: set[int], data: PartnerInput
) -> None:
    s.execute(delete(PartnerArea).where(PartnerArea.partner_id == partner_id))
    s.execute(delete(PartnerTandem).where(PartnerTandem.partner_id == partner_id))
    s.execute(delete(PartnerService).where(PartnerService.partner_id == partner_id))
    old_places = list(s.scalars(select(PartnerLocation.id).where(PartnerLocation.partner_id == partner_id)))
    if old_places:
        s.execute(delete(PartnerSchedule).where(PartnerSchedule.location_id.in_(old_places)))
        s.execute(delete(PartnerLocation).where(PartnerLocation.partner_id == partner_id))
    s.flush()
    s.add_all(PartnerArea(partner_id=partner_id, sozialraum_id=i) for i in ids)
    s.add_all(PartnerTandem(partner_id=partner_id, tandem_id=t) for t in sorted(tandems))
    for offer in data.offers:
        s.add(
            PartnerService(
                id=offer.id or new_id(),
                partner_id=partner_id,
                name=offer.name.strip(),
                description=offer.description.strip(),
                topic=offer.topic,
                target_group=offer.target_group.strip(),
                languages=languages_text(offer.languages),
                cost=offer.cost.strip(),
                access=offer.access.strip(),
            )
        )
    for place in data.places:
        location_id = place.id or new_id()
        s.add(
            PartnerLocation(
                id=location_id,
                partner_id=partner_id,
                name=place.name.strip(),
                street=place.street.strip(),
                postal_code=place.postal_code.strip(),
                city=place.city.strip(),
                lat=place.point[0] if place.point else None,
                lon=place.point[1] if place.point else None,
                accessibility=place.accessibility.strip(),
            )
        )
        s.flush()
        s.add_all(
            PartnerSchedule(
                id=new_id(),
                location_id=location_id,
                byday=h.byday,
                opens_at=_clean_time(h.opens_at),
                closes_at=_clean_time(h.closes_at),
                note=h.note.strip(),
            )
            for h in place.hours
        )


def languages_text(text: str) -> str:
    """Languages as typed (``;``, ``/`` or ``,`` between them) as one list: ``"Arabisch, Deutsch"``, each once."""
    parts = [p.strip() for p in text.replace(";", ",").replace("/", ",").split(",")]
    return ", ".join(dict.fromkeys(p for p in parts if p))


def _partner_for_write(tx_session: Session, by: Principal, partner_id: str) -> Partner:
    record = tx_session.get(Partner, partner_id)
    if record is None:
        raise RegisterError("register.not_found", what=f"partner {partner_id}")
    _require_area(tx_session, by, set(_areas(tx_session, partner_id)))
    return record


def check_partner(register: Register, partner_id: str, *, by: Principal, version: int) -> None:
    """Mark a partner as checked today by `by` (nothing else changes)."""
    with register.write(
        by, Action.WRITE_PARTNER, "partner.check", target="partner", target_id=partner_id
    ) as tx:
        record = _partner_for_write(tx.session, tx.by, partner_id)
        if record.version != version:
            raise ConcurrentEditError("register.concurrent_edit")
        record.assured_date = date.today()
        record.assured_by = tx.by.label[:254]


def add_contact(register: Register, partner_id: str, contact: Contact, *, by: Principal) -> str:
    """
    Store a contact person of a partner, with its basis; returns the contact's ID.

    Coordinators for any partner; a connector for partners their tandems work with.
    """
    _check_contact(contact)
    with register.write(
        by, Action.WRITE_PARTNER, "partner.contact_add", target="partner", target_id=partner_id
    ) as tx:
        s = tx.session
        _partner_for_write(s, tx.by, partner_id)
        if not sees_contacts(tx.by, set(_tandems(s, partner_id))):
            raise AccessDeniedError("access.not_your_tandem")
        record = PartnerContact(
            id=contact.id or new_id(),
            partner_id=partner_id,
            name=contact.name.strip(),
            title=contact.title.strip(),
            phone=contact.phone.strip(),
            email=contact.email.strip(),
            basis=contact.basis,
            consent_on=contact.consent_on if contact.basis == "consent" else None,
        )
        s.add(record)
        tx.details = {"basis": contact.basis}
        return record.id


def erase_contact(register: Register, contact_id: str, *, by: Principal) -> None:
    """Erase a contact person for good (the audit log keeps that it happened, never the values)."""
    with register.write(
        by, Action.WRITE_PARTNER, "partner.contact_erase", target="partner_contact", target_id=contact_id
    ) as tx:
        s = tx.session
        record = s.get(PartnerContact, contact_id)
        if record is None:
            raise RegisterError("register.not_found", what=f"contact {contact_id}")
        if not sees_contacts(tx.by, set(_tandems(s, record.partner_id))):
            raise AccessDeniedError("access.not_your_tandem")
        s.delete(record)


def set_keeper(register: Register, partner_id: str, keeper_id: int | None, *, by: Principal) -> None:
    """Name the connector who keeps the relation to a partner (None: the coordination)."""
    with register.write(
        by, Action.WRITE_PARTNER, "partner.keeper", target="partner", target_id=partner_id
    ) as tx:
        record = _partner_for_write(tx.session, tx.by, partner_id)
        if keeper_id is not None:
            keeper = tx.session.get(Connector, keeper_id)
            if keeper is None or not keeper.active:
                raise RegisterError("partners.keeper_inactive")
        record.keeper_id = keeper_id


# --- reads --------------------------------------------------------------------------------------------------


def is_stale(assured: date | None, today: date | None = None) -> bool:
    """True when a record was never checked, or not within `check_months()`."""
    if assured is None:
        return True
    today = today or date.today()
    return assured < today - timedelta(days=round(check_months() * 30.44))


def partners(
    register: Register,
    *,
    by: Principal | None = None,
    sozialraum_id: str | None = None,
    topic: str | None = None,
    language: str | None = None,
    tandem_id: int | None = None,
    include_closed: bool = True,
    today: date | None = None,
) -> list[PartnerView]:
    """
    Partners by name, as `by` may see them (the public: organisations, offers and places, no person).

    Filters: a Sozialraum, an offer's topic, a language an offer is given in (as written, case-insensitive),
    a tandem that works with the partner.
    """
    by = by or Principal.public()
    with register.read() as s:
        by = register.current(s, by)
        views = [
            _view(s, r, by, today) for r in s.scalars(select(Partner).order_by(Partner.name, Partner.id))
        ]
    out = []
    for v in views:
        if sozialraum_id is not None and sozialraum_id not in v.sozialraum_ids:
            continue
        if topic is not None and topic not in v.topics:
            continue
        if language is not None and language.casefold() not in {x.casefold() for x in v.languages}:
            continue
        if tandem_id is not None and tandem_id not in v.tandem_ids:
            continue
        if not include_closed and v.status == "closed":
            continue
        out.append(v)
    return out


def partner(register: Register, partner_id: str, *, by: Principal | None = None) -> PartnerView:
    """One partner as `by` may see it."""
    with register.read() as s:
        by = register.current(s, by or Principal.public())
        record = s.get(Partner, partner_id)
        if record is None:
            raise RegisterError("register.not_found", what=f"partner {partner_id}")
        return _view(s, record, by, None)


def contacts(register: Register, partner_id: str, *, by: Principal) -> tuple[Contact, ...]:
    """
    A partner's contact people (coordinators; the tandems that work with the partner).

    Raises
    ------
    AccessDeniedError
        For everyone else: the contacts are never shown to them, not even as an empty list.
    """
    view = partner(register, partner_id, by=by)
    if not view.private:
        with register.read() as s:
            current = register.current(s, by)
        if current.is_public:
            raise AccessDeniedError("access.login_needed")
        raise AccessDeniedError("access.not_your_tandem")
    return view.contacts


def _places(s: Session, partner_id: str) -> list[Place]:
    """A partner's places with their opening hours, Monday first."""
    places = []
    for loc in s.scalars(
        select(PartnerLocation).where(PartnerLocation.partner_id == partner_id).order_by(PartnerLocation.id)
    ):
        hours = tuple(
            Hours(h.byday, h.opens_at, h.closes_at, h.note)
            for h in sorted(
                s.scalars(select(PartnerSchedule).where(PartnerSchedule.location_id == loc.id)),
                key=lambda h: (WEEKDAYS.index(h.byday), h.opens_at),
            )
        )
        places.append(
            Place(
                id=loc.id,
                name=loc.name,
                street=loc.street,
                postal_code=loc.postal_code,
                city=loc.city,
                point=(loc.lat, loc.lon) if loc.lat is not None and loc.lon is not None else None,
                accessibility=loc.accessibility,
                hours=hours,
            )
        )
    return places


def _view(s: Session, r: Partner, by: Principal, today: date | None) -> PartnerView:
    tandems = tuple(_tandems(s, r.id))
    private = sees_contacts(by, set(tandems))
    offers = tuple(
        Offer(
            id=o.id,
            name=o.name,
            topic=o.topic,
            description=o.description,
            target_group=o.target_group,
            languages=o.languages,
            cost=o.cost,
            access=o.access,
        )
        for o in s.scalars(
            select(PartnerService).where(PartnerService.partner_id == r.id).order_by(PartnerService.name)
        )
    )
    places = _places(s, r.id)
    contacts: tuple[Contact, ...] = ()
    if private:
        contacts = tuple(
            Contact(
                id=c.id,
                name=c.name,
                title=c.title,
                phone=c.phone,
                email=c.email,
                basis=c.basis,
                consent_on=c.consent_on,
            )
            for c in s.scalars(
                select(PartnerContact).where(PartnerContact.partner_id == r.id).order_by(PartnerContact.name)
            )
        )
    languages = tuple(dict.fromkeys(x for o in offers for x in languages_text(o.languages).split(", ") if x))
    return PartnerView(
        id=r.id,
        name=r.name,
        description=r.description,
        email=r.email,
        phone=r.phone,
        website=r.website,
        status=r.status,
        source=r.source,
        welcome_point_id=r.welcome_point_id,
        sozialraum_ids=tuple(_areas(s, r.id)),
        tandem_ids=tandems,
        offers=offers,
        places=tuple(places),
        assured_date=r.assured_date,
        stale=r.status != "closed" and is_stale(r.assured_date, today),
        version=r.version,
        contacts=contacts,
        keeper_id=r.keeper_id if private else None,
        assured_by=r.assured_by if private else "",
        private=private,
        topics=tuple(dict.fromkeys(o.topic for o in offers)),
        languages=languages,
    )


def stale_partners(
    register: Register, tandem_id: int, *, by: Principal | None = None, today: date | None = None
) -> list[PartnerView]:
    """The tandem's partners (worked with, or in its Sozialräume) not checked within `check_months()`."""
    with register.read() as s:
        areas = tandem_areas(s, {tandem_id}, today)
    return [
        p
        for p in partners(register, by=by, today=today, include_closed=False)
        if p.stale and (tandem_id in p.tandem_ids or areas & set(p.sozialraum_ids))
    ]


def topics_and_languages(views: list[PartnerView]) -> tuple[list[str], list[str]]:
    """The topics and languages the partners' offers have (for filters), topics in catalogue order."""
    topics = [t for t in TOPICS if any(t in v.topics for v in views)]
    languages = sorted({x for v in views for x in v.languages}, key=str.casefold)
    return topics, languages


def points(views: list[PartnerView]) -> pd.DataFrame:
    """
    The partners' places as map points (public fields only).

    Columns `partner_id`, `name`, `lat`, `lon`, `address`, `topics` (keys, comma-separated), `languages`,
    `status`, `sozialraum_ids`.
    """
    rows = [
        {
            "partner_id": v.id,
            "name": v.name,
            "lat": p.point[0],
            "lon": p.point[1],
            "address": address(p),
            "topics": ",".join(v.topics),
            "languages": ", ".join(v.languages),
            "status": v.status,
            "sozialraum_ids": ",".join(v.sozialraum_ids),
        }
        for v in views
        for p in v.places
        if p.point is not None
    ]
    columns = [
        "partner_id",
        "name",
        "lat",
        "lon",
        "address",
        "topics",
        "languages",
        "status",
        "sozialraum_ids",
    ]
    return pd.DataFrame(rows, columns=columns)


def address(place: Place) -> str:
    """A place's address on one line ("Münsterstraße 6, 40477 Düsseldorf")."""
    town = f"{place.postal_code} {place.city}".strip()
    return ", ".join(p for p in (place.street, town) if p)


def keepers_of(register: Register, connector_id: int) -> list[str]:
    """IDs of the open partners (not closed) whose relation `connector_id` keeps."""
    with register.read() as s:
        query = select(Partner.id).where(Partner.keeper_id == connector_id, Partner.status != "closed")
        return list(s.scalars(query))


# --- for the pages: hours in words, what one may edit, map pins ------------------------------------------

#: Weekday words people write, in every UI language and common abbreviations, folded to lower case.
_DAY_WORDS = {
    "MO": ("mo", "mon", "montag", "monday", "pzt", "pazartesi", "пн", "الاثنين", "الإثنين"),
    "TU": ("di", "tue", "tu", "dienstag", "tuesday", "sal", "salı", "вт", "الثلاثاء"),
    "WE": ("mi", "wed", "we", "mittwoch", "wednesday", "çar", "çarşamba", "ср", "الأربعاء"),
    "TH": ("do", "thu", "th", "donnerstag", "thursday", "per", "perşembe", "чт", "الخميس"),
    "FR": ("fr", "fri", "freitag", "friday", "cum", "cuma", "пт", "الجمعة"),
    "SA": ("sa", "sat", "samstag", "saturday", "cmt", "cumartesi", "сб", "السبت"),
    "SU": ("so", "sun", "su", "sonntag", "sunday", "paz", "pazar", "нд", "вс", "الأحد"),
}
_DAY_OF = {word: day for day, words in _DAY_WORDS.items() for word in words}


def parse_hours(text: str) -> tuple[Hours, ...]:
    """
    Opening hours as people write them: ``Mo 15:00-17:30; Mi 15-17:30`` (a day range ``Mo-Fr 9-12`` too).

    Days in any UI language or abbreviated; times with ``:`` or ``.``, a whole hour alone. Parts are separated
    by ``;``, a line break or ``,`` between days.

    Raises
    ------
    RegisterError
        Naming the part that is not understood (``partners.bad_hours``) or a time that ends before it starts.
    """
    out: list[Hours] = []
    for raw in [p.strip() for p in text.replace("\n", ";").replace("–", "-").split(";") if p.strip()]:
        part = re.sub(r"\s*-\s*", "-", raw)
        words = part.split()
        if len(words) < 2:
            raise RegisterError("partners.bad_hours", value=part)
        days = _days(" ".join(words[:-1]).casefold().replace(".", ""), part)
        opens, _, closes = words[-1].partition("-")
        if not closes:
            raise RegisterError("partners.bad_hours", value=part)
        opens, closes = _clean_time(_full(opens)), _clean_time(_full(closes))
        if closes <= opens:
            raise RegisterError("partners.hours_order", opens=opens, closes=closes)
        out += [Hours(day, opens, closes) for day in days]
    return tuple(out)


def _full(value: str) -> str:
    value = value.strip()
    return f"{value}:00" if value.isdigit() else value


def _days(words: str, part: str) -> list[str]:
    days: list[str] = []
    for piece in [w.strip() for w in words.replace(",", " ").split() if w.strip()]:
        first, _, last = piece.partition("-")
        if first not in _DAY_OF or (last and last not in _DAY_OF):
            raise RegisterError("partners.bad_hours", value=part)
        start = WEEKDAYS.index(_DAY_OF[first])
        end = WEEKDAYS.index(_DAY_OF[last]) if last else start
        days += list(WEEKDAYS[start : end + 1])
    if not days:
        raise RegisterError("partners.bad_hours", value=part)
    return days


def hours_text(hours: tuple[Hours, ...], lang: str) -> str:
    """Opening hours in words of `lang`, the same form `parse_hours` reads: ``Mo 15:00-17:30; Mi ...``."""
    return "; ".join(
        i18n.translate(f"partners.day.{h.byday}", lang) + f" {h.opens_at}-{h.closes_at}" for h in hours
    )


def hours_lines(hours: tuple[Hours, ...], lang: str) -> list[str]:
    """Opening hours for reading, one weekday per line (``Mo 15:00–17:30``): clear in right-to-left text too."""
    return [
        i18n.translate(f"partners.day.{h.byday}", lang)
        + f" {i18n.time_range(h.opens_at, h.closes_at, lang)}"
        + (f" ({h.note})" if h.note else "")
        for h in hours
    ]


def editable_areas(register: Register, *, by: Principal) -> list[str] | None:
    """The Sozialräume `by` may add partners in: None for all (coordinators), [] for none."""
    with register.read() as s:
        by = register.current(s, by)
        if not by.may(Action.WRITE_PARTNER):
            return []
        if by.all_tandems():
            return None
        return sorted(tandem_areas(s, by.tandem_ids))


def may_edit(view: PartnerView, areas: list[str] | None) -> bool:
    """True when a partner lies in one of the Sozialräume `editable_areas` gave (None: any)."""
    return areas is None or bool(set(view.sozialraum_ids) & set(areas))


PIN_KIND = "partner"


def map_pins(
    views: list[PartnerView], *, lang: str, topics: tuple[str, ...] = (), languages: tuple[str, ...] = ()
) -> pd.DataFrame:
    """
    Partners as map pins: `lat`, `lon`, `title`, `kind` ("partner").

    Open ones only, filtered by topic and language (an offer in any of them); the title names the partner
    and its topics, never a person.
    """
    wanted = {x.casefold() for x in languages}
    rows = []
    for v in views:
        if v.status == "closed":
            continue
        if topics and not set(topics) & set(v.topics):
            continue
        if wanted and not wanted & {x.casefold() for x in v.languages}:
            continue
        about = ", ".join(i18n.translate(f"partners.topic.{x}", lang) for x in v.topics)
        for place in v.places:
            if place.point is not None:
                title = f"{v.name}" + (f" ({about})" if about else "")
                rows.append({"lat": place.point[0], "lon": place.point[1], "title": title, "kind": PIN_KIND})
    return pd.DataFrame(rows, columns=["lat", "lon", "title", "kind"])
