"""Rate limiters: in-process, and Redis shared by several processes (each its own client)."""

import asyncio

import pytest

from blockyard.runtime.ratelimit import LocalRateLimiter, RateLimiter, RedisRateLimiter


async def hits(limiter: RateLimiter, key: str, count: int, limit: int = 3) -> list[bool]:
    return [(await limiter.hit(key, limit, 60.0)).allowed for _ in range(count)]


async def test_local_limiter_counts_per_key_and_says_when_to_retry() -> None:
    limiter = LocalRateLimiter()
    assert await hits(limiter, "a", 5) == [True, True, True, False, False]
    assert await hits(limiter, "b", 1) == [True]
    refused = await limiter.hit("a", 3, 60.0)
    assert not refused.allowed and 0 < refused.retry_after <= 60


@pytest.mark.redis
async def test_redis_limiter_is_shared_by_every_process(redis_url: str, redis_prefix: str) -> None:
    processes = [RedisRateLimiter(redis_url, prefix=redis_prefix) for _ in range(3)]
    try:
        results = await asyncio.gather(
            *(limiter.hit("api-key:k1", 5, 60.0) for limiter in processes for _ in range(3))
        )
        assert sum(r.allowed for r in results) == 5
        assert (await processes[0].hit("api-key:k2", 5, 60.0)).allowed
    finally:
        for limiter in processes:
            await limiter.close()
