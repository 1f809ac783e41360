"""The scale-out runtime: the work queue on a Redis Stream, the event bus on Redis pub/sub.

:class:`RedisQueue` keeps jobs in one stream read by one consumer group. A job is
delivered to one consumer and stays in that consumer's pending list until acked (XACK,
then XDEL so the stream does not grow). A worker that dies leaves its entries pending;
once an entry has been idle for ``claim_idle_ms`` a ``get`` of any worker takes it over
(XAUTOCLAIM, tried at most every quarter of ``claim_idle_ms``). A worker running a long
execution calls ``keepalive`` to reset the idle time of its entry. Both ``ack`` and
``keepalive`` check, atomically in a Lua script, that the entry still belongs to this
consumer, so a worker whose job was taken over can neither ack nor steal back the new
owner's work. Delivery is at least once.

:class:`RedisBus` publishes JSON messages on ``<prefix>:<channel>`` and listens on one
pub/sub connection per process (see :mod:`blockyard.runtime.redis_listener`).
"""

import asyncio
import logging
import os
import socket
import time
import uuid
from dataclasses import asdict
from typing import Any

import orjson
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from blockyard.engine.ports import Job, Message
from blockyard.runtime.fanout import DEFAULT_BUFFER, Fanout, FanoutSubscription, encode
from blockyard.runtime.redis_listener import Backoff, Listener, make_client

log = logging.getLogger(__name__)

# KEYS[1] stream; ARGV group, entry id, consumer. Each acts only if the entry is still
# pending for this consumer (another worker may have claimed it meanwhile).
_ACK_SCRIPT = """
if #redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1, ARGV[3]) == 0 then
  return 0
end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return 1
"""
_KEEPALIVE_SCRIPT = """
if #redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1, ARGV[3]) == 0 then
  return 0
end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[3], 0, ARGV[2], 'JUSTID')
return 1
"""
# KEYS[1] stream; ARGV group, consumer. Forget the consumer unless it still holds entries.
_FORGET_CONSUMER_SCRIPT = """
if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) > 0 then
  return 0
end
return redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
"""


def default_consumer_name() -> str:
    """Unique per queue instance, readable in ``XINFO CONSUMERS``: host, pid, random."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


class RedisDelivery:
    """A job read from the stream by one consumer; ``ack`` once durably finished."""

    def __init__(self, queue: "RedisQueue", entry_id: bytes, job: Job) -> None:
        self.job = job
        self.entry_id = entry_id
        self.lost = False
        """True once ``ack`` or ``keepalive`` found the entry had been claimed by another."""
        self._queue = queue

    async def ack(self) -> None:
        if not await self._queue._run_owned(self._queue._ack_script, self.entry_id):
            self._note_lost()

    async def keepalive(self) -> None:
        """Reset the entry's idle time; a Redis blip is logged, the next call retries."""
        try:
            owned = await self._queue._run_owned(self._queue._keepalive_script, self.entry_id)
        except (RedisConnectionError, RedisTimeoutError, TimeoutError) as exc:
            log.warning("work queue: keepalive of %s failed (%s)", self.job.graph_exec_id, exc)
            return
        if not owned:
            self._note_lost()

    def _note_lost(self) -> None:
        self.lost = True
        log.warning(
            "work queue: job %s (entry %s) was claimed by another worker",
            self.job.graph_exec_id,
            self.entry_id.decode(),
        )


