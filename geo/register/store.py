"""
The register of connectors, tandems and their assignments to Sozialräume.

SQLAlchemy 2 on an embedded SQLite file by default (`var/register.sqlite`), or any SQLAlchemy URL (for
example PostgreSQL) through `DATABASE_URL`. The schema is created and migrated with Alembic when the
register is opened. Every write is one transaction; a record edited by someone else since it was read
is refused (`ConcurrentEditError`), never silently overwritten. Ending a tandem or an assignment keeps it
as history.

Privacy: a connector's contact and home Sozialraum are private. Functions that feed public views and
exports return `PublicConnector` and `TandemView`, which do not carry them, and tandem views carry no
connector names either; only `private_connectors(by=...)` returns them, to a principal allowed to see them.

Rights: every write goes through `Register.write`, the one transaction helper. It reloads the acting
account inside the transaction (so a role removed or an account disabled counts at once), checks the
action against `geo.core.access`, runs the change and records an audit entry in the same transaction. The audit
log holds who, what and when, field names but never values, and never a password.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import (
    Column,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    create_engine,
    event,
    func,
    inspect,
    make_url,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from geo.core import auth, logs
from geo.core.access import AccessDeniedError, Action, Principal, Role, require
from geo.core.errors import ConcurrentEditError, RegisterError
from geo.core.settings import env_number, get_settings, unit_id
from geo.register import _handover
from geo.register.models import (
    Account,
    Assignment,
    AuditEntry,
    Base,
    Connector,
    GroupRole,
    Tandem,
    TandemMember,
)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def check_name(name: str) -> None:
    """A name is one line of text: refused when empty, or with a line break or a control character."""
    if not name.strip():
        raise RegisterError("register.name_missing")
    if re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", name):
        raise RegisterError("register.name_one_line")


@dataclass
class Tx:
    """An open write transaction: the session, the acting principal as now stored, the audit entry's parts."""

    session: Session
    by: Principal
    target: str = ""
    target_id: object = ""
    details: dict[str, object] = field(default_factory=dict)
    #: Further audit entries of the same write (event, target, target ID, details), in order.
    more: list[tuple[str, str, object, dict[str, object]]] = field(default_factory=list)

    def require(self, action: Action, *, tandem_id: int | None = None) -> None:
        """Refuse (and so roll back) unless the principal may take `action`, e.g. on a record's tandem."""
        require(self.by, action, tandem_id=tandem_id)

    def also(self, event: str, *, target: str = "", target_id: object = "", **details: object) -> None:
        """Another audit entry of this same write (an account created and given its roles at once)."""
        self.more.append((event, target, target_id, details))


#: The `action` of a write no logged-in person makes, so nothing to check: a failed login, a login session,
#: the first admin account, the install code, an account the city's identity provider announces.
NO_LOGIN = None


@dataclass(frozen=True)
class PublicConnector:
    """What anyone may see of a connector: no name, contact or home area."""

    id: int
    languages: tuple[str, ...]
    active: bool


@dataclass(frozen=True)
class PrivateConnector:
    """A connector as coordinators see and edit it."""

    id: int
    display_name: str
    languages: tuple[str, ...]
    contact: str
    home_sozialraum_id: str | None
    active: bool
    version: int


@dataclass(frozen=True)
class TandemView:
    """A tandem without personal data: members by ID only, their languages pooled."""

    id: int
    name: str
    welcome_point_id: str | None
    start_date: date
    end_date: date | None
    member_ids: tuple[int, ...]
    languages: tuple[str, ...]
    version: int

    def active_on(self, day: date) -> bool:
        """True when the tandem works on `day`."""
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


@dataclass(frozen=True)
class AssignmentView:
    """An assignment of a tandem to a Sozialraum."""

    id: int
    tandem_id: int
    sozialraum_id: str
    valid_from: date
    valid_to: date | None
    version: int

    def active_on(self, day: date) -> bool:
        """True when the assignment holds on `day`."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def database_url() -> str:
    """`DATABASE_URL`, else an SQLite file in the user data folder (kept out of git)."""
    if url := os.environ.get("DATABASE_URL"):
        return url
    return f"sqlite:///{get_settings().user_dir / 'register.sqlite'}"  # the folder is made on opening


def _sqlite_pragmas(connection: object, _record: object) -> None:
    """
    SQLite as several sessions use it: foreign keys on, writers wait for each other instead of failing.

    WAL lets readers go on while one writes; a writer waits up to `SOZIALRAUM_SQLITE_BUSY_MS` (default
    5000) for another writer before the user is asked to try again (`register.busy`).
    """
    # The driver's own transaction handling is switched off and SQLAlchemy's "begin" emits BEGIN itself
    # (`_sqlite_begin`): otherwise a SAVEPOINT opened first (a row of an import, see `Register.batch`)
    # commits on RELEASE and a later rollback of the whole import leaves it in place.
    connection.isolation_level = None  # type: ignore[attr-defined]
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(env_number('SOZIALRAUM_SQLITE_BUSY_MS'))}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """
    Start every SQLite transaction explicitly (see `_sqlite_pragmas`); a write takes the write lock at once.

    A write transaction that read first and then writes cannot wait for another writer in WAL mode (SQLite
    answers "database is locked" at once, the busy timeout does not apply to a snapshot that became
    stale); ``BEGIN IMMEDIATE`` waits for the write lock up to the busy timeout before reading anything.
    """
    immediate = connection.info.get("begin_immediate") or connection.get_execution_options().get(
        "begin_immediate"
    )
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def demo_database_url() -> str:
    """The demo register: an SQLite file of its own in the user data folder, never the real register."""
    return f"sqlite:///{get_settings().user_dir / 'demo-register.sqlite'}"


def _hide_password(url: str) -> str:
    """The URL as it may be shown: a password in it becomes ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.rsplit("@", maxsplit=1)[-1] if "@" in url else url


