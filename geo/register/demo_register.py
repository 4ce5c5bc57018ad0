"""
The demo register: try every role without an identity provider, on the demo dataset only.

One demo account per role (password `DEMO_PASSWORD`, shown on the login form) with invented connectors,
tandems and assignments (`seed_register`); with ``SOZIALRAUM_DEMO_PROGRAMME`` a programme year on top of it
(`seed_programme_year`): journeys, activities, concerns with answers, partners, debriefs, a handover and the
group's meetings and decisions. Never in a real register (`Register.demo`). The synthetic dataset itself is
`geo.data.demo_dataset`.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import shapely
from sqlalchemy import func, select

from geo.core.access import Action, Principal
from geo.register import decide, journal, knowledge, models, partners, programme, store
from geo.register.accounts import password_hasher
from geo.register.models import Account, Connector

if TYPE_CHECKING:
    from geo.register.store import Register, TandemView

#: The password of every demo account; shown on the login form, valid only in the demo register.
DEMO_PASSWORD = "demo-passwort"  # noqa: S105 - public by design: the demo register holds no real data
#: E-mail address -> roles of the demo accounts (the ``.invalid`` domain can never receive mail).
DEMO_ACCOUNTS = {
    "connector@demo.invalid": ("connector",),
    "koordination@demo.invalid": ("coordinator",),
    "admin@demo.invalid": ("admin",),
}


def seed_register(register: Register, sozialraum_ids: list[str]) -> bool:
    """
    Fill a brand-new demo register; a register that holds anything is left alone.

    Four invented connectors in two tandems with assignments, and one demo account per role (password
    `DEMO_PASSWORD`).

    Returns
    -------
    bool
        True when the register was seeded now.
    """
    if not register.demo:
        msg = "demo accounts belong in the demo register only"
        raise ValueError(msg)
    with register.read() as s:
        if (s.scalar(select(func.count()).select_from(Account)) or 0) or (
            s.scalar(select(func.count()).select_from(Connector)) or 0
        ):
            return False
    by = Principal(label="demo-seed", system=True, roles=frozenset({"coordinator", "admin"}))
    people = [
        ("Demo-Connectorin Amal", "Arabisch, Deutsch, Englisch"),
        ("Demo-Connector Bora", "Türkisch, Deutsch"),
        ("Demo-Connectorin Chiara", "Italienisch, Spanisch"),
        ("Demo-Connector Dmytro", "Ukrainisch, Russisch"),
    ]
    ids = [register.add_connector(n, langs, by=by, contact="demo@demo.invalid") for n, langs in people]
    start = date(2025, 3, 1)
    tandems = [
        register.create_tandem("Demo-Tandem Süd", ids[:2], by=by, start=start),
        register.create_tandem("Demo-Tandem Nord", ids[2:], by=by, start=start),
    ]
    for tandem, sid in zip(tandems, sozialraum_ids[:2], strict=False):
        register.assign(tandem, sid, by=by, valid_from=start, known_ids=set(sozialraum_ids))

    hashed = password_hasher().hash(DEMO_PASSWORD)
    with register.write(by, Action.MANAGE_ACCOUNTS, "demo.seed", target="account") as tx:
        for email, roles in DEMO_ACCOUNTS.items():
            tx.session.add(
                Account(
                    email=email,
                    display_name=f"Demo ({', '.join(roles)})",
                    roles=",".join(roles),
                    connector_id=ids[0] if "connector" in roles else None,
                    password_hash=hashed,
                    source="demo",
                )
            )
        tx.details = {"accounts": len(DEMO_ACCOUNTS)}
    return True


def programme_year_wanted() -> bool:
    """False when `SOZIALRAUM_DEMO_PROGRAMME=0`: a demo register with people and tandems only (tests use it)."""
    return os.environ.get("SOZIALRAUM_DEMO_PROGRAMME", "1").strip().lower() not in {
        "0",
        "false",
        "no",
        "nein",
    }


def seeded_register(sozialraum_ids: list[str], spaces: gpd.GeoDataFrame | None = None) -> Register:
    """
    The demo register (`geo.register.store.demo_database_url`), seeded as the app seeds it on first use.

    A brand-new demo register gets the invented people, tandems and accounts (`seed_register`) and, unless
    `programme_year_wanted` says no, a programme year (`seed_programme_year`); one that holds anything is
    opened as it is.

    Parameters
    ----------
    sozialraum_ids
        The Sozialraum IDs of the demo dataset shown (tandems are assigned to the first of them).
    spaces
        Their geometry: the demo partners get places on the map (without it, addresses only).
    """
    register = store.Register(store.demo_database_url(), demo=True)
    if seed_register(register, sozialraum_ids) and programme_year_wanted():
        seed_programme_year(register, sozialraum_ids, spaces=spaces)
    return register


DEMO_THEMES = (
    "Spielplatz ohne Beleuchtung",
    "Beratung nur auf Deutsch",
    "Bushaltestelle ohne Dach",
    "Sprachkurs ausgebucht",
    "Treffpunkt für Jugendliche fehlt",
    "Müll am Spielplatz",
    "Formulare schwer verständlich",
    "Kein Kita-Platz in der Nähe",
    "Ampel zu kurz für Ältere",
    "Infos zu Sportvereinen fehlen",
    "Termin beim Amt dauert lange",
    "Gehweg zugeparkt",
)


def seed_programme_year(
    register: Register,
    sozialraum_ids: list[str],
    *,
    today: date | None = None,
    seed: int = 2026,
    spaces: gpd.GeoDataFrame | None = None,
) -> None:
    """
    A plausible synthetic programme year in the demo register (every page shows something).

    Journeys with dates, qualifications, availability, a year of activities with hours (two a month per
    tandem, a few cancelled, three planned ahead), concerns with answers, and one meeting decision. All
    names are the demo's invented people; dates count back from `today`.
    """
    if not register.demo:
        msg = "the demo programme year belongs in the demo register only"
        raise ValueError(msg)
    today = today or date.today()
    rng = np.random.default_rng(seed)
    by = Principal(label="demo-seed", system=True, roles=frozenset({"coordinator", "admin"}))
    with register.batch(by, "demo.programme_year", target="demo"):  # one transaction: fast, all or nothing
        _seed_year(register, sozialraum_ids, by=by, today=today, rng=rng)
    with register.batch(by, "demo.knowledge", target="demo"):  # reads the year's held activities
        _seed_knowledge(register, sozialraum_ids, by=by, today=today, spaces=spaces)
    with register.batch(by, "demo.group", target="demo"):  # reads the year's concerns and who is active
        _seed_group(register, by=by, today=today)


def _seed_year(
    register: Register, sozialraum_ids: list[str], *, by: Principal, today: date, rng: np.random.Generator
) -> None:
    tandems = [tv for tv in register.tandems() if tv.active_on(today)]
    members = sorted({m for tv in tandems for m in tv.member_ids})
    _seed_journeys(register, members, by=by, today=today)
    _seed_activities(register, tandems, members, sozialraum_ids, by=by, today=today, rng=rng)
    backdate = _seed_concerns(register, tandems, sozialraum_ids, by=by, today=today, rng=rng)
    _backdate(register, backdate, by=by, today=today)


def _seed_journeys(register: Register, members: list[int], *, by: Principal, today: date) -> None:
    """Each member's way into the programme (interested, trained, active), one paused, two newcomers."""
    slots = [
        {("mo", "abend"), ("mi", "abend"), ("sa", "vormittag")},
        {("di", "abend"), ("do", "abend"), ("sa", "vormittag"), ("sa", "nachmittag")},
        {("mi", "nachmittag"), ("mi", "abend"), ("so", "nachmittag")},
        {("fr", "abend"), ("sa", "nachmittag")},
    ]
    for n, person in enumerate(members):
        # the engagement first (a fresh row, version 0): becoming active then adds the two-year end
        programme.set_engagement(
            register,
            person,
            by=by,
            version=0,
            availability=slots[n % 4],
            planned_end=today + timedelta(days=45) if n == 0 else None,
            set_end=True,
        )
        programme.set_status(register, person, "interessiert", today - timedelta(days=420), by=by)
        programme.set_status(register, person, "in_schulung", today - timedelta(days=400), by=by)
        programme.set_status(register, person, "aktiv", today - timedelta(days=365), by=by)
        programme.add_qualification(
            register, person, "Grundschulung Community Connectors", today - timedelta(days=372), by=by
        )
    if len(members) > 3:
        programme.set_status(
            register, members[3], "pausiert", today - timedelta(days=40), by=by, note="Prüfungszeit"
        )
        programme.add_qualification(register, members[1], "Erste Hilfe", today - timedelta(days=200), by=by)
    for name, status, days in (
        ("Demo-Connectorin Esra", "interessiert", 12),
        ("Demo-Connector Farid", "in_schulung", 30),
    ):
        person = register.add_connector(name, "Persisch, Deutsch", by=by, contact="demo@demo.invalid")
        programme.set_status(register, person, status, today - timedelta(days=days), by=by)


