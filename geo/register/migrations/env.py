"""Alembic environment: migrations run on the connection `geo.register.store.migrate` passes in."""

from alembic import context

from geo.register.models import Base  # every table of the register is in this one module

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - the register always passes its connection
    msg = "run migrations through geo.register.store.migrate(engine)"
    raise RuntimeError(msg)
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