#: The key of the PostgreSQL advisory lock held while the schema is migrated ("SK-M" in ASCII).
MIGRATION_LOCK = 0x534B2D4D

#: The newest migration in `geo/register/migrations/versions` (a test compares it with Alembic's own head).
HEAD_REVISION = "0011"


def schema_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at; None for a database without the version table."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()


def sqlite_folder(url: str) -> None:
    """
    For an SQLite file: create its folder when it does not exist yet (a new machine, a first restore).

    Raises
    ------
    RegisterError
        When the folder cannot be made (read-only, a file where the folder should be), saying where and why.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise RegisterError("register.bad_url", url=_hide_password(url)) from exc
    database = parsed.database
    if parsed.get_backend_name() == "sqlite" and database and database != ":memory:":
        try:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RegisterError(
                "register.cannot_create", path=database, reason=exc.strerror or str(exc)
            ) from exc


def make_engine(url: str) -> Engine:
    """
    An engine for the register's database, SQLite set up as several sessions use it (`_sqlite_pragmas`).

    Raises
    ------
    sqlalchemy.exc.ArgumentError, ImportError
        For a URL that is none, or a database whose driver is missing.
    """
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


#: Alembic's own version table, as `alembic stamp` makes it (a new register is stamped without Alembic).
_ALEMBIC_VERSION = Table(
    "alembic_version",
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


def _is_empty(connection: Connection) -> bool:
    """True for a database without any table: a new register, nothing to migrate from."""
    return not inspect(connection).get_table_names()


def migrate(engine: Engine, *, revision: str = "head", from_models: bool = True) -> None:
    """
    Bring the schema to the newest Alembic revision (or to `revision`, for restoring an older backup).

    A database already at the newest revision is left alone without importing Alembic (a fifth of a second
    at every server start). An empty database (a new register) gets the newest schema in one step, made from
    the models and stamped with the head revision, as Alembic's cookbook recommends ("building an up to date
    database from scratch"): the same tables as the eleven migrations one after another (a test compares
    them, `tests/test_store.py`), made in a tenth of the time. `from_models=False` runs the migrations instead.
    """
    if revision == "head" and schema_revision(engine) == HEAD_REVISION:
        return
    with engine.connect() as connection:
        # one migration at a time, whatever the number of server processes: PostgreSQL holds an advisory
        # lock to the end of the transaction (the next process waits, then finds the schema current);
        # SQLite takes its write lock at BEGIN IMMEDIATE instead of at the first write
        connection.info["begin_immediate"] = True
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:  # SQLite's procedure for copying a table: foreign keys off (outside any transaction), the
            _sqlite_pragma(connection, "PRAGMA foreign_keys=OFF")  # copy, then one check of every reference
        try:
            with connection.begin():
                if engine.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
                before = (
                    connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
                    if inspect(connection).has_table("alembic_version")
                    else None
                )
                if from_models and revision == "head" and _is_empty(connection):
                    Base.metadata.create_all(connection)
                    _ALEMBIC_VERSION.create(connection)
                    connection.execute(_ALEMBIC_VERSION.insert().values(version_num=HEAD_REVISION))
                else:
                    _alembic_upgrade(connection, revision)
                after = connection.execute(
                    text("SELECT version_num FROM alembic_version")
                ).scalar_one_or_none()
                if sqlite and (broken := connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()):
                    msg = f"foreign keys broken by the migration: {broken[:5]}"
                    raise RuntimeError(msg)  # rolls the whole migration back
                if after != before:
                    logs.get("store").info(
                        "database schema migrated from %s to %s (%s)", before, after, engine.dialect.name
                    )
        finally:
            connection.info.pop("begin_immediate", None)
            if sqlite:
                _sqlite_pragma(connection, "PRAGMA foreign_keys=ON")


def _alembic_upgrade(connection: Connection, revision: str) -> None:
    """Alembic's migrations up to `revision`, on `connection` (inside the caller's transaction and lock)."""
    from alembic import command  # noqa: PLC0415
    from alembic.config import Config  # noqa: PLC0415

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


#: How long a process opening an SQLite register waits for another that is migrating it (seconds).
MIGRATION_WAIT_S = 120.0


def _migrate_waiting(engine: Engine) -> None:
    """
    `migrate`, waiting while another process migrates the same SQLite file.

    Server processes started together migrate one at a time; on a busy machine the first one can hold the
    file longer than the busy timeout of an ordinary write (`SOZIALRAUM_SQLITE_BUSY_MS`), and the others
    would give up with "database is locked". They wait up to `MIGRATION_WAIT_S` instead. (PostgreSQL's
    advisory lock waits by itself.)
    """
    deadline = time.monotonic() + MIGRATION_WAIT_S
    while True:
        try:
            migrate(engine)
            return
        except OperationalError as exc:
            if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.25)


def _sqlite_pragma(connection: Connection, statement: str) -> None:
    """A PRAGMA that only works outside a transaction, on the driver's own connection (autocommit)."""
    raw = connection.connection.dbapi_connection
    assert raw is not None
    raw.execute(statement)


