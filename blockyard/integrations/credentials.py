"""The credentials vault: saved credentials, sealed at rest, opened only for their owner.

:class:`CredentialsVault` creates, lists, shows (metadata only) and deletes a user's
credentials, and is the engine's :class:`~blockyard.engine.ports.CredentialResolver`: just
before a block runs, :meth:`~CredentialsVault.resolve` turns the node's reference
``{id, provider, type}`` into the decrypted credential (the types of
:mod:`blockyard.blocks.credentials`), for the owner's runs only. Another user's id is
NotFoundError, exactly like an id that does not exist.

OAuth2 tokens are refreshed before they expire (``refresh_margin`` seconds ahead, from the
``expires_in`` the provider gave), one refresh at a time across every process: the refresh
runs under a database lease and re-reads the row once it holds it, so the process that
waited uses the token the other one just got instead of spending the refresh token twice.
A refresh or a check that the provider refuses marks the credential ``broken``.
"""

import dataclasses
import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from pydantic import SecretStr

from blockyard.blocks.credentials import (
    APIKeyCredentials,
    Credentials,
    HostScopedCredentials,
    OAuth2Credentials,
    UserPasswordCredentials,
)
from blockyard.errors import BlockExecutionError, BlockInputError, BlockTransientError
from blockyard.integrations.crypto import KeyRing
from blockyard.integrations.drafts import (
    APIKeyDraft,
    CredentialMeta,
    HostScopedDraft,
    UserPasswordDraft,
    draft_meta,
    draft_secret,
    meta_of,
)
from blockyard.integrations.oauth.client import OAuthClient, TokenRejectedError, TokenSet
from blockyard.integrations.oauth.providers import ProviderRegistry
from blockyard.store.credentials import (
    ACTIVE,
    BROKEN,
    CredentialRepo,
    Sealed,
    StoredCredential,
)
from blockyard.store.leases import LeaseRepo

log = logging.getLogger(__name__)
REFRESH_MARGIN = 300.0
HttpFactory = Callable[[], httpx.AsyncClient]


def _aad(cred: StoredCredential) -> bytes:
    """Associated data: a ciphertext opens only in the row it was sealed for."""
    return "\x00".join((cred.id, cred.user_id, cred.provider, cred.type)).encode("utf-8")


