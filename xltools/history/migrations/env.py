"""Alembic's environment for the history store, run only programmatically
(``xltools.history.migrate``): the caller hands over an open connection in
``config.attributes["connection"]``; there is no alembic.ini and no URL here, so a
password never passes through Alembic's logging."""

from __future__ import annotations

from alembic import context

from xltools.history.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
