"""
What a connector who leaves would leave behind, and who may take each thing on (the handover plan).

Read inside a transaction and built on the tables alone: the register's own writes (`store` when a connector
is set inactive, `programme` when one is marked as having left) refuse a departure that would leave a partner,
a concern, an activity or an area without an owner, without importing `geo.register.knowledge`, which does
the handover itself and builds on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.core.errors import RegisterError
from geo.register import models
from geo.register.models import Assignment, Connector, Tandem, TandemMember

#: Activity statuses that still lie ahead.
PLANNED_ACTIVITY = ("idee", "geplant")
#: The successor "the coordination" (instead of a connector or a tandem).
COORDINATION = "coordination"


def connector_tandems(s: Session, connector_id: int) -> set[int]:
    """The tandems a connector belongs to and that have not ended."""
    today = date.today()
    query = (
        select(Tandem.id)
        .join(TandemMember, TandemMember.tandem_id == Tandem.id)
        .where(TandemMember.connector_id == connector_id)
        .where((Tandem.end_date.is_(None)) | (Tandem.end_date >= today))
    )
    return set(s.scalars(query))


@dataclass(frozen=True)
class HandoverItem:
    """
    One thing a leaving connector hands on.

    `key` is "partner:<id>", "concern:<id>", "activity:<id>" or "area:<assignment id>".
    """

    key: str
    kind: str
    label: str
    sozialraum_ids: tuple[str, ...]
    #: False when a tandem partner who stays already carries it (listed so nothing surprises anyone).
    needs_successor: bool
    #: The successor proposed: "connector:<id>", "tandem:<id>" or "coordination".
    proposed: str


@dataclass(frozen=True)
class HandoverPlan:
    """What a connector leaves behind, and the successors that may take it."""

    connector_id: int
    items: list[HandoverItem]
    #: Active connectors who may keep partner relations (ID -> name), the leaver excluded.
    connectors: dict[int, str]
    #: Tandems that keep an active member after the leaver goes (ID -> name).
    tandems: dict[int, str]

    @property
    def open_items(self) -> list[HandoverItem]:
        """The items that need a successor."""
        return [i for i in self.items if i.needs_successor]


def staying_tandems(s: Session, leaver: int) -> dict[int, str]:
    """Tandems not ended with at least one active member other than `leaver`."""
    today = date.today()
    out: dict[int, str] = {}
    for tandem in s.scalars(select(Tandem).order_by(Tandem.name)):
        if tandem.end_date is not None and tandem.end_date < today:
            continue
        members = [s.get(Connector, m.connector_id) for m in tandem.members]
        if any(c is not None and c.active and c.id != leaver for c in members):
            out[tandem.id] = tandem.name
    return out


def plan(s: Session, connector_id: int) -> HandoverPlan:
    """What `connector_id` would leave behind, and who may take it (inside a transaction)."""
    leaver = s.get(Connector, connector_id)
    if leaver is None:
        raise RegisterError("register.not_found", what=f"connector {connector_id}")
    staying = staying_tandems(s, connector_id)
    own = connector_tandems(s, connector_id)
    active = {
        c.id: c.display_name
        for c in s.scalars(
            select(Connector).where(Connector.active.is_(True)).order_by(Connector.display_name)
        )
        if c.id != connector_id
    }
    partners_in_tandem = {
        m.connector_id
        for t in own
        for m in s.scalars(select(TandemMember).where(TandemMember.tandem_id == t))
        if m.connector_id in active
    }
    tandem_partner = f"connector:{min(partners_in_tandem)}" if partners_in_tandem else COORDINATION
    items: list[HandoverItem] = []
    for p in s.scalars(
        select(models.Partner)
        .where(models.Partner.keeper_id == connector_id, models.Partner.status != "closed")
        .order_by(models.Partner.name)
    ):
        areas = tuple(
            sorted(
                s.scalars(
                    select(models.PartnerArea.sozialraum_id).where(models.PartnerArea.partner_id == p.id)
                )
            )
        )
        items.append(HandoverItem(f"partner:{p.id}", "partner", p.name, areas, True, tandem_partner))
    items += _tandem_items(s, own, staying)
    return HandoverPlan(connector_id, items, active, staying)


def _tandem_items(s: Session, own: set[int], staying: dict[int, str]) -> list[HandoverItem]:
    """The open concerns, planned activities and current areas of the leaver's tandems (`own`)."""
    items: list[HandoverItem] = []
    for c in s.scalars(
        select(models.Concern)
        .where(models.Concern.tandem_id.in_(own), models.Concern.status.in_(models.OPEN_CONCERN_STATUSES))
        .order_by(models.Concern.id)
    ):
        stays = c.tandem_id in staying
        proposed = f"tandem:{c.tandem_id}" if stays else COORDINATION
        ids = tuple(i for i in c.sozialraum_ids.split(",") if i)
        items.append(HandoverItem(f"concern:{c.id}", "concern", c.thema, ids, not stays, proposed))
    today = datetime.combine(date.today(), datetime.min.time())
    for a in s.scalars(
        select(models.Activity)
        .where(
            models.Activity.tandem_id.in_(own),
            models.Activity.status.in_(PLANNED_ACTIVITY),
            models.Activity.starts_at >= today,
        )
        .order_by(models.Activity.starts_at)
    ):
        stays = a.tandem_id in staying
        proposed = f"tandem:{a.tandem_id}" if stays else COORDINATION
        items.append(
            HandoverItem(f"activity:{a.id}", "activity", a.title, (a.sozialraum_id,), not stays, proposed)
        )
    for assignment in s.scalars(
        select(Assignment)
        .where(
            Assignment.tandem_id.in_(own),
            Assignment.valid_from <= date.today(),
            (Assignment.valid_to.is_(None)) | (Assignment.valid_to >= date.today()),
        )
        .order_by(Assignment.sozialraum_id)
    ):
        stays = assignment.tandem_id in staying
        proposed = f"tandem:{assignment.tandem_id}" if stays else COORDINATION
        items.append(
            HandoverItem(
                f"area:{assignment.id}",
                "area",
                assignment.sozialraum_id,
                (assignment.sozialraum_id,),
                not stays,
                proposed,
            )
        )
    return items


def items_needing_successor(s: Session, connector_id: int) -> int:
    """How many items a connector leaving now would leave without an active owner (inside a transaction)."""
    return len(plan(s, connector_id).open_items)
