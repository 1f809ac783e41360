"""Alembic's environment, run in-process by :func:`blockyard.store.migrations.migrate`.

There is no ``alembic.ini``: the caller passes an open connection (already inside the
transaction that holds the migration lock) in ``config.attributes["connection"]``.
"""

from alembic import context
from sqlalchemy import Connection

from blockyard.store.tables import metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError(
            "Blockyard runs its migrations in-process: use blockyard.store.migrations.migrate"
        )
    run_migrations(connection)


main()
