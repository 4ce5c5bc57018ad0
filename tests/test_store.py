"""The register on a temporary SQLite file and on a throw-away PostgreSQL server: round trips, rules, history, concurrent edits, privacy."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from geo.core.access import Principal
from geo.register import models, store
from geo.register.models import Base
from geo.register.store import ConcurrentEditError, Register, RegisterError

COORD = Principal(label="test-coordinator", roles=frozenset({"coordinator"}))
ADMIN = Principal(label="test-admin", roles=frozenset({"admin"}))

SENTINEL_NAME = "Zzyzx Sentinelname"
SENTINEL_CONTACT = "sentinel-contact@example.invalid"
IDS = {"011001", "037001", "063007"}


@pytest.fixture
def register(register_url: str) -> Iterator[Register]:
    """An empty register, once on SQLite and once on PostgreSQL."""
    reg = Register(register_url)
    yield reg
    reg.close()


def _pair(register: Register) -> tuple[int, int]:
    a = register.add_connector(
        SENTINEL_NAME, "Türkisch, Deutsch", contact=SENTINEL_CONTACT, home_sozialraum_id="037001", by=COORD
    )
    b = register.add_connector("Omar", "Arabisch; Englisch", by=COORD)
    return a, b


def _schema(engine: Engine) -> dict[str, tuple[object, ...]]:
    """Every table as the database describes it: columns, keys, indexes, references."""
    found = inspect(engine)
    return {
        table: (
            sorted(  # in any order: a migration adds its columns at the end
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                for c in found.get_columns(table)
            ),
            found.get_pk_constraint(table)["constrained_columns"],
            sorted(
                (str(i["name"]), tuple(i["column_names"]), bool(i["unique"]))
                for i in found.get_indexes(table)
            ),
            sorted(tuple(u["column_names"]) for u in found.get_unique_constraints(table)),
            sorted(
                (tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                for f in found.get_foreign_keys(table)
            ),
        )
        for table in sorted(found.get_table_names())
    }


def _second_database(register_url: str, tmp_path: Path) -> str:
    """Another empty database beside `register_url`'s, of the same kind."""
    if register_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'second.sqlite'}"
    import psycopg

    server, _, name = register_url.rpartition("/")
    with psycopg.connect(
        server.replace("postgresql+psycopg", "postgresql") + "/postgres", autocommit=True
    ) as c:
        c.execute(f'CREATE DATABASE "{name}_2"')
    return f"{server}/{name}_2"


def test_migrations_match_the_models_and_a_new_register_is_the_same(
    register_url: str, tmp_path: Path
) -> None:
    """
    The eleven migrations one after another give the models' schema; a new register, made from the models
    in one step (`store.migrate`), is the same database, at the same revision.
    """
    migrated = store.make_engine(register_url)
    store.migrate(migrated, from_models=False)
    with migrated.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    made = Register(_second_database(register_url, tmp_path))
    assert store.schema_revision(made.engine) == store.schema_revision(migrated) == store.HEAD_REVISION
    assert _schema(made.engine) == _schema(migrated)
    assert "login_session" in _schema(migrated)  # the comparison saw the tables
    made.close()
    migrated.dispose()


