"""Rate limits: how many hits a key may make per window, in-process or shared via Redis.

A fixed window per key (``login:email:...``, ``api-key:<id>``): the first hit of a window
starts its count, hits past ``limit`` are refused until the window ends, and the refusal
says how long that is. With Redis (scale-out) every API process counts in the same place,
so a client cannot multiply its allowance by spreading requests over processes; the count
and its expiry are set in one transaction. Without Redis the embedded server counts in
memory, which is exact for its single process.
"""

import asyncio
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from redis.asyncio import Redis


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    retry_after: float = 0.0
    """Seconds until the window ends (when refused)."""


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window: float) -> RateDecision:
        """Count one hit of ``key``; refused when it is past ``limit`` in this window."""
        ...

    async def close(self) -> None: ...


def _window(now: float, window: float) -> tuple[int, float]:
    index = math.floor(now / window)
    return index, (index + 1) * window - now


class LocalRateLimiter:
    """Counts in this process; old windows are forgotten as new ones start."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._counts: dict[str, tuple[int, int]] = {}
        self._max_keys = max_keys

    async def hit(self, key: str, limit: int, window: float) -> RateDecision:
        index, left = _window(time.time(), window)
        seen_index, count = self._counts.get(key, (index, 0))
        count = count + 1 if seen_index == index else 1
        if len(self._counts) >= self._max_keys and key not in self._counts:
            self._forget_old(index)
        self._counts[key] = (index, count)
        return RateDecision(True) if count <= limit else RateDecision(False, left)

    def _forget_old(self, index: int) -> None:
        self._counts = {k: v for k, v in self._counts.items() if v[0] == index}

    async def close(self) -> None:
        self._counts.clear()


class RedisRateLimiter:
    """Counts in Redis: ``INCR`` and ``EXPIRE`` in one MULTI per hit."""

    def __init__(self, url: str, *, prefix: str = "blockyard", timeout: float = 2.0) -> None:
        from blockyard.runtime.redis_listener import make_client

        self._client: Redis = make_client(url)
        self._prefix = prefix
        self._timeout = timeout

    async def hit(self, key: str, limit: int, window: float) -> RateDecision:
        index, left = _window(time.time(), window)
        name = f"{self._prefix}:rate:{key}:{index}"
        async with asyncio.timeout(self._timeout):
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.expire(name, math.ceil(window) + 1)
                count, _ = await pipe.execute()
        return RateDecision(True) if int(count) <= limit else RateDecision(False, left)

    async def close(self) -> None:
        await self._client.aclose()
