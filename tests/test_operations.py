"""Running it for a city: migrations under a lock, backups and restores, several processes on one database."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from geo.register import store

ROOT = Path(__file__).resolve().parent.parent

_MIGRATE_AT = """
import sys, time
from geo.register.store import Register
at = float(sys.argv[2])
time.sleep(max(0.0, at - time.time()))  # every process starts migrating at the same moment
Register(sys.argv[1]).close()
print("ok")
"""


def test_server_processes_starting_together_migrate_once(register_url: str) -> None:
    """Three processes open a fresh database at once: one migrates, the others wait and find it current."""
    at = time.time() + 4  # after every interpreter has imported the app
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", _MIGRATE_AT, register_url, str(at)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [r.communicate(timeout=120) for r in runs]
    errors = [[line for line in err.splitlines() if "Error" in line][-4:] for _out, err in results]
    assert [r.returncode for r in runs] == [0, 0, 0], errors  # the exceptions' own lines, not the tail
    engine = create_engine(register_url)
    with engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [
            store.HEAD_REVISION
        ]
    engine.dispose()


def _filled(url: str) -> store.Register:
    """A register with something in every table: people, tandems, assignments, accounts, journal, audit."""
    from datetime import date, datetime

    from geo.core.access import Principal
    from geo.register import demo_register, journal, welcome

    register = store.Register(url, demo=True)
    ids = ["011001", "011002", "012001"]
    assert demo_register.seed_register(register, ids)
    by = Principal(label="test", system=True, roles=frozenset({"coordinator", "admin"}))
    journal.add_concern(
        register,
        journal.ConcernInput(
            "Spielplatz ohne Licht", "Sentinel-Beschreibung ä ø 👍", sozialraum_ids=("011001",)
        ),
        by=by,
        known_ids=set(ids),
    )
    journal.add_activity(
        register,
        by=by,
        kind="stadtteilrundgang",
        title="Sprechstunde",
        starts_at=datetime(2026, 12, 3, 16, 30),
        sozialraum_id="011002",
        known_ids=set(ids),
    )
    points = __import__("geopandas").GeoDataFrame(
        {"welcome_point_id": ["wp-1"], "name": ["WP"], "address": ["Weg 1"]},
        geometry=__import__("geopandas").points_from_xy([6.78], [51.22]),
        crs=4326,
    )
    welcome.record(register, by, "close", valid_from=date(2026, 12, 1), known=points, welcome_point_id="wp-1")
    return register


def _empty_like(url: str, tmp_path: Path) -> str:
    """A new, empty database of the same kind as `url` (another database on the same PostgreSQL server)."""
    if url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'wieder.sqlite'}"
    import uuid

    import psycopg

    server, _name = url.rsplit("/", 1)
    name = f"restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(
        server.replace("postgresql+psycopg", "postgresql") + "/postgres", autocommit=True
    ) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def test_backup_and_restore_round_trip_every_table(register_url: str, tmp_path: Path) -> None:
    from geo.core.access import AccessDeniedError, Principal
    from geo.register import backup

    source = _filled(register_url)
    datasets = tmp_path / "official"
    (datasets / "sozialraeume").mkdir(parents=True)
    (datasets / "dataset.json").write_text('{"title": "Offiziell"}', encoding="utf-8")
    (datasets / "sozialraeume" / "indikatoren.csv").write_bytes(b"a;b\n1;2\n")
    out = tmp_path / "sicherung.zip"
    with pytest.raises(AccessDeniedError):
        backup.backup(source, out, by=Principal(label="k", roles=frozenset({"coordinator"})))
    manifest = backup.backup(source, out, datasets=datasets, by=Principal.cli())
    assert manifest["revision"] == store.HEAD_REVISION
    assert manifest["tables"]["connector"]["rows"] == 4 and manifest["tables"]["concern"]["rows"] == 1
    assert manifest["datasets"] == ["dataset.json", "sozialraeume/indikatoren.csv"]
    assert "login_session" not in manifest["tables"]
    # into a new, empty database of the same kind: the same rows in every table
    target = _empty_like(register_url, tmp_path)
    restored_sets = tmp_path / "restored" / "official"
    backup.restore(target, out, datasets=restored_sets, by=Principal.cli())
    differ = backup.compare(register_url, target)
    # the restore adds its own audit entry; the backup's entry was written after its snapshot
    assert set(differ) == {"audit_entry"}
    before, after = differ["audit_entry"]
    assert after == before  # + "backup.restore" - "backup.create" (taken after the snapshot)
    assert (restored_sets / "sozialraeume" / "indikatoren.csv").read_bytes() == b"a;b\n1;2\n"
    again = store.Register(target)
    assert again.connectors() == source.connectors()
    # new rows get new IDs after the restored ones
    new_id = again.add_connector("Neu", "Deutsch", by=Principal.cli())
    assert new_id > max(c.id for c in source.connectors())
    again.close()
    # a second restore into a register with rows is refused, then done with --replace
    with pytest.raises(backup.BackupError) as refused:
        backup.restore(target, out, by=Principal.cli())
    assert refused.value.key == "backup.not_empty"
    backup.restore(target, out, replace=True, by=Principal.cli())
    assert set(backup.compare(register_url, target)) <= {"audit_entry"}
    source.close()


def test_a_damaged_or_foreign_file_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    import zipfile

    from geo.core.access import Principal
    from geo.register import backup

    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    register = _filled(url)
    out = tmp_path / "b.zip"
    backup.backup(register, out, by=Principal.cli())
    register.close()
    (tmp_path / "nichts.zip").write_bytes(b"not a zip")
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(
                item,
                data.replace(b"Sentinel", b"Sentinex") if item.filename.endswith("concern.jsonl") else data,
            )
    target = f"sqlite:///{tmp_path / 't.sqlite'}"
    for path, key in [(tmp_path / "nichts.zip", "backup.not_a_backup"), (damaged, "backup.damaged")]:
        with pytest.raises(backup.BackupError) as refused:
            backup.restore(target, path, by=Principal.cli())
        assert refused.value.key == key
    assert not (tmp_path / "t.sqlite").exists() or not backup._has_rows(store.make_engine(target))


def test_a_backup_taken_while_the_app_writes_is_consistent(tmp_path: Path) -> None:
    """Writes go on during the backup; each restored tandem has both its members (written in one transaction)."""
    import threading

    from geo.core.access import Principal
    from geo.register import backup

    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    register = store.Register(url)
    by = Principal.cli()
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            a = register.add_connector(f"A{n}", "Deutsch", by=by)
            b = register.add_connector(f"B{n}", "Deutsch", by=by)
            register.create_tandem(f"T{n}", [a, b], by=by, start=__import__("datetime").date(2026, 1, 1))
            n += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        time.sleep(0.5)
        outs = []
        for i in range(3):
            outs.append(tmp_path / f"b{i}.zip")
            backup.backup(register, outs[-1], by=by)
    finally:
        stop.set()
        writer.join()
    for i, out in enumerate(outs):
        target = f"sqlite:///{tmp_path / f'w{i}.sqlite'}"
        manifest = backup.restore(target, out, by=by)
        assert manifest["tables"]["tandem"]["rows"] > 0
        engine = store.make_engine(target)
        with engine.connect() as c:
            members = c.execute(
                text("SELECT tandem_id, COUNT(*) FROM tandem_member GROUP BY tandem_id")
            ).all()
            tandems = c.execute(text("SELECT COUNT(*) FROM tandem")).scalar_one()
        engine.dispose()
        assert len(members) == tandems and all(n == 2 for _t, n in members)
    register.close()


def test_the_log_is_one_line_per_event_at_the_level_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import json
    import logging

    from geo.core import logs

    monkeypatch.setenv("SOZIALRAUM_LOG_LEVEL", "warning")
    logger = logs.configure()
    assert logger.level == logging.WARNING
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.OneLine())
    logs.get("test").addHandler(handler)
    try:
        logs.get("test").info("not shown")
        try:
            raise ValueError("eins\nzwei")
        except ValueError:
            logs.get("test").exception("a fault")
        lines = stream.getvalue().splitlines()
        assert len(lines) == 1 and " ERROR sozialraum_karte.test a fault ⏎ Traceback" in lines[0]
        assert lines[0].endswith("ValueError: eins ⏎ zwei") and lines[0][19] == "Z"  # UTC time first
        handler.setFormatter(logs.OneLine(as_json=True))
        logs.get("test").error("kaputt: %s", "x")
        event = json.loads(stream.getvalue().splitlines()[-1])
        assert (event["level"], event["logger"], event["message"]) == (
            "ERROR",
            "sozialraum_karte.test",
            "kaputt: x",
        )
    finally:
        logs.get("test").removeHandler(handler)
    monkeypatch.setenv("SOZIALRAUM_LOG_LEVEL", "nonsense")
    assert logs.configure().level == logging.INFO


def test_every_write_of_a_dataset_gives_it_a_new_version_seen_by_any_process(
    demo_dir: Path, tmp_path: Path
) -> None:
    """Caches key on the dataset's version token, not on file times a second server might not share."""
    import os
    import shutil

    from geo.core.access import Principal
    from geo.data import dataset

    folder = tmp_path / "official"
    shutil.copytree(demo_dir, folder)
    meta = (folder / dataset.META_FILE).read_text(encoding="utf-8")
    (folder / dataset.META_FILE).write_text(meta.replace('"demo": true', '"demo": false'), encoding="utf-8")
    first = dataset.version(folder)
    assert first == dataset.version(folder)  # reading changes nothing
    os.utime(folder / dataset.SPACES_FILE, (0, 0))  # a file time going back (a restored or copied file)
    assert dataset.version(folder) == first
    dataset.describe_layer(folder, "dataset", {"publisher": "Amt"}, by=Principal.cli())
    second = dataset.version(folder)
    assert second != first
    (folder / "korrekturen.json").write_text('{"declined": []}', encoding="utf-8")
    assert dataset.version(folder) not in (first, second)
    fresh = tmp_path / "fresh"
    from geo.data import demo_dataset

    demo_dataset.write(fresh)
    other = tmp_path / "other"
    demo_dataset.write(other)
    assert dataset.version(fresh) != dataset.version(other)  # the same content written twice: two versions


