"""Store fixtures: a migrated database (SQLite, then PostgreSQL) and account factories."""

from collections.abc import AsyncIterator

import pytest

from blockyard.store.db import Database, open_database
from blockyard.store.users import User, UserRepo
from tests.store.helpers import MakeUser


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = await open_database(database_url)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def make_user(db: Database) -> MakeUser:
    """``await make_user("ann")`` creates ann@example.com with a dummy password hash."""

    async def make(name: str = "ann", *, is_admin: bool = False) -> User:
        return await UserRepo(db).create(
            f"{name}@example.com", "hash", name=name, is_admin=is_admin
        )

    return make
