"""
The register's tables: every model of the database in one place, with `Base`, their common ancestor.

What a table holds and how its rows relate is here; what may be written, by whom and how (`Register.write`)
is in `geo.register.store` and the modules of each concern (`journal`, `partners`, `knowledge`, `programme`,
`decide`). Alembic compares these models with its migrations (`geo/register/migrations/`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from geo.core.settings import UNIT_ID_MAX

#: What becomes of a concern, in order; the first three still wait for it (`OPEN_CONCERN_STATUSES`).
CONCERN_STATUSES = ("offen", "weitergeleitet", "in_bearbeitung", "erledigt", "nicht_umsetzbar")
OPEN_CONCERN_STATUSES = CONCERN_STATUSES[:3]


#: The longest title of a proposal, a decision or an option (`geo.register.decide`).
TITLE_MAX = 200


def _now() -> datetime:
    """Now in UTC without a time zone (the core tables: accounts, tandems, the audit log)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _now_s() -> datetime:
    """Now in UTC without a time zone, to the second (the journal's, partners', programme's and group's tables)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


class Base(DeclarativeBase):
    """Declarative base of the register's tables."""


class Connector(Base):
    """A volunteer connector. Name, languages, `contact` and `home_sozialraum_id` are personal data."""

    __tablename__ = "connector"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(80))
    languages: Mapped[str] = mapped_column(String(300), default="")
    contact: Mapped[str] = mapped_column(String(300), default="")
    home_sozialraum_id: Mapped[str | None] = mapped_column(String(UNIT_ID_MAX), nullable=True)
    active: Mapped[bool] = mapped_column(default=True)
    #: The day the person left the programme (set when marked inactive): retention counts from here.
    left_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: When the personal fields were erased (the record stays so tandems keep their shape).
    erased_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=_now, onupdate=_now)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative API


class TandemMember(Base):
    """Which connectors form a tandem."""

    __tablename__ = "tandem_member"
    tandem_id: Mapped[int] = mapped_column(ForeignKey("tandem.id"), primary_key=True)
    connector_id: Mapped[int] = mapped_column(ForeignKey("connector.id"), primary_key=True)


class Tandem(Base):
    """Two or more connectors working together, with a partner Welcome Point."""

    __tablename__ = "tandem"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    welcome_point_id: Mapped[str | None] = mapped_column(String(120), nullable=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=_now, onupdate=_now)
    members: Mapped[list[TandemMember]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Assignment(Base):
    """A tandem working in a Sozialraum from `valid_from` until `valid_to` (open while None)."""

    __tablename__ = "assignment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tandem_id: Mapped[int] = mapped_column(ForeignKey("tandem.id"))
    sozialraum_id: Mapped[str] = mapped_column(String(UNIT_ID_MAX))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Account(Base):
    """
    A person who can log in: an e-mail address, roles, and for connectors their connector record.

    Local accounts keep an Argon2 hash of their password (set with a one-time code that expires); accounts
    of an identity provider (``source="oidc"``) keep none.
    """

    __tablename__ = "account"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80), default="")
    roles: Mapped[str] = mapped_column(String(100), default="")
    connector_id: Mapped[int | None] = mapped_column(ForeignKey("connector.id"), nullable=True)
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    setup_code_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    setup_code_expires: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(10), default="local")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)  # the app's and mails' language
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def role_set(self) -> frozenset[str]:
        """The roles as a set."""
        return frozenset(r for r in self.roles.split(",") if r)


class WelcomePointChange(Base):
    """A change to a Welcome Point recorded in the app (see `geo.register.welcome`); the history is these rows."""

    __tablename__ = "welcome_point_change"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    welcome_point_id: Mapped[str] = mapped_column(String(120), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # add | close | reopen | edit
    valid_from: Mapped[date] = mapped_column(Date)
    fields: Mapped[str] = mapped_column(Text, default="{}")  # JSON: the fields set by this change
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    created_by: Mapped[str] = mapped_column(String(254), default="")


class AuditEntry(Base):
    """Who did what and when: field names and counts, never values, never a password."""

    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    actor_account_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(60), default="")
    target_id: Mapped[str] = mapped_column(String(60), default="")
    details: Mapped[str] = mapped_column(Text, default="")


