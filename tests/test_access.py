"""
Who may do what: every cell of the role table, through the `geo/` functions, and the README's table.

Each principal is a real account in a real register (so every check reloads it from the database), and each
action is a real call: a refusal must raise `AccessDeniedError` and leave the register unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from geo.core.access import ROLE_ACTIONS, AccessDeniedError, Action, Principal, require
from geo.data import dataset, imports
from geo.register import (
    accounts,
    backup,
    decide,
    journal,
    knowledge,
    partners,
    privacy,
    store,
    welcome,
)

ROOT = Path(__file__).resolve().parent.parent
CLI = Principal.cli()
PASSWORD = "ein-gutes-passwort"
IDS = {"011001", "037001"}
ROLES = ("public", "connector", "coordinator", "admin", "alumni")

#: The expected table, written out independently of `geo.core.access.ROLE_ACTIONS` (Y = allowed, T = for own tandems).
EXPECTED = {
    #                      public connector coordinator admin alumni
    Action.READ_PUBLIC: "Y Y Y Y Y",
    Action.EXPORT_MAP: "Y Y Y Y Y",
    Action.LOG_CONCERN: "- T Y - -",
    Action.WRITE_ACTIVITY: "- T Y - -",
    Action.READ_TANDEM_JOURNAL: "- T Y - -",
    Action.OWN_RECORD: "- Y Y Y Y",
    Action.READ_REGISTER: "- - Y - -",
    Action.WRITE_REGISTER: "- - Y - -",
    Action.ERASE_PERSON: "- - Y Y -",
    Action.READ_CONCERNS: "- - Y - -",
    Action.ANSWER_CONCERN: "- - Y - -",
    Action.EXPORT_CONCERNS: "- - Y - -",
    Action.IMPORT_DATA: "- - - Y -",
    Action.MANAGE_ACCOUNTS: "- - - Y -",
    Action.READ_AUDIT: "- - Y Y -",
    Action.MANAGE_WELCOME_POINTS: "- - Y Y -",
    Action.BACKUP: "- - - Y -",
    Action.WRITE_PARTNER: "- T Y - -",
    Action.READ_PARTNER_CONTACTS: "- T Y - -",
    Action.READ_KNOWLEDGE: "- Y Y - T",
    Action.WRITE_DEBRIEF: "- T Y - -",
    Action.PUBLISH_DEBRIEF: "- - Y - -",
    Action.HANDOVER: "- - Y - -",
    Action.PROPOSE: "- Y - - -",
    Action.READ_GROUP: "- Y Y - -",
    Action.READ_VOTES: "- Y - - -",
    Action.RUN_MEETING: "- - - - -",  # an elected moderator's term grants it: see test_decide
    Action.RECORD_ELECTION: "- - Y Y -",
    Action.CONSULT: "- - Y - -",
    Action.ANSWER_CONSULTATION: "- Y - - -",
}


def _cell(action: Action, role: str) -> str:
    return EXPECTED[action].split()[ROLES.index(role)]


@dataclass
class World:
    register: store.Register
    people: dict[str, Principal]
    own_tandem: int
    other_tandem: int
    other_concern: int
    own_concern: int
    erasable: int
    demo_dir: Path
    tmp: Path
    own_partner: str
    other_partner: str
    own_held: int
    other_held: int
    debrief: int
    consultation: int


def _account(register: store.Register, email: str, roles: str, connector: int | None = None) -> Principal:
    _id, code = accounts.create_account(register, by=CLI, email=email, roles=roles, connector_id=connector)
    return accounts.set_password_with_code(register, email, code, PASSWORD)


@pytest.fixture
def world(register_url: str, demo_dir: Path, tmp_path: Path) -> Iterator[World]:
    register = store.Register(register_url)
    a, b, c, d = (register.add_connector(n, "Deutsch", by=CLI) for n in ("A", "B", "C", "D"))
    own = register.create_tandem("Eigenes Tandem", [a, b], by=CLI, start=date(2025, 1, 1))
    other = register.create_tandem("Anderes Tandem", [c, d], by=CLI, start=date(2025, 1, 1))
    people = {
        "public": Principal.public(),
        "connector": _account(register, "connector@stadt.invalid", "connector", a),
        "coordinator": _account(register, "koordination@stadt.invalid", "coordinator"),
        "admin": _account(register, "admin@stadt.invalid", "admin"),
    }
    concern = journal.ConcernInput(thema="Intern", sozialraum_ids=("011001",), tandem_id=other)
    other_concern = journal.add_concern(register, concern, by=CLI, known_ids=IDS)
    mine = journal.ConcernInput(thema="Unseres", sozialraum_ids=("011001",), tandem_id=own)
    own_concern = journal.add_concern(register, mine, by=CLI, known_ids=IDS)
    erasable = register.add_connector("Weg", by=CLI)
    register.assign(own, "011001", by=CLI, valid_from=date(2025, 1, 1), known_ids=IDS)
    register.assign(other, "037001", by=CLI, valid_from=date(2025, 1, 1), known_ids=IDS)
    # an alumni adviser: worked in 011001 with a tandem that ended
    e, f = (register.add_connector(n, "Deutsch", by=CLI) for n in ("E", "F"))
    former = register.create_tandem("Früheres Tandem", [e, f], by=CLI, start=date(2024, 1, 1))
    register.assign(former, "011001", by=CLI, valid_from=date(2024, 1, 1), known_ids=IDS)
    register.end_tandem(former, by=CLI, version=1, end=date(2024, 12, 31))
    people["alumni"] = _account(register, "ehemalig@stadt.invalid", "alumni", e)
    partner_ids = [
        partners.save_partner(
            register,
            partners.PartnerInput(name=name, sozialraum_ids=(area,), tandem_ids=(tandem,)),
            by=CLI,
            known_ids=IDS,
        )
        for name, area, tandem in (("Eigener Partner", "011001", own), ("Anderer Partner", "037001", other))
    ]
    held = [
        journal.add_activity(
            register,
            by=CLI,
            kind="quizabend",
            title="Quiz",
            starts_at=datetime(2026, 11, 1, 19),
            sozialraum_id=area,
            known_ids=IDS,
            tandem_id=tandem,
            status="durchgefuehrt",
        )
        for area, tandem in (("011001", own), ("037001", other))
    ]
    debrief = knowledge.save_debrief(register, held[0], knowledge.DebriefInput(worked="Gut"), by=CLI)
    yield World(
        register,
        people,
        own,
        other,
        other_concern,
        own_concern,
        erasable,
        demo_dir,
        tmp_path,
        partner_ids[0],
        partner_ids[1],
        held[0],
        held[1],
        debrief,
        decide.open_consultation(
            register, "Passt der Plan?", by=CLI, deadline=date.today() + timedelta(days=7)
        ),
    )
    register.close()


def _attempt(w: World, action: Action, who: Principal, *, own: bool) -> Callable[[], object]:
    """A real call that needs `action` (on the own tandem, or another one, for tandem-scoped actions)."""
    reg = w.register
    tandem = w.own_tandem if own else w.other_tandem
    calls: dict[Action, Callable[[], object]] = {
        Action.READ_PUBLIC: lambda: require(who, Action.READ_PUBLIC),
        Action.EXPORT_MAP: lambda: require(who, Action.EXPORT_MAP),
        Action.LOG_CONCERN: lambda: journal.add_concern(
            reg, journal.ConcernInput(thema="Neu", tandem_id=tandem), by=who, known_ids=IDS
        ),
        Action.WRITE_ACTIVITY: lambda: journal.add_activity(
            reg,
            by=who,
            kind="quizabend",
            title="Quiz",
            starts_at=datetime(2026, 12, 1, 19),
            sozialraum_id="011001",
            known_ids=IDS,
            tandem_id=tandem,
        ),
        Action.READ_TANDEM_JOURNAL: lambda: journal.history(
            reg, w.own_concern if own else w.other_concern, by=who
        ),
        Action.OWN_RECORD: lambda: reg.own_connector(by=who),
        Action.READ_REGISTER: lambda: reg.private_connectors(by=who),
        Action.WRITE_REGISTER: lambda: reg.add_connector("Neu", by=who),
        Action.ERASE_PERSON: lambda: privacy.erase_connector(reg, w.erasable, by=who),
        Action.READ_CONCERNS: lambda: journal.history(reg, w.other_concern, by=who),
        Action.ANSWER_CONCERN: lambda: journal.change_status(
            reg, w.other_concern, by=who, version=1, status="weitergeleitet", comment="Ans Amt."
        ),
        Action.EXPORT_CONCERNS: lambda: journal.concerns_frame(reg, by=who),
        Action.IMPORT_DATA: lambda: imports.import_files(
            w.tmp / "import", by=who, sozialraeume=w.demo_dir / "sozialraeume" / "sozialraeume.geojson"
        ),
        Action.MANAGE_ACCOUNTS: lambda: accounts.accounts(reg, by=who),
        Action.READ_AUDIT: lambda: accounts.audit_log(reg, by=who),
        Action.BACKUP: lambda: backup.backup(reg, w.tmp / "sicherung.zip", by=who),
        Action.WRITE_PARTNER: lambda: partners.save_partner(
            reg,
            partners.PartnerInput(name="Neu", sozialraum_ids=("011001" if own else "037001",)),
            by=who,
            known_ids=IDS,
        ),
        Action.READ_PARTNER_CONTACTS: lambda: partners.contacts(
            reg, w.own_partner if own else w.other_partner, by=who
        ),
        Action.READ_KNOWLEDGE: lambda: knowledge.what_we_know(
            reg, "011001" if own else "037001", by=who, need_full=True
        ),
        Action.WRITE_DEBRIEF: lambda: knowledge.save_debrief(
            reg, w.own_held if own else w.other_held, knowledge.DebriefInput(worked="Gut"), by=who
        ),
        Action.PUBLISH_DEBRIEF: lambda: knowledge.publish_debrief(
            reg, w.debrief, by=who, public=True, version=1
        ),
        Action.HANDOVER: lambda: knowledge.handovers(reg, by=who),
        Action.PROPOSE: lambda: decide.propose(reg, decide.ProposalInput(kind="city", title="Licht"), by=who),
        Action.READ_GROUP: lambda: decide.proposals(reg, by=who),
        Action.READ_VOTES: lambda: decide.inputs(reg, 1, by=who),
        Action.RUN_MEETING: lambda: decide.record_meeting(reg, date(2026, 1, 5), [], by=who, quorum=1),
        Action.RECORD_ELECTION: lambda: decide.record_election(
            reg, w.people["connector"].connector_id or 0, "speaker", by=who, valid_from=date(2026, 1, 1)
        ),
        Action.CONSULT: lambda: decide.open_consultation(
            reg, "Ist der Flyer verständlich?", by=who, deadline=date.today() + timedelta(days=7)
        ),
        Action.ANSWER_CONSULTATION: lambda: decide.answer_consultation(reg, w.consultation, "Ja", by=who),
        Action.MANAGE_WELCOME_POINTS: lambda: welcome.record(
            reg,
            who,
            "add",
            valid_from=date(2026, 1, 1),
            known=dataset.load_dataset(w.demo_dir).welcome_points,
            name="Neu",
            address="Platz 1",
            lon=6.78,
            lat=51.22,
        ),
    }
    return calls[action]


def _audit_count(reg: store.Register) -> int:
    return len(accounts.audit_log(reg, by=CLI, limit=None))


@pytest.mark.parametrize("role", ROLES)
def test_every_cell_of_the_role_table(world: World, role: str) -> None:
    """One role, every action: allowed ones run, refused ones raise and write nothing."""
    who = world.people[role]
    for action in Action:
        cell = _cell(action, role)
        attempts = [(True, "Y" if cell in "YT" else "-")]
        if cell == "T" or (cell == "Y" and action in {Action.LOG_CONCERN, Action.WRITE_ACTIVITY}):
            attempts.append((False, "-" if cell == "T" else "Y"))  # another tandem's: refused for connectors
        for own, expected in attempts:
            call = _attempt(world, action, who, own=own)
            before = _audit_count(world.register)
            if expected == "Y":
                call()
            else:
                with pytest.raises(AccessDeniedError):
                    call()
                assert _audit_count(world.register) == before, (action, role)  # a refusal writes nothing


def test_the_readme_table_says_what_the_code_does() -> None:
    """The README's table of rights, read back, equals `ROLE_ACTIONS` and the expected table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \|(.+)\|\s*$", text, flags=re.MULTILINE)
    table = {Action(name): [c.strip() for c in cells.split("|")] for name, cells in rows}
    assert set(table) == set(Action), "every action has a row in the README"
    for action, cells in table.items():
        signs = ["Y" if c.startswith("✔") else "T" if c.startswith("eigene") else "-" for c in cells]
        assert " ".join(signs) == EXPECTED[action], action
        for role, sign in zip(ROLES, signs, strict=True):
            assert (action in ROLE_ACTIONS[role]) == (sign != "-"), (action, role)


def test_a_required_login_leaves_the_public_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOZIALRAUM_REQUIRE_LOGIN", "1")
    assert Principal.public().actions() == frozenset()
    with pytest.raises(AccessDeniedError, match="angemeldet"):
        require(Principal.public(), Action.READ_PUBLIC)
    assert Principal(label="x", roles=frozenset({"connector"})).may(Action.READ_PUBLIC)
