"""Credentials and OAuth2 sign-ins (AutoGPT's ``/api/integrations`` routes).

Saved credentials are listed and shown as metadata only (:class:`CredentialPublic`): no
route ever returns a secret. OAuth2 sign-in: ``GET /{provider}/login`` gives the URL to
send the browser to and a state token; the front end's callback page posts the ``code``
and ``state_token`` it got back to ``POST /{provider}/callback``.
"""

import re
from typing import Annotated

from fastapi import APIRouter, Body, Query

from blockyard.api.deps import ContainerDep, Manager, Reader
from blockyard.api.schemas_integrations import (
    CredentialPublic,
    CredentialsDeleted,
    LoginPublic,
    OAuthCallback,
    ProviderPublic,
)
from blockyard.errors import NotFoundError
from blockyard.integrations.drafts import PROVIDER_PATTERN, CredentialDraft
from blockyard.wiring import Container

router = APIRouter(prefix="/api/integrations", tags=["integrations"])


def _provider(name: str) -> str:
    if not re.fullmatch(PROVIDER_PATTERN, name):
        raise NotFoundError(f"Unknown provider {name!r}")
    return name


async def _owned(
    container: Container, user_id: str, provider: str, credential_id: str
) -> CredentialPublic:
    meta = await container.integrations.vault.get_meta(user_id, credential_id)
    if meta.provider != provider:
        raise NotFoundError(f"Credentials {credential_id} not found")
    return CredentialPublic.of(meta)


def providers(container: Container) -> list[ProviderPublic]:
    """Providers the blocks ask for (and the credential types each accepts), plus the
    OAuth2 providers configured on this server."""
    kinds: dict[str, set[str]] = {}
    for block in container.registry:
        for prop in (block.Input.jsonschema().get("properties") or {}).values():
            for name in prop.get("credentials_provider") or ():
                kinds.setdefault(str(name), set()).update(prop.get("credentials_types") or ())
    oauth = set(container.integrations.vault.providers.names())
    for name in oauth:
        kinds.setdefault(name, set()).add("oauth2")
    return [
        ProviderPublic(
            name=name,
            title=container.integrations.vault.providers.title(name),
            credential_types=sorted(t for t in kinds[name] if t != "oauth2" or name in oauth),
            oauth_configured=name in oauth,
        )
        for name in sorted(kinds)
    ]


@router.get("/providers")
async def list_providers(container: ContainerDep, user: Reader) -> list[ProviderPublic]:
    return providers(container)


@router.get("/credentials")
async def list_all(container: ContainerDep, user: Reader) -> list[CredentialPublic]:
    metas = await container.integrations.vault.list(user.user_id)
    return [CredentialPublic.of(meta) for meta in metas]


@router.get("/{provider}/credentials")
async def list_for_provider(
    container: ContainerDep, user: Reader, provider: str
) -> list[CredentialPublic]:
    metas = await container.integrations.vault.list(user.user_id, _provider(provider))
    return [CredentialPublic.of(meta) for meta in metas]


@router.post("/{provider}/credentials", status_code=201)
async def create(
    container: ContainerDep,
    user: Manager,
    provider: str,
    body: Annotated[CredentialDraft, Body()],
) -> CredentialPublic:
    """Save an API key, a user name and password, or host-scoped headers."""
    vault = container.integrations.vault
    return CredentialPublic.of(await vault.create(user.user_id, _provider(provider), body))


@router.get("/{provider}/credentials/{credential_id}")
async def get_one(
    container: ContainerDep, user: Reader, provider: str, credential_id: str
) -> CredentialPublic:
    return await _owned(container, user.user_id, _provider(provider), credential_id)


@router.delete("/{provider}/credentials/{credential_id}")
async def delete(
    container: ContainerDep, user: Manager, provider: str, credential_id: str
) -> CredentialsDeleted:
    """Delete saved credentials; OAuth2 tokens are revoked at the provider first."""
    await _owned(container, user.user_id, _provider(provider), credential_id)
    revoked = await container.integrations.vault.delete(user.user_id, credential_id)
    return CredentialsDeleted(revoked=revoked)


@router.post("/{provider}/credentials/{credential_id}/check")
async def check(
    container: ContainerDep, user: Manager, provider: str, credential_id: str
) -> CredentialPublic:
    """Check that the credentials still work (refreshing OAuth2 tokens when due)."""
    await _owned(container, user.user_id, _provider(provider), credential_id)
    meta = await container.integrations.vault.check(user.user_id, credential_id)
    return CredentialPublic.of(meta)


@router.get("/{provider}/login")
async def login(
    container: ContainerDep,
    user: Manager,
    provider: str,
    scopes: Annotated[
        str, Query(max_length=2000, description="Extra scopes, comma-separated")
    ] = "",
) -> LoginPublic:
    wanted = tuple(s.strip() for s in scopes.split(",") if s.strip())
    url, state = await container.integrations.oauth.start(user.user_id, _provider(provider), wanted)
    return LoginPublic(login_url=url, state_token=state)


@router.post("/{provider}/callback")
async def callback(
    container: ContainerDep, user: Manager, provider: str, body: OAuthCallback
) -> CredentialPublic:
    meta = await container.integrations.oauth.finish(
        user.user_id, _provider(provider), body.code, body.state_token
    )
    return CredentialPublic.of(meta)