def test_head_revision_is_alembics_head(register: Register) -> None:
    """The fast path at start (no Alembic import when the schema is current) must know the real head."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(store.__file__).parent / "migrations"))
    assert ScriptDirectory.from_config(config).get_current_head() == store.HEAD_REVISION
    assert store.schema_revision(register.engine) == store.HEAD_REVISION


def test_round_trip_and_reopen(register: Register, request: pytest.FixtureRequest) -> None:
    a, b = _pair(register)
    t = register.create_tandem(
        "Tandem Oberbilk", [a, b], start=date(2025, 1, 1), welcome_point_id="wp-1", by=COORD
    )
    register.assign(t, "037001", valid_from=date(2025, 2, 1), known_ids=IDS, by=COORD)
    again = Register(register.url)  # opening again migrates nothing and loses nothing
    request.addfinalizer(again.close)
    (tandem,) = again.tandems()
    assert (tandem.name, tandem.member_ids, tandem.welcome_point_id) == ("Tandem Oberbilk", (a, b), "wp-1")
    assert tandem.languages == ("Türkisch", "Deutsch", "Arabisch", "Englisch")
    active = again.active_assignments(date(2025, 3, 1))
    assert active.to_dict("records") == [
        {"sozialraum_id": "037001", "tandem_id": t, "tandem": "Tandem Oberbilk"}
    ]
    assert again.active_assignments(date(2025, 1, 15)).empty  # before the assignment started


def test_rules(register: Register) -> None:
    a, b = _pair(register)
    with pytest.raises(RegisterError, match="mindestens zwei"):
        register.create_tandem("Allein", [a], start=date(2025, 1, 1), by=COORD)
    (private_b,) = [c for c in register.private_connectors(by=COORD) if c.id == b]
    register.update_connector(b, version=private_b.version, active=False, by=COORD)
    with pytest.raises(RegisterError, match="mindestens zwei aktive"):
        register.create_tandem("Mit Inaktiver", [a, b], start=date(2025, 1, 1), by=COORD)
    c = register.add_connector("Lena", "Ukrainisch", by=COORD)
    with pytest.raises(RegisterError, match="vor dem Beginn"):
        register.create_tandem("Rückwärts", [a, c], start=date(2025, 5, 1), end=date(2025, 4, 1), by=COORD)
    with pytest.raises(RegisterError, match="999"):
        register.create_tandem("Unbekannt", [a, 999], start=date(2025, 1, 1), by=COORD)
    t = register.create_tandem("Gut", [a, c], start=date(2025, 1, 1), by=COORD)
    with pytest.raises(RegisterError, match="999999"):
        register.assign(t, "999999", valid_from=date(2025, 2, 1), known_ids=IDS, by=COORD)
    register.assign(t, "011001", valid_from=date(2025, 2, 1), known_ids=IDS, by=COORD)
    with pytest.raises(RegisterError, match="schon im Sozialraum 011001"):
        register.assign(t, "011001", valid_from=date(2025, 3, 1), known_ids=IDS, by=COORD)


def test_history_is_kept(register: Register) -> None:
    a, b = _pair(register)
    t = register.create_tandem("Tandem", [a, b], start=date(2025, 1, 1), by=COORD)
    first = register.assign(t, "011001", valid_from=date(2025, 1, 1), known_ids=IDS, by=COORD)
    (assignment,) = register.assignments()
    register.end_assignment(first, version=assignment.version, valid_to=date(2025, 6, 30), by=COORD)
    register.assign(t, "063007", valid_from=date(2025, 7, 1), known_ids=IDS, by=COORD)
    history = register.assignments()
    assert [(h.sozialraum_id, h.valid_to) for h in history] == [
        ("011001", date(2025, 6, 30)),
        ("063007", None),
    ]
    assert register.active_assignments(date(2025, 3, 1))["sozialraum_id"].tolist() == ["011001"]
    assert register.active_assignments(date(2025, 8, 1))["sozialraum_id"].tolist() == ["063007"]
    (tandem,) = register.tandems()
    register.end_tandem(t, version=tandem.version, end=date(2025, 12, 31), by=COORD)
    assert register.active_assignments(date(2026, 1, 2)).empty
    assert len(register.assignments()) == 2  # ended, not deleted
    assert register.assignments()[1].valid_to == date(2025, 12, 31)


def test_second_save_of_the_same_tandem_is_refused(register: Register) -> None:
    a, b = _pair(register)
    t = register.create_tandem("Tandem", [a, b], start=date(2025, 1, 1), by=COORD)
    (seen_by_first,) = register.tandems()
    (seen_by_second,) = register.tandems()
    register.update_tandem(t, version=seen_by_first.version, name="Erste Änderung", by=COORD)
    with pytest.raises(ConcurrentEditError, match="Jemand anderes"):
        register.update_tandem(t, version=seen_by_second.version, name="Zweite Änderung", by=COORD)
    assert register.tandems()[0].name == "Erste Änderung"


def test_public_views_carry_no_personal_fields(register: Register) -> None:
    a, b = _pair(register)
    register.create_tandem("Tandem", [a, b], start=date(2025, 1, 1), by=COORD)
    public = [dataclasses.asdict(x) for x in [*register.connectors(), *register.tandems()]]
    text = repr(public) + register.active_assignments().to_csv()
    assert SENTINEL_NAME not in text
    assert SENTINEL_CONTACT not in text
    assert "037001" not in text  # the sentinel's home Sozialraum
    private = register.private_connectors(by=COORD)
    assert private[0].display_name == SENTINEL_NAME
    assert private[0].contact == SENTINEL_CONTACT


def test_csv_import_and_export(register: Register) -> None:
    import pandas as pd

    from geo.output import export
    from geo.register.store import export_frames, import_assignments, import_connectors, import_tandems

    people = pd.DataFrame(
        {
            "Name": [SENTINEL_NAME, "Omar", ""],
            "Sprachen": ["Türkisch", "Arabisch", "x"],
            "Kontakt": [SENTINEL_CONTACT, "", ""],
            "Wohn-Sozialraum": ["037001", "", ""],
        }
    )
    problems = import_connectors(register, people, by=COORD)
    assert [p.row for p in problems] == [4]  # the nameless row, numbered as in the spreadsheet
    tandems = pd.DataFrame(
        {
            "Tandem": ["=Tandem Ost", "Falsch"],
            "Mitglieder": [f"{SENTINEL_NAME} | Omar", "Niemand, Omar"],
            "Beginn": ["01.02.2025", "2025-01-01"],
            "Ende": ["", ""],
            "Welcome Point": ["wp-1", ""],
        }
    )
    problems = import_tandems(register, tandems, by=COORD)
    assert [p.row for p in problems] == [3]
    assert "Niemand" in problems[0].message
    assignments = pd.DataFrame(
        {
            "Tandem": ["=Tandem Ost", "=Tandem Ost"],
            "Sozialraum-ID": ["11001", "999999"],
            "von": ["2025-02-01", "2025-02-01"],
            "bis": ["2025-06-30", ""],
        }
    )
    problems = import_assignments(register, assignments, known_ids=IDS, by=COORD)
    assert [p.row for p in problems] == [3]
    frames = export_frames(register)
    assert frames["assignments"].to_dict("records") == [
        {"Tandem": "=Tandem Ost", "Sozialraum-ID": "011001", "von": "2025-02-01", "bis": "2025-06-30"}
    ]
    csv = export.csv_bytes(frames["tandems"]).decode("utf-8-sig") + export.csv_bytes(
        frames["assignments"]
    ).decode("utf-8-sig")
    assert SENTINEL_NAME not in csv
    assert SENTINEL_CONTACT not in csv
    assert "'=Tandem Ost" in csv  # a name that looks like a formula is neutralised
    with pytest.raises(RegisterError, match="Mitglieder"):
        import_tandems(register, pd.DataFrame({"Tandem": ["x"]}), by=COORD)


def test_unreachable_database_is_a_plain_message(tmp_path: Path) -> None:
    (tmp_path / "ein-ordner.sqlite").mkdir()  # a folder where the database file should be
    with pytest.raises(RegisterError, match=r"nicht erreichbar.*DATABASE_URL"):
        Register(f"sqlite:///{tmp_path / 'ein-ordner.sqlite'}")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("kein-url", r"keine gültige Datenbank-Adresse"),
        ("oracle-nicht-da://x@y/z", r"keine gültige Datenbank-Adresse"),
        ("postgresql+pg8000://nutzer:geheim@127.0.0.1/db", r"Datenbanktreiber \(pg8000\).*\[postgres\]"),
    ],
)
def test_bad_database_url_is_a_plain_message(url: str, expected: str) -> None:
    with pytest.raises(RegisterError, match=expected) as caught:
        Register(url)
    assert "geheim" not in str(caught.value)  # a password in the URL is never shown


def test_a_locked_sqlite_register_is_a_sentence_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    monkeypatch.setenv("SOZIALRAUM_SQLITE_BUSY_MS", "200")
    path = tmp_path / "r.sqlite"
    register = Register(f"sqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    with pytest.raises(RegisterError, match="beschäftigt"):
        register.add_connector("Wartet", by=COORD)
    other.execute("ROLLBACK")
    assert register.connectors() == []
    register.add_connector("Jetzt", by=COORD)  # once the lock is gone, it works
    assert len(register.connectors()) == 1
    other.close()
    register.close()


def test_an_unsupported_database_names_what_is_tested() -> None:
    with pytest.raises(RegisterError, match=r"Getestet sind SQLite .* PostgreSQL") as info:
        Register("mysql://nutzer:geheim@host/db")
    assert "geheim" not in str(info.value)


@pytest.mark.real_data
def test_another_kind_of_table_is_doubtful_before_anything_is_created() -> None:
    from geo.data import sources
    from tests.conftest import QUARTIERSATLAS_CSV

    atlas = sources.read_table(QUARTIERSATLAS_CSV)
    preview = store.preview_import(atlas, "connectors")
    assert preview.doubtful  # the Quartiersatlas is no list of connectors
    assert preview.rows == 171
    good = pd.DataFrame({"Name": ["Ana"], "Sprachen": ["Spanisch"], "Wohn-Sozialraum": ["011001"]})
    assert not store.preview_import(good, "connectors").doubtful


def test_register_imports_refuse_unknown_places(register: Register) -> None:
    people = pd.DataFrame(
        {"Name": ["Ana", "Ben"], "Sprachen": ["", ""], "Wohn-Sozialraum": ["011001", "999001"]}
    )
    problems = store.import_connectors(register, people, by=COORD, known_ids={"011001"})
    assert [p.row for p in problems] == [3]
    assert "999001" in problems[0].message
    register.add_connector("Cem", by=COORD)
    tandems = pd.DataFrame(
        {"Tandem": ["T1", "T2"], "Mitglieder": ["Ana|Cem", "Ana|Cem"], "Welcome Point": ["wp-1", "wp-x"]}
        | {"Beginn": ["2025-01-01", "2025-01-01"]}
    )
    problems = store.import_tandems(register, tandems, by=COORD, known_points={"wp-1"})
    assert [p.row for p in problems] == [3]
    assert "wp-x" in problems[0].message
    assert [t.name for t in register.tandems()] == ["T1"]


def test_writes_without_a_login_go_through_the_one_write_path(register: Register) -> None:
    """`Register.write` with `NO_LOGIN`: no check, its entries in order, none for bookkeeping or a rollback."""
    from geo.register import accounts

    nobody = Principal(label="setup")
    with register.write(nobody, store.NO_LOGIN, None) as tx:  # bookkeeping: no entry
        tx.session.add(models.SetupCode(code_hash="x"))
    with register.write(nobody, store.NO_LOGIN, "account.create_first_admin", target="account") as tx:
        tx.target_id = 7
        tx.also("account.roles", target="account", target_id=7, to=["admin"])
    with pytest.raises(RuntimeError), register.write(nobody, store.NO_LOGIN, "login.failed") as tx:
        tx.session.add(models.SetupCode(code_hash="y"))
        raise RuntimeError  # a failure inside: nothing stored, no entry
    log = accounts.audit_log(register, by=ADMIN)
    assert list(log["action"])[::-1] == ["account.create_first_admin", "account.roles"]
    assert set(log["actor"]) == {"setup"} and list(log["target_id"]) == ["7", "7"]
    with register.read() as s:
        assert [c.code_hash for c in s.query(models.SetupCode)] == ["x"]
    check = store.Action.MANAGE_ACCOUNTS  # with an action, the check still happens
    with pytest.raises(store.AccessDeniedError), register.write(Principal.public(), check, "account.roles"):
        pass
