"""The credit ledger on SQLite and PostgreSQL: accounts, reservations across processes,
charges with the group commit, administrators' transactions, and the ledger's invariant
(a balance is the sum of its transactions, and each row records the balance after it)."""

import asyncio
import time

import pytest
from alembic import command
from sqlalchemy import func, select, text

from blockyard.engine.costs import CostTable
from blockyard.engine.ports import Batch, Charge
from blockyard.errors import InsufficientBalanceError
from blockyard.store.credit_repo import Account, CreditRepo
from blockyard.store.credits import SqlBilling
from blockyard.store.db import Database, open_database
from blockyard.store.executions import SqlRunStore
from blockyard.store.ledger import HOLDER_TTL, CreditKind
from blockyard.store.migrations import alembic_config, migrate
from blockyard.store.tables import CreditReservationRow, CreditTransactionRow, UserCreditRow
from tests.engine import blocks_for_tests as tb
from tests.store.test_store_executions import graph_exec, node_exec


def billing_on(db: Database, **options: object) -> SqlBilling:
    return SqlBilling(db, CostTable(tb.test_registry()), **options)  # type: ignore[arg-type]


async def assert_consistent(db: Database, user_id: str) -> None:
    """The balance row equals the sum of the user's transactions, and running balances
    add up row by row in the order the rows were written."""
    rows = CreditTransactionRow
    async with db.engine.connect() as conn:
        balance = (
            await conn.execute(
                select(UserCreditRow.balance).where(UserCreditRow.user_id == user_id)
            )
        ).scalar()
        total = (
            await conn.execute(
                select(func.coalesce(func.sum(rows.amount), 0)).where(rows.user_id == user_id)
            )
        ).scalar_one()
        ledger = (
            await conn.execute(
                select(rows.amount, rows.running_balance).where(rows.user_id == user_id)
            )
        ).all()
    assert int(balance or 0) == int(total)
    by_before = {int(r.running_balance) - int(r.amount): r for r in ledger}
    assert len(by_before) == len(ledger), "these tests never return to an earlier balance"
    running = 0
    for _ in ledger:  # walk the chain: each row starts from the balance the last one left
        row = by_before.pop(running)
        running = int(row.running_balance)
    assert running == int(total)


async def test_an_account_opens_once_with_the_signup_grant(db: Database) -> None:
    repo = CreditRepo(db, signup_credits=25)
    assert await repo.account("ann") == Account(balance=0, reserved=0)
    await repo.open("ann")
    await repo.open("ann")
    billing = billing_on(db, signup_credits=25)
    await billing.reserve("ann", 1)  # opening again changes nothing
    await billing.close()
    page = await repo.transactions("ann")
    assert [(t.kind, t.amount, t.running_balance, t.reason) for t, _ in page.transactions] == [
        ("GRANT", 25, 25, "Sign-up credits")
    ]
    assert (await repo.account("ann")).balance == 25
    await assert_consistent(db, "ann")


async def test_reservations_hold_credits_until_released(db: Database) -> None:
    await CreditRepo(db).add("ann", CreditKind.TOP_UP, 10, "paid", "admin")
    billing = billing_on(db)
    try:
        await billing.reserve("ann", 6)
        assert await CreditRepo(db).account("ann") == Account(balance=10, reserved=6)
        with pytest.raises(InsufficientBalanceError, match="4 credits available, 5 needed"):
            await billing.reserve("ann", 5)
        await billing.release("ann", 6)
        await billing.reserve("ann", 10)
        with pytest.raises(InsufficientBalanceError):
            await billing.reserve("bob", 1)  # no account, no credits
    finally:
        await billing.close()
    assert await CreditRepo(db).account("ann") == Account(balance=10, reserved=0)


async def test_concurrent_reservations_from_two_processes_never_overdraw(
    database_url: str, db: Database
) -> None:
    await CreditRepo(db).add("ann", CreditKind.GRANT, 10, "start", None)
    other = await open_database(database_url)  # a second process: its own connections
    first, second = billing_on(db), billing_on(other)
    try:
        attempts = [b.reserve("ann", 1) for _ in range(12) for b in (first, second)]
        results = await asyncio.gather(*attempts, return_exceptions=True)
        assert all(r is None or isinstance(r, InsufficientBalanceError) for r in results)
        assert sum(1 for r in results if r is None) == 10
        assert await CreditRepo(db).account("ann") == Account(balance=10, reserved=10)
    finally:
        await second.close()
        await first.close()
        await other.close()


