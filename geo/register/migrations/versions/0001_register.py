"""
The register: connectors, tandems, members, assignments.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the register's tables."""
    op.create_table(
        "connector",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("display_name", sa.String(80), nullable=False),
        sa.Column("languages", sa.String(300), nullable=False),
        sa.Column("contact", sa.String(300), nullable=False),
        sa.Column("home_sozialraum_id", sa.String(6), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "tandem",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("welcome_point_id", sa.String(120), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "tandem_member",
        sa.Column("tandem_id", sa.Integer(), sa.ForeignKey("tandem.id"), primary_key=True),
        sa.Column("connector_id", sa.Integer(), sa.ForeignKey("connector.id"), primary_key=True),
    )
    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tandem_id", sa.Integer(), sa.ForeignKey("tandem.id"), nullable=False),
        sa.Column("sozialraum_id", sa.String(6), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    """Drop the register's tables."""
    for table in ("assignment", "tandem_member", "tandem", "connector"):
        op.drop_table(table)