class LoginFailure(Base):
    """A failed login, per account and per client, shared by every server process (throttling)."""

    __tablename__ = "login_failure"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(100), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=_now)


class LoginSession(Base):
    """
    One login of one browser: every tab and reload of it (`geo.register.accounts`).

    Only hashes are stored: of the cookie's random token (none until the browser has redeemed its ticket)
    and of the one-time ticket that sets the cookie (`geo.register.websession`).
    """

    __tablename__ = "login_session"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    ticket_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    ticket_expires: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class SetupCode(Base):
    """The hash of the one-time code a fresh install prints to the server log (for the first admin)."""

    __tablename__ = "setup_code"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now)


class Activity(Base):
    """A planned or held activity of a tandem."""

    __tablename__ = "activity"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    sozialraum_id: Mapped[str] = mapped_column(String(UNIT_ID_MAX))
    welcome_point_id: Mapped[str | None] = mapped_column(String(120), nullable=True)
    venue: Mapped[str] = mapped_column(String(300), default="")
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    tandem_id: Mapped[int | None] = mapped_column(ForeignKey("tandem.id"), nullable=True)
    languages: Mapped[str] = mapped_column(String(300), default="")
    target_group: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20))
    expected: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actual: Mapped[int | None] = mapped_column(Integer, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative API


class Concern(Base):
    """A problem a connector met, with the programme's columns."""

    __tablename__ = "concern"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thema: Mapped[str] = mapped_column(String(200))
    beschreibung: Mapped[str] = mapped_column(Text, default="")
    prioritaet: Mapped[str] = mapped_column(String(20))
    lokalisierung: Mapped[str] = mapped_column(String(300), default="")
    sozialraum_ids: Mapped[str] = mapped_column(String(300), default="")
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    loesungen: Mapped[str] = mapped_column(Text, default="")
    kontakt: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(30))
    tandem_id: Mapped[int | None] = mapped_column(ForeignKey("tandem.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now_s)
    #: Shown to everyone (topic, Sozialraum, status, answers; never who logged it).
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: The connector who logged it asks for it to be shown publicly; only the coordination publishes.
    public_wanted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ConcernUpdate(Base):
    """One status change of a concern with its comment; never changed or deleted."""

    __tablename__ = "concern_update"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concern.id"))
    status: Mapped[str] = mapped_column(String(30))
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now_s)
    #: "status" (a status change with the administration's answer) or "beschluss" (what a meeting decided).
    kind: Mapped[str] = mapped_column(String(12), default="status", server_default="status")
    #: For a decision: the day of the meeting.
    meeting_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class Notice(Base):
    """A concern's status changed: its tandem is told (in the app until seen; by e-mail when configured)."""

    __tablename__ = "notice"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tandem_id: Mapped[int] = mapped_column(ForeignKey("tandem.id"), index=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concern.id"))
    status: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now_s)
    mailed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    seen_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Debrief(Base):
    """What a held activity taught its tandem (one per activity)."""

    __tablename__ = "debrief"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), unique=True)
    reached: Mapped[int | None] = mapped_column(Integer, nullable=True)
    groups: Mapped[str] = mapped_column(String(300), default="")
    languages: Mapped[str] = mapped_column(String(300), default="")
    #: IDs of the partners who took part, comma-separated.
    partner_ids: Mapped[str] = mapped_column(Text, default="")
    worked: Mapped[str] = mapped_column(Text, default="")
    differently: Mapped[str] = mapped_column(Text, default="")
    repeat: Mapped[str] = mapped_column(String(12), default="vielleicht")
    #: The UI language it was written in.
    lang: Mapped[str] = mapped_column(String(8), default="de")
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now_s)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative API


