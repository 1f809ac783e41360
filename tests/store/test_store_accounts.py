"""Users, API keys and refresh tokens."""

import time

import pytest

from blockyard.errors import ConflictError, NotFoundError
from blockyard.store.api_keys import ApiKeyRepo
from blockyard.store.db import Database
from blockyard.store.tokens import RefreshTokenRepo
from blockyard.store.users import UserRepo
from tests.store.helpers import MakeUser


async def test_users_are_created_and_found(db: Database) -> None:
    users = UserRepo(db)
    ann = await users.create("  Ann@Example.COM ", "argon-hash", name="Ann Ö", is_admin=True)
    assert ann.email == "ann@example.com" and ann.name == "Ann Ö" and ann.is_admin
    assert await users.get(ann.id) == ann
    assert await users.by_email("ANN@example.com") == (ann, "argon-hash")
    assert await users.get("nobody") is None
    assert await users.by_email("bob@example.com") is None


async def test_email_is_unique_in_any_letter_case(db: Database) -> None:
    users = UserRepo(db)
    await users.create("ann@example.com", "h")
    with pytest.raises(ConflictError):
        await users.create("ANN@EXAMPLE.com", "h2")


async def test_api_keys_lifecycle(db: Database, make_user: MakeUser) -> None:
    ann = await make_user("ann")
    keys = ApiKeyRepo(db)
    key = await keys.create(ann.id, "ci", "bk_1234", "sha-1", ["read", "execute"])
    assert (key.user_id, key.name, key.prefix, key.status) == (ann.id, "ci", "bk_1234", "ACTIVE")
    assert key.scopes == ("read", "execute") and key.last_used_at is None
    assert await keys.get(ann.id, key.id) == key
    assert await keys.by_prefix("bk_1234") == (key, "sha-1")

    await keys.touch(key.id)
    touched = await keys.get(ann.id, key.id)
    assert touched.last_used_at is not None and touched.last_used_at >= key.created_at

    revoked = await keys.revoke(ann.id, key.id)
    assert revoked.status == "REVOKED" and revoked.revoked_at is not None
    assert await keys.by_prefix("bk_1234") is None
    assert (await keys.revoke(ann.id, key.id)).revoked_at == revoked.revoked_at
    assert [k.id for k in await keys.list(ann.id)] == [key.id]


async def test_api_keys_are_listed_newest_first_and_prefixes_are_unique(
    db: Database, make_user: MakeUser
) -> None:
    ann = await make_user("ann")
    keys = ApiKeyRepo(db)
    first = await keys.create(ann.id, "one", "bk_a", "h", [])
    second = await keys.create(ann.id, "two", "bk_b", "h", ["manage"])
    assert [k.id for k in await keys.list(ann.id)] == [second.id, first.id]
    with pytest.raises(ConflictError):
        await keys.create(ann.id, "three", "bk_a", "h", [])


async def test_api_keys_of_another_user_are_not_found(db: Database, make_user: MakeUser) -> None:
    ann, bob = await make_user("ann"), await make_user("bob")
    keys = ApiKeyRepo(db)
    key = await keys.create(ann.id, "ci", "bk_x", "h", ["read"])
    with pytest.raises(NotFoundError):
        await keys.get(bob.id, key.id)
    with pytest.raises(NotFoundError):
        await keys.revoke(bob.id, key.id)
    assert await keys.list(bob.id) == []
    assert (await keys.get(ann.id, key.id)).status == "ACTIVE"


async def test_refresh_tokens_rotate_and_revoke(db: Database, make_user: MakeUser) -> None:
    ann = await make_user("ann")
    tokens = RefreshTokenRepo(db)
    later = time.time() + 3600
    await tokens.add("jti-1", ann.id, later)
    await tokens.add("jti-2", ann.id, later)
    await tokens.add("jti-old", ann.id, time.time() - 1)
    assert await tokens.is_active("jti-1")
    assert not await tokens.is_active("jti-old")
    assert not await tokens.is_active("unknown")

    assert await tokens.revoke("jti-1") is True
    assert await tokens.revoke("jti-1") is False  # a second use of the same token
    assert await tokens.revoke("jti-old") is False
    assert not await tokens.is_active("jti-1")

    assert await tokens.revoke_all(ann.id) == 2  # jti-2 and the expired one
    assert not await tokens.is_active("jti-2")
    with pytest.raises(ConflictError):
        await tokens.add("jti-2", ann.id, later)
