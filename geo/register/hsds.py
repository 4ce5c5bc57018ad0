"""
The partner register as Open Referral HSDS 3.0 tabular data, and the city's registry as partners.

`export_package` writes the CSV files of an HSDS data package (``organizations.csv``, ``services.csv``,
``locations.csv``, ``addresses.csv``, ``schedules.csv``, ``languages.csv``, ...) with HSDS's column names, plus
its ``datapackage.json``. Contact people never leave: ``contacts.csv`` is written with its header only, and no
phone of a person is written. What HSDS has no field for travels as *attributes* of the taxonomy
``sozialraum-karte``: a partner's Sozialräume (``sozialraum``), its status and last check, an offer's topic.

`import_package` reads such a package (ours or another directory's, for example the city's Integreat app):
a record whose HSDS ID or name and address is known already updates that record, nothing is imported twice;
a partner whose places all lie outside the city's Sozialräume is reported, not silently dropped.
`import_registry` reads the city's registry of integration services (the file the Welcome Points come from).
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from geo.core.access import Action, Principal, require
from geo.core.errors import FileFormatError, MissingColumnError, RegisterError, SozialraumError
from geo.core.tables import FORMULA_PREFIXES, printable
from geo.data.sources import read_table, slug
from geo.register import models, partners
from geo.register.store import Register

#: The HSDS 3.0 tabular files this app writes, with HSDS's columns in HSDS's order.
# fmt: off
COLUMNS: dict[str, tuple[str, ...]] = {
    "organizations": (
        "id", "name", "alternate_name", "description", "email", "website", "tax_status", "tax_id",
        "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id",
    ),
    "services": (
        "id", "organization_id", "program_id", "name", "alternate_name", "description", "url", "email",
        "status", "interpretation_services", "application_process", "fees_description", "wait_time", "fees",
        "accreditations", "eligibility_description", "minimum_age", "maximum_age", "assured_date",
        "assurer_email", "licenses", "alert", "last_modified",
    ),
    "locations": (
        "id", "location_type", "url", "organization_id", "name", "alternate_name", "description",
        "transportation", "latitude", "longitude", "external_identifier", "external_identifier_type",
    ),
    "addresses": (
        "id", "location_id", "attention", "address_1", "address_2", "city", "region", "state_province",
        "postal_code", "country", "address_type",
    ),
    "phones": (
        "id", "location_id", "service_id", "organization_id", "contact_id", "service_at_location_id",
        "number", "extension", "type", "description",
    ),
    "schedules": (
        "id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to", "dtstart",
        "timezone", "until", "count", "wkst", "freq", "interval", "byday", "byweekno", "bymonthday",
        "byyearday", "description", "opens_at", "closes_at", "schedule_link", "attending_type", "notes",
    ),
    "languages": ("id", "service_id", "location_id", "phone_id", "name", "code", "note"),
    "service_at_location": ("id", "service_id", "location_id", "description"),
    "service_areas": ("id", "service_id", "name", "description", "extent", "extent_type", "uri"),
    "accessibility": ("id", "location_id", "description", "details", "url"),
    "contacts": (
        "id", "organization_id", "service_id", "service_at_location_id", "location_id", "name", "title",
        "department", "email",
    ),
    "taxonomies": ("id", "name", "description", "uri", "version"),
    "taxonomy_terms": (
        "id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id", "term_uri",
    ),
    "attributes": ("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"),
}
# fmt: on
#: Fields HSDS requires in each file (its datapackage.json, "constraints": {"required": true}).
REQUIRED: dict[str, tuple[str, ...]] = {
    "organizations": ("id", "name", "description"),
    "services": ("id", "organization_id", "name", "status"),
    "locations": ("id", "location_type"),
    "addresses": ("id", "address_1", "city", "state_province", "postal_code", "country", "address_type"),
    "phones": ("id", "number"),
    "schedules": ("id",),
    "languages": ("id",),
    "service_at_location": ("id", "service_id", "location_id"),
    "service_areas": ("id",),
    "accessibility": ("id",),
    "contacts": ("id",),
    "taxonomies": ("id", "name", "description"),
    "taxonomy_terms": ("id", "name", "description"),
    "attributes": ("id", "link_id", "taxonomy_term_id", "link_entity"),
}
TAXONOMY_ID = "sozialraum-karte"
STATUS_TO_HSDS = {"active": "active", "temporarily_closed": "temporarily closed", "closed": "defunct"}
STATUS_FROM_HSDS = {
    "active": "active",
    "temporarily closed": "temporarily_closed",
    "defunct": "closed",
    "inactive": "closed",
}
#: ISO 639-1 codes of languages as the register writes them (German names).
LANGUAGE_CODES = {
    "Albanisch": "sq",
    "Arabisch": "ar",
    "Bosnisch": "bs",
    "Bulgarisch": "bg",
    "Chinesisch": "zh",
    "Dari": "prs",
    "Deutsch": "de",
    "Englisch": "en",
    "Farsi": "fa",
    "Französisch": "fr",
    "Griechisch": "el",
    "Hindi": "hi",
    "Italienisch": "it",
    "Japanisch": "ja",
    "Kroatisch": "hr",
    "Kurdisch": "ku",
    "Mazedonisch": "mk",
    "Paschtu": "ps",
    "Persisch": "fa",
    "Polnisch": "pl",
    "Portugiesisch": "pt",
    "Rumänisch": "ro",
    "Russisch": "ru",
    "Serbisch": "sr",
    "Somali": "so",
    "Spanisch": "es",
    "Tigrinya": "ti",
    "Türkisch": "tr",
    "Ukrainisch": "uk",
    "Urdu": "ur",
    "Vietnamesisch": "vi",
}
LANGUAGE_NAMES = {code: name for name, code in reversed(LANGUAGE_CODES.items())}


class HsdsError(SozialraumError):
    """A package that is not HSDS tabular data this app can read."""


def _cell(value: object) -> str:
    """A text cell: control characters out, and formula-like text defused for spreadsheets."""
    text = printable("" if value is None else str(value))
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _write(folder: Path, name: str, rows: list[dict[str, object]]) -> int:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS[name], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: _cell(row.get(c, "")) for c in COLUMNS[name]})
    (folder / f"{name}.csv").write_text(buffer.getvalue(), encoding="utf-8")
    return len(rows)


def _term_id(code: str) -> str:
    return f"{TAXONOMY_ID}:{code}"


class _Tables:
    """The package's rows by file, and the taxonomy terms its attributes use."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, object]]] = {name: [] for name in COLUMNS}
        self.terms: dict[str, dict[str, object]] = {}

    def attribute(self, link_id: str, entity: str, code: str, name: str, value: str = "") -> None:
        """What HSDS has no field for, as an attribute of the taxonomy `TAXONOMY_ID`."""
        self.terms.setdefault(
            code,
            {
                "id": _term_id(code),
                "code": code,
                "name": name,
                "description": name,
                "taxonomy": TAXONOMY_ID,
                "taxonomy_id": TAXONOMY_ID,
                "language": "de",
            },
        )
        self.rows["attributes"].append(
            {
                "id": f"{link_id}:{code}:{value}",
                "link_id": link_id,
                "taxonomy_term_id": _term_id(code),
                "link_type": "",
                "link_entity": entity,
                "value": value,
            }
        )