class Handover(Base):
    """A connector's leaving: why, whether they stay as alumni adviser, and what went where (counts)."""

    __tablename__ = "handover"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connector_id: Mapped[int] = mapped_column(ForeignKey("connector.id"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    alumni: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: JSON: {"partner": {"<id>": "connector:3"}, "concern": {...}, ...}
    items: Mapped[str] = mapped_column(Text, default="{}")
    decided_at: Mapped[datetime] = mapped_column(DateTime, default=_now_s)
    decided_by: Mapped[str] = mapped_column(String(254), default="")


class Partner(Base):
    """An organisation the tandems work with (HSDS ``organization``)."""

    __tablename__ = "partner"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: The organisation's general address and phone (public business data, never a person's).
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(24), default="active")
    source: Mapped[str] = mapped_column(String(20), default="manual")
    #: What the record is called where it came from (HSDS ID, registry name and address): nothing twice.
    source_key: Mapped[str | None] = mapped_column(String(300), nullable=True, unique=True)
    welcome_point_id: Mapped[str | None] = mapped_column(String(120), nullable=True)
    #: The connector who keeps the relation (None: the coordination).
    keeper_id: Mapped[int | None] = mapped_column(ForeignKey("connector.id"), nullable=True)
    assured_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: Who checked it last (an account's label): shown only to those who see the contacts.
    assured_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now_s)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative API


class PartnerArea(Base):
    """A Sozialraum a partner works in."""

    __tablename__ = "partner_area"
    partner_id: Mapped[str] = mapped_column(ForeignKey("partner.id"), primary_key=True)
    sozialraum_id: Mapped[str] = mapped_column(String(UNIT_ID_MAX), primary_key=True)


class PartnerTandem(Base):
    """A tandem that works with a partner (it sees the partner's contact people)."""

    __tablename__ = "partner_tandem"
    partner_id: Mapped[str] = mapped_column(ForeignKey("partner.id"), primary_key=True)
    tandem_id: Mapped[int] = mapped_column(ForeignKey("tandem.id"), primary_key=True)


class PartnerService(Base):
    """An offer of a partner (HSDS ``service``)."""

    __tablename__ = "partner_service"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partner.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    topic: Mapped[str] = mapped_column(String(30), default="sonstiges")
    target_group: Mapped[str] = mapped_column(String(300), default="")
    #: Languages as the register writes them, in German ("Arabisch, Türkisch").
    languages: Mapped[str] = mapped_column(String(300), default="")
    cost: Mapped[str] = mapped_column(String(300), default="")
    access: Mapped[str] = mapped_column(Text, default="")


class PartnerLocation(Base):
    """A place of a partner (HSDS ``location`` with its ``address`` and ``accessibility``)."""

    __tablename__ = "partner_location"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partner.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    street: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    accessibility: Mapped[str] = mapped_column(Text, default="")


class PartnerSchedule(Base):
    """Opening hours at a place: one weekday, opens, closes (HSDS ``schedule``, ``freq`` WEEKLY)."""

    __tablename__ = "partner_schedule"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    location_id: Mapped[str] = mapped_column(ForeignKey("partner_location.id"), index=True)
    byday: Mapped[str] = mapped_column(String(2))
    opens_at: Mapped[str] = mapped_column(String(5))
    closes_at: Mapped[str] = mapped_column(String(5))
    note: Mapped[str] = mapped_column(String(200), default="")


class PartnerContact(Base):
    """A person at a partner (personal data): name, role, phone, e-mail, and the basis it is stored on."""

    __tablename__ = "partner_contact"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partner.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    basis: Mapped[str] = mapped_column(String(12))
    consent_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now_s)