def _seed_activities(
    register: Register,
    tandems: list[TandemView],
    members: list[int],
    sozialraum_ids: list[str],
    *,
    by: Principal,
    today: date,
    rng: np.random.Generator,
) -> None:
    """Two held (or cancelled) activities a month per tandem for a year, with hours; three planned ahead."""
    known = set(sozialraum_ids)
    assigned = register.active_assignments(today)
    kinds = journal.ACTIVITY_KINDS[:4]
    for tv in tandems:
        places = list(assigned.loc[assigned["tandem"] == tv.name, "sozialraum_id"]) or sozialraum_ids[:1]
        for month in range(12, 0, -1):
            for half in (0, 15):
                day = today - timedelta(days=30 * month - half)
                starts = datetime(day.year, day.month, day.day, 17 if day.weekday() < 5 else 11)
                cancelled = rng.random() < 0.08
                activity = journal.add_activity(
                    register,
                    by=by,
                    kind=str(kinds[int(rng.integers(len(kinds)))]),
                    title=f"{tv.name.removeprefix('Demo-Tandem ')}: Treffen {starts:%m/%y}",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    sozialraum_id=str(places[int(rng.integers(len(places)))]),
                    known_ids=known,
                    status="abgesagt" if cancelled else "durchgefuehrt",
                    tandem_id=tv.id,
                    actual=None if cancelled else int(rng.integers(6, 26)),
                )
                if cancelled:
                    continue
                for person in tv.member_ids:
                    if person == members[-1] and day > today - timedelta(days=40):
                        continue  # paused
                    programme.record_hours(
                        register,
                        activity,
                        person,
                        by=by,
                        minutes=120,
                        prep_minutes=int(rng.choice([30, 45, 60, 90])),
                    )
        for ahead in (4, 11, 18):
            day = today + timedelta(days=ahead)
            starts = datetime(day.year, day.month, day.day, 18)
            journal.add_activity(
                register,
                by=by,
                kind="interkultureller_abend",
                title=f"{tv.name.removeprefix('Demo-Tandem ')}: Abend der Sprachen",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                sozialraum_id=str(places[0]),
                known_ids=known,
                status="geplant",
                tandem_id=tv.id,
                expected=20,
            )


