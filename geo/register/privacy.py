"""
Data protection: erasing a connector, the retention rule, and a person's own data as a file (Art. 15 GDPR).

Erasure keeps the shape of the programme and removes the person: the connector record stays (so a
tandem keeps its members' count and its history) with every personal field emptied; the account, if any,
loses its e-mail address and password and is disabled; audit entries the person made keep no address, only
"erased person #id". Activities and concerns never named a person, only the tandem, so they stay. The audit
log records that an erasure happened, never the erased values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from geo.core.access import AccessDeniedError, Action, Principal
from geo.core.errors import RegisterError
from geo.core.settings import env_number
from geo.register import models
from geo.register.models import Account, AuditEntry, Connector, LoginSession, Tandem, TandemMember
from geo.register.store import Register

ERASED_NAME = "gelöscht"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def retention_days() -> int:
    """Days after leaving that a connector's personal data is kept (`SOZIALRAUM_RETENTION_DAYS`, default 365)."""
    return int(env_number("SOZIALRAUM_RETENTION_DAYS"))


def erase_connector(register: Register, connector_id: int, *, by: Principal, reason: str = "request") -> None:
    """
    Erase a connector's personal data (coordinators, admins through retention, the command line).

    Raises
    ------
    geo.register.store.RegisterError
        When there is no such connector.
    """
    with register.write(
        by, Action.ERASE_PERSON, "connector.erase", target="connector", target_id=connector_id
    ) as tx:
        _erase(tx.session, connector_id)
        tx.details = {"reason": reason}


def _erase(s: Session, connector_id: int) -> None:
    record = s.get(Connector, connector_id)
    if record is None:
        raise RegisterError("register.not_found", what=f"connector {connector_id}")
    demo_login = select(Account.id).where(Account.connector_id == connector_id, Account.source == "demo")
    if s.scalar(demo_login) is not None:  # the demo connector account stays usable for every visitor
        raise RegisterError("accounts.demo_fixed")

    # the journey is personal: status notes, qualifications, planned end, availability go; hours stay,
    # tied to the erased record only, so the programme's totals do not change
    for table in (models.ConnectorStatus, models.Qualification, models.Engagement):
        s.execute(delete(table).where(table.connector_id == connector_id))
    record.display_name = f"{ERASED_NAME} #{connector_id}"
    record.languages = ""
    record.contact = ""
    record.home_sozialraum_id = None
    record.active = False
    record.left_on = record.left_on or date.today()
    record.erased_at = _now()
    for account in s.scalars(select(Account).where(Account.connector_id == connector_id)):
        s.execute(
            update(AuditEntry)
            .where(AuditEntry.actor_account_id == account.id)
            .values(actor=f"erased person #{account.id}")
        )
        s.execute(delete(LoginSession).where(LoginSession.account_id == account.id))
        account.email = f"erased-{account.id}@invalid"
        account.display_name = ""
        account.password_hash = None
        account.setup_code_hash = None
        account.setup_code_expires = None
        account.disabled = True
        account.roles = ""


@dataclass(frozen=True)
class RetentionCandidate:
    """A connector whose personal data is due for erasure."""

    connector_id: int
    left_on: date


def retention_due(
    register: Register, *, by: Principal, today: date | None = None
) -> list[RetentionCandidate]:
    """Connectors who left more than `retention_days()` ago and are not yet erased (a dry run)."""
    cutoff = (today or date.today()) - timedelta(days=retention_days())
    with register.read(by, Action.ERASE_PERSON) as s:
        rows = s.scalars(
            select(Connector)
            .where(Connector.erased_at.is_(None), Connector.active.is_(False), Connector.left_on.is_not(None))
            .where(Connector.left_on < cutoff)
            .order_by(Connector.id)
        )
        return [RetentionCandidate(r.id, r.left_on) for r in rows if r.left_on is not None]


def closed_partner_contacts(register: Register, *, by: Principal) -> list[str]:
    """Contact people of partners that closed: no longer needed, so the retention rule erases them."""
    with register.read(by, Action.ERASE_PERSON) as s:
        query = (
            select(models.PartnerContact.id)
            .join(models.Partner, models.Partner.id == models.PartnerContact.partner_id)
            .where(models.Partner.status == "closed")
        )
        return list(s.scalars(query))


def apply_retention(register: Register, *, by: Principal, today: date | None = None) -> list[int]:
    """
    Erase what the retention rule says, in one transaction; returns the erased connectors' IDs.

    That is every connector `retention_due` lists, and the contact people of closed partners.
    """
    due = [c.connector_id for c in retention_due(register, by=by, today=today)]
    contacts = closed_partner_contacts(register, by=by)
    if not due and not contacts:
        return []
    with register.write(by, Action.ERASE_PERSON, "retention.apply", target="connector") as tx:
        for connector_id in due:
            _erase(tx.session, connector_id)
        if contacts:
            tx.session.execute(delete(models.PartnerContact).where(models.PartnerContact.id.in_(contacts)))
        tx.details = {"erased": len(due), "contacts": len(contacts), "days": retention_days()}
    return due


def partner_contacts_export(register: Register, *, by: Principal) -> pd.DataFrame:
    """
    Every stored contact person of a partner with its basis (coordinators).

    To answer a request under Art. 15 GDPR from someone who never signed up, and for the data-protection
    officer's review.
    """
    with register.read(by, Action.READ_REGISTER) as s:
        rows = [
            {
                "partner": p.name,
                "name": c.name,
                "rolle": c.title,
                "telefon": c.phone,
                "e_mail": c.email,
                "grundlage": c.basis,
                "einwilligung_am": c.consent_on,
                "gespeichert_am": c.created_at,
                "kontakt_id": c.id,
            }
            for c, p in s.execute(
                select(models.PartnerContact, models.Partner)
                .join(models.Partner, models.Partner.id == models.PartnerContact.partner_id)
                .order_by(models.PartnerContact.name)
            )
        ]
    register.record(by, "partner.contacts_export", target="partner_contact", rows=len(rows))
    columns = [
        "partner",
        "name",
        "rolle",
        "telefon",
        "e_mail",
        "grundlage",
        "einwilligung_am",
        "gespeichert_am",
        "kontakt_id",
    ]
    return pd.DataFrame(rows, columns=columns)