def _organisation(t: _Tables, v: partners.PartnerView) -> None:
    """A partner as an organisation with its phone and attributes (areas, status, last check, Welcome Point)."""
    rows, attribute = t.rows, t.attribute
    rows["organizations"].append(
        {
            "id": v.id,
            "name": v.name,
            "description": v.description or v.name,
            "email": v.email,
            "website": v.website,
        }
    )
    if v.phone:
        rows["phones"].append(
            {"id": f"{v.id}:phone", "organization_id": v.id, "number": v.phone, "type": "voice"}
        )
    for area in v.sozialraum_ids:
        attribute(v.id, "organization", "sozialraum", "Sozialraum", area)
    attribute(v.id, "organization", f"status:{v.status}", v.status)
    if v.assured_date:
        attribute(v.id, "organization", "assured", "zuletzt geprüft", v.assured_date.isoformat())
    if v.welcome_point_id:
        attribute(v.id, "organization", "welcome_point", "Welcome Point", v.welcome_point_id)


def _service(t: _Tables, v: partners.PartnerView, o: partners.Offer) -> None:
    """An offer as a service with its topic, languages, areas and places."""
    rows, attribute = t.rows, t.attribute
    rows["services"].append(
        {
            "id": o.id,
            "organization_id": v.id,
            "name": o.name,
            "description": o.description,
            "status": STATUS_TO_HSDS[v.status],
            "application_process": o.access,
            "fees_description": o.cost,
            "eligibility_description": o.target_group,
            "assured_date": v.assured_date.isoformat() if v.assured_date else "",
        }
    )
    attribute(o.id, "service", f"topic:{o.topic}", o.topic)
    for lang_name in filter(None, partners.languages_text(o.languages).split(", ")):
        rows["languages"].append(
            {
                "id": f"{o.id}:{slug(lang_name)}",
                "service_id": o.id,
                "name": lang_name,
                "code": LANGUAGE_CODES.get(lang_name, ""),
            }
        )
    for area in v.sozialraum_ids:
        rows["service_areas"].append(
            {"id": f"{o.id}:{area}", "service_id": o.id, "name": f"Sozialraum {area}"}
        )
    for p in v.places:
        rows["service_at_location"].append({"id": f"{o.id}:{p.id}", "service_id": o.id, "location_id": p.id})


