"""
Activities, concerns and the history of their status.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the journal's tables."""
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=True),
        sa.Column("sozialraum_id", sa.String(6), nullable=False),
        sa.Column("welcome_point_id", sa.String(120), nullable=True),
        sa.Column("venue", sa.String(300), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("tandem_id", sa.Integer(), sa.ForeignKey("tandem.id"), nullable=True),
        sa.Column("languages", sa.String(300), nullable=False),
        sa.Column("target_group", sa.String(300), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=True),
        sa.Column("actual", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "concern",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("thema", sa.String(200), nullable=False),
        sa.Column("beschreibung", sa.Text(), nullable=False),
        sa.Column("prioritaet", sa.String(20), nullable=False),
        sa.Column("lokalisierung", sa.String(300), nullable=False),
        sa.Column("sozialraum_ids", sa.String(300), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("loesungen", sa.Text(), nullable=False),
        sa.Column("kontakt", sa.String(300), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("tandem_id", sa.Integer(), sa.ForeignKey("tandem.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "concern_update",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("concern_id", sa.Integer(), sa.ForeignKey("concern.id"), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    """Drop the journal's tables."""
    for table in ("concern_update", "concern", "activity"):
        op.drop_table(table)
