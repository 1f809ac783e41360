"""Accounts: who may sign in. E-mail addresses are unique regardless of letter case."""

import time
import uuid
from dataclasses import dataclass

from sqlalchemy import select

from blockyard.store.db import Database, conflict_on_integrity_error
from blockyard.store.tables import UserRow


@dataclass(frozen=True, slots=True)
class User:
    id: str
    email: str
    name: str
    is_admin: bool
    created_at: float


def normalise_email(email: str) -> str:
    """The stored form of an address: trimmed and lower-cased."""
    return email.strip().lower()


def _user(row: UserRow) -> User:
    return User(
        id=row.id, email=row.email, name=row.name, is_admin=row.is_admin, created_at=row.created_at
    )


class UserRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self, email: str, password_hash: str, name: str = "", is_admin: bool = False
    ) -> User:
        """A new account; ConflictError when the address is taken (in any letter case)."""
        email = normalise_email(email)
        row = UserRow(
            id=str(uuid.uuid4()),
            email=email,
            name=name,
            password_hash=password_hash,
            is_admin=is_admin,
            created_at=time.time(),
        )
        message = f"An account with the e-mail address {email} already exists"
        with conflict_on_integrity_error(message, email=email):
            async with self._db.sessions.begin() as session:
                session.add(row)
        return _user(row)

    async def get(self, user_id: str) -> User | None:
        async with self._db.sessions() as session:
            row = await session.get(UserRow, user_id)
        return _user(row) if row is not None else None

    async def by_email(self, email: str) -> tuple[User, str] | None:
        """The account and its password hash, for signing in."""
        query = select(UserRow).where(UserRow.email == normalise_email(email))
        async with self._db.sessions() as session:
            row = await session.scalar(query)
        return (_user(row), row.password_hash) if row is not None else None
