"""
Welcome Points kept in the app: the changes coordinators record (closed, reopened, edited, added).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table of Welcome Point changes."""
    op.create_table(
        "welcome_point_change",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("welcome_point_id", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(254), nullable=False),
    )
    op.create_index("ix_welcome_point_change_welcome_point_id", "welcome_point_change", ["welcome_point_id"])


def downgrade() -> None:
    """Drop the table of Welcome Point changes."""
    op.drop_index("ix_welcome_point_change_welcome_point_id", table_name="welcome_point_change")
    op.drop_table("welcome_point_change")
