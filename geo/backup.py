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

from geo import __version__, files, logs, store
from geo.access import Action, Principal, require
from geo.errors import SozialraumError

#: The layout of a backup file; a restore refuses a format it does not know.
FORMAT = 1
#: Short-lived security state, left out: a restore signs everybody out.
SKIPPED_TABLES = frozenset({"login_session", "login_failure"})
#: Rows here alone do not make a register worth a backup: the log of what was done to it (a backup itself
#: adds an entry, so an empty register would look filled after its first backup).
LOG_TABLES = frozenset({"audit_entry"})
MANIFEST = "manifest.json"


class BackupError(SozialraumError):
    """A backup that cannot be taken or restored (not a backup, damaged, newer than this app, not empty)."""


def _tables() -> list[sa.Table]:
    import geo.journal  # noqa: PLC0415 - its tables belong to the same metadata
    import geo.programme  # noqa: F401, PLC0415

    return [t for t in store.Base.metadata.sorted_tables if t.name not in SKIPPED_TABLES]


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
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
        The zip file to write; it appears whole or not at all (`geo.files.write_atomic`).
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
    require(by, Action.BACKUP)
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
            for path in sorted(p for p in datasets.rglob("*") if p.is_file() and not files.leftover(p)):
                relative = path.relative_to(datasets).as_posix()
                archive.write(path, f"datasets/{relative}")
                manifest["datasets"].append(relative)
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


def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    """The manifest of an opened backup, checked against this app and the files beside it."""
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError) as exc:
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
        try:
            data = archive.read(f"tables/{name}.jsonl")
        except KeyError as exc:
            raise BackupError("backup.damaged", part=name) from exc
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            raise BackupError("backup.damaged", part=name)
    return dict(manifest)


def _revisions() -> list[str]:
    """The schema revisions of `geo/migrations/versions`, oldest first."""
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
    Restore a backup into the database at `url` (and its datasets into `datasets`).

    Parameters
    ----------
    url
        The register database (SQLite or PostgreSQL).
    source
        A file written by `backup`.
    datasets
        Where the datasets folder goes (``<user folder>/official``); swapped in whole. None: not restored.
    replace
        Delete the rows the database has first; without it a database with rows is refused.
    by
        Who restores (admins and the operator only); audited in the restored register.

    Returns
    -------
    dict
        The backup's manifest.

    Raises
    ------
    BackupError
        Not a backup, damaged, newer than this app, or the database is not empty (without `replace`).
    """
    require(by, Action.BACKUP)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError("backup.not_a_backup") from exc
    with archive:
        manifest = read_manifest(archive)
        engine = store.make_engine(url)
        try:
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
            _load_rows(engine, archive, manifest)
            if store.schema_revision(engine) != store.HEAD_REVISION:
                store.migrate(engine)
        finally:
            engine.dispose()
        if datasets is not None and manifest.get("datasets"):
            _restore_datasets(archive, manifest, datasets)
    logs.get("backup").info("backup %s (taken %s) restored", Path(source).name, manifest["created"])
    register = store.Register(url)
    try:
        register.record(by, "backup.restore", target="backup", target_id=Path(source).name)
    finally:
        register.close()
    return manifest


def _load_rows(engine: Engine, archive: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    """Every table's rows in one transaction: children deleted first, parents inserted first."""
    with engine.connect() as connection, connection.begin():
        present = set(inspect(connection).get_table_names())
        tables = [t for t in _tables() if t.name in present]
        for table in reversed(tables):
            connection.execute(table.delete())
        for table in tables:
            if table.name not in manifest["tables"]:
                continue
            columns = {c.name: c for c in table.columns}
            rows = [
                {k: _typed(columns[k], v) for k, v in json.loads(line).items() if k in columns}
                for line in archive.read(f"tables/{table.name}.jsonl").decode("utf-8").splitlines()
                if line
            ]
            if rows:
                connection.execute(table.insert(), rows)
            if engine.dialect.name == "postgresql" and "id" in columns and columns["id"].autoincrement:
                # the next ID follows the restored ones (the table name is the app's own, not input)
                statement = (
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
                connection.execute(text(statement))


def _restore_datasets(archive: zipfile.ZipFile, manifest: dict[str, Any], datasets: Path) -> None:
    """The datasets folder written beside its place, then swapped in whole (the old one removed)."""
    datasets.parent.mkdir(parents=True, exist_ok=True)
    staging = files.sibling(datasets, "new")
    try:
        for relative in manifest["datasets"]:
            target = (staging / relative).resolve()
            if not target.is_relative_to(staging.resolve()):  # a crafted name such as ../../etc
                raise BackupError("backup.damaged", part=relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(f"datasets/{relative}"))
        old = files.sibling(datasets, "old")
        if datasets.exists():
            datasets.rename(old)
        staging.replace(datasets)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


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
