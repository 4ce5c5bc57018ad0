"""
Backups of what a city cannot download again, and their restore: one zip file, SQLite and PostgreSQL alike.

A backup holds every table of the register (connectors, tandems, assignments, the journal of concerns and
activities, accounts, the audit log, the Welcome Point changes) as JSON lines, and the imported datasets
folder (``<user folder>/official``: the files, corrections, provenance). Not in it: sign-in sessions and
failed sign-ins (short-lived security state; after a restore everybody signs in again). A backup is of one
register: the real one, or the demo register when that is the one given (``geo backup --demo``). A register
that holds nothing but its audit log is refused unless asked for (``allow_empty``).

The tables are read in **one** transaction, so a backup taken while the app writes is consistent: PostgreSQL
reads at REPEATABLE READ (one snapshot for all tables), SQLite reads inside one read transaction (WAL keeps
the snapshot while writers go on). ``manifest.json`` names the format, the app version, the schema revision,
the time, and per table the row count and a SHA-256 of its file, checked again on restore.

A restore writes into a database that has none of these rows yet (a new, empty one), or with ``replace``
deletes them first; all in one transaction, so a failed restore leaves the database as it was. A backup of an
older schema revision is restored into an empty database at its own revision and then migrated.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine, inspect, text

from geo import __version__
from geo.core import files, logs
from geo.core.access import Action, Principal, require
from geo.core.errors import SozialraumError
from geo.core.settings import env_number
from geo.register import models, store

#: The layout of a backup file; a restore refuses a format it does not know.
FORMAT = 1
#: Short-lived security state, left out: a restore signs everybody out (with ``replace``, their rows go).
SKIPPED_TABLES = frozenset({"login_session", "login_failure", "setup_code"})
#: Rows here alone do not make a register worth a backup: the log of what was done to it (a backup itself
#: adds an entry, so an empty register would look filled after its first backup).
LOG_TABLES = frozenset({"audit_entry"})
MANIFEST = "manifest.json"


class BackupError(SozialraumError):
    """A backup that cannot be taken or restored (not a backup, damaged, newer than this app, not empty)."""


def _tables() -> list[sa.Table]:
    import geo.register.decide  # noqa: PLC0415 - the group: roles, proposals, meetings, consultations
    import geo.register.journal  # noqa: PLC0415 - its tables belong to the same metadata
    import geo.register.knowledge  # noqa: PLC0415 - partners, debriefs, handovers
    import geo.register.programme  # noqa: F401, PLC0415

    return [t for t in models.Base.metadata.sorted_tables if t.name not in SKIPPED_TABLES]


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):  # a file kept in the register (a consultation's flyer)
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _typed(column: sa.Column[Any], value: object) -> object:
    """A value read from JSON as its column wants it (dates and times come back from ISO text)."""
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, sa.DateTime) and isinstance(value, str):
        return datetime.fromisoformat(value)
    if isinstance(kind, sa.Date) and isinstance(value, str):
        return date.fromisoformat(value)
    if isinstance(kind, sa.LargeBinary) and isinstance(value, str):
        return base64.b64decode(value)
    return value


def _snapshot(engine: Engine) -> tuple[str | None, dict[str, list[dict[str, object]]]]:
    """The schema revision and every table's rows, read in one transaction (one snapshot)."""
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    rows: dict[str, list[dict[str, object]]] = {}
    with engine.connect().execution_options(**options) as connection, connection.begin():
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
        for table in _tables():
            order = list(table.primary_key.columns) or list(table.columns)
            result = connection.execute(sa.select(table).order_by(*order))
            rows[table.name] = [{k: _plain(v) for k, v in r.items()} for r in result.mappings()]
    return revision, rows


