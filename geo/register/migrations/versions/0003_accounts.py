"""
Accounts and roles, the audit log, login throttling in the database; erasure and public concerns.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create accounts, audit entries and login failures; add erasure and publication fields."""
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("display_name", sa.String(80), nullable=False),
        sa.Column("roles", sa.String(100), nullable=False),
        sa.Column("connector_id", sa.Integer(), sa.ForeignKey("connector.id"), nullable=True),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("setup_code_hash", sa.String(200), nullable=True),
        sa.Column("setup_code_expires", sa.DateTime(), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_account_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("target", sa.String(60), nullable=False),
        sa.Column("target_id", sa.String(60), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
    )
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_login_failure_key", "login_failure", ["key"])
    op.create_table(
        "login_session",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("account.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
    )
    with op.batch_alter_table("connector") as batch:
        batch.add_column(sa.Column("left_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("erased_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("concern") as batch:
        batch.add_column(sa.Column("public", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    """Drop what `upgrade` added."""
    with op.batch_alter_table("concern") as batch:
        batch.drop_column("public")
    with op.batch_alter_table("connector") as batch:
        batch.drop_column("erased_at")
        batch.drop_column("left_on")
    op.drop_table("login_session")
    op.drop_index("ix_login_failure_key", "login_failure")
    op.drop_table("login_failure")
    op.drop_table("audit_entry")
    op.drop_table("account")
