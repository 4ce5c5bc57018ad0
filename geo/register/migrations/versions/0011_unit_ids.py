"""
Unit IDs of any city: the columns that hold one widen from 6 characters to 20.

Düsseldorf's Sozialräume have 6 digits, Berlin's Planungsräume 8; a city profile allows up to 20 (`geo.data.city`).

PostgreSQL widens the columns in place. SQLite cannot change a column's type: Alembic's batch mode copies
each table into a new one with the wider column (SQLite's own procedure for a general ALTER TABLE; the
foreign keys are checked once the copy is done, see `geo.register.store.migrate`).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

#: (table, column, nullable) of every column that holds a unit ID.
WIDENED = (
    ("connector", "home_sozialraum_id", True),
    ("assignment", "sozialraum_id", False),
    ("activity", "sozialraum_id", False),
    ("partner_area", "sozialraum_id", False),
)


def upgrade() -> None:
    """Widen the unit-ID columns to 20 characters (on SQLite the table is copied, `geo.register.store.migrate`)."""
    for table, column, nullable in WIDENED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column, type_=sa.String(20), existing_type=sa.String(6), existing_nullable=nullable
            )


def downgrade() -> None:
    """Narrow them again (fails on PostgreSQL, as it should, while a longer ID is stored)."""
    for table, column, nullable in WIDENED:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column, type_=sa.String(6), existing_type=sa.String(20), existing_nullable=nullable
            )
