"""Accounts, sessions and API keys through the HTTP API."""

import time
import uuid
from pathlib import Path

import httpx
import jwt
import pytest

from blockyard.wiring import Container
from tests.api.helpers import (
    PASSWORD,
    ApiUser,
    greeting_agent,
    make_settings,
    running_container,
    serving,
)


async def test_register_login_and_me(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/register",
        json={"email": "  Ada@Example.com ", "password": PASSWORD, "name": "Ada"},
    )
    assert response.status_code == 201
    user = response.json()
    assert user == {"id": user["id"], "email": "ada@example.com", "name": "Ada", "is_admin": False}

    response = await client.post(
        "/api/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200
    tokens = response.json()
    assert tokens["token_type"] == "bearer"
    me = await client.get(
        "/api/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["id"] == user["id"]


async def test_register_refuses_duplicates_and_weak_passwords(
    client: httpx.AsyncClient, alice: ApiUser
) -> None:
    again = await client.post(
        "/api/auth/register", json={"email": alice.email, "password": PASSWORD}
    )
    assert again.status_code == 409
    assert again.json()["type"] == "ConflictError"
    weak = await client.post("/api/auth/register", json={"email": "x@y.z", "password": "short"})
    assert weak.status_code == 422
    bad_email = await client.post(
        "/api/auth/register", json={"email": "nobody", "password": PASSWORD}
    )
    assert bad_email.status_code == 422


@pytest.mark.parametrize(
    ("email", "password"),
    [("alice@example.com", "wrong password"), ("nobody@example.com", PASSWORD)],
)
async def test_login_failures_are_401(
    client: httpx.AsyncClient, alice: ApiUser, email: str, password: str
) -> None:
    response = await client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 401
    assert response.json() == {"detail": "Wrong email or password", "type": "AuthError"}


async def test_refresh_rotates_and_reuse_ends_every_session(
    client: httpx.AsyncClient, alice: ApiUser
) -> None:
    first = await client.post("/api/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert first.status_code == 200
    pair = first.json()
    me = await client.get(
        "/api/auth/me", headers={"Authorization": f"Bearer {pair['access_token']}"}
    )
    assert me.status_code == 200

    reused = await client.post("/api/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert reused.status_code == 401
    # The leaked token's reuse revoked the rotated one too.
    after = await client.post("/api/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert after.status_code == 401


async def test_logout_revokes_the_refresh_token(client: httpx.AsyncClient, alice: ApiUser) -> None:
    response = await client.post("/api/auth/logout", json={"refresh_token": alice.refresh_token})
    assert response.status_code == 204
    again = await client.post("/api/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert again.status_code == 401


def _claims(user_id: str, **overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": user_id,
        "type": "access",
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return claims


def _unsigned(claims: dict[str, object]) -> str:
    return jwt.encode(claims, key=None, algorithm="none")  # type: ignore[arg-type]


async def test_bad_tokens_are_401(
    client: httpx.AsyncClient, container: Container, alice: ApiUser
) -> None:
    secret = container.secrets.jwt_secret
    bad = {
        "expired": jwt.encode(_claims(alice.id, exp=int(time.time()) - 5), secret, "HS256"),
        "other key": jwt.encode(_claims(alice.id), "another-secret-entirely", "HS256"),
        "alg none": _unsigned(_claims(alice.id)),
        "refresh as access": alice.refresh_token,
        "unknown user": jwt.encode(_claims(str(uuid.uuid4())), secret, "HS256"),
        "garbage": "not-a-token",
    }
    for what, token in bad.items():
        response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, what
        assert response.json()["type"] == "AuthError", what
    good = jwt.encode(_claims(alice.id), secret, "HS256")
    ok = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {good}"})
    assert ok.status_code == 200
    assert (await client.get("/api/auth/me")).status_code == 401


async def _api_key(client: httpx.AsyncClient, user: ApiUser, *scopes: str) -> dict[str, str]:
    response = await client.post(
        "/api/api-keys", json={"name": "ci", "scopes": list(scopes)}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["key"].startswith(body["prefix"] + "_")
    return {"X-API-Key": body["key"], "id": body["id"]}


async def test_api_key_scopes_are_enforced(client: httpx.AsyncClient, alice: ApiUser) -> None:
    key = await _api_key(client, alice, "read")
    headers = {"X-API-Key": key["X-API-Key"]}
    assert (await client.get("/api/graphs", headers=headers)).status_code == 200
    denied = await client.post("/api/graphs", json={"graph": greeting_agent()}, headers=headers)
    assert denied.status_code == 403
    assert denied.json()["type"] == "PermissionDeniedError"
    assert (await client.get("/api/api-keys", headers=headers)).status_code == 403

    manage = {"X-API-Key": (await _api_key(client, alice, "manage", "read"))["X-API-Key"]}
    created = await client.post("/api/graphs", json={"graph": greeting_agent()}, headers=manage)
    assert created.status_code == 201
    graph = created.json()
    run = await client.post(
        f"/api/graphs/{graph['id']}/execute/1", json={"inputs": {"name": "x"}}, headers=manage
    )
    assert run.status_code == 403
    execute = {"X-API-Key": (await _api_key(client, alice, "execute"))["X-API-Key"]}
    run = await client.post(
        f"/api/graphs/{graph['id']}/execute/1", json={"inputs": {"name": "x"}}, headers=execute
    )
    assert run.status_code == 200, run.text


async def test_api_keys_are_shown_once_listed_and_revoked(
    client: httpx.AsyncClient, alice: ApiUser, bob: ApiUser
) -> None:
    key = await _api_key(client, alice, "read")
    listed = (await client.get("/api/api-keys", headers=alice.headers)).json()
    assert [k["id"] for k in listed] == [key["id"]]
    assert "key" not in listed[0]
    assert (await client.get("/api/api-keys", headers=bob.headers)).json() == []
    assert (await client.get(f"/api/api-keys/{key['id']}", headers=bob.headers)).status_code == 404
    assert (
        await client.delete(f"/api/api-keys/{key['id']}", headers=bob.headers)
    ).status_code == 404

    headers = {"X-API-Key": key["X-API-Key"]}
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 200
    forged = {"X-API-Key": key["X-API-Key"][:-4] + "AAAA"}
    assert (await client.get("/api/auth/me", headers=forged)).status_code == 401
    revoked = await client.delete(f"/api/api-keys/{key['id']}", headers=alice.headers)
    assert revoked.status_code == 204
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 401


async def test_registration_can_be_closed(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "closed", allow_registration=False)
    async with running_container(settings) as container, serving(container) as (_, client):
        response = await client.post(
            "/api/auth/register", json={"email": "a@b.c", "password": PASSWORD}
        )
        assert response.status_code == 403
