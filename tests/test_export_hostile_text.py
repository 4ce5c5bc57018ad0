"""
Control characters, formulas and markup in every export.

Text typed by people or taken from files is kept as it is in the database; each export removes or escapes
it only where its format forbids it: XLSX and iCalendar have no place for control characters, HTML gets
markup escaped, spreadsheets get formulas made inert. Every export must still be produced.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import icalendar
import openpyxl
import pytest

from geo.analysis.view import MapView
from geo.core.access import Principal
from geo.core.tables import csv_bytes
from geo.data import dataset
from geo.output import export, formats
from geo.register import accounts, journal, privacy, store

HOSTILE = '=HYPERLINK("http://example.invalid")\x1b[31m<script>alert(1)</script>\x07\x0bEnde'
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@pytest.fixture
def hostile(demo_dir: Path, tmp_path: Path) -> tuple[dataset.Dataset, store.Register, int, str]:
    data = dataset.load_dataset(demo_dir)
    spaces = data.spaces.copy()
    first = spaces["sozialraum_id"].iloc[0]
    spaces.loc[spaces.index[0], "name"] = HOSTILE
    points = data.welcome_points.copy()
    points.loc[points.index[0], "name"] = HOSTILE
    data = replace(data, spaces=spaces, welcome_points=points)
    register = store.Register(f"sqlite:///{tmp_path / 'register.sqlite'}")
    cli = Principal.cli()
    ids = [
        register.add_connector(HOSTILE, "Türkisch", by=cli, contact=HOSTILE),
        register.add_connector("Omar", by=cli),
    ]
    with pytest.raises(store.RegisterError):  # a name is one line: control characters are refused on entry
        register.create_tandem(HOSTILE, ids, by=cli, start=date(2025, 1, 1))
    tandem = register.create_tandem(CONTROL.sub("", HOSTILE), ids, by=cli, start=date(2025, 1, 1))
    register.assign(
        tandem, first, by=cli, valid_from=date(2025, 1, 1), known_ids=set(spaces["sozialraum_id"])
    )
    known = set(spaces["sozialraum_id"])
    journal.add_activity(
        register,
        by=cli,
        kind=journal.ACTIVITY_KINDS[0],
        title=HOSTILE,
        starts_at=datetime(2025, 3, 1, 10),
        sozialraum_id=first,
        known_ids=known,
        tandem_id=tandem,
        venue=HOSTILE,
        notes=HOSTILE,
    )
    concern = journal.add_concern(
        register,
        journal.ConcernInput(thema=HOSTILE, beschreibung=HOSTILE, sozialraum_ids=(first,), tandem_id=tandem),
        by=cli,
        known_ids=known,
    )
    journal.change_status(
        register, concern, by=cli, status="in_bearbeitung", comment=HOSTILE, public=True, version=1
    )
    return data, register, tandem, first


def _cells_safe(cells: list[openpyxl.cell.cell.Cell]) -> None:
    for cell in cells:
        assert cell.data_type != "f", cell.value  # no formula
        if isinstance(cell.value, str):
            assert not CONTROL.search(cell.value), repr(cell.value)


def test_the_database_keeps_what_was_typed(hostile: tuple) -> None:
    _data, register, _tandem, _first = hostile
    assert journal.concerns(register, by=Principal.cli())["thema"].tolist() == [HOSTILE]


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_map_exports(hostile: tuple, fmt: str) -> None:
    data, register, _tandem, first = hostile
    content = export.render(
        data,
        MapView(mode="indikator", indicator="sgb2_quote"),
        fmt,
        assignments=register.active_assignments(),
        sozialraum_id=first,
        open_concerns=journal.open_concerns(register, first, by=Principal.public()),
    )
    assert len(content) > 1000
    if fmt == "html":
        html = content.decode("utf-8")
        assert "<script>alert(1)" not in html
        assert not CONTROL.search(html)


def test_concern_spreadsheet_and_csv(hostile: tuple) -> None:
    _data, register, _tandem, _first = hostile
    book = openpyxl.load_workbook(io.BytesIO(formats.concerns_xlsx(register, by=Principal.cli())))
    sheet = book.active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows() for c in row]
    _cells_safe(cells)
    assert any(
        isinstance(c.value, str) and "<script>" in c.value for c in cells
    )  # the text is there, made inert
    text = csv_bytes(journal.concerns_frame(register, by=Principal.cli())).decode("utf-8-sig")
    assert "\n=HYPERLINK" not in text and ";=HYPERLINK" not in text
    assert "'=HYPERLINK" in text


def test_calendar(hostile: tuple) -> None:
    _data, register, tandem, _first = hostile
    raw = formats.ics(register, tandem, by=Principal.cli())
    assert not CONTROL.search(raw.decode("utf-8"))
    event = next(iter(icalendar.Calendar.from_ical(raw).walk("VEVENT")))
    assert "<script>alert(1)</script>" in str(event["summary"])


def test_register_tables_audit_and_own_data(hostile: tuple) -> None:
    _data, register, _tandem, _first = hostile
    cli = Principal.cli()
    for frame in store.export_frames(register).values():
        text = csv_bytes(frame).decode("utf-8-sig")
        assert ";=HYPERLINK" not in text and "\n=HYPERLINK" not in text
    audit = accounts.audit_csv(register, by=cli, csv=csv_bytes).decode("utf-8-sig")
    assert "\n=" not in audit
    connector_id = next(c.id for c in register.private_connectors(by=cli) if c.display_name == HOSTILE)
    account, _code = accounts.create_account(
        register, by=cli, email="ayse@example.invalid", roles=("connector",), connector_id=connector_id
    )
    me = accounts.principal_for(register, account)
    payload = json.loads(privacy.own_data_json(register, by=me))
    assert HOSTILE in _strings(payload)  # JSON escapes control characters and keeps them


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []
