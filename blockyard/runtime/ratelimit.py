"""Rate limits: how many hits a key may make per period, in-process or shared via Redis.

Each key (``login:email:...``, ``api-key:<id>``) is limited by the generic cell rate
algorithm: ``limit`` hits may come at once, then one more every ``period / limit``, so over
any stretch of ``period`` seconds a key gets at most ``limit`` (plus what refills). Unlike a
fixed window there is no boundary where a client can spend two allowances back to back, and
the state is one timestamp per key: the "theoretical arrival time" (TAT) of the next hit.
A refusal says how long until the next hit would be allowed.

With Redis (scale-out) every API process counts in the same place, atomically, by one Lua
script that reads Redis's own clock (so the processes' clocks need not agree). Without Redis
the embedded server counts in memory, which is exact for its single process.
"""

import asyncio
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from redis.asyncio import Redis


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    retry_after: float = 0.0
    """Seconds until a hit would be allowed again (when refused)."""


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, period: float) -> RateDecision:
        """Count one hit of ``key``; refused when it would exceed ``limit`` per ``period``."""
        ...

    async def close(self) -> None: ...


def gcra(tat: float, now: float, limit: int, period: float) -> tuple[float | None, float]:
    """One hit at ``now`` for a key whose TAT is ``tat``: (the new TAT, or None if refused;
    the seconds to wait when refused)."""
    interval = period / limit
    new_tat = max(tat, now) + interval
    over = new_tat - now - period
    if over > 1e-9:
        return None, over
    return new_tat, 0.0


class LocalRateLimiter:
    """Counts in this process; keys whose TAT has passed are forgotten when space is short."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._tats: dict[str, float] = {}
        self._max_keys = max_keys

    async def hit(self, key: str, limit: int, period: float) -> RateDecision:
        now = time.monotonic()
        new_tat, wait = gcra(self._tats.get(key, now), now, limit, period)
        if new_tat is None:
            return RateDecision(False, wait)
        if len(self._tats) >= self._max_keys and key not in self._tats:
            self._tats = {k: t for k, t in self._tats.items() if t > now}
        self._tats[key] = new_tat
        return RateDecision(True)

    async def close(self) -> None:
        self._tats.clear()


_GCRA_SCRIPT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + period / limit
local over = new_tat - now - period
if over > 1e-9 then
  return {0, tostring(over)}
end
redis.call('SET', KEYS[1], tostring(new_tat), 'PX', math.ceil((new_tat - now) * 1000) + 1)
return {1, '0'}
"""


class RedisRateLimiter:
    """Counts in Redis: the same algorithm in one script per hit, on Redis's clock."""

    def __init__(self, url: str, *, prefix: str = "blockyard", timeout: float = 2.0) -> None:
        from blockyard.runtime.redis_listener import make_client

        self._client: Redis = make_client(url)
        self._script: Any = self._client.register_script(_GCRA_SCRIPT)
        self._prefix = prefix
        self._timeout = timeout

    async def hit(self, key: str, limit: int, period: float) -> RateDecision:
        name = f"{self._prefix}:rate:{key}"
        async with asyncio.timeout(self._timeout):
            allowed, wait = await self._script(keys=[name], args=[limit, period])
        return RateDecision(True) if int(allowed) else RateDecision(False, float(wait))

    async def close(self) -> None:
        await self._client.aclose()
