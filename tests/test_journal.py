"""Activities, the concern log with its answers, .ics, and the spreadsheet round trip."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import openpyxl
import pandas as pd
import pytest

from geo.core.access import AccessDeniedError, Action, Principal
from geo.output import formats
from geo.register import journal
from geo.register.store import ConcurrentEditError, Register, RegisterError

COORD = Principal(label="test-coordinator", roles=frozenset({"coordinator"}))
ADMIN = Principal(label="test-admin", roles=frozenset({"admin"}))

IDS = {"011001", "037001", "063007"}


@pytest.fixture
def register(register_url: str) -> Iterator[Register]:
    reg = Register(register_url)
    a = reg.add_connector("Ana", "Spanisch", by=COORD)
    b = reg.add_connector("Omar", "Arabisch", by=COORD)
    reg.create_tandem("Tandem Süd", [a, b], start=date(2025, 1, 1), by=COORD)
    yield reg
    reg.close()


def test_activities_filters_and_ics(register: Register) -> None:
    journal.add_activity(
        register,
        kind="stadtteilrundgang",
        title="Rundgang für Neue",
        starts_at=datetime(2025, 5, 3, 14),
        sozialraum_id="037001",
        known_ids=IDS,
        tandem_id=1,
        venue="Welcome Point Oberbilk",
        languages="Arabisch, Deutsch",
        expected=12,
        by=COORD,
    )
    journal.add_activity(
        register,
        kind="quizabend",
        title="Quiz",
        starts_at=datetime(2025, 6, 1, 19),
        sozialraum_id="011001",
        known_ids=IDS,
        tandem_id=1,
        status="abgesagt",
        by=COORD,
    )
    journal.add_activity(
        register,
        kind="infoveranstaltung",
        title="Ohne Tandem",
        starts_at=datetime(2025, 5, 10, 10),
        sozialraum_id="011001",
        known_ids=IDS,
        by=COORD,
    )
    all_ = journal.activities(register)
    assert all_["title"].tolist() == ["Rundgang für Neue", "Ohne Tandem", "Quiz"]  # by start time
    assert journal.activities(register, tandem_id=1)["tandem"].unique().tolist() == ["Tandem Süd"]
    assert journal.activities(register, status="abgesagt")["title"].tolist() == ["Quiz"]
    assert journal.activities(register, start=date(2025, 5, 4), end=date(2025, 5, 31))["title"].tolist() == [
        "Ohne Tandem"
    ]
    cal = icalendar.Calendar.from_ical(formats.ics(register, 1))
    events = [c for c in cal.walk() if c.name == "VEVENT"]
    assert [str(e["summary"]) for e in events] == ["Rundgang für Neue"]  # the cancelled one is left out
    assert events[0].decoded("dtstart") == datetime(2025, 5, 3, 14, tzinfo=ZoneInfo("Europe/Berlin"))
    assert "Oberbilk" in str(events[0]["location"])
    with pytest.raises(RegisterError, match="999999"):
        journal.add_activity(
            register,
            kind="quizabend",
            title="x",
            starts_at=datetime(2025, 1, 1),
            sozialraum_id="999999",
            known_ids=IDS,
            by=COORD,
        )


def test_activity_update_refuses_stale_version(register: Register) -> None:
    aid = journal.add_activity(
        register,
        kind="quizabend",
        title="Quiz",
        starts_at=datetime(2025, 6, 1, 19),
        sozialraum_id="011001",
        known_ids=IDS,
        by=COORD,
    )
    journal.update_activity(register, aid, version=1, status="durchgefuehrt", actual=23, by=COORD)
    row = journal.activities(register).iloc[0]
    assert (row["status"], row["actual"]) == ("durchgefuehrt", 23)
    with pytest.raises(ConcurrentEditError):
        journal.update_activity(register, aid, version=1, notes="zu spät", by=COORD)


def test_status_history_and_feedback(register: Register) -> None:
    cid = journal.add_concern(
        register,
        journal.ConcernInput(
            thema="Spielplatz kaputt", sozialraum_ids=("037001",), prioritaet="hoch", tandem_id=1
        ),
        known_ids=IDS,
        by=COORD,
    )
    other = journal.add_concern(
        register,
        journal.ConcernInput(thema="Beleuchtung", sozialraum_ids=("011001",)),
        known_ids=IDS,
        by=COORD,
    )
    with pytest.raises(RegisterError, match="Kommentar"):
        journal.change_status(register, cid, version=1, status="weitergeleitet", comment=" ", by=COORD)
    journal.change_status(
        register, cid, version=1, status="weitergeleitet", comment="An das Gartenamt gegeben.", by=COORD
    )
    journal.change_status(
        register, other, version=1, status="in_bearbeitung", comment="Stadtwerke prüfen.", by=COORD
    )
    journal.change_status(
        register, cid, version=2, status="erledigt", comment="Repariert am 3. Mai.", by=COORD
    )
    with pytest.raises(ConcurrentEditError):
        journal.change_status(register, cid, version=2, status="offen", comment="veraltet", by=COORD)
    assert journal.history(register, cid, by=COORD)["status"].tolist() == [
        "offen",
        "weitergeleitet",
        "erledigt",
    ]
    feed = journal.feedback(register, by=COORD)
    assert feed["comment"].tolist() == [
        "Repariert am 3. Mai.",
        "Stadtwerke prüfen.",
        "An das Gartenamt gegeben.",
    ]
    counts = journal.counts_by_sozialraum(register)
    assert counts.loc["011001", "concerns"] == 1
    assert "037001" not in counts.index or counts.loc["037001", "concerns"] == 0  # erledigt is not open


def _sheet(tmp_path: Path, rows: list[list[object]], header: list[str]) -> Path:
    book = openpyxl.Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    path = tmp_path / "anliegen.xlsx"
    book.save(path)
    return path


def test_sheet_in_any_order_with_bad_rows(register: Register, tmp_path: Path) -> None:
    header = [
        "Status",
        "Thema",
        "Notiz intern",
        "Priorität",
        "Lokalisierung des Problems",
        "Problembeschreibung",
        "mögliche Lösungen",
        "Kontakt innerhalb der Stadtverwaltung",
    ]
    path = _sheet(
        tmp_path,
        [
            ["offen", "Müll am Bahnhof", "x", "hoch", "037001", "liegt seit Wochen", "mehr Tonnen", "AWISTA"],
            ["in Bearbeitung", "", "x", "mittel", "011001", "ohne Thema", "", ""],
            ["irgendwie", "Lärm", "x", "mittel", "011001", "", "", ""],
            ["offen", "Falscher Ort", "x", "niedrig", "999999", "", "", ""],
            ["Erledigt", "Bank repariert", "x", "3", "Altstadt", "", "", "Gartenamt"],
        ],
        header,
    )
    reading = journal.read_concern_sheet(path, known_ids=IDS, names={"altstadt": "011001"})
    assert [n for n, _ in reading.rows] == [2, 6]
    assert [(p.row, p.message[:20]) for p in reading.problems] == [
        (3, "Das Thema fehlt."),
        (4, "»mittel / irgendwie«"),
        (5, "Den Sozialraum 99999"),
    ]
    assert reading.ignored_columns == ["Notiz intern"]
    assert reading.rows[1][1].sozialraum_ids == ("011001",)
    assert reading.rows[1][1].status == "erledigt"
    assert journal.concerns(register, by=COORD).empty  # reading writes nothing
    assert journal.import_concerns(register, reading, known_ids=IDS, by=COORD) == 2
    assert len(journal.concerns(register, by=COORD)) == 2


def test_malformed_sheet_writes_nothing(register: Register, tmp_path: Path) -> None:
    path = _sheet(tmp_path, [["a", "b"]], ["Spalte A", "Spalte B"])
    with pytest.raises(RegisterError, match="Thema"):
        journal.read_concern_sheet(path, known_ids=IDS)
    assert journal.concerns(register, by=COORD).empty


def test_xlsx_round_trip_and_formulas_inert(register: Register, tmp_path: Path) -> None:
    evil = ['=HYPERLINK("http://x","klick")', "+49 211 000", "-Minus", "@SUM(A1)", "\tTab"]
    for n, text in enumerate(evil):
        journal.add_concern(
            register,
            journal.ConcernInput(
                thema=text,
                beschreibung=f"Beschreibung {n}",
                prioritaet=journal.PRIORITIES[n % 3],
                lokalisierung="Kölner Str.",
                sozialraum_ids=("037001",),
                loesungen="=1+1",
                kontakt="Amt 50",
                status=journal.CONCERN_STATUSES[n % 5],
            ),
            known_ids=IDS,
            by=COORD,
        )
    content = formats.concerns_xlsx(register, by=COORD)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.value  # no formula anywhere
    path = tmp_path / "export.xlsx"
    path.write_bytes(content)
    reading = journal.read_concern_sheet(path, known_ids=IDS)
    assert reading.problems == []
    back = sorted(
        (c.thema, c.beschreibung, c.prioritaet, c.sozialraum_ids, c.loesungen, c.kontakt, c.status)
        for _, c in reading.rows
    )
    original = journal.concerns(register, by=COORD)
    expected = sorted(
        zip(
            original["thema"],
            original["beschreibung"],
            original["prioritaet"],
            [tuple(i.split(",")) for i in original["sozialraum_ids"]],
            original["loesungen"],
            original["kontakt"],
            original["status"],
            strict=True,
        )
    )
    assert back == expected
    from geo.core.tables import csv_bytes

    csv = csv_bytes(journal.concerns_frame(register, by=COORD)).decode("utf-8-sig")
    assert "\n'=HYPERLINK" in csv or "\"'=HYPERLINK" in csv
    assert "\n=HYPERLINK" not in csv
    assert pd.read_csv(io.StringIO(csv), sep=";").shape[0] == len(evil)


def test_empty_register_gives_typed_empty_tables(register: Register) -> None:
    assert journal.concerns_frame(register, by=COORD).empty
    assert formats.concerns_xlsx(register, by=COORD).startswith(b"PK")
    assert journal.feedback(register, by=COORD).empty
    assert pd.api.types.is_datetime64_any_dtype(journal.activities(register)["starts_at"])
    assert journal.counts_by_sozialraum(register).empty


def test_a_control_character_does_not_break_the_exports(register: Register) -> None:
    """An ESC pasted into a concern: kept in the register, left out of the XLSX (which cannot hold it).

    A NUL is dropped before it is stored (PostgreSQL refuses it in text)."""
    journal.add_concern(
        register,
        journal.ConcernInput(thema="Ampel\x1b kaputt", beschreibung="Zeile\x00eins\nzwei", sozialraum_ids=()),
        by=COORD,
        known_ids=IDS,
    )
    book = openpyxl.load_workbook(io.BytesIO(formats.concerns_xlsx(register, by=COORD)))
    row = [c.value for c in book.active[2]]
    assert row[0] == "Ampel kaputt"
    assert row[1] == "Zeileeins\nzwei"
    assert journal.concerns(register, by=COORD)["thema"].tolist() == ["Ampel\x1b kaputt"]
    assert "Ampel\x1b kaputt" in journal.concerns_frame(register, by=COORD).to_csv()


def test_only_the_coordination_publishes_a_concern(register: Register) -> None:
    connector = Principal(label="Ana", roles=frozenset({"connector"}), tandem_ids=frozenset({1}))
    cid = journal.add_concern(
        register,
        journal.ConcernInput(thema="Laterne kaputt", sozialraum_ids=("011001",), tandem_id=1, public=True),
        by=connector,
        known_ids=IDS,
    )
    stored = journal.concerns(register, by=COORD).set_index("id").loc[cid]
    assert not stored["public"] and stored["public_wanted"]  # asked for, not published
    assert cid not in set(journal.concerns(register, by=Principal.public())["id"])
    journal.change_status(register, cid, by=COORD, version=1, status="offen", comment="Geprüft.", public=True)
    assert cid in set(journal.concerns(register, by=Principal.public())["id"])
    own = journal.add_concern(
        register,
        journal.ConcernInput(thema="Spielplatz", sozialraum_ids=("011001",), public=True),
        by=COORD,
        known_ids=IDS,
    )
    assert journal.concerns(register, by=COORD).set_index("id").loc[own, "public"]  # coordinators publish


def test_reads_take_the_account_as_stored_now(register: Register) -> None:
    from geo.register import accounts

    cli = Principal.cli()
    account_id, code = accounts.create_account(register, by=cli, email="k@stadt.de", roles="coordinator")
    who = accounts.set_password_with_code(register, "k@stadt.de", code, "ein-gutes-passwort")
    cid = journal.add_concern(
        register, journal.ConcernInput(thema="Intern", sozialraum_ids=("011001",)), by=COORD, known_ids=IDS
    )
    assert cid in set(journal.concerns(register, by=who)["id"])
    (view,) = accounts.accounts(register, by=cli)
    accounts.update_account(register, account_id, by=cli, version=view.version, roles="")
    assert who.may(Action.READ_CONCERNS)  # the object handed in still says coordinator ...
    assert cid not in set(journal.concerns(register, by=who)["id"])  # ... the register does not
    with pytest.raises(AccessDeniedError):
        journal.history(register, cid, by=who)