def _location(t: _Tables, v: partners.PartnerView, p: partners.Place) -> None:
    """A place as a location with its address, accessibility and opening hours."""
    rows = t.rows
    rows["locations"].append(
        {
            "id": p.id,
            "location_type": "physical",
            "organization_id": v.id,
            "name": p.name or v.name,
            "latitude": p.point[0] if p.point else "",
            "longitude": p.point[1] if p.point else "",
        }
    )
    if p.street:
        rows["addresses"].append(
            {
                "id": f"{p.id}:address",
                "location_id": p.id,
                "address_1": p.street,
                "city": p.city,
                "state_province": "Nordrhein-Westfalen",
                "postal_code": p.postal_code,
                "country": "DE",
                "address_type": "physical",
            }
        )
    if p.accessibility:
        rows["accessibility"].append(
            {"id": f"{p.id}:access", "location_id": p.id, "description": p.accessibility}
        )
    for n, h in enumerate(p.hours):
        rows["schedules"].append(
            {
                "id": f"{p.id}:hours:{n}",
                "location_id": p.id,
                "freq": "WEEKLY",
                "wkst": "MO",
                "byday": h.byday,
                "opens_at": f"{h.opens_at}:00",
                "closes_at": f"{h.closes_at}:00",
                "timezone": "Europe/Berlin",
                "description": h.note,
            }
        )


