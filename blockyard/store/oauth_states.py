"""OAuth2 sign-ins in progress: what ``/callback`` needs to finish one, used once.

Only the SHA-256 of the state token is stored: the token itself travels to the provider
and back in the browser. :meth:`OAuthStateRepo.take` deletes the row as it reads it, and
only for the user and provider that started the sign-in, before it expires.
"""

import time
from dataclasses import dataclass

from sqlalchemy import delete, select

from blockyard.store.db import Database
from blockyard.store.tables import OAuthStateRow


@dataclass(frozen=True, slots=True)
class OAuthState:
    token_hash: str
    user_id: str
    provider: str
    code_verifier: str
    scopes: tuple[str, ...]
    redirect_uri: str
    expires_at: float


class OAuthStateRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, state: OAuthState) -> None:
        """Store a new sign-in, and forget every expired one."""
        row = OAuthStateRow(
            token_hash=state.token_hash,
            user_id=state.user_id,
            provider=state.provider,
            code_verifier=state.code_verifier,
            scopes=list(state.scopes),
            redirect_uri=state.redirect_uri,
            expires_at=state.expires_at,
        )
        async with self._db.sessions.begin() as session:
            await session.execute(
                delete(OAuthStateRow).where(OAuthStateRow.expires_at < time.time())
            )
            session.add(row)

    async def take(self, token_hash: str, user_id: str, provider: str) -> OAuthState | None:
        """The sign-in, removed so it cannot be used twice; None when unknown, expired,
        or started by another user or for another provider (then it is left alone)."""
        where = (
            OAuthStateRow.token_hash == token_hash,
            OAuthStateRow.user_id == user_id,
            OAuthStateRow.provider == provider,
            OAuthStateRow.expires_at > time.time(),
        )
        async with self._db.sessions.begin() as session:
            row = await session.scalar(select(OAuthStateRow).where(*where))
            if row is None:
                return None
            result = await session.execute(delete(OAuthStateRow).where(*where))
            if int(result.rowcount) != 1:  # type: ignore[attr-defined]
                return None
            return OAuthState(
                token_hash=row.token_hash,
                user_id=row.user_id,
                provider=row.provider,
                code_verifier=row.code_verifier,
                scopes=tuple(str(s) for s in row.scopes),
                redirect_uri=row.redirect_uri,
                expires_at=row.expires_at,
            )
