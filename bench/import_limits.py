"""
What a hostile or oversized upload costs the server: time and peak memory of reading it (`sources.read_table`).

Crafts, in a temporary folder, an XLSX of under 1 MB that unpacks to about 195 MiB (one repeated cell) and a
45 MB CSV (under the 50 MB upload limit), then reads each in a child process with a wall-clock limit and
reports seconds, peak resident memory and what happened. Run: ``.venv/bin/python bench/import_limits.py``.
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_S = 60


def _bomb(path: Path) -> Path:
    row = "<row>" + '<c t="inlineStr"><is><t>0</t></is></c>' * 100 + "</row>"
    body = row * 50_000  # 5,000,000 cells
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="Daten" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr(
            "xl/worksheets/sheet1.xml",
            '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{body}</sheetData></worksheet>",
        )
    return path


def _csv(path: Path) -> Path:
    line = ";".join(f"{i}" for i in range(20)) + "\n"
    with path.open("w", encoding="utf-8") as out:
        out.write(";".join(f"Spalte{i}" for i in range(20)) + "\n")
        out.write(line * (45_000_000 // len(line)))
    return path


def _read(path: str, queue: multiprocessing.Queue) -> None:
    sys.path.insert(0, str(ROOT))
    from geo.core.errors import SozialraumError  # noqa: PLC0415
    from geo.data import sources  # noqa: PLC0415

    started = time.monotonic()
    try:
        frame = sources.read_table(Path(path))
        outcome = f"read {len(frame)} rows"
    except SozialraumError as exc:
        outcome = "refused: " + exc.message("en")[:110]
    queue.put(
        (time.monotonic() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, outcome)
    )


def measure(path: Path) -> str:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    child = multiprocessing.get_context("fork").Process(target=_read, args=(str(path), queue))
    started = time.monotonic()
    child.start()
    child.join(LIMIT_S)
    if child.is_alive():
        child.kill()
        return f"still reading after {LIMIT_S} s (stopped)"
    seconds, peak, outcome = queue.get()
    return f"{seconds:.2f} s, peak {peak:.0f} MiB, {outcome} (wall {time.monotonic() - started:.1f} s)"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        bomb = _bomb(Path(folder) / "bomb.xlsx")
        unpacked = sum(i.file_size for i in zipfile.ZipFile(bomb).infolist())
        print(
            f"XLSX {bomb.stat().st_size / 1024:.0f} KiB, unpacks to {unpacked / 2**20:.0f} MiB: {measure(bomb)}"
        )
        csv = _csv(Path(folder) / "gross.csv")
        print(f"CSV {csv.stat().st_size / 1e6:.0f} MB: {measure(csv)}")


if __name__ == "__main__":
    main()
