"""
Who is acting, and what each role may do.

A `Principal` is the acting person (or the command line, or nobody: the public). Every function in `geo/`
that writes, or that reads personal data, takes one and calls `require` (or `Register.write`, which does),
so a hidden widget is never the only protection. The role matrix `ROLE_ACTIONS` is the single source of
truth; the README's table is checked against it by a test.

Roles add up: a coordinator may also be an admin, and any account may be linked to a connector record.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import StrEnum

from geo.core.errors import SozialraumError


class AccessDeniedError(SozialraumError, PermissionError):
    """The acting principal may not do this."""


class Role(StrEnum):
    """The roles an account can hold (the public has none)."""

    CONNECTOR = "connector"
    COORDINATOR = "coordinator"
    ADMIN = "admin"
    #: A connector who left and stays as an adviser: reads what is known about their former Sozialräume.
    ALUMNI = "alumni"


class Action(StrEnum):
    """Everything the app distinguishes when it checks rights."""

    READ_PUBLIC = "read_public"  # maps, profiles, public tandem list, coverage, public concerns
    EXPORT_MAP = "export_map"  # map snapshots, briefs and fact sheets (no personal data)
    LOG_CONCERN = "log_concern"  # connectors: for their own tandems only
    WRITE_ACTIVITY = "write_activity"  # connectors: for their own tandems only
    READ_TANDEM_JOURNAL = "read_tandem_journal"  # concerns and activity notes of one's own tandems
    OWN_RECORD = "own_record"  # see, correct and export one's own personal record
    READ_REGISTER = "read_register"  # names, contacts, home areas of all connectors
    WRITE_REGISTER = "write_register"  # connectors, tandems, assignments, register CSV import
    ERASE_PERSON = "erase_person"  # erase a connector's personal data
    READ_CONCERNS = "read_concerns"  # the whole problem log, with who logged what
    ANSWER_CONCERN = "answer_concern"  # status changes, answers, marking a concern public
    EXPORT_CONCERNS = "export_concerns"  # the problem log as XLSX/CSV; the spreadsheet import
    IMPORT_DATA = "import_data"  # fetch or import the dataset everybody sees
    MANAGE_WELCOME_POINTS = "manage_welcome_points"  # close, reopen, edit and add Welcome Points
    MANAGE_ACCOUNTS = "manage_accounts"  # accounts, roles, one-time codes, retention
    READ_AUDIT = "read_audit"  # the audit log and its export
    BACKUP = "backup"  # take a backup of the whole register and restore one (the command line)
    WRITE_PARTNER = "write_partner"  # partners of one's tandems' Sozialräume (coordinators: all)
    READ_PARTNER_CONTACTS = "read_partner_contacts"  # contact people of partners one's tandems work with
    READ_KNOWLEDGE = "read_knowledge"  # "Was wir hier wissen": debriefs, partners, concerns of a Sozialraum
    WRITE_DEBRIEF = "write_debrief"  # what worked: the debrief of one's tandems' held activities
    PUBLISH_DEBRIEF = "publish_debrief"  # show a debrief in public views (without names)
    HANDOVER = "handover"  # hand a leaving connector's partners, concerns and activities to successors
    PROPOSE = "propose"  # make, support and comment on proposals to the group (connectors: the group's own)
    READ_GROUP = "read_group"  # proposals with their authors, who holds a group role, consultation answers
    READ_VOTES = "read_votes"  # each present person's objection, resistance or vote (the group only)
    RUN_MEETING = "run_meeting"  # record a meeting, who was present and its decisions (elected moderators)
    RECORD_ELECTION = "record_election"  # record who the group elected as speaker or moderator
    CONSULT = "consult"  # open and close a consultation of the connectors
    ANSWER_CONSULTATION = "answer_consultation"  # answer a consultation


_PUBLIC = frozenset({Action.READ_PUBLIC, Action.EXPORT_MAP})
#: What each role may do (roles add up).
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    "public": _PUBLIC,
    Role.CONNECTOR: _PUBLIC
    | {
        Action.LOG_CONCERN,
        Action.WRITE_ACTIVITY,
        Action.READ_TANDEM_JOURNAL,
        Action.OWN_RECORD,
        Action.WRITE_PARTNER,
        Action.READ_PARTNER_CONTACTS,
        Action.READ_KNOWLEDGE,
        Action.WRITE_DEBRIEF,
        Action.PROPOSE,
        Action.READ_GROUP,
        Action.READ_VOTES,
        Action.ANSWER_CONSULTATION,
    },
    Role.COORDINATOR: _PUBLIC
    | {
        Action.LOG_CONCERN,
        Action.WRITE_ACTIVITY,
        Action.READ_TANDEM_JOURNAL,
        Action.OWN_RECORD,
        Action.READ_REGISTER,
        Action.WRITE_REGISTER,
        Action.ERASE_PERSON,
        Action.READ_CONCERNS,
        Action.ANSWER_CONCERN,
        Action.EXPORT_CONCERNS,
        Action.READ_AUDIT,
        Action.MANAGE_WELCOME_POINTS,
        Action.WRITE_PARTNER,
        Action.READ_PARTNER_CONTACTS,
        Action.READ_KNOWLEDGE,
        Action.WRITE_DEBRIEF,
        Action.PUBLISH_DEBRIEF,
        Action.HANDOVER,
        Action.READ_GROUP,
        Action.RECORD_ELECTION,
        Action.CONSULT,
    },
    Role.ADMIN: _PUBLIC
    | {
        Action.OWN_RECORD,
        Action.IMPORT_DATA,
        Action.MANAGE_ACCOUNTS,
        Action.READ_AUDIT,
        Action.ERASE_PERSON,
        Action.MANAGE_WELCOME_POINTS,
        Action.BACKUP,
        Action.RECORD_ELECTION,
    },
    Role.ALUMNI: _PUBLIC | {Action.OWN_RECORD, Action.READ_KNOWLEDGE},
}
#: What a group role adds for its term (the group elects it; `geo.register.decide.record_election` records it).
GROUP_ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    "moderator": frozenset({Action.RUN_MEETING}),
    "speaker": frozenset(),
}
#: Actions a connector may take only for the tandems they belong to (coordinators: for any tandem).
TANDEM_SCOPED = frozenset(
    {
        Action.LOG_CONCERN,
        Action.WRITE_ACTIVITY,
        Action.READ_TANDEM_JOURNAL,
        Action.READ_PARTNER_CONTACTS,
        Action.WRITE_DEBRIEF,
    }
)


def login_required() -> bool:
    """True when the city runs the app for logged-in people only (`SOZIALRAUM_REQUIRE_LOGIN=1`)."""
    return os.environ.get("SOZIALRAUM_REQUIRE_LOGIN", "").strip().lower() in {"1", "true", "yes", "ja"}


@dataclass(frozen=True)
class Principal:
    """
    The one acting: an account, the operator at the command line, or the public.

    An account carries its roles and, for connectors, its connector record and current tandems.
    Pages build it afresh on every rerun from the register, so a role removed or an account disabled takes
    effect at once; writes check the account again inside their transaction.
    """

    label: str
    roles: frozenset[str] = frozenset()
    account_id: int | None = None
    connector_id: int | None = None
    #: True for accounts of the demo register: they may try everything there, nothing outside it.
    demo: bool = False
    #: The operator at the command line (trusted like an admin and coordinator; audited as such).
    system: bool = False
    tandem_ids: frozenset[int] = field(default_factory=frozenset)
    #: Roles the connectors' group elected this person to, for the current term ("moderator", "speaker").
    group_roles: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def public(cls) -> Principal:
        """Nobody logged in."""
        return cls(label="public")

    @classmethod
    def cli(cls) -> Principal:
        """The operator at the command line: every role, recorded as ``cli:<user>``."""
        user = os.environ.get("USER") or os.environ.get("LOGNAME") or "?"
        return cls(
            label=f"cli:{user}", roles=frozenset(Role), system=True, account_id=None, connector_id=None
        )

    @property
    def is_public(self) -> bool:
        """True when nobody is logged in (an account whose roles were all taken away is still someone)."""
        return self.account_id is None and not self.roles and not self.system

    def actions(self) -> frozenset[Action]:
        """Everything this principal may do (the public nothing at all when login is required)."""
        if self.system:
            return frozenset(Action)
        if self.is_public and login_required():
            return frozenset()
        allowed: set[Action] = set()
        for role in ("public", *self.roles):
            allowed |= ROLE_ACTIONS.get(role, frozenset())
        if (
            Role.CONNECTOR in self.roles and self.connector_id is not None
        ):  # a term counts while one takes part
            for role in self.group_roles:
                allowed |= GROUP_ROLE_ACTIONS.get(role, frozenset())
        return frozenset(allowed)

    def may(self, action: Action, *, tandem_id: int | None = None) -> bool:
        """True when this principal may take `action` (for a tandem-scoped one: on `tandem_id`)."""
        if action not in self.actions():
            return False
        if action in TANDEM_SCOPED and not self.all_tandems():
            return tandem_id is not None and tandem_id in self.tandem_ids  # a connector acts for a tandem
        return True

    def may_for_some_tandem(self, action: Action) -> bool:
        """True when `action` is allowed for at least one tandem (any tandem, or one of one's own)."""
        if self.all_tandems():
            return action in self.actions()
        return any(self.may(action, tandem_id=i) for i in self.tandem_ids)

    def all_tandems(self) -> bool:
        """True when tandem-scoped actions hold for every tandem (coordinators, the command line)."""
        return self.system or Role.COORDINATOR in self.roles


def require(principal: Principal, action: Action, *, tandem_id: int | None = None) -> None:
    """
    Refuse unless `principal` may take `action`.

    Raises
    ------
    AccessDeniedError
        With a sentence that says what is missing (log in, or a role).
    """
    if principal.may(action, tandem_id=tandem_id):
        return
    if principal.is_public:
        raise AccessDeniedError("access.login_needed")
    if action in TANDEM_SCOPED and action in principal.actions():
        raise AccessDeniedError("access.not_your_tandem")
    raise AccessDeniedError("access.denied", action=action.value)
