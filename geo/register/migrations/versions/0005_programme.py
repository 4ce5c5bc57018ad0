"""
The programme year: status history, engagement, qualifications, hours, notices, digests, decisions.

Connectors' status history, engagement (planned end, availability), qualifications, hours per activity,
notices to tandems, the digest log, and meeting decisions in a concern's history.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the programme's tables and give concern updates a kind."""
    op.create_table(
        "connector_status",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("connector_id", sa.Integer(), sa.ForeignKey("connector.id"), nullable=False, index=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("note", sa.String(300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "engagement",
        sa.Column("connector_id", sa.Integer(), sa.ForeignKey("connector.id"), primary_key=True),
        sa.Column("planned_end", sa.Date(), nullable=True),
        sa.Column("availability", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "qualification",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("connector_id", sa.Integer(), sa.ForeignKey("connector.id"), nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("obtained_on", sa.Date(), nullable=False),
    )
    op.create_table(
        "participation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("activity_id", sa.Integer(), sa.ForeignKey("activity.id"), nullable=False, index=True),
        sa.Column("connector_id", sa.Integer(), sa.ForeignKey("connector.id"), nullable=False, index=True),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("prep_minutes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("activity_id", "connector_id", name="uq_participation_activity_connector"),
    )
    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tandem_id", sa.Integer(), sa.ForeignKey("tandem.id"), nullable=False, index=True),
        sa.Column("concern_id", sa.Integer(), sa.ForeignKey("concern.id"), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("mailed_at", sa.DateTime(), nullable=True),
        sa.Column("seen_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "digest_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tandem_id", sa.Integer(), sa.ForeignKey("tandem.id"), nullable=False, index=True),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
    )
    with op.batch_alter_table("concern_update") as batch:
        batch.add_column(sa.Column("kind", sa.String(12), nullable=False, server_default="status"))
        batch.add_column(sa.Column("meeting_on", sa.Date(), nullable=True))


def downgrade() -> None:
    """Drop the programme's tables and the kind of concern updates."""
    with op.batch_alter_table("concern_update") as batch:
        batch.drop_column("meeting_on")
        batch.drop_column("kind")
    for table in ("digest_log", "notice", "participation", "qualification", "engagement", "connector_status"):
        op.drop_table(table)