def _seed_concerns(
    register: Register,
    tandems: list[TandemView],
    sozialraum_ids: list[str],
    *,
    by: Principal,
    today: date,
    rng: np.random.Generator,
) -> list[tuple[int, datetime, list[datetime]]]:
    """The demo's concerns with their answers so far, and when each was logged and answered (to backdate)."""
    known = set(sozialraum_ids)
    answers = (
        ("weitergeleitet", "An das zuständige Amt weitergegeben."),
        ("in_bearbeitung", "Das Amt prüft eine Lösung."),
        ("erledigt", "Erledigt: das Amt hat gehandelt."),
    )
    backdate: list[tuple[int, datetime, list[datetime]]] = []
    for n, thema in enumerate(DEMO_THEMES):
        tv = tandems[n % len(tandems)]
        logged = datetime.combine(today - timedelta(days=int(330 - n * 27)), datetime.min.time()) + timedelta(
            hours=10
        )
        concern = journal.add_concern(
            register,
            journal.ConcernInput(
                thema=thema,
                prioritaet=("hoch", "mittel", "niedrig")[n % 3],
                sozialraum_ids=(sozialraum_ids[(n * 7) % len(sozialraum_ids)],),
                tandem_id=tv.id,
                public=n % 2 == 0,
            ),
            by=by,
            known_ids=known,
        )
        steps = int(rng.integers(0, 4)) if n < len(DEMO_THEMES) - 2 else 0
        times = []
        at = logged
        for version, (status, comment) in enumerate(answers[:steps], start=1):
            at = at + timedelta(days=int(rng.integers(3, 30)))
            if at.date() >= today:
                break
            journal.change_status(register, concern, by=by, version=version, status=status, comment=comment)
            times.append(at)
        backdate.append((concern, logged, times))
    journal.record_decision(
        register,
        backdate[-1][0],
        by=by,
        text="Das Monatstreffen bittet die Koordination, das Anliegen dem Bezirksamt vorzulegen.",
        meeting_on=today - timedelta(days=3),
    )
    return backdate


