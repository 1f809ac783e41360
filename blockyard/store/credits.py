"""The engine's :class:`~blockyard.engine.ports.Billing` on the database's credit ledger.

Before a node runs, :meth:`SqlBilling.reserve` holds its cost in ``credit_reservations``
under this process's *holder* id, refused when the balance less every live reservation of
every process is short (see :mod:`.ledger`). The charge is not made here: the engine stages
it with the node's completion and :class:`~blockyard.store.executions.SqlRunStore` posts it
in the same transaction, consuming the reservation (the run store is built with this
holder's id). A stopped node's reservation is given back by :meth:`release`.

While it holds anything the process renews its holder row every few seconds; a process
that dies stops renewing, and what it held stops counting after ``ttl`` seconds (and is
swept away by the next process that renews). A clean :meth:`close` gives it all back.
"""

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from blockyard.engine.costs import CostTable
from blockyard.store import ledger
from blockyard.store.db import Database
from blockyard.store.ledger_db import LedgerDb

log = logging.getLogger(__name__)


class SqlBilling:
    def __init__(
        self,
        db: Database,
        costs: CostTable,
        *,
        signup_credits: int = 0,
        ttl: float = ledger.HOLDER_TTL,
        renew_every: float = ledger.RENEW_EVERY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.holder = uuid.uuid4().hex
        """This process's holder id; the run store consumes its reservations when charging."""
        self._ledger = LedgerDb(db)
        self._costs = costs
        self._signup = signup_credits
        self._ttl = ttl
        self._renew_every = renew_every
        self._clock = clock
        self._opened: set[str] = set()
        self._keepalive: asyncio.Task[None] | None = None
        self._starting = asyncio.Lock()

    def cost_of(self, block_id: str, inputs: dict[str, Any]) -> int:
        return self._costs.cost_of(block_id, inputs)

    async def reserve(self, user_id: str, amount: int) -> None:
        """Hold ``amount`` credits; ``InsufficientBalanceError`` when the balance is short."""
        await self._start()
        if user_id not in self._opened:
            now = self._clock()
            await self._ledger.write(
                lambda sql: ledger.open_account(sql, user_id, self._signup, now)
            )
            self._opened.add(user_id)
        live_after = self._clock() - self._ttl
        await self._ledger.write(
            lambda sql: ledger.reserve(sql, self.holder, user_id, amount, live_after)
        )

    async def release(self, user_id: str, amount: int) -> None:
        """Give back a reservation that will not be charged. The engine does not wait for
        it, so a failure is logged here (the holding then lapses with this process)."""
        try:
            await self._ledger.write(lambda sql: ledger.release(sql, self.holder, user_id, amount))
        except Exception:
            log.exception("Could not release %s reserved credits of user %s", amount, user_id)

    async def close(self) -> None:
        """Stop renewing and give back what this process holds (call after the workers
        have stopped: no node of this process is running any more)."""
        if self._keepalive is None:
            return
        self._keepalive.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._keepalive
        self._keepalive = None
        try:
            await self._ledger.write(lambda sql: ledger.forget(sql, self.holder))
        except Exception:
            log.exception("Could not give back the credits reserved by this process")

    async def _start(self) -> None:
        """Register the holder before its first reservation, then keep it alive."""
        if self._keepalive is not None:
            return
        async with self._starting:
            if self._keepalive is None:
                await self._renew()
                self._keepalive = asyncio.create_task(self._keep_alive())

    async def _renew(self) -> None:
        now = self._clock()
        await self._ledger.write(lambda sql: ledger.renew(sql, self.holder, now, now - self._ttl))

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(self._renew_every)
            try:
                await self._renew()
            except Exception:
                log.exception("Could not renew this process's credit reservations")
