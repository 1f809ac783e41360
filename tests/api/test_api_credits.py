"""The credit routes over a real container: off by default; on, runs are charged, each
user sees only their own ledger, and administrators add credits."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from blockyard.api.auth import hash_password
from blockyard.blocks.ai.llm import AITextGeneratorBlock
from tests.api.helpers import (
    PASSWORD,
    TEMPLATE_BLOCK,
    ApiUser,
    create_graph,
    execute,
    greeting_agent,
    make_settings,
    running_container,
    serving,
    signup,
    wait_for_run,
)


@pytest.fixture
async def billed(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """Credits on: 5 on sign-up, the greeting agent's template step costs 2."""
    settings = make_settings(
        tmp_path / "data",
        credits_enabled=True,
        signup_credits=5,
        credits_block_costs={TEMPLATE_BLOCK: 2},
    )
    async with running_container(settings) as container, serving(container) as (_app, client):
        await container.repos.users.create(
            "root@example.com", await hash_password(PASSWORD), is_admin=True
        )
        yield client


async def admin_headers(client: httpx.AsyncClient) -> dict[str, str]:
    tokens = await client.post(
        "/api/auth/login", json={"email": "root@example.com", "password": PASSWORD}
    )
    return {"Authorization": f"Bearer {tokens.json()['access_token']}"}


async def greet(client: httpx.AsyncClient, user: ApiUser) -> dict[str, object]:
    graph = await create_graph(client, user, greeting_agent())
    run = await execute(client, user, graph, name="Ann")
    done: dict[str, object] = await wait_for_run(client, user, graph["id"], run["id"])
    return done


async def test_credits_are_off_by_default_and_runs_cost_nothing(
    client: httpx.AsyncClient, alice: ApiUser
) -> None:
    done = await greet(client, alice)
    assert done["status"] == "COMPLETED" and done["cost"] == 0
    credits = await client.get("/api/credits", headers=alice.headers)
    assert credits.json() == {"enabled": False, "balance": 0, "reserved": 0, "available": 0}
    page = await client.get("/api/credits/transactions", headers=alice.headers)
    assert page.json() == {"transactions": [], "total": 0}


async def test_a_run_is_charged_and_the_user_sees_their_usage(
    billed: httpx.AsyncClient,
) -> None:
    ann = await signup(billed, "ann@example.com")
    first = await billed.get("/api/credits", headers=ann.headers)
    assert first.json() == {"enabled": True, "balance": 5, "reserved": 0, "available": 5}
    done = await greet(billed, ann)
    assert done["status"] == "COMPLETED" and done["cost"] == 2
    assert (await billed.get("/api/credits", headers=ann.headers)).json()["balance"] == 3
    page = (await billed.get("/api/credits/transactions", headers=ann.headers)).json()
    assert page["total"] == 2
    usage, grant = page["transactions"]
    assert (usage["kind"], usage["amount"], usage["running_balance"]) == ("USAGE", -2, 3)
    assert usage["graph_exec_id"] == done["id"] and usage["graph_id"] == done["graph_id"]
    assert usage["block_id"] == TEMPLATE_BLOCK
    assert (grant["kind"], grant["amount"], grant["reason"]) == ("GRANT", 5, "Sign-up credits")
    only_usage = await billed.get(
        "/api/credits/transactions", params={"kind": "USAGE"}, headers=ann.headers
    )
    assert [t["kind"] for t in only_usage.json()["transactions"]] == ["USAGE"]
    paged = await billed.get(
        "/api/credits/transactions", params={"limit": 1, "offset": 1}, headers=ann.headers
    )
    assert [t["kind"] for t in paged.json()["transactions"]] == ["GRANT"]


async def test_a_run_the_balance_cannot_pay_for_fails_saying_so(
    billed: httpx.AsyncClient,
) -> None:
    ann = await signup(billed, "ann@example.com")
    await greet(billed, ann)
    await greet(billed, ann)
    done = await greet(billed, ann)  # 5 credits: two runs at 2, then 1 left
    assert done["status"] == "FAILED"
    assert "Insufficient balance: 1 credit available, 2 needed" in str(done["error"])
    assert done["cost"] == 0
    credits = (await billed.get("/api/credits", headers=ann.headers)).json()
    assert credits == {"enabled": True, "balance": 1, "reserved": 0, "available": 1}


