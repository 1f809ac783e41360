"""Rate limiters: in-process, and Redis shared by several processes (each its own client)."""

import asyncio

import pytest

from blockyard.runtime.ratelimit import LocalRateLimiter, RateLimiter, RedisRateLimiter, gcra


async def hits(limiter: RateLimiter, key: str, count: int, limit: int = 3) -> list[bool]:
    return [(await limiter.hit(key, limit, 60.0)).allowed for _ in range(count)]


def test_gcra_allows_a_burst_then_one_hit_per_interval() -> None:
    tat, now = 0.0, 1000.0
    allowed = []
    for _ in range(4):
        new_tat, _wait = gcra(tat, now, 3, 60.0)
        allowed.append(new_tat is not None)
        tat = new_tat if new_tat is not None else tat
    assert allowed == [True, True, True, False]
    assert gcra(tat, now, 3, 60.0)[1] == pytest.approx(20.0)
    # 20 s later one more hit fits (the first third of the period refilled), not two.
    later = now + 20.0
    new_tat, _ = gcra(tat, later, 3, 60.0)
    assert new_tat is not None
    assert gcra(new_tat, later, 3, 60.0)[0] is None
    # A whole period of quiet restores the whole burst.
    assert gcra(tat, now + 60.0, 3, 60.0)[0] is not None


async def test_local_limiter_counts_per_key_and_says_when_to_retry() -> None:
    limiter = LocalRateLimiter()
    assert await hits(limiter, "a", 5) == [True, True, True, False, False]
    assert await hits(limiter, "b", 1) == [True]
    refused = await limiter.hit("a", 3, 60.0)
    assert not refused.allowed and 0 < refused.retry_after <= 20


@pytest.mark.redis
async def test_redis_limiter_is_shared_by_every_process(redis_url: str, redis_prefix: str) -> None:
    processes = [RedisRateLimiter(redis_url, prefix=redis_prefix) for _ in range(3)]
    try:
        results = await asyncio.gather(
            *(limiter.hit("api-key:k1", 5, 60.0) for limiter in processes for _ in range(3))
        )
        assert sum(r.allowed for r in results) == 5
        refused = [r for r in results if not r.allowed]
        assert all(0 < r.retry_after <= 12 for r in refused)
        assert (await processes[0].hit("api-key:k2", 5, 60.0)).allowed
    finally:
        for limiter in processes:
            await limiter.close()