class ConnectorStatus(Base):
    """One step of a connector's journey: the status and the day it began (never changed; the history)."""

    __tablename__ = "connector_status"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connector_id: Mapped[int] = mapped_column(ForeignKey("connector.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    since: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now_s)


class Engagement(Base):
    """The planned end of a connector's engagement and their general availability ("mo:abend,sa:vormittag")."""

    __tablename__ = "engagement"
    connector_id: Mapped[int] = mapped_column(ForeignKey("connector.id"), primary_key=True)
    planned_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    availability: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative API


class Qualification(Base):
    """A training or qualification a connector completed."""

    __tablename__ = "qualification"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connector_id: Mapped[int] = mapped_column(ForeignKey("connector.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    obtained_on: Mapped[date] = mapped_column(Date)


class Participation(Base):
    """A connector's part in an activity: minutes at the activity and minutes of preparation."""

    __tablename__ = "participation"
    __table_args__ = (
        UniqueConstraint("activity_id", "connector_id", name="uq_participation_activity_connector"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id"), index=True)
    connector_id: Mapped[int] = mapped_column(ForeignKey("connector.id"), index=True)
    minutes: Mapped[int] = mapped_column(Integer)
    prep_minutes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now_s)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class DigestLog(Base):
    """A weekly digest mailed to a tandem: when, and to how many people (answers since then are new)."""

    __tablename__ = "digest_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tandem_id: Mapped[int] = mapped_column(ForeignKey("tandem.id"), index=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime)
    recipients: Mapped[int] = mapped_column(Integer)


class GroupRole(Base):
    """A speaker's or moderator's term, as the group elected it."""

    __tablename__ = "group_role"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connector_id: Mapped[int] = mapped_column(ForeignKey("connector.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("group_meeting.id"), nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now_s)


class Proposal(Base):
    """A connector's proposal to the group."""

    __tablename__ = "proposal"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    text: Mapped[str] = mapped_column(Text, default="")
    lang: Mapped[str] = mapped_column(String(8), default="de")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("connector.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(12), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now_s)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative API


class ProposalConcern(Base):
    """A concern of the problem log a proposal takes up."""

    __tablename__ = "proposal_concern"
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concern.id"), primary_key=True)


class ProposalSupport(Base):
    """One connector supports a proposal (one per person; withdrawing deletes it)."""

    __tablename__ = "proposal_support"
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), primary_key=True)
    connector_id: Mapped[int] = mapped_column(ForeignKey("connector.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now_s)


class ProposalComment(Base):
    """A comment on a proposal before the meeting."""

    __tablename__ = "proposal_comment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    connector_id: Mapped[int | None] = mapped_column(ForeignKey("connector.id"), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(8), default="de")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now_s)


class GroupMeeting(Base):
    """A monthly meeting of all connectors: its day and the quorum the group set for it."""

    __tablename__ = "group_meeting"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    held_on: Mapped[date] = mapped_column(Date, unique=True)
    quorum: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now_s)


class MeetingPresence(Base):
    """Who was present at a meeting."""

    __tablename__ = "meeting_presence"
    meeting_id: Mapped[int] = mapped_column(ForeignKey("group_meeting.id"), primary_key=True)
    connector_id: Mapped[int] = mapped_column(ForeignKey("connector.id"), primary_key=True)


class Decision(Base):
    """What a meeting decided on one item, how, and what became of it."""

    __tablename__ = "decision"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("group_meeting.id"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"), nullable=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    method: Mapped[str] = mapped_column(String(12))
    #: JSON list of the options put to the group.
    options: Mapped[str] = mapped_column(Text, default="[]")
    #: JSON: {"winners": [...], "tie": bool, "totals": {...}, "adopted": bool}
    result: Mapped[str] = mapped_column(Text, default="{}")
    adopted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    carried_by: Mapped[int | None] = mapped_column(ForeignKey("connector.id"), nullable=True)
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    to_city: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    city_answer: Mapped[str] = mapped_column(Text, default="")
    city_changed: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    answered_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now_s)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative API


class DecisionInput(Base):
    """One present person's input: an objection (consent), a resistance per option, or a vote."""

    __tablename__ = "decision_input"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), index=True)
    connector_id: Mapped[int] = mapped_column(ForeignKey("connector.id"))
    option: Mapped[str] = mapped_column(String(TITLE_MAX), default="")
    value: Mapped[int | None] = mapped_column(Integer, nullable=True)
    text: Mapped[str] = mapped_column(Text, default="")


class Consultation(Base):
    """The city asks the connectors: a question, its languages, a deadline, and what changed."""

    __tablename__ = "consultation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    #: UI language codes the question is offered in, comma-separated.
    languages: Mapped[str] = mapped_column(String(60), default="de")
    deadline: Mapped[date] = mapped_column(Date)
    document_name: Mapped[str] = mapped_column(String(200), default="")
    document: Mapped[str] = mapped_column(Text, default="")  # a link or a short text version
    changed: Mapped[str] = mapped_column(Text, default="")
    opened_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now_s)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative API


class ConsultationFile(Base):
    """The document or image a consultation asks about (a flyer, a plan): the city's, never personal data."""

    __tablename__ = "consultation_file"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class ConsultationAnswer(Base):
    """One connector's answer to a consultation (changed until it closes)."""

    __tablename__ = "consultation_answer"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id"), index=True)
    connector_id: Mapped[int] = mapped_column(ForeignKey("connector.id"))
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(8), default="de")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=_now_s)