async def test_nobody_sees_another_users_transactions(billed: httpx.AsyncClient) -> None:
    ann = await signup(billed, "ann@example.com")
    bob = await signup(billed, "bob@example.com")
    done = await greet(billed, ann)
    seen = (await billed.get("/api/credits/transactions", headers=bob.headers)).json()
    assert [t["kind"] for t in seen["transactions"]] == ["GRANT"]
    assert done["id"] not in str(seen)
    assert (await billed.get("/api/credits", headers=bob.headers)).json()["balance"] == 5
    for path in (
        f"/api/admin/users/{ann.id}/credits",
        f"/api/admin/users/{ann.id}/credits/transactions",
    ):
        assert (await billed.get(path, headers=bob.headers)).status_code == 403
    grant = {"kind": "GRANT", "amount": 100, "reason": "mine now"}
    refused = await billed.post(
        f"/api/admin/users/{bob.id}/credits", json=grant, headers=bob.headers
    )
    assert refused.status_code == 403
    assert (await billed.get("/api/credits", headers=bob.headers)).json()["balance"] == 5


async def test_administrators_top_up_grant_refund_and_read_a_users_ledger(
    billed: httpx.AsyncClient,
) -> None:
    ann = await signup(billed, "ann@example.com")
    admin = await admin_headers(billed)
    url = f"/api/admin/users/{ann.id}/credits"
    for kind, amount in (("TOP_UP", 100), ("REFUND", 2), ("GRANT", -7)):
        body = {"kind": kind, "amount": amount, "reason": f"{kind} for Ann"}
        made = await billed.post(url, json=body, headers=admin)
        assert made.status_code == 201, made.text
        assert made.json()["kind"] == kind and made.json()["admin_id"]
    assert (await billed.get(url, headers=admin)).json()["balance"] == 5 + 100 + 2 - 7
    ledger = (await billed.get(f"{url}/transactions", headers=admin)).json()
    assert [t["amount"] for t in ledger["transactions"]] == [-7, 2, 100, 5]
    mine = (await billed.get("/api/credits/transactions", headers=ann.headers)).json()
    assert mine["transactions"][0]["reason"] == "GRANT for Ann"
    assert "admin_id" not in mine["transactions"][0]
    for bad in (
        {"kind": "USAGE", "amount": 1, "reason": "no"},
        {"kind": "REFUND", "amount": -1, "reason": "no"},
        {"kind": "GRANT", "amount": 0, "reason": "no"},
        {"kind": "GRANT", "amount": 1, "reason": " "},
    ):
        assert (await billed.post(url, json=bad, headers=admin)).status_code == 422, bad
    too_much = {"kind": "GRANT", "amount": -1000, "reason": "more than she has"}
    assert (await billed.post(url, json=too_much, headers=admin)).status_code == 402
    missing = await billed.get("/api/admin/users/no-such-user/credits", headers=admin)
    assert missing.status_code == 404


async def test_billing_is_wired_only_when_enabled_with_models_priced_by_platform_key(
    tmp_path: Path,
) -> None:
    llm = AITextGeneratorBlock.id
    async with running_container(make_settings(tmp_path / "off")) as container:
        assert container.billing is None and container.engine.billing is None
    settings = make_settings(
        tmp_path / "on",
        credits_enabled=True,
        llm_platform_keys={"openai": "sk-platform"},
        credits_model_costs={"gpt-4o": 9},
    )
    async with running_container(settings) as container:
        billing = container.billing
        assert billing is not None and container.engine.billing is billing
        assert billing.cost_of(llm, {"model": "gpt-4o"}) == 9  # the operator's price
        assert billing.cost_of(llm, {"model": "gpt-4.1"}) == 1  # list price: 1 cent
        assert billing.cost_of(llm, {"model": "claude-haiku-4-5"}) == 0  # no platform key
        assert billing.cost_of(TEMPLATE_BLOCK, {}) == 0