def export_package(
    register: Register, folder: str | Path, *, by: Principal, source_note: str = "", demo: bool = False
) -> dict[str, int]:
    """
    Write the partner register as an HSDS 3.0 tabular data package into `folder`; returns rows per file.

    Public data only: organisations, offers, places, opening hours, languages. No contact person, no keeper,
    no tandem, no one who checked a record (``assurer_email`` stays empty).
    """
    require(by, Action.EXPORT_MAP)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    views = partners.partners(register, by=Principal.public())
    tables = _Tables()
    for v in views:
        _organisation(tables, v)
        for o in v.offers:
            _service(tables, v, o)
        for p in v.places:
            _location(tables, v, p)
    rows, terms = tables.rows, tables.terms
    rows["taxonomies"].append(
        {
            "id": TAXONOMY_ID,
            "name": TAXONOMY_ID,
            "description": "Sozialräume, Status, letzte Prüfung und Themen der Sozialraum-Karte",
        }
    )
    rows["taxonomy_terms"] = sorted(terms.values(), key=lambda t: str(t["id"]))
    counts = {name: _write(out, name, rows[name]) for name in COLUMNS}
    package = {
        "name": "sozialraum-karte-partner",
        "title": "Partner der Community Connectors" + (" (Demo)" if demo else ""),
        "profile": "tabular-data-package",
        "description": source_note or "HSDS 3.0 tabular data, exported by Sozialraum-Karte",
        "resources": [
            {"name": name, "path": f"{name}.csv", "profile": "tabular-data-resource", "format": "csv"}
            for name in COLUMNS
        ],
    }
    (out / "datapackage.json").write_text(
        json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    register.record(by, "partner.export_hsds", target="partner", partners=len(views))
    return counts


# --- import ---------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did: partners created and updated, and what it could not place or read."""

    created: int = 0
    updated: int = 0
    #: Partners whose places all lie outside the city's Sozialräume (not imported), by name.
    outside: list[str] = field(default_factory=list)
    #: Partners imported without a Sozialraum (no place, no Sozialraum given), by name.
    without_area: list[str] = field(default_factory=list)
    #: Rows that could not be stored: (name, message key).
    problems: list[tuple[str, str]] = field(default_factory=list)


def _read(folder: Path, name: str) -> list[dict[str, str]]:
    path = folder / f"{name}.csv"
    if not path.exists():
        if name == "organizations":
            raise HsdsError("hsds.file_missing", file=path.name)
        return []
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    missing = [c for c in REQUIRED.get(name, ("id",)) if c not in columns]
    if missing:
        raise MissingColumnError(
            "error.column_missing", file=path.name, column=", ".join(missing), found=columns
        )
    out = []
    for n, row in enumerate(reader, start=2):
        clean = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if name in {"organizations", "services"}:
            empty = [c for c in REQUIRED[name] if not clean.get(c) and c != "description"]
            if empty:
                raise HsdsError("hsds.required_empty", file=path.name, row=n, column=", ".join(empty))
        out.append(clean)
    return out


def _unquote(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:2] in FORMULA_PREFIXES else text


def _by(rows: list[dict[str, str]], key: str) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        out.setdefault(row.get(key, ""), []).append(row)
    return out


def _areas_of(places: list[partners.Place], spaces: gpd.GeoDataFrame) -> tuple[list[str], bool]:
    """The Sozialräume the places lie in, and whether any place had a point at all."""
    located = [p for p in places if p.point is not None]
    if not located:
        return [], False
    frame = gpd.GeoDataFrame(geometry=[Point(p.point[1], p.point[0]) for p in located], crs="EPSG:4326")  # type: ignore[index]
    joined = gpd.sjoin(frame, spaces[["sozialraum_id", "geometry"]].to_crs("EPSG:4326"), predicate="within")
    return list(dict.fromkeys(joined["sozialraum_id"].astype(str))), True


def _existing(register: Register) -> tuple[dict[str, partners.PartnerView], dict[str, str], dict[str, str]]:
    """Known partners by ID, and their IDs by source key and by name and address."""
    views = {v.id: v for v in partners.partners(register, by=Principal.cli())}
    with register.read() as s:
        keys = {k: i for i, k in s.query(models.Partner.id, models.Partner.source_key).all() if k}
    by_place = {}
    for v in views.values():
        for p in v.places or (partners.Place(),):
            by_place[_place_key(v.name, p.street)] = v.id
    return views, keys, by_place


def _place_key(name: str, street: str) -> str:
    return f"{slug(name)}|{slug(street)}"


def import_package(
    register: Register, folder: str | Path, *, by: Principal, spaces: gpd.GeoDataFrame
) -> ImportResult:
    """Read an HSDS tabular data package into the partner register (see the module's description)."""
    require(by, Action.WRITE_PARTNER)
    root = Path(folder)
    if not root.is_dir():
        raise FileFormatError("hsds.not_a_folder", file=str(root))
    tables = {name: _read(root, name) for name in COLUMNS}
    terms = {t["id"]: t.get("code") or t.get("name", "") for t in tables["taxonomy_terms"]}
    attributes = _by(tables["attributes"], "link_id")
    services = _by(tables["services"], "organization_id")
    locations = _by(tables["locations"], "organization_id")
    addresses = {a["location_id"]: a for a in tables["addresses"]}
    access = {a["location_id"]: a for a in tables["accessibility"]}
    schedules = _by(tables["schedules"], "location_id")
    languages = _by(tables["languages"], "service_id")
    service_areas = _by(tables["service_areas"], "service_id")
    phones = _by(tables["phones"], "organization_id")
    known_ids = set(spaces["sozialraum_id"].astype(str))
    views, keys, by_place = _existing(register)
    result = ImportResult()
    with register.batch(by, "partner.import_hsds", target="partner") as details:
        for org in tables["organizations"]:
            try:
                data = _partner_from_hsds(
                    org,
                    services.get(org["id"], []),
                    locations.get(org["id"], []),
                    addresses,
                    access,
                    schedules,
                    languages,
                    service_areas,
                    attributes,
                    terms,
                    phones.get(org["id"], []),
                )
            except RegisterError as exc:
                result.problems.append((org.get("name", org["id"]), exc.key))
                continue
            areas, located = _areas_of(list(data.places), spaces)
            given = [a for a in data.sozialraum_ids if a in known_ids]
            if located and not areas and not given:
                result.outside.append(data.name)
                continue
            wanted = tuple(dict.fromkeys([*given, *areas]))
            if not wanted:
                result.without_area.append(data.name)
            target = _match(org["id"], data, views, keys, by_place)
            current = views.get(target) if target else None
            data = partners.PartnerInput(
                **{
                    **data.__dict__,
                    "sozialraum_ids": wanted,
                    "tandem_ids": current.tandem_ids if current else (),
                    "keeper_id": current.keeper_id if current else None,
                    "source_key": None if current else f"hsds:{org['id']}",
                    "id": "" if current or org["id"] in views else org["id"],
                }
            )
            try:
                with register.step():
                    partners.save_partner(register, data, by=by, known_ids=known_ids, partner_id=target)
            except SozialraumError as exc:
                result.problems.append((data.name, exc.key))
                continue
            if target:
                result.updated += 1
            else:
                result.created += 1
        details.update(created=result.created, updated=result.updated, outside=len(result.outside))
    return result


def _match(
    hsds_id: str,
    data: partners.PartnerInput,
    views: dict[str, partners.PartnerView],
    keys: dict[str, str],
    by_place: dict[str, str],
) -> str | None:
    """The partner this record already is: same ID (our own export), same source key, same name and street."""
    if hsds_id in views:
        return hsds_id
    for key in (f"hsds:{hsds_id}", data.source_key or ""):
        if key in keys:
            return keys[key]
    for place in data.places or (partners.Place(),):
        if (found := by_place.get(_place_key(data.name, place.street))) is not None:
            return found
    return None


def _place_from_hsds(
    loc: dict[str, str],
    addresses: dict[str, dict[str, str]],
    access: dict[str, dict[str, str]],
    schedules: dict[str, list[dict[str, str]]],
) -> partners.Place:
    """An HSDS location with its address, accessibility and weekly schedules as a partner's place."""
    address = addresses.get(loc["id"], {})
    point = None
    try:
        if loc.get("latitude") and loc.get("longitude"):
            point = (float(loc["latitude"]), float(loc["longitude"]))
    except ValueError as exc:
        raise RegisterError(
            "partners.bad_point", value=f"{loc.get('latitude')}, {loc.get('longitude')}"
        ) from exc
    hours = tuple(
        partners.Hours(
            day.strip(),
            h.get("opens_at", "")[:5],
            h.get("closes_at", "")[:5],
            _unquote(h.get("description", "")),
        )
        for h in schedules.get(loc["id"], [])
        if h.get("opens_at") and h.get("closes_at")
        for day in (h.get("byday") or "").split(",")
        if day.strip()
    )
    return partners.Place(
        id=loc["id"],
        name=_unquote(loc.get("name", "")),
        street=_unquote(address.get("address_1", "")),
        postal_code=address.get("postal_code", ""),
        city=_unquote(address.get("city", "")),
        point=point,
        accessibility=_unquote(access.get(loc["id"], {}).get("description", "")),
        hours=hours,
    )


def _partner_from_hsds(  # noqa: PLR0917 - the package's tables, one per argument
    org: dict[str, str],
    services: list[dict[str, str]],
    locations: list[dict[str, str]],
    addresses: dict[str, dict[str, str]],
    access: dict[str, dict[str, str]],
    schedules: dict[str, list[dict[str, str]]],
    languages: dict[str, list[dict[str, str]]],
    service_areas: dict[str, list[dict[str, str]]],
    attributes: dict[str, list[dict[str, str]]],
    terms: dict[str, str],
    phones: list[dict[str, str]],
) -> partners.PartnerInput:
    org_attrs = [
        (terms.get(a["taxonomy_term_id"], ""), a.get("value", "")) for a in attributes.get(org["id"], [])
    ]
    areas = [v for code, v in org_attrs if code == "sozialraum" and v]
    status = next((code.split(":", 1)[1] for code, _ in org_attrs if code.startswith("status:")), "")
    assured = next((v for code, v in org_attrs if code == "assured" and v), "")
    welcome = next((v for code, v in org_attrs if code == "welcome_point" and v), None)
    offers = []
    for svc in services:
        topic = next(
            (
                terms.get(a["taxonomy_term_id"], "").split(":", 1)[1]
                for a in attributes.get(svc["id"], [])
                if terms.get(a["taxonomy_term_id"], "").startswith("topic:")
            ),
            "sonstiges",
        )
        if not status:
            status = STATUS_FROM_HSDS.get(svc.get("status", "active"), "active")
        assured = assured or svc.get("assured_date", "")
        names = [
            lg.get("name") or LANGUAGE_NAMES.get(lg.get("code", ""), lg.get("code", ""))
            for lg in languages.get(svc["id"], [])
        ]
        for area in service_areas.get(svc["id"], []):
            digits = "".join(ch for ch in area.get("name", "") if ch.isdigit())
            if digits:  # the unit's ID in the area's name; an ID the dataset does not know is left out below
                areas.append(digits)
        offers.append(
            partners.Offer(
                id=svc["id"],
                name=_unquote(svc["name"]),
                topic=topic if topic in partners.TOPICS else "sonstiges",
                description=_unquote(svc.get("description", "")),
                target_group=_unquote(svc.get("eligibility_description", "")),
                languages=", ".join(n for n in names if n),
                cost=_unquote(svc.get("fees_description", "")),
                access=_unquote(svc.get("application_process", "")),
            )
        )
    places = [_place_from_hsds(loc, addresses, access, schedules) for loc in locations]
    try:
        assured_date = date.fromisoformat(assured[:10]) if assured else None
    except ValueError:
        assured_date = None
    return partners.PartnerInput(
        name=_unquote(org["name"]),
        sozialraum_ids=tuple(dict.fromkeys(areas)),
        description=_unquote(org.get("description", "")),
        email=_unquote(org.get("email", "")),
        phone=next((p["number"] for p in phones if p.get("number")), ""),
        website=_unquote(org.get("website", "")),
        status=status or "active",
        welcome_point_id=welcome,
        offers=tuple(offers),
        places=tuple(places),
        source="hsds",
        assured_date=assured_date,
    )


def _registry_point(latitude: str, longitude: str) -> tuple[float, float] | None:
    """A registry row's coordinates (a decimal comma allowed), or None when they are no numbers."""
    try:
        return (float(latitude.replace(",", ".")), float(longitude.replace(",", ".")))
    except ValueError:
        return None


def _kept(
    data: partners.PartnerInput, current: partners.PartnerView, point: tuple[float, float] | None
) -> partners.PartnerInput:
    """A registry row over a partner imported before: what was added here stays (offers, hours, tandems, keeper)."""
    return partners.PartnerInput(
        **{
            **data.__dict__,
            "offers": current.offers or data.offers,
            "places": tuple(
                partners.Place(**{**p.__dict__, "point": point or p.point}) for p in current.places
            )
            or data.places,
            "tandem_ids": current.tandem_ids,
            "keeper_id": current.keeper_id,
            "description": current.description or data.description,
            "source_key": None,
        }
    )


def import_registry(
    register: Register, path: str | Path, *, by: Principal, spaces: gpd.GeoDataFrame
) -> ImportResult:
    """
    The city's registry of integration services as partners.

    One partner per organisation and address, with the kind of service as its offer and the phone as the
    organisation's; Welcome Points are linked to their point. A row imported before (same name and address)
    updates its partner; nothing is imported twice.
    """
    require(by, Action.WRITE_PARTNER)
    frame = read_table(path)
    upper = {c.upper(): c for c in frame.columns}
    needed = ("NAME", "STRASSE", "HAUSNUMMER", "LATITUDE", "LONGITUDE")
    missing = [c for c in needed if c not in upper]
    if missing:
        raise MissingColumnError(
            "error.column_missing", file=Path(path).name, column=", ".join(missing), found=list(frame.columns)
        )

    def col(row: pd.Series, name: str) -> str:
        value = row.get(upper.get(name, ""), "")
        return "" if pd.isna(value) else str(value).strip()

    known_ids = set(spaces["sozialraum_id"].astype(str))
    views, keys, by_place = _existing(register)
    groups: dict[str, list[pd.Series]] = {}
    for _, row in frame.iterrows():
        street = f"{col(row, 'STRASSE')} {col(row, 'HAUSNUMMER')}".strip()
        name = " – ".join(p for p in (col(row, "NAME"), col(row, "EINRICHTUNG")) if p)
        if name:
            groups.setdefault(f"registry:{slug(name)}|{slug(street)}", []).append(row)
    result = ImportResult()
    with register.batch(by, "partner.import_registry", target="partner") as details:
        for key, rows in groups.items():
            first = rows[0]
            street = f"{col(first, 'STRASSE')} {col(first, 'HAUSNUMMER')}".strip()
            point = _registry_point(col(first, "LATITUDE"), col(first, "LONGITUDE"))
            kinds = list(dict.fromkeys(col(r, "ART") for r in rows if col(r, "ART")))
            place = partners.Place(
                street=street, postal_code=col(first, "PLZ"), city=col(first, "STADT"), point=point
            )
            areas, located = _areas_of([place], spaces)
            name = " – ".join(p for p in (col(first, "NAME"), col(first, "EINRICHTUNG")) if p)
            if located and not areas:
                result.outside.append(name)
                continue
            welcome = f"wp-{slug(street)}" if any(k.casefold() == "welcome point" for k in kinds) else None
            data = partners.PartnerInput(
                name=name,
                sozialraum_ids=tuple(areas),
                description=", ".join(kinds),
                phone=col(first, "TELEFON"),
                website=col(first, "URL"),
                welcome_point_id=welcome,
                offers=tuple(partners.Offer(name=k, topic="beratung") for k in kinds),
                places=(place,),
                source="registry",
                source_key=key,
            )
            target = keys.get(key) or by_place.get(_place_key(name, street))
            current = views.get(target) if target else None
            if current is not None:
                data = _kept(data, current, point)
            if not areas:
                result.without_area.append(name)
            try:
                with register.step():
                    partners.save_partner(register, data, by=by, known_ids=known_ids, partner_id=target)
            except SozialraumError as exc:
                result.problems.append((name, exc.key))
                continue
            if target:
                result.updated += 1
            else:
                result.created += 1
        details.update(created=result.created, updated=result.updated, outside=len(result.outside))
    return result


#: The most a package's files may hold together once unpacked (an upload is small; a zip bomb is not).
MAX_PACKAGE_BYTES = 50 * 1024 * 1024


def package_zip(register: Register, *, by: Principal, source_note: str = "", demo: bool = False) -> bytes:
    """The HSDS package (`export_package`) as one ZIP file, for a download."""
    with tempfile.TemporaryDirectory() as folder:
        export_package(register, folder, by=by, source_note=source_note, demo=demo)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(folder).iterdir()):
                archive.write(path, path.name)
    return buffer.getvalue()


def import_zip(
    register: Register, content: bytes, *, by: Principal, spaces: gpd.GeoDataFrame
) -> ImportResult:
    """
    An uploaded HSDS package as a ZIP file.

    Only the package's own files are read (in any folder of the archive; no path is ever written as given),
    at most `MAX_PACKAGE_BYTES` unpacked.
    """
    require(by, Action.WRITE_PARTNER)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise HsdsError("hsds.not_a_zip") from exc
    wanted = {f"{name}.csv" for name in COLUMNS}
    members = [m for m in archive.infolist() if not m.is_dir() and Path(m.filename).name in wanted]
    if sum(m.file_size for m in members) > MAX_PACKAGE_BYTES:
        raise HsdsError("hsds.too_big", mb=MAX_PACKAGE_BYTES // (1024 * 1024))
    with tempfile.TemporaryDirectory() as folder:
        for member in members:
            with archive.open(member) as source:
                data = source.read(MAX_PACKAGE_BYTES + 1)
            (Path(folder) / Path(member.filename).name).write_bytes(data)
        return import_package(register, folder, by=by, spaces=spaces)