@event.listens_for(Session, "before_flush")
def _without_nul(session: Session, _context: object, _instances: object) -> None:
    """
    NUL characters never reach the database: PostgreSQL refuses them in text, and no one types one on purpose.

    Every other character (an ESC pasted from elsewhere included) is kept as written.
    """
    for record in (*session.new, *session.dirty):
        for column in record.__mapper__.column_attrs:
            value = getattr(record, column.key)
            if isinstance(value, str) and "\x00" in value:
                setattr(record, column.key, value.replace("\x00", ""))


def _split_languages(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in text.replace(";", ",").split(",") if p.strip()))


def _private(r: Connector) -> PrivateConnector:
    return PrivateConnector(
        r.id,
        r.display_name,
        _split_languages(r.languages),
        r.contact,
        r.home_sozialraum_id,
        r.active,
        r.version,
    )


def roles_held(s: Session, connector_id: int | None, day: date | None = None) -> frozenset[str]:
    """The group roles `connector_id` holds on `day` (today)."""
    if connector_id is None:
        return frozenset()
    day = day or date.today()
    query = select(GroupRole.role).where(
        GroupRole.connector_id == connector_id,
        GroupRole.valid_from <= day,
        (GroupRole.valid_to.is_(None)) | (GroupRole.valid_to >= day),
    )
    return frozenset(s.scalars(query))


def principal_of(s: Session, account: Account, *, demo: bool = False) -> Principal:
    """
    The principal of a stored account: its roles, its connector and that connector's current tandems.

    A connector who left (inactive) keeps the account but acts for no tandem any more.
    """
    tandem_ids: frozenset[int] = frozenset()
    connector = s.get(Connector, account.connector_id) if account.connector_id is not None else None
    if connector is not None and connector.active:  # a connector who left acts for no tandem
        today = date.today()
        query = (
            select(Tandem.id)
            .join(TandemMember, TandemMember.tandem_id == Tandem.id)
            .where(TandemMember.connector_id == account.connector_id)
            .where((Tandem.end_date.is_(None)) | (Tandem.end_date >= today))
        )
        tandem_ids = frozenset(s.scalars(query))
    group_roles: frozenset[str] = frozenset()
    if connector is not None and connector.active:
        group_roles = roles_held(s, connector.id)
    return Principal(
        label=account.email,
        roles=account.role_set(),
        account_id=account.id,
        connector_id=account.connector_id,
        demo=demo,
        tandem_ids=tandem_ids,
        group_roles=group_roles,
    )