def _lines(rows: list[dict[str, object]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows).encode("utf-8")


def backup(
    register: store.Register,
    out: str | Path,
    *,
    datasets: Path | None = None,
    by: Principal,
    allow_empty: bool = False,
) -> dict[str, Any]:
    """
    Write a backup of `register` (and the datasets folder `datasets`, when there is one) to `out`.

    Parameters
    ----------
    register
        The register to back up.
    out
        The zip file to write; it appears whole or not at all (`geo.core.files.write_atomic`).
    datasets
        The imported datasets folder (``<user folder>/official``); left out when None or missing.
    by
        Who takes it (it holds personal data: admins and the operator only); audited.
    allow_empty
        Also back up a register that holds nothing but its audit log (otherwise refused: such a backup is
        almost always of the wrong register, for example the real one while the day's work is in the demo's).

    Returns
    -------
    dict
        The manifest written into the file.

    Raises
    ------
    BackupError
        The register is empty and `allow_empty` is False; nothing is written.
    """
    with register.read() as s:  # the account as the register holds it now, not as the caller built it
        require(register.current(s, by), Action.BACKUP)
    revision, rows = _snapshot(register.engine)
    if not allow_empty and not any(found for name, found in rows.items() if name not in LOG_TABLES):
        key = "backup.empty_demo" if register.demo else "backup.empty_real"
        raise BackupError(key, url=register.shown_url)
    buffer = io.BytesIO()
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "app_version": __version__,
        "revision": revision,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "dialect": register.engine.dialect.name,
        "tables": {},
        "datasets": [],
        "skipped_tables": sorted(SKIPPED_TABLES),
    }
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, table_rows in rows.items():
            data = _lines(table_rows)
            archive.writestr(f"tables/{name}.jsonl", data)
            manifest["tables"][name] = {"rows": len(table_rows), "sha256": hashlib.sha256(data).hexdigest()}
        if datasets is not None and datasets.is_dir():
            _pack_datasets(archive, datasets, manifest)
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    files.write_atomic(out, buffer.getvalue())
    logs.get("backup").info(
        "backup written to %s: %d table rows, %d dataset files",
        Path(out).name,
        sum(t["rows"] for t in manifest["tables"].values()),
        len(manifest["datasets"]),
    )
    register.record(
        by,
        "backup.create",
        target="backup",
        target_id=Path(out).name,
        rows=sum(t["rows"] for t in manifest["tables"].values()),
    )
    return manifest


def max_entry_bytes() -> int:
    """The largest file a restore unpacks (`SOZIALRAUM_RESTORE_MAX_MB`, default 1024 MB per file)."""
    return int(env_number("SOZIALRAUM_RESTORE_MAX_MB") * 1024 * 1024)


