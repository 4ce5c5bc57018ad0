"""The programme year: journeys, hours and the certificate, planning with people, calendar files."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from pypdf import PdfReader

from geo.core.access import AccessDeniedError, Action, Principal
from geo.output import formats, programme_pdfs
from geo.register import journal, models, programme
from geo.register.store import ConcurrentEditError, Register, RegisterError

COORD = Principal(label="test-coordinator", roles=frozenset({"coordinator"}))
IDS = {"011001", "011002"}


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _connector(register: Register, connector_id: int) -> Principal:
    """A logged-in connector as the app builds one (account linked to the record)."""
    from geo.register import accounts

    account, _code = accounts.create_account(
        register,
        by=Principal.cli(),
        email=f"c{connector_id}@example.org",
        roles="connector",
        connector_id=connector_id,
    )
    return accounts.principal_for(register, account)


@pytest.fixture
def reg(tmp_path: object) -> Iterator[Register]:
    register = Register(f"sqlite:///{tmp_path}/r.sqlite")  # type: ignore[str-format]
    yield register
    register.close()


def _crafted(register: Register) -> dict[str, int]:
    """Ana and Omar in Tandem Süd; Lea and Kim in Tandem Nord; three held activities, one cancelled."""
    ana = register.add_connector("Ana Beispiel", "Spanisch", by=COORD)
    omar = register.add_connector("Omar", "Arabisch", by=COORD)
    lea = register.add_connector("Lea", "Türkisch", by=COORD)
    kim = register.add_connector("Kim", "Koreanisch", by=COORD)
    sued = register.create_tandem("Tandem Süd", [ana, omar], start=date(2025, 1, 1), by=COORD)
    nord = register.create_tandem("Tandem Nord", [lea, kim], start=date(2025, 1, 1), by=COORD)
    out = {"ana": ana, "omar": omar, "lea": lea, "sued": sued, "nord": nord}
    for name, day, status in (
        ("Quiz", datetime(2026, 1, 10, 18), "durchgefuehrt"),
        ("Rundgang", datetime(2026, 1, 20, 11), "durchgefuehrt"),
        ("Abend", datetime(2026, 2, 5, 18), "durchgefuehrt"),
        ("Abgesagt", datetime(2026, 2, 9, 18), "abgesagt"),
    ):
        out[name] = journal.add_activity(
            register,
            by=COORD,
            kind="quizabend",
            title=name,
            starts_at=day,
            ends_at=day + timedelta(hours=2),
            sozialraum_id="011001",
            known_ids=IDS,
            status=status,
            tandem_id=sued,
        )
    return out


def test_hours_totals_and_the_certificate_by_hand(reg: Register) -> None:
    ids = _crafted(reg)
    for activity, minutes, prep in (("Quiz", 120, 30), ("Rundgang", 90, 0), ("Abend", 60, 60)):
        programme.record_hours(reg, ids[activity], ids["ana"], by=COORD, minutes=minutes, prep_minutes=prep)
    programme.record_hours(reg, ids["Quiz"], ids["omar"], by=COORD, minutes=120)  # someone else's hours
    # a correction replaces the entry; 0 and 0 removes it
    programme.record_hours(reg, ids["Rundgang"], ids["ana"], by=COORD, minutes=90, prep_minutes=0)
    frame = programme.hours(reg, ids["ana"], by=COORD, start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert frame["title"].tolist() == ["Quiz", "Rundgang", "Abend"]
    assert frame["hours"].tolist() == [2.5, 1.5, 2.0]
    sums = programme.totals(frame)
    assert sums[["year", "month", "activities", "hours"]].values.tolist() == [
        [2026, 1, 2, 4.0],
        [2026, 2, 1, 2.0],
        [2026, 0, 3, 6.0],  # the year's total
    ]
    only_feb = programme.hours(reg, ids["ana"], by=COORD, start=date(2026, 2, 1), end=date(2026, 2, 28))
    assert only_feb["title"].tolist() == ["Abend"]
    with pytest.raises(RegisterError, match="abgesagt"):
        programme.record_hours(reg, ids["Abgesagt"], ids["ana"], by=COORD, minutes=60)
    with pytest.raises(RegisterError):
        programme.record_hours(reg, ids["Quiz"], ids["ana"], by=COORD, minutes=24 * 60 + 1)
    programme.record_hours(reg, ids["Quiz"], ids["omar"], by=COORD, minutes=0, prep_minutes=0)
    assert programme.hours(reg, ids["omar"], by=COORD).empty

    journey = programme.journey(reg, ids["ana"], by=COORD)
    reg_q = programme.add_qualification
    reg_q(reg, ids["ana"], "Grundschulung", date(2025, 12, 1), by=COORD)
    journey = programme.journey(reg, ids["ana"], by=COORD)
    pdf = programme_pdfs.certificate(
        journey, frame, date(2026, 1, 1), date(2026, 12, 31), today=date(2026, 11, 23)
    )
    text = _pdf_text(pdf)
    assert "Ehrenamtsnachweis" in text and "Ana Beispiel" in text and "Community Connectors" in text
    assert "01.01.2026" in text and "31.12.2026" in text
    assert all(title in text for title in ("Quiz", "Rundgang", "Abend")) and "Abgesagt" not in text
    assert "Insgesamt 6,0 Stunden bei 3 Aktivitäten" in text
    assert "Stunden reichen nicht" in text and "200 Stunden im Jahr" in text
    assert "Pressemitteilung vom 26.01.2026" in text  # the rule's source
    assert "Grundschulung (01.12.2025)" in text
    assert "Unterschrift" in text and "Seite 1 von 1" in text


def test_ehrenamtskarte_threshold_by_hand() -> None:
    year = (date(2026, 1, 1), date(2026, 12, 31))
    assert programme.ehrenamtskarte(200, *year).reached
    assert not programme.ehrenamtskarte(199.5, *year).reached
    assert programme.ehrenamtskarte(199.5, *year).needed == 200
    ten_weeks = programme.ehrenamtskarte(40, date(2026, 3, 2), date(2026, 5, 10))  # 70 days: 4 h a week
    assert ten_weeks.per_week == pytest.approx(4.0) and ten_weeks.reached and not ten_weeks.full_year
    assert ten_weeks.needed == pytest.approx(200 * 70 / 365)
    assert not programme.ehrenamtskarte(38, date(2026, 3, 2), date(2026, 5, 10)).reached  # 38 < 38.36
    with pytest.raises(RegisterError):
        programme.ehrenamtskarte(1, date(2026, 2, 1), date(2026, 1, 1))


def test_only_the_person_and_coordinators_see_and_write_hours_and_journey(reg: Register) -> None:
    ids = _crafted(reg)
    ana, lea = _connector(reg, ids["ana"]), _connector(reg, ids["lea"])
    programme.record_hours(
        reg, ids["Quiz"], ids["ana"], by=ana, minutes=120
    )  # her own, her tandem's activity
    assert programme.hours(reg, ids["ana"], by=ana)["hours"].tolist() == [2.0]
    with pytest.raises(AccessDeniedError):
        programme.hours(reg, ids["ana"], by=lea)
    with pytest.raises(AccessDeniedError):
        programme.journey(reg, ids["ana"], by=lea)
    with pytest.raises(AccessDeniedError):
        programme.journey(reg, ids["ana"], by=Principal.public())
    with pytest.raises(AccessDeniedError):
        programme.record_hours(reg, ids["Quiz"], ids["omar"], by=ana, minutes=60)  # not her record
    with pytest.raises(AccessDeniedError):
        programme.record_hours(reg, ids["Quiz"], ids["lea"], by=lea, minutes=60)  # not Lea's tandem
    with pytest.raises(AccessDeniedError):
        programme.set_status(reg, ids["ana"], "pausiert", date(2026, 3, 1), by=ana)  # coordinators only
    with pytest.raises(AccessDeniedError):
        programme.set_engagement(
            reg, ids["ana"], by=ana, version=0, planned_end=date(2030, 1, 1), set_end=True
        )
    programme.set_engagement(reg, ids["ana"], by=ana, version=0, availability={("mo", "abend")})
    assert programme.journey(reg, ids["ana"], by=ana).availability == {("mo", "abend")}
    assert programme.people(reg, by=ana) == {ids["ana"]: "Ana Beispiel"}
    assert set(programme.people(reg, by=COORD)) == {ids["ana"], ids["omar"], ids["lea"], ids["lea"] + 1}
    assert programme.people(reg, by=Principal.public()) == {}
    assert set(programme.activities_for_hours(reg, ids["lea"], by=lea)) == set()  # Tandem Nord did nothing


def test_journey_steps_planned_end_and_notice(reg: Register) -> None:
    ids = _crafted(reg)
    person = ids["omar"]
    programme.set_status(reg, person, "interessiert", date(2025, 1, 10), by=COORD)
    programme.set_status(reg, person, "in_schulung", date(2025, 2, 1), by=COORD)
    programme.set_status(reg, person, "aktiv", date(2025, 3, 1), by=COORD, note="nach der Grundschulung")
    with pytest.raises(RegisterError):
        programme.set_status(reg, person, "pausiert", date(2025, 2, 15), by=COORD)  # before the last step
    with pytest.raises(RegisterError):
        programme.set_status(reg, person, "irgendwas", date(2025, 4, 1), by=COORD)
    j = programme.journey(reg, person, by=COORD)
    assert [s for s, _d, _n in j.steps] == ["interessiert", "in_schulung", "aktiv"] and j.status == "aktiv"
    assert j.planned_end == date(2027, 2, 28)  # two years from joining
    assert not j.ending_soon(date(2026, 12, 1)) and j.ending_soon(date(2027, 1, 1))
    assert j.days_left(date(2027, 2, 18)) == 10
    with pytest.raises(ConcurrentEditError):
        programme.set_engagement(reg, person, by=COORD, version=j.version + 1, availability=set())
    soon = programme.ending_soon(reg, by=COORD, today=date(2027, 1, 15))
    assert soon["connector_id"].tolist() == [person] and soon["days_left"].tolist() == [44]
    programme.set_status(reg, person, "ausgeschieden", date(2025, 9, 30), by=COORD)
    left = next(c for c in reg.private_connectors(by=COORD) if c.id == person)
    assert not left.active
    assert programme.ending_soon(reg, by=COORD, today=date(2027, 1, 15)).empty  # left: no notice
    assert programme.journey(reg, person, by=COORD).status == "ausgeschieden"
    from geo.register import accounts

    log = accounts.audit_log(reg, by=Principal.cli())
    assert "connector.status" in set(log["action"])
    assert "nach der Grundschulung" not in log.to_csv()  # the audit log keeps no values


def test_planning_shows_who_is_available_and_clashes(reg: Register) -> None:
    ids = _crafted(reg)
    assert programme.slots_of(datetime(2026, 3, 2, 16, 30), datetime(2026, 3, 2, 18)) == {
        ("mo", "nachmittag"),
        ("mo", "abend"),
    }
    programme.set_engagement(reg, ids["ana"], by=COORD, version=0, availability={("mo", "abend")})
    programme.set_engagement(reg, ids["omar"], by=COORD, version=0, availability={("di", "abend")})
    monday = datetime(2026, 3, 2, 18)
    checks = {
        c.connector_id: c
        for c in programme.planning_check(reg, ids["sued"], monday, monday + timedelta(hours=2), by=COORD)
    }
    assert checks[ids["ana"]].available is True and checks[ids["omar"]].available is False
    assert checks[ids["ana"]].clashes == ()
    # the Quiz on 10 January 18:00–20:00 clashes with a plan at 19:00
    at = datetime(2026, 1, 10, 19)
    clash = programme.planning_check(reg, ids["sued"], at, at + timedelta(hours=1), by=COORD)
    assert all(c.clashes == ("Quiz (10.01.2026 18:00)",) for c in clash)
    programme.set_status(reg, ids["ana"], "pausiert", date(2026, 1, 1), by=COORD)
    paused = {c.connector_id: c for c in programme.planning_check(reg, ids["sued"], monday, monday, by=COORD)}
    assert paused[ids["ana"]].available is False
    lea = _connector(reg, ids["lea"])
    with pytest.raises(AccessDeniedError):
        programme.planning_check(reg, ids["sued"], monday, monday, by=lea)
    # a member sees the other member's ID, not the name
    ana = _connector(reg, ids["ana"])
    seen = {
        c.connector_id: c.name for c in programme.planning_check(reg, ids["sued"], monday, monday, by=ana)
    }
    assert seen == {ids["ana"]: "Ana Beispiel", ids["omar"]: ""}


def test_calendar_file_has_the_time_zone_and_two_alarms(reg: Register) -> None:
    ids = _crafted(reg)
    summer = datetime(2026, 7, 1, 18)
    journal.add_activity(
        reg, by=COORD, kind="quizabend", title="Sommer", starts_at=summer, sozialraum_id="011001",
        known_ids=IDS, tandem_id=ids["sued"],
    )  # fmt: skip
    raw = formats.ics(reg, ids["sued"], by=COORD)
    assert b"BEGIN:VTIMEZONE" in raw and b"TZID:Europe/Berlin" in raw
    cal = icalendar.Calendar.from_ical(raw)
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    assert "Abgesagt" not in events
    winter = events["Quiz"]["dtstart"].dt
    assert winter.astimezone(UTC).hour == 17 and events["Sommer"]["dtstart"].dt.astimezone(UTC).hour == 16
    assert b"DTSTART;TZID=Europe/Berlin:20260110T180000" in raw
    alarms = events["Quiz"].walk("VALARM")
    assert sorted(a["trigger"].dt for a in alarms) == [-timedelta(days=1), -timedelta(hours=2)]
    assert all(str(a["action"]) == "DISPLAY" for a in alarms)


def test_erasure_removes_the_journey_but_keeps_anonymous_hours(reg: Register) -> None:
    from geo.register import privacy

    ids = _crafted(reg)
    programme.set_status(reg, ids["ana"], "aktiv", date(2025, 3, 1), by=COORD, note="SENTINEL-Notiz")
    programme.add_qualification(reg, ids["ana"], "SENTINEL-Kurs", date(2025, 4, 1), by=COORD)
    programme.set_engagement(reg, ids["ana"], by=COORD, version=1, availability={("mo", "abend")})
    programme.record_hours(reg, ids["Quiz"], ids["ana"], by=COORD, minutes=120)
    privacy.erase_connector(reg, ids["ana"], by=COORD)
    with pytest.raises(RegisterError):
        programme.journey(reg, ids["ana"], by=COORD)
    with reg.read() as s:
        from sqlalchemy import select

        notes = list(s.scalars(select(models.ConnectorStatus.note)))
        courses = list(s.scalars(select(models.Qualification.name)))
        engagements = list(s.scalars(select(models.Engagement)))
        minutes = list(s.scalars(select(models.Participation.minutes)))
    assert "SENTINEL-Notiz" not in notes and "SENTINEL-Kurs" not in courses and not engagements
    assert minutes == [120]  # the hours stay for the programme's totals, tied to the erased record only


def test_programme_tables_are_in_the_backup_and_the_migration() -> None:
    from geo.register import backup

    names = {t.name for t in backup._tables()}
    assert {
        "connector_status",
        "engagement",
        "qualification",
        "participation",
        "notice",
        "digest_log",
    } <= names
    assert Action.OWN_RECORD in Principal(label="c", roles=frozenset({"connector"})).actions()