class RedisQueue:
    """Jobs on a Redis Stream shared by every worker process through a consumer group."""

    def __init__(
        self,
        url: str,
        *,
        stream: str = "blockyard:jobs",
        group: str = "workers",
        consumer: str | None = None,
        claim_idle_ms: int = 30_000,
        command_timeout: float = 10.0,
    ) -> None:
        if claim_idle_ms < 1:
            raise ValueError("claim_idle_ms must be positive")
        self.stream = stream
        self.group = group
        self.consumer = consumer or default_consumer_name()
        self.claim_idle_ms = claim_idle_ms
        self._block_ms = max(10, min(claim_idle_ms // 2, 5_000))
        self._claim_every = min(claim_idle_ms / 4, 5_000) / 1000
        self._next_claim = 0.0
        self._timeout = command_timeout
        self._redis = make_client(url)
        self._ack_script = self._redis.register_script(_ACK_SCRIPT)
        self._keepalive_script = self._redis.register_script(_KEEPALIVE_SCRIPT)
        self._forget_script = self._redis.register_script(_FORGET_CONSUMER_SCRIPT)
        self._group_ready = False
        self._closed = False

    async def put(self, job: Job) -> None:
        self._check_open()
        async with asyncio.timeout(self._timeout):
            await self._redis.xadd(self.stream, {"job": orjson.dumps(asdict(job))})

    async def get(self) -> RedisDelivery:
        """A dead worker's idle job if there is one, else the next new job (waits)."""
        backoff = Backoff()
        while True:
            self._check_open()
            try:
                async with asyncio.timeout(self._timeout + self._block_ms / 1000):
                    delivery = await self._next()
            except (RedisConnectionError, RedisTimeoutError, TimeoutError) as exc:
                if self._closed:
                    raise RuntimeError("the work queue is closed") from exc
                log.warning("work queue: redis unreachable (%s); retrying", exc)
                await backoff.sleep()
                continue
            if delivery is not None:
                return delivery

    async def close(self) -> None:
        """Leave the group if nothing is pending for this consumer, then disconnect."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._group_ready:
                async with asyncio.timeout(self._timeout):
                    await self._forget_script(keys=[self.stream], args=[self.group, self.consumer])
        except (RedisConnectionError, RedisTimeoutError, ResponseError, TimeoutError) as exc:
            log.info("work queue: could not leave the consumer group (%s)", exc)
        finally:
            await self._redis.aclose()

    async def _next(self) -> RedisDelivery | None:
        try:
            await self._ensure_group()
            return await self._claim_due() or await self._read_new()
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            self._group_ready = False  # the stream was deleted: recreate it next turn
            return None

    async def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            await self._redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    async def _claim_due(self) -> RedisDelivery | None:
        """Look for idle entries at most every quarter of ``claim_idle_ms``.

        Dead workers are rare; checking on every ``get`` would cost a round trip per job.
        After a successful claim the next ``get`` looks again (more may be waiting).
        """
        now = time.monotonic()
        if now < self._next_claim:
            return None
        delivery = await self._claim_idle()
        if delivery is None:
            self._next_claim = now + self._claim_every
        return delivery

    async def _claim_idle(self) -> RedisDelivery | None:
        """Take over one entry idle longer than ``claim_idle_ms`` (one pass over the PEL)."""
        start: bytes = b"0-0"
        while True:
            reply = await self._redis.xautoclaim(
                self.stream, self.group, self.consumer, self.claim_idle_ms, start, count=1
            )
            for entry_id, fields in reply[1]:
                delivery = await self._to_delivery(entry_id, fields)
                if delivery is not None:
                    log.warning("work queue: claimed idle job %s", delivery.job.graph_exec_id)
                    return delivery
            start = reply[0]
            if start == b"0-0":
                return None

    async def _read_new(self) -> RedisDelivery | None:
        reply: Any = await self._redis.xreadgroup(
            self.group, self.consumer, {self.stream: ">"}, count=1, block=self._block_ms
        )
        for _stream, entries in reply or ():
            for entry_id, fields in entries:
                return await self._to_delivery(entry_id, fields)
        return None

    async def _to_delivery(self, entry_id: bytes, fields: Any) -> RedisDelivery | None:
        """Decode an entry; one that is deleted or unreadable is removed, never retried."""
        try:
            return RedisDelivery(self, entry_id, Job(**orjson.loads(fields[b"job"])))
        except (TypeError, KeyError, orjson.JSONDecodeError) as exc:
            log.error("work queue: dropping unreadable entry %s (%r)", entry_id, exc)
            await self._redis.xack(self.stream, self.group, entry_id)
            await self._redis.xdel(self.stream, entry_id)
            return None

    async def _run_owned(self, script: Any, entry_id: bytes) -> bool:
        async with asyncio.timeout(self._timeout):
            done = await script(keys=[self.stream], args=[self.group, entry_id, self.consumer])
        return bool(done)

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the work queue is closed")


class RedisBus:
    """Pub/sub across processes: every API process receives what any process publishes.

    Messages published while a listener is reconnecting are lost to it (pub/sub keeps
    nothing); consumers repair gaps from the store by sequence number.
    """

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "blockyard",
        max_buffer: int = DEFAULT_BUFFER,
        heartbeat: float = 5.0,
        command_timeout: float = 10.0,
    ) -> None:
        self.prefix = prefix
        self._timeout = command_timeout
        self._redis = make_client(url)
        self._fanout = Fanout(limit=max_buffer, on_empty=self._channel_emptied)
        self._listener = Listener(url, prefix=prefix, fanout=self._fanout, heartbeat=heartbeat)
        self._closed = False

    async def publish(self, channel: str, messages: list[Message]) -> None:
        """PUBLISH each message in order, all in one round trip."""
        self._check_open()
        payloads = [encode(message) for message in messages]
        if not payloads:
            return
        key = f"{self.prefix}:{channel}"
        async with asyncio.timeout(self._timeout), self._redis.pipeline(transaction=False) as pipe:
            for payload in payloads:
                pipe.publish(key, payload)
            await pipe.execute()

    async def subscribe(self, channel: str) -> FanoutSubscription:
        """A subscription that receives everything published after this returns."""
        self._check_open()
        subscription = self._fanout.add(channel)
        try:
            async with asyncio.timeout(self._timeout):
                await self._listener.ensure(channel)
        except TimeoutError as exc:
            await subscription.close()
            raise TimeoutError(f"redis did not confirm the subscription to {channel!r}") from exc
        except BaseException:
            await subscription.close()
            raise
        return subscription

    async def close(self) -> None:
        """End every subscription, stop the listener task, disconnect."""
        if self._closed:
            return
        self._closed = True
        self._fanout.close_all()
        try:
            await self._listener.close()
        finally:
            await self._redis.aclose()

    async def _channel_emptied(self, channel: str) -> None:
        await self._listener.reconcile(channel)

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the event bus is closed")
