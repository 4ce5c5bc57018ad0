"""
Knowledge that stays: the partner register (HSDS 3.0 exchange, contacts as personal data), debriefs, the
handover invariant and the Sozialraum-Mappe.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from geo.core.access import AccessDeniedError, Principal
from geo.data import dataset
from geo.output import dossier
from geo.register import accounts, digest, hsds, journal, knowledge, partners, privacy, programme
from geo.register.store import ConcurrentEditError, Register, RegisterError
from tests.conftest import REGISTRY, SOZIALRAEUME

CLI = Principal.cli()
PASSWORD = "ein-gutes-passwort"
CONTACT_NAME = "Zeynep Kontaktperson-Sentinel"
CONTACT_MAIL = "zeynep.sentinel@partner.invalid"


@dataclass
class World:
    register: Register
    data: dataset.Dataset
    ids: set[str]
    own_area: str
    other_area: str
    own_tandem: int
    other_tandem: int
    a: int  # connector in the own tandem (leaves in the handover tests)
    b: int  # a's tandem partner
    c: int  # connector in the other tandem
    connector: Principal  # a's account
    other: Principal  # c's account
    coordinator: Principal


def _account(register: Register, email: str, roles: str, connector: int | None = None) -> Principal:
    _id, code = accounts.create_account(register, by=CLI, email=email, roles=roles, connector_id=connector)
    return accounts.set_password_with_code(register, email, code, PASSWORD)


@pytest.fixture
def world(demo_dir: Path, tmp_path: Path) -> Iterator[World]:
    register = Register(f"sqlite:///{tmp_path / 'register.sqlite'}")
    data = dataset.load_dataset(demo_dir)
    ids = set(data.spaces["sozialraum_id"])
    own_area, other_area = sorted(ids)[:2]
    a, b, c, d = (register.add_connector(n, "Deutsch", by=CLI) for n in ("A", "B", "C", "D"))
    own = register.create_tandem("Eigenes Tandem", [a, b], by=CLI, start=date(2025, 1, 1))
    other = register.create_tandem("Anderes Tandem", [c, d], by=CLI, start=date(2025, 1, 1))
    register.assign(own, own_area, by=CLI, valid_from=date(2025, 1, 1), known_ids=ids)
    register.assign(other, other_area, by=CLI, valid_from=date(2025, 1, 1), known_ids=ids)
    w = World(
        register,
        data,
        ids,
        own_area,
        other_area,
        own,
        other,
        a,
        b,
        c,
        _account(register, "a@stadt.invalid", "connector", a),
        _account(register, "c@stadt.invalid", "connector", c),
        _account(register, "koordination@stadt.invalid", "coordinator"),
    )
    yield w
    register.close()


def _partner(w: World, *, by: Principal | None = None, area: str | None = None, **extra: object) -> str:
    fields: dict[str, object] = {
        "name": "Moschee-Verein Beispiel",
        "sozialraum_ids": (area or w.own_area,),
        "description": "Gebetsraum und Hausaufgabenhilfe",
        "tandem_ids": (w.own_tandem,),
        "offers": (
            partners.Offer(
                name="Hausaufgabenhilfe",
                topic="kinder_jugend",
                target_group="Kinder 6-12",
                languages="Arabisch, Türkisch",
                cost="kostenlos",
                access="Einfach vorbeikommen",
            ),
        ),
        "places": (
            partners.Place(
                street="Beispielstraße 1",
                postal_code="40210",
                city="Düsseldorf",
                point=_inside(w, area or w.own_area),
                accessibility="Rampe am Seiteneingang",
                hours=(partners.Hours("MO", "15:00", "17:30"), partners.Hours("WE", "15:00", "17:30")),
            ),
        ),
    }
    fields.update(extra)
    data = partners.PartnerInput(**fields)  # type: ignore[arg-type]
    return partners.save_partner(w.register, data, by=by or w.connector, known_ids=w.ids)


def _inside(w: World, area: str) -> tuple[float, float]:
    shape = w.data.spaces.loc[w.data.spaces["sozialraum_id"] == area, "geometry"].iloc[0]
    point = shape.representative_point()
    return (point.y, point.x)


def _contact(w: World, partner_id: str, by: Principal | None = None) -> str:
    contact = partners.Contact(
        name=CONTACT_NAME, title="Vorstand", email=CONTACT_MAIL, basis="consent", consent_on=date(2026, 3, 1)
    )
    return partners.add_contact(w.register, partner_id, contact, by=by or w.connector)


# --- partners and their rights --------------------------------------------------------------------------


def test_a_connector_adds_a_partner_in_their_area_and_not_elsewhere(world: World) -> None:
    pid = _partner(world)
    view = partners.partner(world.register, pid, by=world.connector)
    assert view.assured_date == date.today() and view.assured_by == "a@stadt.invalid"
    assert view.offers[0].languages == "Arabisch, Türkisch"
    assert [h.byday for h in view.places[0].hours] == ["MO", "WE"]
    with pytest.raises(AccessDeniedError):
        _partner(world, area=world.other_area, tandem_ids=())
    with pytest.raises(AccessDeniedError):  # nor hand it to another tandem
        _partner(world, tandem_ids=(world.other_tandem,))
    with pytest.raises(AccessDeniedError):
        partners.save_partner(
            world.register,
            partners.PartnerInput(name="X", sozialraum_ids=(world.own_area,)),
            by=Principal.public(),
            known_ids=world.ids,
        )
    _partner(world, by=world.coordinator, area=world.other_area, tandem_ids=(world.other_tandem,))


def test_bad_input_is_refused_with_a_sentence(world: World) -> None:
    place = partners.Place(street="X", hours=(partners.Hours("MO", "18:00", "09:00"),))
    with pytest.raises(RegisterError) as caught:
        _partner(world, places=(place,))
    assert caught.value.key == "partners.hours_order"
    with pytest.raises(RegisterError):
        _partner(world, sozialraum_ids=("999999",))
    with pytest.raises(RegisterError):
        _partner(world, name="Zwei\nZeilen")
    pid = _partner(world)
    for bad in (
        partners.Contact(name="Ohne Grundlage", basis=""),
        partners.Contact(name="Einwilligung ohne Datum", basis="consent"),
        partners.Contact(name="Zukunft", basis="consent", consent_on=date.today() + timedelta(days=3)),
    ):
        with pytest.raises(RegisterError):
            partners.add_contact(world.register, pid, bad, by=world.connector)


def test_contacts_only_for_the_partners_tandems_and_coordinators(world: World) -> None:
    pid = _partner(world)
    _contact(world, pid)
    assert [c.name for c in partners.contacts(world.register, pid, by=world.connector)] == [CONTACT_NAME]
    assert partners.contacts(world.register, pid, by=world.coordinator)[0].email == CONTACT_MAIL
    for who in (world.other, Principal.public()):
        with pytest.raises(AccessDeniedError):
            partners.contacts(world.register, pid, by=who)
        view = partners.partner(world.register, pid, by=who)
        assert view.contacts == () and view.assured_by == "" and view.keeper_id is None
        assert view.name == "Moschee-Verein Beispiel"  # the organisation itself is public
    with pytest.raises(AccessDeniedError):
        _contact(world, pid, by=world.other)


def test_erasing_a_contact_leaves_nothing(world: World) -> None:
    pid = _partner(world)
    cid = _contact(world, pid)
    with pytest.raises(AccessDeniedError):
        partners.erase_contact(world.register, cid, by=world.other)
    partners.erase_contact(world.register, cid, by=world.connector)
    assert partners.contacts(world.register, pid, by=world.coordinator) == ()
    log = accounts.audit_log(world.register, by=CLI, limit=None)
    assert "partner.contact_erase" in set(log["action"])
    assert not log.astype(str).apply(lambda col: col.str.contains("Sentinel")).any().any()


def test_a_concurrent_edit_is_refused(world: World) -> None:
    pid = _partner(world)
    view = partners.partner(world.register, pid, by=world.connector)
    data = partners.PartnerInput(
        name="Neuer Name", sozialraum_ids=(world.own_area,), tandem_ids=(world.own_tandem,)
    )
    partners.save_partner(
        world.register, data, by=world.connector, known_ids=world.ids, partner_id=pid, version=view.version
    )
    with pytest.raises(ConcurrentEditError):
        partners.check_partner(world.register, pid, by=world.connector, version=view.version)
    assert partners.partner(world.register, pid).name == "Neuer Name"


def test_stale_partners_are_marked_and_listed_for_the_tandem(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = _partner(world)
    old = _partner(world, name="Sportverein", assured_date=date.today() - timedelta(days=400))
    stale = partners.stale_partners(world.register, world.own_tandem, by=world.connector)
    assert [p.id for p in stale] == [old]
    assert not partners.partner(world.register, fresh).stale
    monkeypatch.setenv("SOZIALRAUM_PARTNER_CHECK_MONTHS", "24")
    assert partners.stale_partners(world.register, world.own_tandem) == []
    assert partners.stale_partners(world.register, world.other_tandem) == []


def test_filters_by_topic_language_and_area(world: World) -> None:
    _partner(world)
    _partner(
        world,
        name="Sportverein",
        offers=(partners.Offer(name="Frauenschwimmen", topic="freizeit_sport", languages="Ukrainisch"),),
    )
    assert [p.name for p in partners.partners(world.register, topic="freizeit_sport")] == ["Sportverein"]
    assert [p.name for p in partners.partners(world.register, language="arabisch")] == [
        "Moschee-Verein Beispiel"
    ]
    assert partners.partners(world.register, sozialraum_id=world.other_area) == []
    points = partners.points(partners.partners(world.register))
    assert len(points) == 2 and set(points.columns) >= {"lat", "lon", "topics", "languages"}
    assert CONTACT_NAME not in points.to_csv()


# --- HSDS -----------------------------------------------------------------------------------------------

#: HSDS 3.0's required fields per tabular file (its datapackage.json), written out independently.
HSDS_REQUIRED = {
    "organizations": {"id", "name", "description"},
    "services": {"id", "organization_id", "name", "status"},
    "locations": {"id", "location_type"},
    "addresses": {"id", "address_1", "city", "state_province", "postal_code", "country", "address_type"},
    "schedules": {"id"},
    "languages": {"id"},
    "service_at_location": {"id", "service_id", "location_id"},
    "attributes": {"id", "link_id", "taxonomy_term_id", "link_entity"},
    "taxonomy_terms": {"id", "name", "description"},
}


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _snapshot(views: list[partners.PartnerView]) -> list[tuple[object, ...]]:
    return sorted(
        (
            v.id,
            v.name,
            v.description,
            v.status,
            v.sozialraum_ids,
            v.assured_date,
            v.website,
            tuple((o.id, o.name, o.topic, o.languages, o.target_group, o.cost, o.access) for o in v.offers),
            tuple(
                (p.id, p.street, p.postal_code, p.city, p.point, p.accessibility, p.hours) for p in v.places
            ),
        )
        for v in views
    )


def test_hsds_export_has_the_standards_files_columns_and_required_fields(
    world: World, tmp_path: Path
) -> None:
    pid = _partner(world)
    _contact(world, pid)
    _partner(world, name='=HYPERLINK("http://x")', status="temporarily_closed")
    counts = hsds.export_package(world.register, tmp_path / "hsds", by=CLI)
    assert counts["organizations"] == 2 and counts["services"] == 2 and counts["schedules"] == 4
    for name, required in HSDS_REQUIRED.items():
        rows = _rows(tmp_path / "hsds" / f"{name}.csv")
        assert required <= set(rows[0].keys()), name
        assert all(row[c] for row in rows for c in required), name
    services = _rows(tmp_path / "hsds" / "services.csv")
    assert {s["status"] for s in services} == {"active", "temporarily closed"}
    package = json.loads((tmp_path / "hsds" / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["path"] for r in package["resources"]} >= {"organizations.csv", "services.csv", "schedules.csv"}
    text = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "hsds").glob("*.csv"))
    assert CONTACT_NAME not in text and CONTACT_MAIL not in text and "a@stadt.invalid" not in text
    assert "'=HYPERLINK" in text  # a formula is defused for spreadsheets
    contacts = (tmp_path / "hsds" / "contacts.csv").read_text(encoding="utf-8").splitlines()
    assert len(contacts) == 1  # the header only


def test_hsds_round_trip_gives_the_same_records(world: World, tmp_path: Path) -> None:
    _partner(world)
    _partner(world, by=world.coordinator, name="Sportverein", area=world.other_area, tandem_ids=())
    before = partners.partners(world.register)
    hsds.export_package(world.register, tmp_path / "hsds", by=CLI)
    fresh = Register(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    result = hsds.import_package(fresh, tmp_path / "hsds", by=CLI, spaces=world.data.spaces)
    assert (result.created, result.updated, result.outside) == (2, 0, [])
    assert _snapshot(partners.partners(fresh)) == _snapshot(before)
    again = hsds.import_package(fresh, tmp_path / "hsds", by=CLI, spaces=world.data.spaces)
    assert (again.created, again.updated) == (0, 2)  # nothing imported twice
    assert len(partners.partners(fresh)) == 2
    fresh.close()


def test_a_package_with_places_outside_the_city_is_reported(world: World, tmp_path: Path) -> None:
    _partner(
        world,
        places=(partners.Place(street="Unter den Linden 1", point=(52.517, 13.389)),),
        sozialraum_ids=(world.own_area,),
    )
    hsds.export_package(world.register, tmp_path / "hsds", by=CLI)
    # another directory's package: no Sozialraum attribute, only the place
    attributes = tmp_path / "hsds" / "attributes.csv"
    rows = [r for r in _rows(attributes) if "sozialraum" not in r["taxonomy_term_id"]]
    with attributes.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=hsds.COLUMNS["attributes"])
        writer.writeheader()
        writer.writerows(rows)
    (tmp_path / "hsds" / "service_areas.csv").write_text(",".join(hsds.COLUMNS["service_areas"]) + "\n")
    fresh = Register(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    result = hsds.import_package(fresh, tmp_path / "hsds", by=CLI, spaces=world.data.spaces)
    assert result.outside == ["Moschee-Verein Beispiel"] and result.created == 0
    fresh.close()


def test_a_broken_package_says_what_is_wrong(world: World, tmp_path: Path) -> None:
    folder = tmp_path / "kaputt"
    folder.mkdir()
    with pytest.raises(hsds.HsdsError) as missing:
        hsds.import_package(world.register, folder, by=CLI, spaces=world.data.spaces)
    assert missing.value.key == "hsds.file_missing"
    (folder / "organizations.csv").write_text("id,name\nx,\n", encoding="utf-8")
    with pytest.raises(Exception) as columns:
        hsds.import_package(world.register, folder, by=CLI, spaces=world.data.spaces)
    assert columns.value.key == "error.column_missing"  # type: ignore[attr-defined]
    (folder / "organizations.csv").write_text("id,name,description\nx,,y\n", encoding="utf-8")
    with pytest.raises(hsds.HsdsError) as empty:
        hsds.import_package(world.register, folder, by=CLI, spaces=world.data.spaces)
    assert empty.value.params["row"] == 2


def test_the_citys_registry_imports_as_partners_once(tmp_path: Path) -> None:
    from geo.data import sources

    spaces = sources.read_sozialraeume(SOZIALRAEUME)
    register = Register(f"sqlite:///{tmp_path / 'register.sqlite'}")
    first = hsds.import_registry(register, REGISTRY, by=CLI, spaces=spaces)
    views = partners.partners(register)
    assert first.created == len(views) > 15 and first.problems == []
    welcome = [v for v in views if v.welcome_point_id]
    assert 8 <= len(welcome) <= 17  # the Welcome Points' organisations at their 11 addresses
    assert all(v.sozialraum_ids for v in views if v.places and v.places[0].point)
    again = hsds.import_registry(register, REGISTRY, by=CLI, spaces=spaces)
    assert again.created == 0 and again.updated == first.created
    assert len(partners.partners(register)) == len(views)
    register.close()


# --- debriefs and what we know ----------------------------------------------------------------------------


def _held(w: World, tandem: int, area: str, *, days_ago: int = 10) -> int:
    return journal.add_activity(
        w.register,
        by=CLI,
        kind="stadtteilrundgang",
        title="Rundgang",
        starts_at=datetime.now().replace(microsecond=0) - timedelta(days=days_ago),
        sozialraum_id=area,
        known_ids=w.ids,
        tandem_id=tandem,
        status="durchgefuehrt",
    )


def test_debriefs_by_the_tandem_read_by_connectors_public_only_when_published(world: World) -> None:
    pid = _partner(world)
    act = _held(world, world.own_tandem, world.own_area)
    planned = journal.add_activity(
        world.register, by=CLI, kind="quizabend", title="Quiz", starts_at=datetime.now() + timedelta(days=5),
        sozialraum_id=world.own_area, known_ids=world.ids, tandem_id=world.own_tandem,
    )  # fmt: skip
    text = knowledge.DebriefInput(
        worked="Mit Übersetzung ins Arabische kamen viele Familien.",
        differently="Früher am Nachmittag anfangen.",
        repeat="ja",
        reached=23,
        groups="Familien",
        languages="Arabisch",
        partner_ids=(pid,),
        lang="ar",
    )
    with pytest.raises(RegisterError):
        knowledge.save_debrief(world.register, planned, text, by=world.connector)
    with pytest.raises(AccessDeniedError):
        knowledge.save_debrief(world.register, act, text, by=world.other)
    with pytest.raises(RegisterError):
        knowledge.save_debrief(world.register, act, knowledge.DebriefInput(), by=world.connector)
    knowledge.save_debrief(world.register, act, text, by=world.connector)
    assert knowledge.debrief_of(world.register, act, by=world.connector) == text
    seen = knowledge.debriefs(world.register, by=world.other, sozialraum_id=world.own_area)
    assert (
        seen.iloc[0]["tandem"] == "Eigenes Tandem" and seen.iloc[0]["partners"] == "Moschee-Verein Beispiel"
    )
    assert knowledge.debriefs(world.register, by=Principal.public()).empty
    with pytest.raises(AccessDeniedError):
        knowledge.publish_debrief(
            world.register, int(seen.iloc[0]["id"]), by=world.connector, public=True, version=1
        )
    knowledge.publish_debrief(
        world.register, int(seen.iloc[0]["id"]), by=world.coordinator, public=True, version=1
    )
    public = knowledge.debriefs(world.register, by=Principal.public())
    assert len(public) == 1 and public.iloc[0]["tandem"] == "" and public.iloc[0]["worked"].startswith("Mit")


def test_what_we_know_public_and_full(world: World) -> None:
    pid = _partner(world)
    _contact(world, pid)
    journal.add_concern(
        world.register,
        journal.ConcernInput(
            thema="Spielplatz kaputt", sozialraum_ids=(world.own_area,), tandem_id=world.own_tandem
        ),
        by=world.connector,
        known_ids=world.ids,
    )
    full = knowledge.what_we_know(world.register, world.own_area, by=world.other)
    assert full.full and len(full.concerns) == 1 and full.partners[0].contacts == ()  # not their partner
    assert full.concerns.iloc[0]["thema"] == "Spielplatz kaputt" and full.concerns.iloc[0]["tandem"] == ""
    mine = knowledge.what_we_know(world.register, world.own_area, by=world.connector)
    assert mine.partners[0].contacts[0].name == CONTACT_NAME
    public = knowledge.what_we_know(world.register, world.own_area, by=Principal.public())
    assert not public.full and public.concerns.empty and public.partners[0].contacts == ()
    with pytest.raises(AccessDeniedError):
        knowledge.what_we_know(world.register, world.own_area, by=Principal.public(), need_full=True)


# --- handover -------------------------------------------------------------------------------------------


def _solo_world(w: World) -> tuple[int, int, int]:
    """`a` alone in a tandem of their own with a concern, a planned activity and a partner they keep."""
    e = w.register.add_connector("E", by=CLI)
    solo = w.register.create_tandem("Solo", [w.a, e], by=CLI, start=date(2025, 1, 1))
    w.register.update_connector(e, by=CLI, version=1, active=False)  # e left earlier, with nothing open
    w.register.assign(solo, w.own_area, by=CLI, valid_from=date(2025, 2, 1), known_ids=w.ids)
    concern = journal.add_concern(
        w.register,
        journal.ConcernInput(thema="Laterne", sozialraum_ids=(w.own_area,), tandem_id=solo),
        by=CLI,
        known_ids=w.ids,
    )
    activity = journal.add_activity(
        w.register, by=CLI, kind="quizabend", title="Quiz", starts_at=datetime.now() + timedelta(days=9),
        sozialraum_id=w.own_area, known_ids=w.ids, tandem_id=solo,
    )  # fmt: skip
    _partner(w, keeper_id=w.a)
    return solo, concern, activity


def test_the_handover_leaves_nothing_without_an_owner(world: World) -> None:
    solo, concern, activity = _solo_world(world)
    plan = knowledge.handover_plan(world.register, world.a, by=world.coordinator)
    kinds = {i.kind for i in plan.open_items}
    assert kinds == {"partner", "concern", "activity", "area"}
    # items of the tandem with b stay with b: listed, not to be handed on
    assert all(
        i.key.startswith(("partner", "concern:" + str(concern), "activity", "area")) for i in plan.open_items
    )
    # leaving without a handover is refused, also through the register's connector form
    with pytest.raises(RegisterError) as caught:
        world.register.update_connector(world.a, by=world.coordinator, version=1, active=False)
    assert caught.value.key == "handover.needed"
    with pytest.raises(RegisterError) as journey_step:  # nor through the programme year's status
        programme.set_status(world.register, world.a, "ausgeschieden", date.today(), by=world.coordinator)
    assert journey_step.value.key == "handover.needed"
    with pytest.raises(RegisterError) as unassigned:
        knowledge.hand_over(world.register, world.a, by=world.coordinator, successors={}, reason="moved")
    assert unassigned.value.key == "handover.unassigned" and unassigned.value.params["n"] == len(
        plan.open_items
    )
    with pytest.raises(RegisterError):  # a successor who cannot carry it
        knowledge.hand_over(
            world.register,
            world.a,
            by=world.coordinator,
            successors={f"concern:{concern}": f"tandem:{solo}"},
            reason="moved",
        )
    successors = {
        i.key: (f"connector:{world.b}" if i.kind == "partner" else f"tandem:{world.own_tandem}")
        for i in plan.open_items
    }
    result = knowledge.hand_over(
        world.register, world.a, by=world.coordinator, successors=successors, reason="moved", alumni=True
    )
    assert result.tandems_ended == [solo] and result.alumni
    assert programme.journey(world.register, world.a, by=world.coordinator).status == "ausgeschieden"
    assert knowledge.orphaned(world.register) == []
    # the audit log says it in words: the reason and every detail, no codes
    entry = accounts.audit_log(world.register, by=world.coordinator, action_prefix="connector.handover")
    said = accounts.audit_in_words(entry, "de").loc[0, "details"]
    assert "Grund: umgezogen" in said and "beendete Tandems: 1" in said and "_" not in said
    assert (
        journal.concerns(world.register, by=CLI).set_index("id").loc[concern, "tandem_id"] == world.own_tandem
    )
    kept = [p for p in partners.partners(world.register, by=CLI) if p.keeper_id == world.b]
    assert len(kept) == 1 and world.own_tandem in kept[0].tandem_ids
    # the person who left: an alumni adviser who reads what is known of the former Sozialräume, nothing more
    with world.register.read() as s:
        alumni = world.register.current(s, world.connector)
    assert alumni.roles == frozenset({"alumni"}) and alumni.tandem_ids == frozenset()
    assert knowledge.what_we_know(world.register, world.own_area, by=alumni, need_full=True).full
    with pytest.raises(AccessDeniedError):
        knowledge.what_we_know(world.register, world.other_area, by=alumni, need_full=True)
    with pytest.raises(AccessDeniedError):
        journal.add_concern(
            world.register,
            journal.ConcernInput(thema="X", tandem_id=world.own_tandem),
            by=alumni,
            known_ids=world.ids,
        )
    assert activity in set(journal.activities(world.register, tandem_id=world.own_tandem)["id"])


def test_whose_planned_end_is_reached_or_near_comes_first_for_the_handover(world: World) -> None:
    today = date(2026, 12, 6)
    version = programme.journey(world.register, world.a, by=world.coordinator).version
    programme.set_engagement(
        world.register,
        world.a,
        by=world.coordinator,
        version=version,
        planned_end=today - timedelta(days=3),
        set_end=True,
    )
    due = knowledge.due_for_handover(world.register, by=world.coordinator, today=today)
    assert list(due["connector_id"]) == [world.a] and int(due.loc[0, "days_left"]) == -3
    far = knowledge.due_for_handover(world.register, by=world.coordinator, today=today - timedelta(days=200))
    assert far.empty  # not yet near then
    with pytest.raises(AccessDeniedError):
        knowledge.due_for_handover(world.register, by=world.connector)


def test_rest_to_the_coordination_only_with_a_coordinators_confirmation(world: World) -> None:
    _solo_world(world)
    with pytest.raises(AccessDeniedError):  # the person leaving cannot send the rest to the coordination
        knowledge.hand_over(
            world.register,
            world.a,
            by=world.connector,
            successors={},
            reason="time",
            rest_to_coordination=True,
        )
    result = knowledge.hand_over(
        world.register, world.a, by=world.coordinator, successors={}, reason="time", rest_to_coordination=True
    )
    assert result.to_coordination == 4
    assert knowledge.orphaned(world.register) == []
    with pytest.raises(RegisterError):
        knowledge.hand_over(world.register, world.a, by=world.coordinator, successors={}, reason="time")


def test_a_connector_without_items_may_still_be_set_inactive(world: World) -> None:
    lonely = world.register.add_connector("E", by=CLI)
    world.register.update_connector(lonely, by=world.coordinator, version=1, active=False)


# --- the Sozialraum-Mappe and privacy ------------------------------------------------------------------


def test_the_public_mappe_names_no_person(world: World) -> None:
    pid = _partner(world)
    _contact(world, pid)
    act = _held(world, world.own_tandem, world.own_area)
    knowledge.save_debrief(
        world.register, act, knowledge.DebriefInput(worked="Gut besucht"), by=world.connector
    )
    tandem_html = dossier.html_page(world.data, world.register, world.own_area, by=world.connector).decode()
    public_html = dossier.html_page(
        world.data, world.register, world.own_area, by=world.connector, public=True
    ).decode()
    assert CONTACT_NAME in tandem_html and "Gut besucht" in tandem_html and "Eigenes Tandem" in tandem_html
    for text in (public_html,):
        assert CONTACT_NAME not in text and CONTACT_MAIL not in text and "Eigenes Tandem" not in text
        assert "Moschee-Verein Beispiel" in text and "Hausaufgabenhilfe" in text
        assert "Gut besucht" not in text  # a debrief not marked public
    with pytest.raises(AccessDeniedError):
        dossier.pdf(world.data, world.register, world.own_area, by=Principal.public())
    content = dossier.pdf(world.data, world.register, world.own_area, by=world.connector, public=True)
    assert content.startswith(b"%PDF") and CONTACT_NAME.encode() not in content


def test_personal_data_export_and_erasure_cover_partner_contacts(world: World) -> None:
    pid = _partner(world)
    _contact(world, pid)
    own = privacy.own_data(world.register, by=world.connector)
    assert CONTACT_NAME not in json.dumps(own, default=str)  # a contact is not the connector's own data
    export = privacy.partner_contacts_export(world.register, by=world.coordinator)
    assert CONTACT_NAME in export.to_csv()
    with pytest.raises(AccessDeniedError):
        privacy.partner_contacts_export(world.register, by=world.connector)


def test_the_weekly_digest_lists_stale_partners(world: World) -> None:
    _partner(world)
    _partner(world, name="Sportverein", assured_date=date.today() - timedelta(days=400))
    week = digest.digest(world.register, world.own_tandem, by=world.connector)
    assert [name for _id, name, _day in week.stale] == ["Sportverein"] and not week.empty
    _subject, body = digest.render(week, "de")
    assert "Sportverein" in body and "12 Monaten" in body
    assert digest.digest(world.register, world.other_tandem, by=world.other).stale == ()


def test_backup_and_restore_carry_partners_contacts_debriefs_and_handovers(
    world: World, tmp_path: Path
) -> None:
    from geo.register import backup

    pid = _partner(world)
    _contact(world, pid)
    act = _held(world, world.own_tandem, world.own_area)
    knowledge.save_debrief(world.register, act, knowledge.DebriefInput(worked="Gut"), by=world.connector)
    knowledge.hand_over(world.register, world.c, by=world.coordinator, successors={}, reason="family")
    out = tmp_path / "sicherung.zip"
    backup.backup(world.register, out, by=CLI)
    target = f"sqlite:///{tmp_path / 'restored.sqlite'}"
    backup.restore(target, out, by=CLI)
    restored = Register(target)
    assert partners.contacts(restored, pid, by=CLI)[0].name == CONTACT_NAME
    assert knowledge.debrief_of(restored, act, by=CLI) is not None
    assert len(knowledge.handovers(restored, by=CLI)) == 1
    assert set(backup.compare(world.register.url, target)) <= {"audit_entry"}
    restored.close()


def test_a_form_edits_the_first_offer_or_place_and_keeps_the_others() -> None:
    from geo.register import partners

    a, b, c = partners.Offer(name="A"), partners.Offer(name="B"), partners.Offer(name="C")
    assert partners.first_edited((a, b), c, keep=True) == (c, b)
    assert partners.first_edited((a, b), c, keep=False) == (b,)  # the form emptied the first one
    assert partners.first_edited((), c, keep=True) == (c,)
    assert partners.first_edited((), c, keep=False) == ()