async def test_a_charge_posts_usage_and_consumes_its_reservation(db: Database) -> None:
    repo = CreditRepo(db)
    await repo.add("ann", CreditKind.GRANT, 10, "start", None)
    billing = billing_on(db)
    store = SqlRunStore(db, credit_holder=billing.holder)
    run = graph_exec("ann")
    await store.create_graph_exec(run)
    node = node_exec(run.id, 0)
    try:
        await billing.reserve("ann", 3)
        await billing.reserve("ann", 4)
        await store.commit(
            Batch(node_execs={node.id: node}, charges=[Charge("ann", 3, run.id, node.id, "b")])
        )
        assert await repo.account("ann") == Account(balance=7, reserved=4)
        await billing.release("ann", 4)
    finally:
        await billing.close()
    assert await repo.account("ann") == Account(balance=7, reserved=0)
    assert await repo.run_cost("ann", run.id) == 3
    assert await repo.run_cost("bob", run.id) == 0  # another user's run costs them nothing
    usage = (await repo.transactions("ann", CreditKind.USAGE)).transactions
    assert [(t.amount, t.running_balance, t.node_exec_id, graph) for t, graph in usage] == [
        (-3, 7, node.id, run.graph_id)
    ]
    await assert_consistent(db, "ann")


async def test_a_crashed_process_stops_holding_credits(db: Database) -> None:
    await CreditRepo(db).add("ann", CreditKind.GRANT, 10, "start", None)
    crashed = billing_on(db)
    await crashed.reserve("ann", 6)  # then it dies: no release, no close, no renewal
    later = time.time() + HOLDER_TTL + 1
    soon, afterwards = billing_on(db), billing_on(db, clock=lambda: later)
    try:
        with pytest.raises(InsufficientBalanceError):
            await soon.reserve("ann", 5)
        await afterwards.reserve("ann", 10)  # its renewal also swept the dead holder away
        async with db.engine.connect() as conn:
            holders = await conn.execute(select(CreditReservationRow.holder).distinct())
            assert set(holders.scalars()) == {afterwards.holder}
    finally:
        await afterwards.close()
        await soon.close()
        if crashed._keepalive is not None:
            crashed._keepalive.cancel()


async def test_closing_gives_back_what_the_process_held(db: Database) -> None:
    await CreditRepo(db).add("ann", CreditKind.GRANT, 5, "start", None)
    billing = billing_on(db)
    await billing.reserve("ann", 5)
    await billing.close()
    assert await CreditRepo(db).account("ann") == Account(balance=5, reserved=0)


async def test_administrators_add_top_ups_grants_and_refunds(db: Database) -> None:
    repo = CreditRepo(db)
    top_up = await repo.add("ann", CreditKind.TOP_UP, 100, "invoice 7", "admin-1")
    assert (top_up.kind, top_up.amount, top_up.running_balance, top_up.admin_id) == (
        "TOP_UP",
        100,
        100,
        "admin-1",
    )
    await repo.add("ann", CreditKind.REFUND, 5, "failed run", "admin-1")
    billing = billing_on(db)
    try:
        await billing.reserve("ann", 90)
        with pytest.raises(InsufficientBalanceError, match="15 credits available"):
            await repo.add("ann", CreditKind.GRANT, -20, "correction", "admin-1")
        correction = await repo.add("ann", CreditKind.GRANT, -15, "correction", "admin-1")
        assert correction.running_balance == 90
    finally:
        await billing.close()
    await repo.add("bob", CreditKind.GRANT, 1, "bob's", "admin-1")
    await assert_consistent(db, "ann")
    await assert_consistent(db, "bob")


async def test_transactions_page_newest_first_by_kind_and_only_the_users_own(
    db: Database,
) -> None:
    repo = CreditRepo(db)
    for amount in range(1, 6):
        await repo.add("ann", CreditKind.GRANT, amount, f"grant {amount}", None)
    await repo.add("ann", CreditKind.TOP_UP, 50, "top-up", None)
    await repo.add("bob", CreditKind.GRANT, 99, "bob's", None)
    page = await repo.transactions("ann", limit=4)
    assert page.total == 6
    assert [t.amount for t, _ in page.transactions] == [50, 5, 4, 3]
    rest = await repo.transactions("ann", limit=4, offset=4)
    assert [t.amount for t, _ in rest.transactions] == [2, 1]
    grants = await repo.transactions("ann", CreditKind.GRANT)
    assert grants.total == 5 and {t.kind for t, _ in grants.transactions} == {"GRANT"}
    assert all(t.user_id == "ann" for t, _ in page.transactions + rest.transactions)


async def test_0008_turns_old_charges_into_the_ledger(database_url: str) -> None:
    """Usage rows written before 0008 (positive) become negative, with running balances
    and a balance row that sums them."""
    db = await open_database(database_url, migrate=False)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(lambda c: command.upgrade(alembic_config(c), "0007"))
            for i, amount in enumerate((3, 4)):
                await conn.execute(
                    text(
                        "INSERT INTO credit_transactions (id, user_id, amount, kind, created_at) "
                        "VALUES (:id, 'ann', :amount, 'USAGE', :at)"
                    ),
                    {"id": f"t{i}", "amount": amount, "at": float(i)},
                )
        await migrate(db)
        page = await CreditRepo(db).transactions("ann")
        assert [(t.amount, t.running_balance) for t, _ in page.transactions] == [(-4, -7), (-3, -3)]
        assert (await CreditRepo(db).account("ann")).balance == -7
        await assert_consistent(db, "ann")
    finally:
        await db.close()