def _backdate(
    register: Register, backdate: list[tuple[int, datetime, list[datetime]]], *, by: Principal, today: date
) -> None:
    """Concerns, their updates and notices dated when they happened in the invented year (not today)."""
    with register.write(by, Action.WRITE_REGISTER, "demo.backdate", target="demo") as tx:
        s = tx.session
        for concern, logged, times in backdate:
            record = s.get(models.Concern, concern)
            assert record is not None
            record.created_at = logged
            updates = list(
                s.scalars(
                    select(models.ConcernUpdate)
                    .where(models.ConcernUpdate.concern_id == concern, models.ConcernUpdate.kind == "status")
                    .order_by(models.ConcernUpdate.id)
                )
            )
            for update, when in zip(updates, [logged, *times], strict=False):
                update.created_at = when
            for notice in s.scalars(select(models.Notice).where(models.Notice.concern_id == concern)):
                notice.created_at = times[-1] if times else logged
                notice.seen_at = (
                    None
                    if times and times[-1] > datetime.combine(today, datetime.min.time()) - timedelta(days=10)
                    else notice.created_at
                )
        for decision in s.scalars(
            select(models.ConcernUpdate).where(models.ConcernUpdate.kind == "beschluss")
        ):
            if decision.meeting_on is not None:  # noted on the evening of the meeting
                decision.created_at = datetime.combine(decision.meeting_on, datetime.min.time()) + timedelta(
                    hours=19
                )
        tx.details = {"concerns": len(backdate)}


#: Invented local partners (name, topic, offer, languages, days and hours, accessibility, status, months since
#: last checked): what tandems build, so the partner pages, the map layer and the Mappe show something.
DEMO_PARTNERS = (
    ("Demo-Moscheeverein Am Markt", "kinder_jugend", "Hausaufgabenhilfe", "Arabisch, Türkisch, Deutsch",
     (("MO", "15:00", "17:30"), ("WE", "15:00", "17:30")), "Rampe am Seiteneingang", "active", 2),
    ("Demo-Sportverein Grün-Weiß", "freizeit_sport", "Schwimmen für Frauen", "Deutsch, Ukrainisch",
     (("SA", "10:00", "12:00"),), "Aufzug zum Bad", "active", 14),
    ("Demo-Familienzentrum Lindenhof", "familie", "Elterncafé", "Deutsch, Arabisch, Persisch",
     (("TU", "09:00", "11:00"), ("TH", "09:00", "11:00")), "stufenlos", "active", 5),
    ("Demo-Hotelprojekt Ukraine", "nachbarschaft", "Treffen der Hotelbewohner*innen", "Ukrainisch, Russisch",
     (("FR", "17:00", "19:00"),), "", "temporarily_closed", 3),
    ("Demo-Netzwerk Brücken bauen", "beratung", "Begleitung zu Ämtern", "Türkisch, Arabisch, Englisch",
     (("WE", "10:00", "13:00"),), "stufenlos", "active", 1),
    ("Demo-Sprachcafé Altstadt", "sprache", "Deutsch üben beim Tee", "Deutsch",
     (("TH", "18:00", "20:00"),), "", "closed", 20),
)  # fmt: skip
DEMO_CONTACTS = (
    ("Demo-Kontakt Leyla Beispiel", "Vorstand", "leyla.beispiel@partner.invalid", "consent"),
    ("Demo-Kontakt Jonas Muster", "Übungsleitung", "jonas.muster@partner.invalid", "business"),
    ("Demo-Kontakt Olena Probe", "Koordination", "olena.probe@partner.invalid", "consent"),
)
DEMO_DEBRIEFS = (
    ("de", "Mit Übersetzung kamen viele Familien, die Kinder haben mitgemacht.", "Früher anfangen, vor dem Abendessen.", "ja", "Familien mit Kindern", "Arabisch, Deutsch"),
    ("ar", "جاء كثير من الجيران الجدد، وكانت الترجمة مفيدة.", "نحتاج إلى مكان أكبر.", "ja", "Neu Zugezogene", "Arabisch"),
    ("tr", "Kahve ve çay ile sohbet çok iyi gitti.", "Daha fazla duyuru yapmalıyız.", "vielleicht", "Ältere", "Türkisch"),
    ("uk", "Мешканці готелю вперше прийшли на зустріч.", "Краще в суботу.", "ja", "Geflüchtete aus der Ukraine", "Ukrainisch, Russisch"),
    ("de", "Der Rundgang zur Bibliothek war ein Erfolg.", "Weniger Stationen, mehr Zeit.", "ja", "Jugendliche", "Deutsch, Englisch"),
    ("de", "Wenig Besuch bei Regen.", "Einen Raum drinnen reservieren.", "nein", "", ""),
)  # fmt: skip


