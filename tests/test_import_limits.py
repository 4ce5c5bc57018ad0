"""
Inputs that cannot take the server down or slip in as something else: sizes and cells are checked before a
file is parsed, and a table whose columns do not fit what is imported is refused with the reason.
"""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from geo.core.access import Principal
from geo.core.errors import DataError, FileFormatError
from geo.data import languages, sources
from geo.register import store
from tests.conftest import QUARTIERSATLAS


def _bomb(path: Path, rows: int, columns: int) -> Path:
    """A spreadsheet of one repeated value: tiny packed, large unpacked (what a zip bomb looks like)."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Daten")
    for _ in range(rows):
        sheet.append(["0"] * columns)
    book.save(path)
    return path


def test_a_sheet_with_too_many_cells_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "bomb.xlsx", 2_000, 120)  # 240,000 cells; the Quartiersatlas has about 13,000
    started = time.monotonic()
    with pytest.raises(FileFormatError, match="Zellen"):
        sources.read_table(bomb)
    assert time.monotonic() - started < 2  # refused from the sheet's own statement of its size


def test_a_part_packed_a_hundred_times_tighter_than_any_table_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dicht.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet>" + " " * (5 * 1024 * 1024) + "</worksheet>")
    with pytest.raises(FileFormatError, match="gepackt"):
        sources.read_table(path)


def test_files_over_the_import_size_are_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOZIALRAUM_IMPORT_MAX_MB", "0.5")
    csv = tmp_path / "gross.csv"
    csv.write_text("Name;Wert\n" + "a;1\n" * 200_000, encoding="utf-8")  # 1.2 MB
    with pytest.raises(FileFormatError, match=r"Dateien bis 0\.5 MB"):
        sources.read_table(csv)
    geo = tmp_path / "karte.geojson"
    geo.write_text('{"type": "FeatureCollection", "features": []}' + " " * 600_000, encoding="utf-8")
    with pytest.raises(FileFormatError, match="MB"):
        sources.read_vector(geo)


def test_a_csv_with_too_many_cells_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOZIALRAUM_IMPORT_MAX_CELLS", "1000")
    csv = tmp_path / "lang.csv"
    csv.write_text("A;B;C\n" + "1;2;3\n" * 400, encoding="utf-8")  # 1,200 cells
    with pytest.raises(FileFormatError, match="Zellen"):
        sources.read_table(csv)
    csv.write_text("A;B;C\n" + "1;2;3\n" * 300, encoding="utf-8")
    assert len(sources.read_table(csv)) == 300


@pytest.mark.real_data
def test_the_quartiersatlas_is_no_list_of_connectors(tmp_path: Path) -> None:
    frame = sources.read_table(QUARTIERSATLAS)  # the real file still reads
    assert len(frame) >= 171
    preview = store.preview_import(frame, "connectors")
    assert preview.doubtful
    register = store.Register(f"sqlite:///{tmp_path / 'r.sqlite'}")
    try:
        if "Name" not in frame.columns:  # the case found: a "Name" column makes it look like one
            frame = frame.rename(columns={frame.columns[1]: "Name"})
        with pytest.raises(store.RegisterError, match="passen nicht"):
            store.import_connectors(register, frame, by=Principal.cli())
        assert register.connectors() == []  # nothing was created
    finally:
        register.close()


def test_a_negative_count_of_people_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "n.csv"
    path.write_text("Stadtteil;Türkei;Syrien\n011 Altstadt;12;-3\n012 Carlstadt;4;5\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"negativ \(011 Altstadt\)"):
        languages.read_nationalities(path, {"011": "Altstadt", "012": "Carlstadt"})