def test_the_wheel_carries_the_app_its_pages_settings_and_migrations(tmp_path: Path) -> None:
    """What a city installs: the entry point, every page, the Streamlit settings, the migrations, the catalogues."""
    import shutil
    import zipfile

    had_build = (ROOT / "build").exists()
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    if not had_build:  # setuptools builds in the checkout's build/: leave the checkout as it was
        shutil.rmtree(ROOT / "build", ignore_errors=True)
    assert result.returncode == 0, result.stderr[-2000:]
    (wheel,) = tmp_path.glob("sozialraum_karte-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    pages = {f"app_pages/{p.name}" for p in (ROOT / "app_pages").glob("*.py")}
    versions = {
        f"geo/register/migrations/versions/{p.name}"
        for p in (ROOT / "geo" / "register" / "migrations" / "versions").glob("*.py")
    }
    assert {"app.py", "sozialraum_karte/streamlit.toml", "sozialraum_karte/cli.py"} <= names
    assert (
        pages <= names
        and versions <= names
        and "geo/core/locales/de.json" in names
        and "geo/output/web/map.js" in names
    )
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "sozialraum-karte = sozialraum_karte.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()
    assert not any(n.startswith(("data/", "var/", "tests/")) for n in names)  # no data inside the package


def test_serve_starts_with_production_settings_outside_the_checkout(tmp_path: Path) -> None:
    """`sozialraum-karte serve` from another folder: demo written where the settings say, health answers."""
    import os
    import socket
    import urllib.request

    from sozialraum_karte import cli

    flags = cli.streamlit_flags()
    settings = dict(zip(flags[::2], flags[1::2], strict=True))
    assert (
        settings["--server.fileWatcherType"] == "none" and settings["--server.enableXsrfProtection"] == "true"
    )
    assert settings["--runner.postScriptGC"] == "false"  # the project's own settings are kept
    assert cli.app_path() == ROOT / "app.py"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOZIALRAUM_", "DATABASE_URL"))}
    env |= {"SOZIALRAUM_DATA_DIR": str(tmp_path / "data"), "SOZIALRAUM_USER_DIR": str(tmp_path / "var")}
    server = subprocess.Popen(
        [sys.executable, "-m", "sozialraum_karte.cli", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        answer = ""
        while time.monotonic() < deadline and not answer:
            try:
                answer = (
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
                    .read()
                    .decode()
                )
            except OSError:
                time.sleep(0.5)
        assert answer == "ok"
        assert (tmp_path / "data" / "dataset.json").is_file()  # a fresh install shows the demo
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=30)
    assert "the demo dataset was written there" in out


def test_version_and_the_data_tools_through_the_console_script() -> None:
    from geo import __version__

    out = subprocess.run(
        [sys.executable, "-m", "sozialraum_karte.cli", "--version"],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.stdout.strip() == f"sozialraum-karte {__version__}"
    tools = subprocess.run(
        [sys.executable, "-m", "sozialraum_karte.cli", "backup", "--help"],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert tools.returncode == 0 and "--out" in tools.stdout


def test_serve_says_in_one_sentence_when_the_data_folder_cannot_be_written(tmp_path: Path) -> None:
    """An operator's wrong folder is a sentence and exit code 2, not a traceback (root may write anywhere,
    so the folder lies below a file)."""
    import os

    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    env = {
        **os.environ,
        "SOZIALRAUM_DATA_DIR": str(blocker / "data"),
        "SOZIALRAUM_USER_DIR": str(tmp_path / "var"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "sozialraum_karte.cli", "serve", "--port", "1"],
        check=False, capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr[-2000:]
    assert "cannot be written" in result.stderr and "SOZIALRAUM_DATA_DIR" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_runs_several_processes_and_stops_them_together(tmp_path: Path) -> None:
    """`serve --processes 2`: two servers on PORT and PORT+1 answer; SIGTERM stops both (issue 30)."""
    import os
    import signal
    import socket
    import urllib.request

    with socket.socket() as s:  # two free ports side by side
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with socket.socket() as s2:
        try:
            s2.bind(("127.0.0.1", port + 1))
        except OSError:
            pytest.skip("the port after a free one is taken on this machine")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOZIALRAUM_", "DATABASE_URL"))}
    env |= {"SOZIALRAUM_DATA_DIR": str(tmp_path / "data"), "SOZIALRAUM_USER_DIR": str(tmp_path / "var")}
    server = subprocess.Popen(
        [sys.executable, "-m", "sozialraum_karte.cli", "serve", "--port", str(port), "--processes", "2"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        answers = {}
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(answers) < 2:
            for p in (port, port + 1):
                try:
                    answers[p] = urllib.request.urlopen(
                        f"http://127.0.0.1:{p}/_stcore/health", timeout=2
                    ).read()
                except OSError:
                    time.sleep(0.3)
        assert answers == {port: b"ok", port + 1: b"ok"}
    finally:
        server.send_signal(signal.SIGTERM)
        out, _ = server.communicate(timeout=60)
    assert server.returncode == 0, out
    assert "server process 2 of 2" in out
    for p in (port, port + 1):  # both stopped with the supervisor
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{p}/_stcore/health", timeout=2)


def test_serve_refuses_a_number_of_processes_it_cannot_run() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "sozialraum_karte.cli", "serve", "--processes", "0"],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 2 and "--processes" in out.stderr


def test_the_documented_proxy_compresses_static_files_and_keeps_a_browser_on_one_process() -> None:
    """deploy/nginx.conf: gzip for Streamlit's JavaScript and CSS, sticky upstream with two processes."""
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    active = "\n".join(line.split("#", 1)[0] for line in conf.splitlines())
    assert re.search(r"^\s*gzip on;", active, re.MULTILINE)
    types = re.search(r"gzip_types([^;]*);", active)
    assert types is not None and {"application/javascript", "text/css"} <= set(types.group(1).split())
    upstream = re.search(r"upstream sozialraum_karte \{(.*?)\}", active, re.DOTALL)
    assert upstream is not None and "ip_hash;" in upstream.group(1)
    assert re.findall(r"server 127\.0\.0\.1:(\d+);", upstream.group(1)) == ["8501", "8502"]
    unit = (ROOT / "deploy" / "sozialraum-karte.service").read_text(encoding="utf-8")
    assert "--processes 2" in unit and "--port 8501" in unit