def own_data(register: Register, *, by: Principal) -> dict[str, object]:
    """
    Everything the register holds about the acting person, for a request under Art. 15 GDPR.

    The account (without password hash or code), the connector record, the person's tandems, and the audit
    entries they caused. Exporting it is recorded in the audit log.
    """
    if by.account_id is None:
        raise AccessDeniedError("access.login_needed")
    with register.read(by, Action.OWN_RECORD) as s:
        account = s.get(Account, by.account_id)
        assert account is not None
        out: dict[str, object] = {
            "erstellt": _now().isoformat(),
            "konto": {
                "email": account.email,
                "name": account.display_name,
                "rollen": sorted(account.role_set()),
                "angelegt": account.created_at.isoformat(),
                "letzte_anmeldung": account.last_login_at.isoformat() if account.last_login_at else None,
                "herkunft": account.source,
            },
        }
        if account.connector_id is not None and (c := s.get(Connector, account.connector_id)) is not None:
            out["connector"] = {
                "name": c.display_name,
                "sprachen": c.languages,
                "kontakt": c.contact,
                "wohn_sozialraum": c.home_sozialraum_id,
                "aktiv": c.active,
                "ausgeschieden_am": c.left_on.isoformat() if c.left_on else None,
            }
            tandems = s.scalars(
                select(Tandem)
                .join(TandemMember, TandemMember.tandem_id == Tandem.id)
                .where(TandemMember.connector_id == c.id)
            )
            out["programmjahr"] = _programme_data(s, c.id)
            out["gruppe"] = _group_data(s, c.id)
            out["tandems"] = [
                {
                    "name": t.name,
                    "beginn": t.start_date.isoformat(),
                    "ende": t.end_date.isoformat() if t.end_date else None,
                }
                for t in tandems
            ]
        out["protokoll"] = [
            {"zeit": e.at.isoformat(), "aktion": e.action, "ziel": e.target, "id": e.target_id}
            for e in s.scalars(
                select(AuditEntry).where(AuditEntry.actor_account_id == by.account_id).order_by(AuditEntry.id)
            )
        ]
    register.record(by, "personal_data.export", target="account", target_id=by.account_id)
    return out


def _programme_data(s: Session, connector_id: int) -> dict[str, object]:
    """The person's programme year: status steps, qualifications, engagement, hours."""
    return {
        "status": [
            {"status": r.status, "seit": r.since.isoformat(), "notiz": r.note}
            for r in s.scalars(
                select(models.ConnectorStatus).where(models.ConnectorStatus.connector_id == connector_id)
            )
        ],
        "qualifikationen": [
            {"name": q.name, "am": q.obtained_on.isoformat()}
            for q in s.scalars(
                select(models.Qualification).where(models.Qualification.connector_id == connector_id)
            )
        ],
        "engagement": [
            {
                "geplantes_ende": e.planned_end.isoformat() if e.planned_end else None,
                "zeiten": e.availability,
            }
            for e in s.scalars(
                select(models.Engagement).where(models.Engagement.connector_id == connector_id)
            )
        ],
        "stunden": [
            {"aktivitaet": p.activity_id, "minuten": p.minutes, "vorbereitung": p.prep_minutes}
            for p in s.scalars(
                select(models.Participation).where(models.Participation.connector_id == connector_id)
            )
        ],
    }


def _group_data(s: Session, connector_id: int) -> dict[str, object]:
    """What the connectors' group holds of one person: proposals, supports, comments, inputs, roles, answers."""

    def rows(model: Any, **columns: str) -> list[dict[str, object]]:
        found = []
        for record in s.scalars(select(model).where(model.connector_id == connector_id)):
            item: dict[str, object] = {}
            for name, attr in columns.items():
                value = getattr(record, attr)
                item[name] = value.isoformat() if isinstance(value, date | datetime) else value
            found.append(item)
        return found

    proposals = s.scalars(select(models.Proposal).where(models.Proposal.author_id == connector_id))
    return {
        "vorschlaege": [
            {
                "titel": p.title,
                "text": p.text,
                "art": p.kind,
                "stand": p.status,
                "am": p.created_at.isoformat(),
            }
            for p in proposals
        ],
        "unterstuetzt": rows(models.ProposalSupport, vorschlag="proposal_id", am="created_at"),
        "kommentare": rows(
            models.ProposalComment, vorschlag="proposal_id", text="text", sprache="lang", am="created_at"
        ),
        "stimmen": rows(
            models.DecisionInput, beschluss="decision_id", moeglichkeit="option", wert="value", text="text"
        ),
        "anwesend": rows(models.MeetingPresence, treffen="meeting_id"),
        "rollen": rows(models.GroupRole, rolle="role", von="valid_from", bis="valid_to"),
        "befragungen": rows(
            models.ConsultationAnswer, befragung="consultation_id", text="text", sprache="lang"
        ),
    }


def own_data_json(register: Register, *, by: Principal) -> bytes:
    """`own_data` as a UTF-8 JSON file."""
    return json.dumps(own_data(register, by=by), ensure_ascii=False, indent=2).encode("utf-8")