class CredentialsVault:
    def __init__(
        self,
        repo: CredentialRepo,
        keys: KeyRing,
        leases: LeaseRepo,
        providers: ProviderRegistry | None = None,
        *,
        http: HttpFactory = lambda: httpx.AsyncClient(timeout=15, trust_env=False),
        refresh_margin: float = REFRESH_MARGIN,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.repo = repo
        self.keys = keys
        self.providers = providers or ProviderRegistry()
        self._leases = leases
        self._http = http
        self._margin = refresh_margin
        self._clock = clock

    # -- sealing ---------------------------------------------------------------------------
    def seal(self, cred: StoredCredential, secret: dict[str, Any]) -> StoredCredential:
        sealed = self.keys.seal(json.dumps(secret).encode("utf-8"), _aad(cred))
        return dataclasses.replace(cred, sealed=sealed)

    def open(self, cred: StoredCredential) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.keys.open(cred.sealed, _aad(cred)))
        return data

    # -- saving and showing -----------------------------------------------------------------
    async def create(
        self,
        user_id: str,
        provider: str,
        draft: APIKeyDraft | UserPasswordDraft | HostScopedDraft,
    ) -> CredentialMeta:
        """Save a credential the user typed in (API key, user/password, host headers)."""
        expires_at = draft.expires_at if isinstance(draft, APIKeyDraft) else None
        title = draft.title or f"{provider} {draft.type.replace('_', ' ')}"
        blank = _blank(user_id, provider, draft.type, title, draft_meta(draft), (), expires_at)
        return meta_of(await self.repo.create(self.seal(blank, draft_secret(draft))))

    async def store_tokens(
        self, user_id: str, provider: str, tokens: TokenSet, username: str | None, title: str
    ) -> CredentialMeta:
        """Save the tokens of a finished OAuth2 sign-in."""
        meta = {"username": username} if username else {}
        blank = _blank(user_id, provider, "oauth2", title, meta, tokens.scopes, tokens.expires_at)
        return meta_of(await self.repo.create(self.seal(blank, _token_secret(tokens))))

    async def list(self, user_id: str, provider: str | None = None) -> list[CredentialMeta]:
        return [meta_of(cred) for cred in await self.repo.list(user_id, provider)]

    async def get_meta(self, user_id: str, credential_id: str) -> CredentialMeta:
        return meta_of(await self.repo.get(user_id, credential_id))

    async def delete(self, user_id: str, credential_id: str) -> bool:
        """Delete the credential; OAuth2 tokens are revoked at the provider first (best
        effort: a provider that cannot be reached does not keep the row). True if revoked."""
        cred = await self.repo.get(user_id, credential_id)
        revoked = False
        if cred.type == "oauth2":
            revoked = await self._revoke(cred)
        await self.repo.delete(user_id, credential_id)
        return revoked

    async def _revoke(self, cred: StoredCredential) -> bool:
        try:
            secret = self.open(cred)
            provider = await self.providers.get(cred.provider)
        except Exception as exc:
            log.warning("Cannot revoke credential %s: %s", cred.id, exc)
            return False
        async with self._http() as http:
            client = OAuthClient(provider, http)
            revoked = False
            if secret.get("refresh_token"):
                revoked = await client.revoke(secret["refresh_token"], "refresh_token")
            return await client.revoke(secret["access_token"], "access_token") or revoked

    # -- the engine's resolver --------------------------------------------------------------
    async def resolve(self, user_id: str, reference: dict[str, Any]) -> Credentials:
        """The decrypted credential a node's credentials input refers to (owner only)."""
        cred = await self.repo.get(user_id, str(reference.get("id") or ""))
        for part in ("provider", "type"):
            wanted = reference.get(part)
            if wanted and wanted != getattr(cred, part):
                raise BlockInputError(
                    f"Credentials '{cred.title}' are {cred.provider}/{cred.type}, "
                    f"not {reference.get('provider')}/{reference.get('type')}"
                )
        cred = await self.fresh(cred)
        if cred.status == BROKEN:
            raise BlockExecutionError(
                f"Credentials '{cred.title}' no longer work ({cred.status_reason}); "
                "connect them again in Settings"
            )
        if (
            cred.type == "api_key"
            and cred.expires_at is not None
            and cred.expires_at < self._clock()
        ):
            raise BlockExecutionError(f"Credentials '{cred.title}' have expired")
        return _credentials(cred, self.open(cred))

    # -- OAuth2 refresh and health -----------------------------------------------------------
    def needs_refresh(self, cred: StoredCredential) -> bool:
        """Due when less than the margin is left, or half the token's life for tokens that
        live shorter than twice the margin (so a fresh one is never refreshed at once)."""
        if cred.type != "oauth2" or cred.status != ACTIVE or cred.expires_at is None:
            return False
        remaining = cred.expires_at - self._clock()
        lifetime = max(cred.expires_at - cred.updated_at, 0.0)
        return remaining <= 0 or remaining < min(self._margin, lifetime / 2)

    async def fresh(self, cred: StoredCredential) -> StoredCredential:
        """``cred`` with a token valid for at least the margin, refreshed if needed."""
        if not self.needs_refresh(cred):
            return cred
        async with self._leases.hold(f"oauth-refresh:{cred.id}", ttl=60.0, wait=45.0):
            current = await self.repo.get(cred.user_id, cred.id)
            if not self.needs_refresh(current):
                return current  # another process refreshed it while we waited
            return await self._refresh(current)

    async def _refresh(self, cred: StoredCredential) -> StoredCredential:
        secret = self.open(cred)
        refresh_token = secret.get("refresh_token")
        if not refresh_token:
            if cred.expires_at is not None and cred.expires_at < self._clock():
                await self.mark_broken(cred, "the token expired and cannot be refreshed")
                return await self.repo.get(cred.user_id, cred.id)
            return cred
        provider = await self.providers.get(cred.provider)
        try:
            async with self._http() as http:
                tokens = await OAuthClient(provider, http).refresh(refresh_token, cred.scopes)
        except TokenRejectedError as exc:
            await self.mark_broken(cred, exc.message)
            return await self.repo.get(cred.user_id, cred.id)
        updated = self.seal(cred, _token_secret(tokens))
        await self.repo.reseal(
            cred.id,
            cred.sealed,
            updated.sealed,
            expires_at=tokens.expires_at,
            scopes=tokens.scopes or cred.scopes,
        )
        log.info("Refreshed OAuth2 credential %s (%s)", cred.id, cred.provider)
        return await self.repo.get(cred.user_id, cred.id)

    async def mark_broken(self, cred: StoredCredential, reason: str) -> None:
        log.warning("Credential %s (%s) is broken: %s", cred.id, cred.provider, reason)
        await self.repo.set_status(cred.id, BROKEN, reason[:500])

    async def check(self, user_id: str, credential_id: str) -> CredentialMeta:
        """Does the credential still work? Refreshes if due and asks the provider who the
        token belongs to; a refusal marks it broken, a working token clears that mark.
        Schedules call this before a run fires. An unreachable provider changes nothing."""
        cred = await self.repo.get(user_id, credential_id)
        if (
            cred.type == "api_key"
            and cred.expires_at is not None
            and cred.expires_at < self._clock()
        ):
            await self.mark_broken(cred, "the key has expired")
        elif cred.type == "oauth2":
            await self._check_token(await self.fresh(cred))
        return await self.get_meta(user_id, credential_id)

    async def _check_token(self, cred: StoredCredential) -> None:
        if (
            cred.status == BROKEN
            and cred.expires_at is not None
            and cred.expires_at < self._clock()
        ):
            return
        try:
            provider = await self.providers.get(cred.provider)
            async with self._http() as http:
                await OAuthClient(provider, http).userinfo(self.open(cred)["access_token"])
        except TokenRejectedError as exc:
            await self.mark_broken(cred, exc.message)
        except BlockTransientError as exc:
            log.info("Could not check credential %s: %s", cred.id, exc)
        else:
            if cred.status == BROKEN:
                await self.repo.set_status(cred.id, ACTIVE, None)


