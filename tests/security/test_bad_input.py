"""Hostile input gets a clean 4xx and leaves nothing half-written: forged and expired
tokens, ``alg: none``, SQL-looking strings in every text field, path traversal, a 50 MB
body, unicode edge cases. Runs on SQLite and PostgreSQL."""

import base64
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from blockyard.wiring import Container
from tests.api.helpers import (
    ApiUser,
    create_graph,
    greeting_agent,
    make_settings,
    running_container,
    serving,
    signup,
)
from tests.security.spec_walk import Sampler, operations

SQL = ("' OR '1'='1", "'; DROP TABLE users; --", '" OR 1=1 --', "1; SELECT pg_sleep(5)--")
UNICODE = (
    "naïve café 日本語 🤖👩🏽‍💻",
    "\u202eRTL override\u202c",
    "zero\u200bwidth\u200dj",
    "e\u0301\u0301\u0301 combining",
    "\U0010ffff max code point",
    "nul\x00inside",
    "\ud800 lone surrogate",
)


@pytest.fixture
async def api(
    database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, Container]]:
    settings = make_settings(tmp_path / "data", database_url=database_url)
    async with running_container(settings) as container, serving(container) as (_app, client):
        yield client, container


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def forged_tokens(user: ApiUser, secret: str) -> dict[str, str]:
    claims = jwt.decode(user.access_token, options={"verify_signature": False})
    head, body, signature = user.access_token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    expired = {**claims, "exp": int(time.time()) - 10, "iat": int(time.time()) - 100}
    admin = {**claims, "admin": True, "sub": "someone-else"}
    return {
        "tampered signature": f"{head}.{body}.{flipped}",
        "tampered claims": f"{head}.{_b64(admin)}.{signature}",
        "expired": jwt.encode(expired, secret, algorithm="HS256"),
        "another key": jwt.encode(claims, "not-the-server-secret-" * 3, algorithm="HS256"),
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.",
        "HS512": jwt.encode(claims, secret, algorithm="HS512"),
        "refresh as access": user.refresh_token,
        "garbage": "not.a.token",
        "empty parts": "..",
    }


async def test_forged_expired_and_unsigned_tokens_get_401(
    api: tuple[httpx.AsyncClient, Container],
) -> None:
    client, container = api
    user = await signup(client)
    for name, token in forged_tokens(user, container.secrets.jwt_secret).items():
        response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, (name, response.text)
        assert response.json()["type"] == "AuthError"
        if name != "refresh as access":
            refreshed = await client.post("/api/auth/refresh", json={"refresh_token": token})
            assert refreshed.status_code in (401, 422), (name, refreshed.text)
    me = await client.get("/api/auth/me", headers=user.headers)
    assert me.status_code == 200 and me.json()["is_admin"] is False


def _poison(value: Any, text: str) -> Any:
    """Every string of ``value`` replaced by ``text`` (keys kept)."""
    if isinstance(value, str):
        return text
    if isinstance(value, dict):
        return {k: _poison(v, text) for k, v in value.items()}
    if isinstance(value, list):
        return [_poison(v, text) for v in value]
    return value


async def test_sql_looking_strings_in_every_text_field_are_just_text(
    api: tuple[httpx.AsyncClient, Container],
) -> None:
    client, _ = api
    user = await signup(client)
    spec = (await client.get("/openapi.json")).json()
    sampler = Sampler(spec)
    for text in SQL:
        for op in operations(spec):
            schema = op.body_schema()
            if op.method not in ("post", "put") or "{" in op.path or schema is None:
                continue
            body = _poison(sampler.sample(schema), text)
            response = await client.request(op.method, op.path, json=body, headers=user.headers)
            assert response.status_code < 500, (str(op), text, response.text)
            path = f"/api/graphs/{text}"
            assert (await client.get(path, headers=user.headers)).status_code == 404
    agent = {**greeting_agent(), "name": SQL[1], "description": SQL[0]}
    saved = await create_graph(client, user, agent)
    read = await client.get(f"/api/graphs/{saved['id']}", headers=user.headers)
    assert (read.json()["name"], read.json()["description"]) == (SQL[1], SQL[0])
    assert (await client.get("/api/auth/me", headers=user.headers)).status_code == 200