class Register:
    """The register; open it with `Register()` (or a URL) and call its methods."""

    def __init__(self, url: str | None = None, *, demo: bool = False) -> None:
        #: A demo register: its accounts can try every role there and nothing outside it.
        self.demo = demo
        #: The open `batch` of each thread (the register is shared by the sessions of a server).
        self._batch = threading.local()
        self.url = url or database_url()
        try:
            self.engine = make_engine(self.url)
        except ArgumentError as exc:  # not a URL, or an unknown kind of database
            raise RegisterError("register.bad_url", url=_hide_password(self.url)) from exc
        except ImportError as exc:  # e.g. PostgreSQL without psycopg installed
            postgres = make_url(self.url).get_backend_name() == "postgresql"
            raise RegisterError(
                "register.driver_missing" if postgres else "register.driver_unsupported",
                url=_hide_password(self.url),
                module=exc.name,
            ) from exc
        database = self.engine.url.database
        if self.engine.dialect.name == "sqlite" and database and database != ":memory:":
            try:
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:  # read-only, or a file where the folder should be
                raise RegisterError(
                    "register.cannot_create", path=database, reason=exc.strerror or str(exc)
                ) from exc
        #: The same database for writes: on SQLite they begin with the write lock (`_sqlite_begin`).
        self._writer = self.engine.execution_options(begin_immediate=True)
        try:
            _migrate_waiting(self.engine)
        except (OperationalError, OSError) as exc:
            self.engine.dispose()
            raise RegisterError("register.unreachable", url=_hide_password(self.url)) from exc
        if not demo:
            self._adopt_legacy_password(auth.legacy_hash())

    @property
    def shown_url(self) -> str:
        """The register's URL as it may be shown: a password in it becomes ``***``."""
        return _hide_password(self.url)

    def close(self) -> None:
        """Close the pooled database connections (the register can still be used; it reconnects)."""
        self.engine.dispose()

    def _adopt_legacy_password(self, password_hash: str | None) -> bool:
        """
        The old shared coordinator password (`geo.core.auth.legacy_hash`) becomes the first account.

        On opening a register without any account, it becomes one admin and coordinator account,
        ``koordination@local``, so an existing install is not locked out. Done once; audited.
        """
        if not password_hash:
            return False
        with self.read() as s:
            if (s.scalar(select(func.count()).select_from(Account)) or 0) > 0:
                return False
        with self.write(Principal(label="migration"), NO_LOGIN, None) as tx:  # an entry only when it happens
            s = tx.session
            if (s.scalar(select(func.count()).select_from(Account)) or 0) > 0:
                return False
            record = Account(
                email="koordination@local",
                display_name="Koordination",
                roles=",".join(sorted({Role.ADMIN.value, Role.COORDINATOR.value})),
                password_hash=password_hash.strip(),
                source="legacy",
            )
            s.add(record)
            s.flush()
            tx.also("account.from_shared_password", target="account", target_id=record.id)
        return True

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        """
        One transaction; a concurrent edit found at flush time becomes `ConcurrentEditError`.

        Inside `batch` it is a savepoint of the batch's transaction instead: a failed row is undone
        alone, and nothing is stored until the batch ends.
        """
        outer: Session | None = getattr(self._batch, "session", None)
        try:
            if outer is not None:
                with outer.begin_nested():
                    yield outer
                return
            with Session(self._writer, expire_on_commit=False) as session, session.begin():
                yield session
        except StaleDataError as exc:
            raise ConcurrentEditError("register.concurrent_edit") from exc
        except OperationalError as exc:
            if "locked" in str(exc.orig).lower() or "busy" in str(exc.orig).lower():
                raise RegisterError("register.busy") from exc  # SQLite under another long write
            raise

    @contextmanager
    def batch(self, by: Principal, event: str, *, target: str = "") -> Iterator[dict[str, object]]:
        """
        Many writes as one: every `write` inside (in this thread) joins one transaction, all or nothing.

        A write that fails inside is rolled back alone (a savepoint), so an import can report the row
        and go on; a kill, a lost connection or an exception out of the block stores none of the rows.
        The batch itself is recorded as `event` with the details put in the dict it yields (counts,
        never values).
        """
        if getattr(self._batch, "session", None) is not None:
            msg = "batches do not nest"
            raise RuntimeError(msg)
        with self._tx() as s:
            self._batch.session = s
            details: dict[str, object] = {}
            try:
                yield details
            finally:
                self._batch.session = None
            self._add_audit(s, by, event, target=target, details=details)

    @contextmanager
    def step(self) -> Iterator[None]:
        """Inside `batch`: writes kept or undone together (the row of an import that makes two changes)."""
        if getattr(self._batch, "session", None) is None:
            msg = "a step belongs in a batch"
            raise RuntimeError(msg)
        with self._tx():
            yield

    @contextmanager
    def write(
        self,
        by: Principal,
        action: Action | None,
        event: str | None,
        *,
        tandem_id: int | None = None,
        target: str = "",
        target_id: object = "",
    ) -> Iterator[Tx]:
        """
        The one way to write: check `action` for `by` as stored now, run the change, record `event`.

        Everything inside is one transaction with its audit entries: a refusal or an error anywhere leaves
        the register as it was. Fill `tx.target_id` and `tx.details` (field names, counts; never values);
        `tx.also` adds another entry. `action` `NO_LOGIN`: a write no logged-in person makes (nothing to
        check; `tx.by` may be set once the person is known, as at a login). `event` None: bookkeeping that
        is no event of the audit log (a login session's ticket and cookie).
        """
        with self._tx() as s:
            tx = Tx(s, by if action is NO_LOGIN else self.current(s, by), target=target, target_id=target_id)
            if action is not NO_LOGIN:
                tx.require(action, tandem_id=tandem_id)
            yield tx
            s.flush()
            if event is not None:
                self._add_audit(s, tx.by, event, target=tx.target, target_id=tx.target_id, details=tx.details)
            for more, target_of, id_of, details in tx.more:
                self._add_audit(s, tx.by, more, target=target_of, target_id=id_of, details=details)

    def record(
        self, by: Principal, event: str, *, target: str = "", target_id: object = "", **details: object
    ) -> None:
        """An audit entry on its own (a login elsewhere, an export of personal data)."""
        with self.write(by, NO_LOGIN, event, target=target, target_id=target_id) as tx:
            tx.details = details

    @staticmethod
    def _add_audit(
        s: Session,
        by: Principal,
        event: str,
        *,
        target: str = "",
        target_id: object = "",
        details: dict[str, object] | None = None,
    ) -> None:
        """Add an audit entry to an open transaction (field names and counts only, never values)."""
        s.add(
            AuditEntry(
                actor_account_id=by.account_id,
                actor=by.label[:254],
                action=event,
                target=target,
                target_id=str(target_id or ""),
                details=json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)
                if details
                else "",
            )
        )

    @contextmanager
    def read(self, by: Principal | None = None, action: Action | None = None) -> Iterator[Session]:
        """A session for reading; with `action`, refused unless `by` (as stored now) may take it."""
        with Session(self.engine) as s:
            if action is not None:
                require(self.current(s, by or Principal.public()), action)
            yield s

    def stamp(self) -> int:
        """
        A number that grows with every write (the newest audit entry; every write adds one).

        Pages use it as a cache key: what they read from the register is read again only after a write.
        """
        with Session(self.engine) as s:
            return int(s.scalar(select(func.max(AuditEntry.id))) or 0)

    def current(self, s: Session, by: Principal) -> Principal:
        """
        `by` as the register holds it now: roles, connector and tandems reloaded for an account.

        Raises
        ------
        AccessDeniedError
            When the account was disabled or deleted since the principal was built.
        """
        if by.system or by.account_id is None:
            return by
        account = s.get(Account, by.account_id)
        if account is None or account.disabled:
            raise AccessDeniedError("access.account_disabled")
        return principal_of(s, account, demo=by.demo)

    @staticmethod
    def _check_version(record: Connector | Tandem | Assignment | None, version: int, what: str) -> None:
        if record is None:
            raise RegisterError("register.not_found", what=what)
        if record.version != version:
            raise ConcurrentEditError("register.concurrent_edit")

    # --- connectors ------------------------------------------------------------------------------

    def add_connector(
        self,
        display_name: str,
        languages: str = "",
        *,
        by: Principal,
        contact: str = "",
        home_sozialraum_id: str | None = None,
        known_ids: set[str] | None = None,
    ) -> int:
        """
        Add a connector (coordinators); returns the new ID.

        A home unit is written as the dataset writes IDs (``37001`` -> ``037001``); with `known_ids` one the
        dataset does not have is refused.
        """
        name = display_name.strip()
        if not name:
            raise RegisterError("register.name_missing")
        home_sozialraum_id = unit_id(home_sozialraum_id, known_ids) if home_sozialraum_id else None
        if home_sozialraum_id and known_ids is not None and home_sozialraum_id not in known_ids:
            raise RegisterError("register.unknown_sozialraum", id=home_sozialraum_id)
        with self.write(by, Action.WRITE_REGISTER, "connector.create", target="connector") as tx:
            record = Connector(
                display_name=name,
                languages=", ".join(_split_languages(languages)),
                contact=contact.strip(),
                home_sozialraum_id=home_sozialraum_id or None,
            )
            tx.session.add(record)
            tx.session.flush()
            tx.target_id = record.id
            return record.id

    def update_connector(self, connector_id: int, *, by: Principal, version: int, **fields: object) -> None:
        """
        Change a connector's fields (display_name, languages, contact, home_sozialraum_id, active).

        Coordinators change any record; a connector only their own, and not whether they are active.
        """
        allowed = {"display_name", "languages", "contact", "home_sozialraum_id", "active"}
        unknown = set(fields) - allowed
        if unknown:
            msg = f"unknown connector field {sorted(unknown)!r}"
            raise ValueError(msg)
        with self.write(
            by, Action.OWN_RECORD, "connector.update", target="connector", target_id=connector_id
        ) as tx:
            if not tx.by.may(Action.WRITE_REGISTER) and (
                tx.by.connector_id != connector_id or "active" in fields
            ):
                tx.require(Action.WRITE_REGISTER)
            record = tx.session.get(Connector, connector_id)
            self._check_version(record, version, f"connector {connector_id}")
            assert record is not None
            if record.erased_at is not None:
                raise RegisterError("register.erased")
            if "display_name" in fields and not str(fields["display_name"]).strip():
                raise RegisterError("register.name_missing")
            changed = []
            for key, value in fields.items():
                new = ", ".join(_split_languages(str(value))) if key == "languages" else value
                if isinstance(new, str):
                    new = new.strip()
                if getattr(record, key) != new:
                    changed.append(key)
                    setattr(record, key, new)
            left = "active" in changed and not record.active
            if left and _handover.items_needing_successor(tx.session, connector_id):
                raise RegisterError("handover.needed")  # nothing may be left without an owner
            if "active" in changed:
                record.left_on = None if record.active else date.today()
            tx.details = {"fields": changed}

    def connectors(self) -> list[PublicConnector]:
        """All connectors as anyone may see them: ID, languages, active (no name, contact or home area)."""
        with self.read() as s:
            rows = s.scalars(select(Connector).order_by(Connector.id)).all()
            return [PublicConnector(r.id, _split_languages(r.languages), r.active) for r in rows]

    def private_connectors(self, *, by: Principal) -> list[PrivateConnector]:
        """All connectors with name, contact and home area: only for those who keep the register."""
        with self.read(by, Action.READ_REGISTER) as s:
            return [_private(r) for r in s.scalars(select(Connector).order_by(Connector.id))]

    def own_connector(self, *, by: Principal) -> PrivateConnector | None:
        """The acting person's own connector record (None when the account has none)."""
        with self.read(by, Action.OWN_RECORD) as s:
            me = self.current(s, by)
            record = s.get(Connector, me.connector_id) if me.connector_id else None
            return _private(record) if record is not None else None

    # --- tandems ---------------------------------------------------------------------------------

    def _check_members(self, s: Session, member_ids: list[int]) -> None:
        members = list(dict.fromkeys(member_ids))
        found = {c.id: c for c in s.scalars(select(Connector).where(Connector.id.in_(members)))}
        unknown = [m for m in members if m not in found]
        if unknown:
            raise RegisterError("register.unknown_connector", ids=unknown)
        if sum(1 for m in members if found[m].active) < 2:
            raise RegisterError("register.tandem_needs_two")

    @staticmethod
    def _check_dates(start: date, end: date | None) -> None:
        if end is not None and end < start:
            raise RegisterError("register.dates_order", start=start.isoformat(), end=end.isoformat())

    def create_tandem(
        self,
        name: str,
        member_ids: list[int],
        *,
        by: Principal,
        start: date,
        welcome_point_id: str | None = None,
        end: date | None = None,
    ) -> int:
        """Create a tandem of two or more active connectors; returns the new ID."""
        check_name(name)
        self._check_dates(start, end)
        with self.write(by, Action.WRITE_REGISTER, "tandem.create", target="tandem") as tx:
            s = tx.session
            self._check_members(s, member_ids)
            tandem = Tandem(
                name=name.strip(),
                welcome_point_id=welcome_point_id or None,
                start_date=start,
                end_date=end,
                members=[TandemMember(connector_id=m) for m in dict.fromkeys(member_ids)],
            )
            s.add(tandem)
            s.flush()
            tx.target_id = tandem.id
            tx.details = {"members": len(set(member_ids))}
            return tandem.id

    def update_tandem(
        self,
        tandem_id: int,
        *,
        by: Principal,
        version: int,
        name: str | None = None,
        member_ids: list[int] | None = None,
        welcome_point_id: str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> None:
        """Change a tandem; refused when someone else saved it since `version` was read."""
        with self.write(
            by, Action.WRITE_REGISTER, "tandem.update", target="tandem", target_id=tandem_id
        ) as tx:
            s = tx.session
            tandem = s.get(Tandem, tandem_id)
            self._check_version(tandem, version, f"tandem {tandem_id}")
            assert tandem is not None
            new_start = start or tandem.start_date
            self._check_dates(new_start, end if end is not None else tandem.end_date)
            if name is not None:
                check_name(name)
                tandem.name = name.strip()
            if member_ids is not None:
                self._check_members(s, member_ids)
                tandem.members = [TandemMember(connector_id=m) for m in dict.fromkeys(member_ids)]
            if welcome_point_id is not None:
                tandem.welcome_point_id = welcome_point_id or None
            tandem.start_date = new_start
            if end is not None:
                tandem.end_date = end
                self._end_open_assignments(s, tandem_id, end)

    def end_tandem(self, tandem_id: int, *, by: Principal, version: int, end: date) -> None:
        """End a tandem and its open assignments on `end`; nothing is deleted."""
        with self.write(by, Action.WRITE_REGISTER, "tandem.end", target="tandem", target_id=tandem_id) as tx:
            s = tx.session
            tandem = s.get(Tandem, tandem_id)
            self._check_version(tandem, version, f"tandem {tandem_id}")
            assert tandem is not None
            self._check_dates(tandem.start_date, end)
            tandem.end_date = end
            self._end_open_assignments(s, tandem_id, end)

    @staticmethod
    def _end_open_assignments(s: Session, tandem_id: int, end: date) -> None:
        query = select(Assignment).where(Assignment.tandem_id == tandem_id, Assignment.valid_to.is_(None))
        for a in s.scalars(query):
            a.valid_to = max(end, a.valid_from)

    def tandems(self) -> list[TandemView]:
        """All tandems, ended ones included, without personal data."""
        with self.read() as s:
            languages = {c.id: _split_languages(c.languages) for c in s.scalars(select(Connector))}
            out = []
            for t in s.scalars(select(Tandem).order_by(Tandem.id)):
                ids = tuple(m.connector_id for m in t.members)
                pooled = tuple(dict.fromkeys(lang for i in ids for lang in languages.get(i, ())))
                out.append(
                    TandemView(
                        t.id, t.name, t.welcome_point_id, t.start_date, t.end_date, ids, pooled, t.version
                    )
                )
            return out

    # --- assignments -----------------------------------------------------------------------------

    def assign(
        self, tandem_id: int, sozialraum_id: str, *, by: Principal, valid_from: date, known_ids: set[str]
    ) -> int:
        """Assign a tandem to a Sozialraum from `valid_from`; the ID must exist in the dataset."""
        if sozialraum_id not in known_ids:
            raise RegisterError("register.unknown_sozialraum", id=sozialraum_id)
        with self.write(by, Action.WRITE_REGISTER, "assignment.create", target="assignment") as tx:
            s = tx.session
            tandem = s.get(Tandem, tandem_id)
            if tandem is None:
                raise RegisterError("register.not_found", what=f"tandem {tandem_id}")
            if tandem.end_date is not None and valid_from > tandem.end_date:
                raise RegisterError("register.tandem_ended", name=tandem.name)
            if valid_from < tandem.start_date:
                raise RegisterError(
                    "register.dates_order", start=tandem.start_date.isoformat(), end=valid_from.isoformat()
                )
            open_same = s.scalars(
                select(Assignment).where(
                    Assignment.tandem_id == tandem_id,
                    Assignment.sozialraum_id == sozialraum_id,
                    Assignment.valid_to.is_(None),
                )
            ).first()
            if open_same is not None:
                raise RegisterError("register.already_assigned", id=sozialraum_id, name=tandem.name)
            record = Assignment(tandem_id=tandem_id, sozialraum_id=sozialraum_id, valid_from=valid_from)
            s.add(record)
            s.flush()
            tx.target_id = record.id
            return record.id

    def end_assignment(self, assignment_id: int, *, by: Principal, version: int, valid_to: date) -> None:
        """End an assignment on `valid_to`; it stays in the history."""
        with self.write(
            by, Action.WRITE_REGISTER, "assignment.end", target="assignment", target_id=assignment_id
        ) as tx:
            s = tx.session
            record = s.get(Assignment, assignment_id)
            self._check_version(record, version, f"assignment {assignment_id}")
            assert record is not None
            self._check_dates(record.valid_from, valid_to)
            record.valid_to = valid_to

    def assignments(self) -> list[AssignmentView]:
        """All assignments, ended ones included."""
        with self.read() as s:
            return [
                AssignmentView(a.id, a.tandem_id, a.sozialraum_id, a.valid_from, a.valid_to, a.version)
                for a in s.scalars(select(Assignment).order_by(Assignment.id))
            ]

    def active_assignments(self, day: date | None = None) -> pd.DataFrame:
        """Assignments holding on `day` (default today) of tandems active then: `sozialraum_id`, `tandem_id`, `tandem`."""
        day = day or date.today()
        tandems = {t.id: t for t in self.tandems() if t.active_on(day)}
        rows = [
            (a.sozialraum_id, a.tandem_id, tandems[a.tandem_id].name)
            for a in self.assignments()
            if a.active_on(day) and a.tandem_id in tandems
        ]
        return pd.DataFrame(rows, columns=["sozialraum_id", "tandem_id", "tandem"])


# --- CSV import and export ---------------------------------------------------------------------------

#: Headers of the register's CSV files (German, as the coordinators use them).
CONNECTOR_COLUMNS = {"name": "Name", "languages": "Sprachen", "contact": "Kontakt", "home": "Wohn-Sozialraum"}
TANDEM_COLUMNS = {
    "name": "Tandem",
    "members": "Mitglieder",
    "welcome_point": "Welcome Point",
    "start": "Beginn",
    "end": "Ende",
}
ASSIGNMENT_COLUMNS = {"tandem": "Tandem", "sozialraum": "Sozialraum-ID", "start": "von", "end": "bis"}


@dataclass(frozen=True)
class RowProblem:
    """A row of an imported file that was not taken, and why."""

    row: int
    message: str


def _date(text: object) -> date | None:
    value = str(text or "").strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    msg = f"not a date: {value!r} (use 2025-01-31 or 31.01.2025)"
    raise ValueError(msg)


def export_frames(register: Register) -> dict[str, pd.DataFrame]:
    """
    The register as tables for CSV export, without any personal field.

    Returns
    -------
    dict
        ``tandems`` (name, Welcome Point, dates, languages, number of members) and ``assignments``
        (tandem, Sozialraum, from, to). Connector names, contacts and home areas are never exported.
    """
    tandems = register.tandems()
    names = {t.id: t.name for t in tandems}
    t_frame = pd.DataFrame(
        [
            {
                TANDEM_COLUMNS["name"]: t.name,
                TANDEM_COLUMNS["welcome_point"]: t.welcome_point_id or "",
                TANDEM_COLUMNS["start"]: t.start_date.isoformat(),
                TANDEM_COLUMNS["end"]: t.end_date.isoformat() if t.end_date else "",
                "Sprachen": ", ".join(t.languages),
                "Anzahl Mitglieder": len(t.member_ids),
            }
            for t in tandems
        ]
    )
    a_frame = pd.DataFrame(
        [
            {
                ASSIGNMENT_COLUMNS["tandem"]: names[a.tandem_id],
                ASSIGNMENT_COLUMNS["sozialraum"]: a.sozialraum_id,
                ASSIGNMENT_COLUMNS["start"]: a.valid_from.isoformat(),
                ASSIGNMENT_COLUMNS["end"]: a.valid_to.isoformat() if a.valid_to else "",
            }
            for a in register.assignments()
        ]
    )
    return {"tandems": t_frame, "assignments": a_frame}


@dataclass(frozen=True)
class ImportPreview:
    """What a register CSV holds before anything is stored: rows, columns used and not used, a doubt."""

    rows: int
    used_columns: list[str]
    ignored_columns: list[str]
    #: True when the file looks like another kind of table (more unknown than known columns).
    doubtful: bool


#: The columns each kind of register file uses.
IMPORT_COLUMNS = {
    "connectors": CONNECTOR_COLUMNS,
    "tandems": TANDEM_COLUMNS,
    "assignments": ASSIGNMENT_COLUMNS,
}


def preview_import(frame: pd.DataFrame, kind: str) -> ImportPreview:
    """
    Look at a register file before importing it, so a person confirms what will be created.

    The Quartiersatlas uploaded as a list of connectors has a "Name" column too, and would create 171
    connectors: its 50 unknown columns make it `doubtful`, and the page asks before it stores anything.
    """
    wanted = {v.casefold() for v in IMPORT_COLUMNS[kind].values()}
    used = [c for c in frame.columns if str(c).strip().casefold() in wanted]
    ignored = [str(c) for c in frame.columns if c not in used]
    return ImportPreview(len(frame), [str(c) for c in used], ignored, doubtful=len(ignored) > len(used))


def _required(frame: pd.DataFrame, columns: dict[str, str], needed: tuple[str, ...]) -> None:
    """
    Refuse a table without the needed columns, or one that is another kind of table.

    The Quartiersatlas uploaded as a list of connectors has a "Name" column, and would have made 171
    connectors named after Sozialräume: more of its columns fit nothing here than fit (`preview_import`).
    """
    missing = [columns[k] for k in needed if columns[k] not in frame.columns]
    if missing:
        raise RegisterError("register.columns_missing", columns=missing, found=list(frame.columns))
    kind = next(k for k, v in IMPORT_COLUMNS.items() if v is columns)
    preview = preview_import(frame, kind)
    if preview.doubtful:
        raise RegisterError(
            "register.columns_dont_fit",
            expected=list(columns.values()),
            found_count=len(frame.columns),
            used=len(preview.used_columns),
        )


def import_connectors(
    register: Register, frame: pd.DataFrame, *, by: Principal, known_ids: set[str] | None = None
) -> list[RowProblem]:
    """
    Add the connectors of a table with `CONNECTOR_COLUMNS`; returns the rows not taken.

    With `known_ids`, a home Sozialraum that is not in the dataset makes its row a problem (not stored).
    """
    _required(frame, CONNECTOR_COLUMNS, ("name",))
    problems: list[RowProblem] = []
    with register.batch(by, "connector.import", target="connector") as summary:
        for i, row in enumerate(frame.fillna("").to_dict("records"), start=2):
            _import_connector_row(register, i, row, by=by, known_ids=known_ids, problems=problems)
        summary.update(rows=len(frame), problems=len(problems))
    return problems


def _import_connector_row(
    register: Register,
    i: int,
    row: dict[str, object],
    *,
    by: Principal,
    known_ids: set[str] | None,
    problems: list[RowProblem],
) -> None:
    try:
        home = str(row.get(CONNECTOR_COLUMNS["home"], "")).strip()
        register.add_connector(
            str(row[CONNECTOR_COLUMNS["name"]]),
            str(row.get(CONNECTOR_COLUMNS["languages"], "")),
            by=by,
            contact=str(row.get(CONNECTOR_COLUMNS["contact"], "")),
            home_sozialraum_id=home or None,
            known_ids=known_ids,
        )
    except RegisterError as exc:
        problems.append(RowProblem(i, exc.message()))


def import_tandems(
    register: Register, frame: pd.DataFrame, *, by: Principal, known_points: set[str] | None = None
) -> list[RowProblem]:
    """
    Add tandems; members are connector names separated by `|` or `,`. Returns the rows not taken.

    With `known_points`, a Welcome Point that is not in the dataset makes its row a problem (not stored).
    """
    _required(frame, TANDEM_COLUMNS, ("name", "members", "start"))
    by_name = {c.display_name.casefold(): c.id for c in register.private_connectors(by=by)}
    problems: list[RowProblem] = []
    with register.batch(by, "tandem.import", target="tandem") as summary:
        for i, row in enumerate(frame.fillna("").to_dict("records"), start=2):
            try:
                names = [
                    n.strip()
                    for n in str(row[TANDEM_COLUMNS["members"]]).replace("|", ",").split(",")
                    if n.strip()
                ]
                unknown = [n for n in names if n.casefold() not in by_name]
                if unknown:
                    raise RegisterError("register.unknown_connector", ids=unknown)
                start = _date(row[TANDEM_COLUMNS["start"]])
                if start is None:
                    raise RegisterError("register.date_missing")
                point = str(row.get(TANDEM_COLUMNS["welcome_point"], "")).strip()
                if point and known_points is not None and point not in known_points:
                    raise RegisterError("register.unknown_welcome_point", id=point)
                register.create_tandem(
                    str(row[TANDEM_COLUMNS["name"]]),
                    [by_name[n.casefold()] for n in names],
                    by=by,
                    start=start,
                    welcome_point_id=str(row.get(TANDEM_COLUMNS["welcome_point"], "")) or None,
                    end=_date(row.get(TANDEM_COLUMNS["end"], "")),
                )
            except RegisterError as exc:
                problems.append(RowProblem(i, exc.message()))
            except ValueError as exc:
                problems.append(RowProblem(i, str(exc)))
        summary.update(rows=len(frame), problems=len(problems))
    return problems


def import_assignments(
    register: Register, frame: pd.DataFrame, *, by: Principal, known_ids: set[str]
) -> list[RowProblem]:
    """Add assignments (tandem by name, Sozialraum, from, to); returns the rows not taken."""
    _required(frame, ASSIGNMENT_COLUMNS, ("tandem", "sozialraum", "start"))
    by_name = {t.name.casefold(): t for t in register.tandems()}
    problems: list[RowProblem] = []
    with register.batch(by, "assignment.import", target="assignment") as summary:
        for i, row in enumerate(frame.fillna("").to_dict("records"), start=2):
            try:
                tandem = by_name.get(str(row[ASSIGNMENT_COLUMNS["tandem"]]).strip().casefold())
                if tandem is None:
                    raise RegisterError("register.not_found", what=str(row[ASSIGNMENT_COLUMNS["tandem"]]))
                start = _date(row[ASSIGNMENT_COLUMNS["start"]])
                if start is None:
                    raise RegisterError("register.date_missing")
                sid = unit_id(row[ASSIGNMENT_COLUMNS["sozialraum"]], known_ids)
                with register.step():  # an assignment with an end is two writes: both or neither
                    new_id = register.assign(tandem.id, sid, by=by, valid_from=start, known_ids=known_ids)
                    if (end := _date(row.get(ASSIGNMENT_COLUMNS["end"], ""))) is not None:
                        register.end_assignment(new_id, by=by, version=1, valid_to=end)
            except RegisterError as exc:
                problems.append(RowProblem(i, exc.message()))
            except ValueError as exc:
                problems.append(RowProblem(i, str(exc)))
        summary.update(rows=len(frame), problems=len(problems))
    return problems
