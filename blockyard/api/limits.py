"""Rate and concurrency limits the API enforces, each refused with a clear 429.

- sign-in: ``login_attempts_per_minute`` per e-mail address, ten times that per client IP
  (people behind one office NAT share an address);
- API keys: ``api_key_requests_per_minute`` per key.

Counters live in the container's rate limiter: in memory for the embedded server, in Redis
when ``BLOCKYARD_REDIS_URL`` is set, so every API process shares them.

The runs-per-user limit (``max_user_executions`` queued or running, top-level runs only)
is not here: a count followed by a separate insert lets two simultaneous submits both take
the last place. ``ExecutionService`` enforces it where the run is stored, counting and
inserting in one locked transaction (``RunStore.admit_graph_exec``), for every way a run
starts (API, re-run, MCP).
"""

from blockyard.errors import RateLimitError
from blockyard.wiring import Container

MINUTE = 60.0
IP_FACTOR = 10


async def _enforce(container: Container, key: str, limit: int, message: str) -> None:
    decision = await container.integrations.limiter.hit(key, limit, MINUTE)
    if not decision.allowed:
        raise RateLimitError(message, retry_after=decision.retry_after, limit=limit)


async def limit_login(container: Container, email: str, client_ip: str | None) -> None:
    per_email = container.settings.login_attempts_per_minute
    await _enforce(
        container,
        f"login:email:{email.strip().lower()}",
        per_email,
        "Too many sign-in attempts for this account; wait a minute and try again",
    )
    if client_ip:
        await _enforce(
            container,
            f"login:ip:{client_ip}",
            per_email * IP_FACTOR,
            "Too many sign-in attempts from this address; wait a minute and try again",
        )


async def limit_api_key(container: Container, api_key_id: str) -> None:
    limit = container.settings.api_key_requests_per_minute
    await _enforce(
        container,
        f"api-key:{api_key_id}",
        limit,
        f"This API key made more than {limit} requests this minute; slow down",
    )