async def test_path_traversal_in_names_goes_nowhere(
    api: tuple[httpx.AsyncClient, Container],
) -> None:
    client, container = api
    user = await signup(client)
    for name in ("../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "..\\..\\boot.ini", "/etc/passwd"):
        for path in (f"/api/graphs/{name}", f"/api/integrations/{name}/credentials"):
            response = await client.get(path, headers=user.headers)
            assert "root:" not in response.text and response.status_code < 500, path
            if response.headers["content-type"].startswith("application/json"):
                assert response.status_code == 404, (path, response.text)
        created = await client.post(
            f"/api/integrations/{name}/credentials",
            json={"type": "api_key", "api_key": "k"},
            headers=user.headers,
        )
        assert created.status_code in (404, 405), created.text
    media = container.engine.media
    assert media is not None
    ref = await media.put(user.id, "../../../../outside.txt", b"data")
    assert ".." not in ref and await media.get(user.id, ref) == b"data"
    assert not (Path(container.settings.data_dir).parent / "outside.txt").exists()
    assert (await client.get("/api/integrations/credentials", headers=user.headers)).json() == []


async def test_a_50_mb_body_is_refused_before_it_is_read(
    api: tuple[httpx.AsyncClient, Container],
) -> None:
    client, _ = api
    user = await signup(client)
    agent = greeting_agent()
    agent["description"] = "x" * (50 * 1024 * 1024)
    payload = json.dumps({"graph": agent}).encode()
    response = await client.post(
        "/api/graphs",
        content=payload,
        headers={**user.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413 and response.json()["type"] == "LimitExceededError"

    async def chunked() -> AsyncIterator[bytes]:
        for start in range(0, len(payload), 1024 * 1024):
            yield payload[start : start + 1024 * 1024]

    response = await client.post(
        "/api/graphs",
        content=chunked(),
        headers={**user.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert (await client.get("/api/graphs", headers=user.headers)).json() == []


async def test_unicode_edge_cases_are_stored_or_refused_cleanly(
    api: tuple[httpx.AsyncClient, Container],
) -> None:
    client, _ = api
    user = await signup(client)
    for text in UNICODE:
        agent = {**greeting_agent(), "name": text, "description": text}
        raw = json.dumps({"graph": agent}, ensure_ascii=True)
        response = await client.post(
            "/api/graphs",
            content=raw.encode(),
            headers={**user.headers, "Content-Type": "application/json"},
        )
        refused = "\x00" in text or "\ud800" in text
        assert response.status_code == (422 if refused else 201), (repr(text), response.text)
        if response.status_code == 201:
            back = await client.get(f"/api/graphs/{response.json()['id']}", headers=user.headers)
            assert back.status_code == 200
            assert back.json()["name"] == text
        cred = await client.post(
            "/api/integrations/openai/credentials",
            content=json.dumps({"type": "api_key", "title": text, "api_key": text}).encode(),
            headers={**user.headers, "Content-Type": "application/json"},
        )
        assert cred.status_code == (422 if refused else 201), (repr(text), cred.text)
    for path in ("/api/graphs/a%00b", "/api/graphs?x=%00", "/api/integrations/a%00/credentials"):
        response = await client.get(path, headers=user.headers)
        assert response.status_code == 422, (path, response.text)
    registered = await client.post(
        "/api/auth/register",
        json={"email": "ünï@exämple.com", "password": "pässwörd-🤖-long", "name": UNICODE[0]},
    )
    assert registered.status_code == 201, registered.text
    listed = await client.get("/api/integrations/credentials", headers=user.headers)
    assert listed.status_code == 200


async def test_json_nested_too_deep_is_refused_on_every_route(
    api: tuple[httpx.AsyncClient, Container],
) -> None:
    client, _ = api
    user = await signup(client)
    graph = await create_graph(client, user, greeting_agent())
    headers = {**user.headers, "Content-Type": "application/json"}
    deep = "[" * 5000 + "]" * 5000
    for url, body in [
        (f"/api/graphs/{graph['id']}/execute/1", '{"inputs": {"name": DEEP}}'),
        ("/api/graphs", '{"graph": {"name": "x", "nodes": [], "links": [], "d": DEEP}}'),
        ("/api/graphs/import", '{"nodes": DEEP}'),
    ]:
        content = body.replace("DEEP", deep).encode()
        response = await client.post(url, content=content, headers=headers)
        assert response.status_code == 422, (url, response.text)
        assert "nested more than 100 levels" in response.json()["detail"]
    # Brackets inside strings are text, not nesting; 100 levels are fine.
    name = '"' + "[" * 500 + '"'
    ok = '{"inputs": {"name": VALUE}}'.replace("VALUE", "[" * 97 + name + "]" * 97)
    response = await client.post(
        f"/api/graphs/{graph['id']}/execute/1", content=ok.encode(), headers=headers
    )
    assert response.status_code == 200, response.text


async def test_numbers_out_of_range_are_refused_not_overflowed(
    api: tuple[httpx.AsyncClient, Container],
) -> None:
    """Found by the fuzzer: 2**70 as a version reached SQLite, 1e20 as an expiry a datetime."""
    client, _ = api
    user = await signup(client)
    graph = await create_graph(client, user, greeting_agent())
    huge = 2**70
    nested = {**greeting_agent(), "sub_graphs": [{**greeting_agent(), "version": huge}]}
    for method, url, body in (
        ("POST", "/api/graphs", {"graph": nested}),
        ("POST", "/api/graphs/import", nested),
        ("GET", f"/api/graphs/{graph['id']}/versions/{huge}", None),
        ("GET", f"/api/graphs/{graph['id']}?version={huge}", None),
        ("GET", f"/api/executions?offset={huge}", None),
        ("POST", f"/api/graphs/{graph['id']}/execute/{huge}", {"inputs": {}}),
        ("PUT", f"/api/graphs/{graph['id']}/versions/active", {"active_graph_version": huge}),
        (
            "POST",
            "/api/integrations/openai/credentials",
            {"type": "api_key", "api_key": "k", "expires_at": 1e20},
        ),
    ):
        response = await client.request(method, url, json=body, headers=user.headers)
        assert response.status_code == 422, (url, response.text)