def _seed_knowledge(
    register: Register,
    sozialraum_ids: list[str],
    *,
    by: Principal,
    today: date,
    spaces: gpd.GeoDataFrame | None,
) -> None:
    """Demo partners with offers, hours and invented contacts, debriefs, and one completed handover."""
    tandems = [tv for tv in register.tandems() if tv.active_on(today)]
    shapes = (
        {}
        if spaces is None
        else dict(zip(spaces["sozialraum_id"], spaces.to_crs("EPSG:4326").geometry, strict=True))
    )
    made = _seed_partners(register, tandems, sozialraum_ids, shapes, by=by, today=today)
    _seed_debriefs(register, made, by=by)
    if tandems:
        _seed_handover(register, tandems[-1], sozialraum_ids, shapes, by=by, today=today)


def _point_in(shapes: dict[str, shapely.Geometry], area: str, n: int) -> tuple[float, float] | None:
    """A point inside the Sozialraum, a little apart for each partner (so the pins do not stack)."""
    shape = shapes.get(area)
    if shape is None:
        return None
    centre = shape.representative_point()
    for step in range(8):
        angle = (n * 2.4 + step) % (2 * math.pi)
        radius = 0.0012 * (1 + n % 3) / (1 + step)
        candidate = shapely.Point(centre.x + radius * math.cos(angle), centre.y + radius * math.sin(angle))
        if shape.contains(candidate):
            return (round(candidate.y, 6), round(candidate.x, 6))
    return (round(centre.y, 6), round(centre.x, 6))


