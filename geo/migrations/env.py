"""Alembic environment: migrations run on the connection `geo.store.migrate` passes in."""

from alembic import context

import geo.decide
import geo.journal
import geo.knowledge  # noqa: F401 - partners, debriefs and handovers too
from geo.store import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - the register always passes its connection
    msg = "run migrations through geo.store.migrate(engine)"
    raise RuntimeError(msg)
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
