"""
An account's language: the app opens in it after login, and mails to the person are written in it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Give accounts a language (none: the app's default, German)."""
    with op.batch_alter_table("account") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    """Drop the accounts' language."""
    with op.batch_alter_table("account") as batch:
        batch.drop_column("language")