def _read(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """
    One entry of the backup, read in pieces and never past `limit` bytes.

    The size a zip file declares is checked first; the bytes that really come out are counted as well,
    because a crafted file can declare less than it unpacks to.
    """
    try:
        info = archive.getinfo(name)
    except KeyError as exc:
        raise BackupError("backup.damaged", part=name) from exc
    if info.file_size > limit:
        raise BackupError("backup.too_big", part=name, mb=limit // (1024 * 1024))
    chunks, size = [], 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(1024 * 1024):
                size += len(chunk)
                if size > limit or size > info.file_size:
                    raise BackupError("backup.too_big", part=name, mb=limit // (1024 * 1024))
                chunks.append(chunk)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:  # a CRC error, a cut-off file
        raise BackupError("backup.damaged", part=name) from exc
    return b"".join(chunks)


def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    """The manifest of an opened backup, checked against this app and the files beside it."""
    try:
        manifest = json.loads(_read(archive, MANIFEST, 16 * 1024 * 1024))
    except (BackupError, ValueError) as exc:
        raise BackupError("backup.not_a_backup") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError("backup.unknown_format", found=str(manifest.get("format")))
    known = {t.name for t in _tables()}
    revisions = _revisions()
    if manifest.get("revision") not in revisions:
        raise BackupError(
            "backup.newer_schema", revision=str(manifest.get("revision")), head=store.HEAD_REVISION
        )
    for name, entry in manifest.get("tables", {}).items():
        if name not in known and revisions.index(manifest["revision"]) == len(revisions) - 1:
            raise BackupError("backup.damaged", part=name)
        data = _read(archive, f"tables/{name}.jsonl", max_entry_bytes())
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            raise BackupError("backup.damaged", part=name)
    for relative in manifest.get("datasets", []):
        target = (Path("/datasets") / relative).resolve()
        if not isinstance(relative, str) or not target.is_relative_to(Path("/datasets").resolve()):
            raise BackupError("backup.damaged", part=str(relative))  # a crafted name such as ../../etc
        if relative in manifest.get("dataset_files", {}):
            continue
        if "dataset_files" in manifest:  # listed, but without its checksum
            raise BackupError("backup.damaged", part=relative)
    return dict(manifest)


def _revisions() -> list[str]:
    """The schema revisions of `geo/register/migrations/versions`, oldest first."""
    folder = Path(store.__file__).parent / "migrations" / "versions"
    return sorted(p.name.split("_", 1)[0] for p in folder.glob("[0-9][0-9][0-9][0-9]_*.py"))


def _has_rows(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        return [
            t.name
            for t in _tables()
            if t.name in present
            and connection.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
        ]


def restore(
    url: str,
    source: str | Path,
    *,
    datasets: Path | None = None,
    replace: bool = False,
    by: Principal,
) -> dict[str, Any]:
    """
    Restore a backup into the database at `url` (and its datasets into `datasets`): all of it, or nothing.

    Everything is checked before anything is written: the manifest, every entry's size (before it is
    unpacked) and checksum, the datasets' too, the schema revision, and whether the database is empty. The
    datasets are then unpacked beside their place; the tables go in in one transaction, and the datasets folder
    is swapped in before that transaction commits (and swapped back if the commit fails). A folder or an
    SQLite file that does not exist yet (a new machine) is created.

    Parameters
    ----------
    url
        The register database (SQLite or PostgreSQL).
    source
        A file written by `backup`.
    datasets
        Where the datasets folder goes (``<user folder>/official``); swapped in whole. None: not restored.
    replace
        Delete the rows the database has first, login sessions included (everybody logs in again); without
        it a database with rows is refused.
    by
        Who restores (admins and the operator only); audited in the restored register.

    Returns
    -------
    dict
        The backup's manifest, and under ``"restored"`` what was done: rows, dataset files, sessions ended,
        and whether the datasets had checksums (backups before version 0.2 have none).

    Raises
    ------
    BackupError
        Not a backup, damaged, too big, newer than this app, or the database is not empty (without
        `replace`). Nothing was changed then.
    """
    require(by, Action.BACKUP)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError("backup.not_a_backup") from exc
    with archive:
        manifest = read_manifest(archive)
        store.sqlite_folder(url)
        engine = store.make_engine(url)
        staging: Path | None = None
        try:
            _check_target(engine, manifest, replace=replace)
            if datasets is not None and manifest.get("datasets"):
                staging = _stage_datasets(archive, manifest, datasets)
            done = _load_rows(engine, archive, manifest, swap=(staging, datasets))
            staging = None  # swapped in
            if store.schema_revision(engine) != store.HEAD_REVISION:
                store.migrate(engine)
        finally:
            engine.dispose()
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
    done["dataset_files"] = len(manifest.get("datasets", [])) if datasets is not None else 0
    done["datasets_checked"] = "dataset_files" in manifest or not manifest.get("datasets")
    _announce_restore(url, Path(source).name, manifest, done, by=by)
    return {**manifest, "restored": done}


def _pack_datasets(archive: zipfile.ZipFile, datasets: Path, manifest: dict[str, Any]) -> None:
    """Every file of the datasets folder into the archive, each listed with its size and checksum."""
    manifest["dataset_files"] = {}
    for path in sorted(p for p in datasets.rglob("*") if p.is_file() and not files.leftover(p)):
        relative = path.relative_to(datasets).as_posix()
        data = path.read_bytes()
        archive.writestr(f"datasets/{relative}", data)
        manifest["datasets"].append(relative)
        manifest["dataset_files"][relative] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _announce_restore(
    url: str, name: str, manifest: dict[str, Any], done: dict[str, Any], *, by: Principal
) -> None:
    """A restore in the operator's log and in the restored register's audit log."""
    logs.get("backup").info(
        "backup %s (taken %s) restored: %d rows, %d dataset files, %d login sessions ended",
        name,
        manifest["created"],
        done["rows"],
        done["dataset_files"],
        done["sessions_ended"],
    )
    register = store.Register(url)
    try:
        register.record(by, "backup.restore", target="backup", target_id=name, **done)
    finally:
        register.close()


def _check_target(engine: Engine, manifest: dict[str, Any], *, replace: bool) -> None:
    """The database's schema brought to where the backup can go in, and refused when it holds rows."""
    revision = manifest["revision"]
    current = store.schema_revision(engine)
    if current is None and revision != store.HEAD_REVISION:
        store.migrate(engine, revision=revision)  # an older backup: its own schema first
    elif current is None or current != store.HEAD_REVISION:
        store.migrate(engine)
    elif revision != store.HEAD_REVISION:
        raise BackupError("backup.older_needs_empty", revision=revision, head=store.HEAD_REVISION)
    filled = _has_rows(engine)
    if filled and not replace:
        raise BackupError("backup.not_empty", tables=", ".join(filled))


def _stage_datasets(archive: zipfile.ZipFile, manifest: dict[str, Any], datasets: Path) -> Path:
    """The datasets folder unpacked beside its place, every file checked; removed again on any problem."""
    datasets.parent.mkdir(parents=True, exist_ok=True)
    staging = files.sibling(datasets, "new")
    sums = manifest.get("dataset_files", {})
    limit = max_entry_bytes()
    try:
        for relative in manifest["datasets"]:
            target = (staging / relative).resolve()
            if not target.is_relative_to(staging.resolve()):  # a crafted name such as ../../etc
                raise BackupError("backup.damaged", part=relative)
            data = _read(archive, f"datasets/{relative}", limit)
            expected = sums.get(relative)
            if expected is not None and (
                hashlib.sha256(data).hexdigest() != expected.get("sha256")
                or len(data) != expected.get("bytes")
            ):
                raise BackupError("backup.damaged", part=f"datasets/{relative}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _load_rows(
    engine: Engine,
    archive: zipfile.ZipFile,
    manifest: dict[str, Any],
    *,
    swap: tuple[Path | None, Path | None] = (None, None),
) -> dict[str, int]:
    """
    Every table's rows in one transaction: children deleted first, parents inserted first.

    The login state (sessions, failed logins, a setup code) goes too: everybody logs in again. The staged
    datasets folder (`swap`: staging, place) is swapped in just before the commit and back if it fails.
    """
    staging, place = swap
    ended = 0
    rows_in = 0
    old: Path | None = None
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            present = set(inspect(connection).get_table_names())
            for name in sorted(SKIPPED_TABLES & present):
                result = connection.execute(models.Base.metadata.tables[name].delete())
                ended += int(result.rowcount or 0) if name == "login_session" else 0
            tables = [t for t in _tables() if t.name in present]
            for table in reversed(tables):
                connection.execute(table.delete())
            for table in tables:
                if table.name not in manifest["tables"]:
                    continue
                columns = {c.name: c for c in table.columns}
                raw = _read(archive, f"tables/{table.name}.jsonl", max_entry_bytes())
                rows = [
                    {k: _typed(columns[k], v) for k, v in json.loads(line).items() if k in columns}
                    for line in raw.decode("utf-8").splitlines()
                    if line
                ]
                if rows:
                    connection.execute(table.insert(), rows)
                    rows_in += len(rows)
                serial = table.autoincrement_column
                if engine.dialect.name == "postgresql" and serial is not None and serial.name == "id":
                    # the next ID follows the restored ones (the table name is the app's own, not input)
                    statement = (
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                    )
                    connection.execute(text(statement))
            if staging is not None and place is not None:
                if place.exists():
                    old = files.sibling(place, "old")
                    place.rename(old)
                staging.replace(place)
            try:
                transaction.commit()
            except BaseException:
                if staging is not None and place is not None:  # the tables did not go in: nor do the datasets
                    place.replace(staging)
                    if old is not None:
                        old.rename(place)
                    old = None
                raise
        except BaseException:
            if transaction.is_active:
                transaction.rollback()
            raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return {"rows": rows_in, "sessions_ended": ended}


def compare(left_url: str, right_url: str) -> dict[str, tuple[int, int]]:
    """Tables whose rows differ between two registers: name -> (rows left, rows right). Empty when equal."""
    differ: dict[str, tuple[int, int]] = {}
    engines = store.make_engine(left_url), store.make_engine(right_url)
    try:
        (_, a), (_, b) = (_snapshot(e) for e in engines)
    finally:
        for e in engines:
            e.dispose()
    for name in sorted(set(a) | set(b)):
        if a.get(name) != b.get(name):
            differ[name] = (len(a.get(name, [])), len(b.get(name, [])))
    return differ
