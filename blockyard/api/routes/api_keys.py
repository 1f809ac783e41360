"""API keys: created with scopes, shown once, listed and revoked by their owner."""

import contextlib

from fastapi import APIRouter, Response

from blockyard.api import auth
from blockyard.api.deps import ContainerDep, Manager
from blockyard.api.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic
from blockyard.errors import ConflictError
from blockyard.store.api_keys import ApiKey
from blockyard.wiring import Container

router = APIRouter(prefix="/api/api-keys", tags=["api-keys"])
PREFIX_ATTEMPTS = 3


async def create_api_key(container: Container, user_id: str, body: ApiKeyCreate) -> ApiKeyCreated:
    scopes = sorted({scope.value for scope in body.scopes})
    api_key, key = await _insert(container, user_id, body.name, scopes)
    return ApiKeyCreated(**ApiKeyPublic.model_validate(api_key).model_dump(), key=key)


async def _insert(
    container: Container, user_id: str, name: str, scopes: list[str]
) -> tuple[ApiKey, str]:
    """Store a fresh key; on the rare clash of its random lookup prefix, draw another."""
    repo = container.repos.api_keys
    for _ in range(PREFIX_ATTEMPTS - 1):
        new = auth.new_api_key()
        with contextlib.suppress(ConflictError):
            return await repo.create(user_id, name, new.prefix, new.key_hash, scopes), new.key
    new = auth.new_api_key()
    return await repo.create(user_id, name, new.prefix, new.key_hash, scopes), new.key


@router.post("", status_code=201)
async def create(container: ContainerDep, user: Manager, body: ApiKeyCreate) -> ApiKeyCreated:
    return await create_api_key(container, user.user_id, body)


@router.get("")
async def list_keys(container: ContainerDep, user: Manager) -> list[ApiKeyPublic]:
    keys = await container.repos.api_keys.list(user.user_id)
    return [ApiKeyPublic.model_validate(k) for k in keys]


@router.get("/{key_id}")
async def get_key(container: ContainerDep, user: Manager, key_id: str) -> ApiKeyPublic:
    return ApiKeyPublic.model_validate(await container.repos.api_keys.get(user.user_id, key_id))


@router.delete("/{key_id}", status_code=204)
async def revoke(container: ContainerDep, user: Manager, key_id: str) -> Response:
    await container.repos.api_keys.revoke(user.user_id, key_id)
    return Response(status_code=204)
