"""
Writes killed half-way: a process is stopped with SIGKILL in the middle of a write, then the state is checked.

Each child process runs the real write with one function wrapped so that it prints ``ready`` at a chosen
point and waits; the test kills it there. Nothing may be half-stored, and the next start (or the next
write) must clean up what the killed process left.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from geo.core import files
from geo.core.access import Principal
from geo.data import dataset
from geo.register.store import Register

ROOT = Path(__file__).resolve().parent.parent


def _run_until_ready(script: str, *args: str) -> None:
    """Run `script` in a child Python, wait for its ``ready`` line, kill it with SIGKILL."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        if line.strip() != "ready":
            child.kill()
            _, err = child.communicate(timeout=30)
            pytest.fail(f"the child never reached the kill point: {line!r} {err[-2000:]}")
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate(timeout=30)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


_DATASET_CHILD = """
    import sys, time
    from pathlib import Path
    from geo.core import files
    from geo.data import dataset

    folder, point = Path(sys.argv[1]), sys.argv[2]
    data = dataset.load_dataset(folder)

    def stop():
        print("ready", flush=True)
        time.sleep(120)

    if point == "parts":  # the first new file written, the others not yet
        real = dataset._write_geojson
        def first_then_stop(gdf, path):
            real(gdf, path)
            stop()
        dataset._write_geojson = first_then_stop
    elif point == "staged":  # every new file written, not yet swapped in
        dataset._swap_in = lambda staging, folder: stop()
    elif point == "renames":  # the old folder set aside, the new one not yet in its place
        def half_swap(staging, folder):
            folder.rename(files.sibling(folder, "old"))
            stop()
        dataset._swap_in = half_swap
    dataset.write_dataset(
        folder, spaces=data.spaces, welcome_points=data.welcome_points.iloc[:1], meta=data.meta
    )
"""


@pytest.mark.parametrize("point", ["parts", "staged", "renames"])
def test_a_dataset_write_killed_leaves_the_old_dataset(demo_dir: Path, tmp_path: Path, point: str) -> None:
    folder = tmp_path / "official"
    shutil.copytree(demo_dir, folder)
    before = _files(folder)
    _run_until_ready(_DATASET_CHILD, str(folder), point)
    assert any(p.name.startswith(".official.") for p in tmp_path.iterdir())  # the kill left something
    again = dataset.load_dataset(folder)  # a reader right after the kill
    assert len(again.welcome_points) == len(dataset.load_dataset(demo_dir).welcome_points)
    files.clean_leftovers(tmp_path)  # what the app does at start, and every write does first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["official"]
    assert _files(folder) == before


def test_a_write_in_progress_elsewhere_is_not_cleaned_up(tmp_path: Path) -> None:
    """Another process still writing: its part file is not a leftover (two admins importing at once)."""
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        busy = tmp_path / f".karte.html.part-{files._host()}-{sleeper.pid}-0123abcd"
        busy.write_text("halb", encoding="utf-8")
        files.write_atomic(tmp_path / "karte.html", "<html></html>")
        assert busy.exists()
    finally:
        sleeper.kill()
        sleeper.wait()
    files.write_atomic(tmp_path / "karte.html", "<html>2</html>")  # now it is a leftover
    assert not busy.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["karte.html"]


_REGISTER_CHILD = """
    import sys, time
    import pandas as pd
    from geo.register import journal, store
    from geo.core.access import Principal

    url, what = sys.argv[1], sys.argv[2]
    register = store.Register(url)
    rows = 0

    def count_then_stop(real):
        def wrapped(*args, **kwargs):
            global rows
            result = real(*args, **kwargs)
            rows += 1
            if rows == 5:  # five rows stored in the transaction, then the process dies
                print("ready", flush=True)
                time.sleep(120)
            return result
        return wrapped

    if what == "connectors":
        register.add_connector = count_then_stop(register.add_connector)
        frame = pd.DataFrame({"Name": [f"Person {i}" for i in range(40)], "Sprachen": ["Türkisch"] * 40})
        store.import_connectors(register, frame, by=Principal.cli())
    else:
        journal._insert_concern = count_then_stop(journal._insert_concern)
        reading = journal.SheetReading(
            rows=[(i + 2, journal.ConcernInput(thema=f"Thema {i}")) for i in range(40)],
            problems=[],
            ignored_columns=[],
        )
        journal.import_concerns(register, reading, by=Principal.cli(), known_ids=set())
"""


@pytest.mark.parametrize("what", ["connectors", "concerns"])
def test_a_register_import_killed_stores_nothing(register_url: str, what: str) -> None:
    from geo.register import accounts, journal

    Register(register_url).close()  # created and migrated before the child starts
    _run_until_ready(_REGISTER_CHILD, register_url, what)
    register = Register(register_url)
    cli = Principal.cli()
    assert register.private_connectors(by=cli) == []
    assert journal.concerns(register, by=cli).empty
    assert accounts.audit_log(register, by=cli).empty  # not even the entries of the five rows
    register.add_connector("Nach dem Abbruch", "Arabisch", by=cli)  # the register is not left locked
    assert [c.display_name for c in register.private_connectors(by=cli)] == ["Nach dem Abbruch"]
    register.close()


_EXPORT_CHILD = """
    import sys, time
    from pathlib import Path
    from geo.core import files

    def stop(self, target):
        print("ready", flush=True)
        time.sleep(120)

    Path.replace = stop  # the new content is on disk under its part name, not yet renamed
    files.write_atomic(sys.argv[1], b"neu" * 1000)
"""


def test_an_export_killed_leaves_the_old_file_and_the_next_write_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "karte.pdf"
    target.write_bytes(b"alt")
    _run_until_ready(_EXPORT_CHILD, str(target))
    assert target.read_bytes() == b"alt"
    assert len(list(tmp_path.iterdir())) == 2  # the part file of the killed run
    files.write_atomic(tmp_path / "tabelle.csv", "a;b\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["karte.pdf", "tabelle.csv"]


def test_a_full_disk_leaves_the_old_file_and_no_part(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "karte.html"
    target.write_text("alt", encoding="utf-8")

    def no_space(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(files.WriteError, match=r"karte\.html ließ sich nicht schreiben \(No space left"):
        files.write_atomic(target, "neu")
    assert target.read_text(encoding="utf-8") == "alt"
    assert [p.name for p in tmp_path.iterdir()] == ["karte.html"]


@pytest.mark.parametrize("where", ["under_a_file", "is_a_folder"])
def test_an_export_to_an_impossible_place_is_one_sentence(
    tmp_path: Path, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from geo.__main__ import main

    blocker = tmp_path / "ablage"
    if where == "under_a_file":
        blocker.write_text("eine Datei", encoding="utf-8")
        out = blocker / "log.csv"
    else:
        blocker.mkdir()
        out = blocker
    code = main(["audit", "--out", str(out), "--db", f"sqlite:///{tmp_path / 'r.sqlite'}"])
    assert code == 2
    assert "ließ sich nicht schreiben" in capsys.readouterr().err
    assert blocker.exists()
    if where == "under_a_file":
        assert blocker.read_text(encoding="utf-8") == "eine Datei"
