"""
Knowledge that stays: local partners (after Open Referral HSDS 3.0), debriefs of held activities, handovers.

- ``partner`` (an HSDS organization) with ``partner_area`` (its Sozialräume), ``partner_tandem`` (tandems
  that work with it), ``partner_service`` (offers), ``partner_location`` and ``partner_schedule`` (places
  and opening hours) and ``partner_contact`` (contact people: personal data, with their basis).
- ``debrief``: what a held activity taught its tandem.
- ``handover``: a connector's leaving, with the reason and what went to whom.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the partner register, the debriefs and the handovers."""
    _partners()
    _debriefs_and_handovers()


def _partners() -> None:
    """Create ``partner``, ``partner_area``, ``partner_tandem``, ``partner_service``, ``partner_location``."""
    op.create_table(
        "partner",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("phone", sa.String(60), nullable=False),
        sa.Column("website", sa.String(300), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("source_key", sa.String(300), nullable=True, unique=True),
        sa.Column("welcome_point_id", sa.String(120), nullable=True),
        sa.Column("keeper_id", sa.Integer(), sa.ForeignKey("connector.id"), nullable=True),
        sa.Column("assured_date", sa.Date(), nullable=True),
        sa.Column("assured_by", sa.String(254), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "partner_area",
        sa.Column("partner_id", sa.String(64), sa.ForeignKey("partner.id"), primary_key=True),
        sa.Column("sozialraum_id", sa.String(6), primary_key=True),
    )
    op.create_table(
        "partner_tandem",
        sa.Column("partner_id", sa.String(64), sa.ForeignKey("partner.id"), primary_key=True),
        sa.Column("tandem_id", sa.Integer(), sa.ForeignKey("tandem.id"), primary_key=True),
    )
    op.create_table(
        "partner_service",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("partner_id", sa.String(64), sa.ForeignKey("partner.id"), nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("topic", sa.String(30), nullable=False),
        sa.Column("target_group", sa.String(300), nullable=False),
        sa.Column("languages", sa.String(300), nullable=False),
        sa.Column("cost", sa.String(300), nullable=False),
        sa.Column("access", sa.Text(), nullable=False),
    )
    op.create_table(
        "partner_location",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("partner_id", sa.String(64), sa.ForeignKey("partner.id"), nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("street", sa.String(200), nullable=False),
        sa.Column("postal_code", sa.String(10), nullable=False),
        sa.Column("city", sa.String(80), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("accessibility", sa.Text(), nullable=False),
    )


def _debriefs_and_handovers() -> None:
    """Create ``partner_schedule``, ``partner_contact``, ``debrief``, ``handover``."""
    op.create_table(
        "partner_schedule",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "location_id", sa.String(64), sa.ForeignKey("partner_location.id"), nullable=False, index=True
        ),
        sa.Column("byday", sa.String(2), nullable=False),
        sa.Column("opens_at", sa.String(5), nullable=False),
        sa.Column("closes_at", sa.String(5), nullable=False),
        sa.Column("note", sa.String(200), nullable=False),
    )
    op.create_table(
        "partner_contact",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("partner_id", sa.String(64), sa.ForeignKey("partner.id"), nullable=False, index=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("phone", sa.String(60), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("basis", sa.String(12), nullable=False),
        sa.Column("consent_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "debrief",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("activity_id", sa.Integer(), sa.ForeignKey("activity.id"), nullable=False, unique=True),
        sa.Column("reached", sa.Integer(), nullable=True),
        sa.Column("groups", sa.String(300), nullable=False),
        sa.Column("languages", sa.String(300), nullable=False),
        sa.Column("partner_ids", sa.Text(), nullable=False),
        sa.Column("worked", sa.Text(), nullable=False),
        sa.Column("differently", sa.Text(), nullable=False),
        sa.Column("repeat", sa.String(12), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "handover",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("connector_id", sa.Integer(), sa.ForeignKey("connector.id"), nullable=False, index=True),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("alumni", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by", sa.String(254), nullable=False),
    )


def downgrade() -> None:
    """Drop the tables `upgrade` created."""
    for table in (
        "handover",
        "debrief",
        "partner_contact",
        "partner_schedule",
        "partner_location",
        "partner_service",
        "partner_tandem",
        "partner_area",
        "partner",
    ):
        op.drop_table(table)
