"""Storage: SQLAlchemy 2 (async) on SQLite or PostgreSQL, with Alembic migrations.

Open with :func:`blockyard.store.db.open_database`; one repository module per aggregate
(``users``, ``api_keys``, ``tokens``, ``blocks``, ``graphs``, ``executions``). See README.md.
"""
