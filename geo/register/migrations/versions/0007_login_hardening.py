"""
Logins that end when they should, and a first admin only the operator can create.

- A login session gets its cookie through a one-time ticket (only its hash is kept, for a minute): the
  server's answer to the ticket sets the cookie itself, HttpOnly, so no page script ever holds the token.
  Until then the session has no token at all (``token_hash`` empty).
- ``setup_code``: the hash of the one-time code a fresh install prints to the server log; the form that
  creates the first admin asks for it.
- ``concern.public_wanted``: a connector asks for a concern to be shown publicly; only the coordination
  publishes it (after reading it: a topic can name people or places).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the session's ticket and the setup code; sessions may exist before their cookie does."""
    with op.batch_alter_table("login_session") as batch:
        batch.alter_column("token_hash", existing_type=sa.String(64), nullable=True)
        batch.add_column(sa.Column("ticket_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("ticket_expires", sa.DateTime(), nullable=True))
    with op.batch_alter_table("concern") as batch:
        batch.add_column(sa.Column("public_wanted", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "setup_code",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code_hash", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    """Drop what `upgrade` added (sessions without a cookie yet are dropped with it)."""
    op.drop_table("setup_code")
    with op.batch_alter_table("concern") as batch:
        batch.drop_column("public_wanted")
    op.execute("DELETE FROM login_session WHERE token_hash IS NULL")
    with op.batch_alter_table("login_session") as batch:
        batch.drop_column("ticket_expires")
        batch.drop_column("ticket_hash")
        batch.alter_column("token_hash", existing_type=sa.String(64), nullable=False)