def _seed_partners(
    register: Register,
    tandems: list[TandemView],
    sozialraum_ids: list[str],
    shapes: dict[str, shapely.Geometry],
    *,
    by: Principal,
    today: date,
) -> list[tuple[str, int]]:
    """The demo partners with their places and invented contacts; (partner ID, tandem ID) of each."""
    assigned = register.active_assignments(today)
    known = set(sozialraum_ids)
    made: list[tuple[str, int]] = []
    for n, (name, topic, offer, languages, hours, access, status, months) in enumerate(DEMO_PARTNERS):
        tv = tandems[n % len(tandems)]
        areas = list(assigned.loc[assigned["tandem"] == tv.name, "sozialraum_id"]) or sozialraum_ids[:1]
        area = str(areas[n // len(tandems) % len(areas)])
        place = partners.Place(
            street=f"Demo-Straße {n + 1}",
            postal_code="40000",
            city="Demo-Stadt",
            point=_point_in(shapes, area, n),
            accessibility=access,
            hours=tuple(partners.Hours(*h) for h in hours),
        )
        partner_id = partners.save_partner(
            register,
            partners.PartnerInput(
                name=name,
                sozialraum_ids=(area,),
                description=f"{offer} und mehr (erfunden, Demo).",
                email=f"info@{partners.new_id()[:8]}.invalid",
                website="",
                status=status,
                tandem_ids=(tv.id,),
                keeper_id=tv.member_ids[0],
                offers=(partners.Offer(name=offer, topic=topic, languages=languages, cost="kostenlos"),),
                places=(place,),
                source="demo",
                assured_date=today - timedelta(days=int(months * 30.5)),
            ),
            by=by,
            known_ids=known,
        )
        made.append((partner_id, tv.id))
    for (partner_id, _), (name, title, email, basis) in zip(made, DEMO_CONTACTS, strict=False):
        partners.add_contact(
            register,
            partner_id,
            partners.Contact(
                name=name,
                title=title,
                email=email,
                basis=basis,
                consent_on=today - timedelta(days=200) if basis == "consent" else None,
            ),
            by=by,
        )
    return made


def _seed_debriefs(register: Register, made: list[tuple[str, int]], *, by: Principal) -> None:
    """Debriefs of the latest held activities in four languages, the German ones to repeat published."""
    held = journal.activities(register, status="durchgefuehrt")
    for (lang, worked, differently, repeat, groups, languages), row in zip(
        DEMO_DEBRIEFS, held.sort_values("starts_at", ascending=False).itertuples(), strict=False
    ):
        with_partner = [p for p, t in made if t == row.tandem_id][:1]
        debrief = knowledge.save_debrief(
            register,
            int(row.id),
            knowledge.DebriefInput(
                worked=worked,
                differently=differently,
                repeat=repeat,
                reached=int(row.actual) if row.actual == row.actual and row.actual is not None else None,
                groups=groups,
                languages=languages,
                partner_ids=tuple(with_partner),
                lang=lang,
            ),
            by=by,
        )
        if lang == "de" and repeat == "ja":
            knowledge.publish_debrief(register, debrief, by=by, public=True, version=1)


def _seed_handover(
    register: Register,
    tv: TandemView,
    sozialraum_ids: list[str],
    shapes: dict[str, shapely.Geometry],
    *,
    by: Principal,
    today: date,
) -> None:
    """A connector who moved away: her partner relation went to her tandem partner, she advises as alumni."""
    known = set(sozialraum_ids)
    leaving = register.add_connector(
        "Demo-Connectorin Hana", "Persisch, Deutsch", by=by, contact="demo@demo.invalid"
    )
    stays = tv.member_ids[0]
    with_hana = register.create_tandem(
        "Demo-Tandem Mitte", [leaving, stays], by=by, start=today - timedelta(days=500)
    )
    area = str(sozialraum_ids[min(5, len(sozialraum_ids) - 1)])
    register.assign(with_hana, area, by=by, valid_from=today - timedelta(days=500), known_ids=known)
    partner_id = partners.save_partner(
        register,
        partners.PartnerInput(
            name="Demo-Stadtteilbibliothek",
            sozialraum_ids=(area,),
            description="Lesungen und Lernplätze (erfunden, Demo).",
            tandem_ids=(with_hana,),
            keeper_id=leaving,
            offers=(
                partners.Offer(name="Vorlesestunde", topic="kinder_jugend", languages="Deutsch, Persisch"),
            ),
            places=(
                partners.Place(
                    street="Demo-Platz 1",
                    postal_code="40000",
                    city="Demo-Stadt",
                    point=_point_in(shapes, area, 9),
                ),
            ),
            source="demo",
        ),
        by=by,
        known_ids=known,
    )
    knowledge.hand_over(  # inside the demo's one transaction: the plan is known, one partner
        register,
        leaving,
        by=by,
        successors={f"partner:{partner_id}": f"connector:{stays}"},
        reason="moved",
        note="Umzug nach Köln; bleibt als Ehemalige für Fragen erreichbar.",
        alumni=True,
    )


def _demo_flyer() -> bytes:
    """An invented flyer (PNG) for the demo's consultation, drawn here: no file leaves the project's code."""
    import io  # noqa: PLC0415 - only the demo draws it: the module loads without matplotlib

    from matplotlib.figure import Figure  # noqa: PLC0415

    fig = Figure(figsize=(4, 5.6), dpi=90, facecolor="#fdf6e3")
    fig.text(0.5, 0.86, "Familientag", ha="center", fontsize=26, fontweight="bold", color="#2b6cb0")
    fig.text(0.5, 0.76, "im Rathaus", ha="center", fontsize=16)
    for n, line in enumerate(("Samstag, 14 bis 18 Uhr", "Spiele · Beratung · Essen", "Eintritt frei")):
        fig.text(0.5, 0.56 - n * 0.1, line, ha="center", fontsize=13)
    fig.text(0.5, 0.08, "Demo (erfunden)", ha="center", fontsize=10, color="#9c4221")
    out = io.BytesIO()
    fig.savefig(out, format="png", facecolor=fig.get_facecolor())
    return out.getvalue()


@dataclass(frozen=True)
class _Group:
    """The demo group as the seeding functions need it: the register, the seeding principal, the people."""

    register: Register
    by: Principal
    people: list[int]
    theme_ids: dict[str, int]
    today: date

    def member(self, connector_id: int) -> Principal:
        return Principal(label="demo-seed", roles=frozenset({"connector"}), connector_id=connector_id)

    def propose(self, author: int, kind: str, title: str, text: str, themes: tuple[str, ...] = ()) -> int:

        linked = tuple(self.theme_ids[t] for t in themes if t in self.theme_ids)
        data = decide.ProposalInput(kind=kind, title=title, text=text, concern_ids=linked)
        return decide.propose(self.register, data, by=self.member(author))


def _seed_group(register: Register, *, by: Principal, today: date) -> None:
    """
    The connectors' year as a group, invented like everything in the demo.

    Two elections, four monthly meetings decided by all three methods (one tie), proposals with supports and
    comments, two decisions that went to the city (one answered), two consultations (one closed).
    """
    people = [c.id for c in register.connectors() if c.active]
    if len(people) < 3:
        return
    concerns = journal.concerns(register, by=by)
    today = min(today, date.today())  # meetings lie in the past, deadlines ahead, whatever day is asked for
    group = _Group(register, by, people, {str(r.thema): int(r.id) for r in concerns.itertuples()}, today)
    meetings = [
        decide.record_meeting(register, today - timedelta(days=days), people, by=by)
        for days in (150, 120, 60, 30)
    ]
    first = today - timedelta(days=150)
    for person in people[:2]:
        decide.record_election(register, person, "speaker", by=by, valid_from=first, meeting_id=meetings[0])
    for person in people[:3]:
        decide.record_election(register, person, "moderator", by=by, valid_from=first, meeting_id=meetings[0])
    _seed_first_meetings(group, meetings)
    _seed_later_meetings(group, meetings)
    flyer = _seed_consultations(group)
    _close_and_answer(register, by=by, flyer=flyer, light_title="Licht am Spielplatz")


def _seed_first_meetings(group: _Group, meetings: list[int]) -> None:
    """The first two meetings: when to meet (majority), where to hold the summer party (consensing)."""
    register, by, people, today, propose, member = (
        group.register,
        group.by,
        group.people,
        group.today,
        group.propose,
        group.member,
    )
    a, b, c = people[0], people[1], people[2]
    times = propose(
        c, "group", "Treffen abwechselnd abends und samstags", "So können alle kommen, auch mit Arbeit."
    )
    decide.record_decision(
        register,
        meetings[0],
        decide.DecisionRecord(
            "Treffen abwechselnd abends und samstags",
            "majority",
            {p: ("no" if n == len(people) - 1 else "yes") for n, p in enumerate(people)},
            proposal_id=times,
            carried_by=c,
            public=True,
        ),
        by=by,
    )
    fest = propose(b, "activity", "Sommerfest für alle Nachbarn", "Mit Musik aus vielen Ländern.")
    for supporter in (a, c):
        decide.support(register, fest, by=member(supporter))
    options = ("Im Park", "Im Stadtteilzentrum", "Kein Sommerfest")
    resistance = {
        "Im Park": dict(zip(people, [0, 2, 1, 3, 0, 1, 2], strict=False)),
        "Im Stadtteilzentrum": dict(zip(people, [4, 3, 5, 2, 6, 4, 3], strict=False)),
        "Kein Sommerfest": dict(zip(people, [9, 10, 8, 9, 10, 9, 10], strict=False)),
    }
    decide.record_decision(
        register,
        meetings[1],
        decide.DecisionRecord(
            "Wo feiern wir das Sommerfest?",
            "consensing",
            resistance,
            options=options,
            proposal_id=fest,
            carried_by=b,
            due_on=today - timedelta(days=70),
            public=True,
        ),
        by=by,
    )


def _seed_later_meetings(group: _Group, meetings: list[int]) -> None:
    """The third meeting: light at the playground, to the city; then the last meeting."""
    register, by, people, today, propose, member = (
        group.register,
        group.by,
        group.people,
        group.today,
        group.propose,
        group.member,
    )
    a, b, c = people[0], people[1], people[2]
    light = propose(
        a,
        "city",
        "Licht am Spielplatz",
        "Im Winter ist es früh dunkel. Eltern meiden den Platz.",
        ("Spielplatz ohne Beleuchtung",),
    )
    for supporter in (b, c):
        decide.support(register, light, by=member(supporter))
    decide.comment(register, light, "Auch der Weg dorthin ist dunkel.", by=member(c))
    decide.record_decision(
        register,
        meetings[2],
        decide.DecisionRecord(
            "Licht am Spielplatz",
            "consent",
            {p: (False, "") for p in people},
            proposal_id=light,
            carried_by=a,
            due_on=today - timedelta(days=30),
            public=True,
            to_city=True,
        ),
        by=by,
    )
    _seed_last_meeting(group, meetings)


def _seed_last_meeting(group: _Group, meetings: list[int]) -> None:
    """The last meeting: advice in more languages (blocked), what to count first (a tie), plain forms."""
    register, by, people, propose, member = (
        group.register,
        group.by,
        group.people,
        group.propose,
        group.member,
    )
    a, b, c = people[0], people[1], people[2]
    advice = propose(
        b,
        "city",
        "Beratung auch auf Arabisch und Türkisch",
        "Viele verstehen die Beratung nicht.",
        ("Beratung nur auf Deutsch", "Formulare schwer verständlich"),
    )
    decide.support(register, advice, by=member(a))
    decide.record_decision(
        register,
        meetings[3],
        decide.DecisionRecord(
            "Beratung auch auf Arabisch und Türkisch",
            "consent",
            {p: (n == 1, "Erst die Zahlen sammeln" if n == 1 else "") for n, p in enumerate(people)},
            proposal_id=advice,
        ),
        by=by,
    )
    decide.record_decision(
        register,
        meetings[3],
        decide.DecisionRecord(
            "Welche Zeiten sammeln wir zuerst?",
            "consensing",
            {
                "Wartezeiten beim Amt": dict.fromkeys(people, 2),
                "Fragen in der Beratung": dict.fromkeys(people, 2),
            },
            options=("Wartezeiten beim Amt", "Fragen in der Beratung"),
        ),
        by=by,
    )
    forms = propose(
        a,
        "city",
        "Formulare in einfacher Sprache",
        "Mit Beispielen zum Ausfüllen.",
        ("Formulare schwer verständlich",),
    )
    for supporter in (b, c):
        decide.support(register, forms, by=member(supporter))
    decide.record_decision(
        register,
        meetings[3],
        decide.DecisionRecord(
            "Formulare in einfacher Sprache",
            "majority",
            dict.fromkeys(people, "yes"),
            proposal_id=forms,
            carried_by=b,
            to_city=True,
        ),
        by=by,
    )


def _seed_consultations(group: _Group) -> int:
    """A proposal for a language café and two consultations (a flyer, office hours); the flyer's ID."""
    register, by, people, propose, member = (
        group.register,
        group.by,
        group.people,
        group.propose,
        group.member,
    )
    a, b, c = people[0], people[1], people[2]
    cafe = propose(c, "activity", "Sprachcafé in der Bücherei", "Einmal im Monat, mit Kinderecke.")
    decide.support(register, cafe, by=member(b))
    decide.comment(register, cafe, "Die Bücherei hat dienstags einen freien Raum.", by=member(a))
    flyer = decide.open_consultation(
        register,
        "Ist der Flyer zum Familientag verständlich? Was fehlt?",
        by=by,
        deadline=date.today() + timedelta(days=1),
        languages=("de", "ar", "tr"),
        document="Familientag im Rathaus: Spiele, Beratung, Essen. Eintritt frei.",
        attachment=decide.Attachment("flyer-familientag.png", _demo_flyer()),
    )
    decide.answer_consultation(register, flyer, "Bitte die Uhrzeit groß schreiben.", by=member(a))
    decide.answer_consultation(
        register, flyer, "الرجاء ذكر أن الدخول مجاني للأطفال أيضًا.", by=member(b), lang="ar"
    )
    hours = decide.open_consultation(
        register,
        "Welche Zeiten passen für eine Sprechstunde im Stadtteilbüro?",
        by=by,
        deadline=date.today() + timedelta(days=14),
        languages=("de", "en", "ar", "tr", "uk", "ru"),
    )
    decide.answer_consultation(
        register, hours, "Samstagvormittag, dann können Berufstätige kommen.", by=member(c)
    )
    return flyer


def _close_and_answer(register: Register, *, by: Principal, flyer: int, light_title: str) -> None:
    """The city closes the flyer consultation and answers the playground decision (the demo's "we did")."""
    session = register._batch.session
    decide.close_consultation(
        register,
        flyer,
        "Uhrzeit groß gedruckt, »Eintritt frei, auch für Kinder« ergänzt, Text auf Arabisch.",
        by=by,
        version=1,
    )
    decision = session.scalars(select(models.Decision).where(models.Decision.title == light_title)).one()
    decide.answer_decision(
        register,
        decision.id,
        by=by,
        version=decision.version,
        answer="Das Gartenamt stellt zwei Laternen auf. Der Auftrag ist vergeben.",
        changed="Zwei Laternen bis Ende Februar.",
    )
    # as the year ran: the flyer was asked three weeks ago and closed after two, the city answered in 48 days
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    asked = session.get(models.Consultation, flyer)
    asked.created_at, asked.closed_at = now - timedelta(days=21), now - timedelta(days=7)
    decision.answered_at = now - timedelta(days=12)
    for later in session.scalars(select(models.Consultation).where(models.Consultation.id != flyer)):
        later.created_at = now - timedelta(days=3)