def _blank(
    user_id: str,
    provider: str,
    kind: str,
    title: str,
    meta: dict[str, Any],
    scopes: tuple[str, ...],
    expires_at: float | None,
) -> StoredCredential:
    return StoredCredential(
        id=str(uuid.uuid4()),
        user_id=user_id,
        provider=provider,
        type=kind,
        title=title,
        sealed=Sealed("", "", ""),
        meta=meta,
        scopes=scopes,
        expires_at=expires_at,
    )


def _token_secret(tokens: TokenSet) -> dict[str, Any]:
    return {
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "refresh_token_expires_at": tokens.refresh_token_expires_at,
    }


def _credentials(cred: StoredCredential, secret: dict[str, Any]) -> Credentials:
    common = {"id": cred.id, "provider": cred.provider, "title": cred.title}
    if cred.type == "api_key":
        return APIKeyCredentials(
            **common, api_key=SecretStr(secret["api_key"]), expires_at=cred.expires_at
        )
    if cred.type == "user_password":
        return UserPasswordCredentials(
            **common, username=secret["username"], password=SecretStr(secret["password"])
        )
    if cred.type == "host_scoped":
        headers = {k: SecretStr(v) for k, v in secret["headers"].items()}
        return HostScopedCredentials(**common, host=cred.meta["host"], headers=headers)
    refresh = secret.get("refresh_token")
    return OAuth2Credentials(
        **common,
        access_token=SecretStr(secret["access_token"]),
        refresh_token=SecretStr(refresh) if refresh else None,
        access_token_expires_at=cred.expires_at,
        refresh_token_expires_at=secret.get("refresh_token_expires_at"),
        scopes=list(cred.scopes),
        username=cred.meta.get("username"),
    )
