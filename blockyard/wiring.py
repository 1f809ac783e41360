"""The one place that picks implementations from :class:`Settings` and builds them.

``build(settings)`` returns a :class:`Container`: the database (migrations applied), the
block registry (synced into the blocks table), the queue and event bus (in-process, or
Redis when ``redis_url`` is set), the repositories, the engine, the execution service and
``settings.workers`` engine workers. Nothing else in the code chooses between SQLite and
PostgreSQL or between the in-process and the Redis runtime; everything is passed in from
here. ``Container.start()`` starts the workers (which resume unfinished runs first);
``Container.close()`` stops and closes everything in reverse order.
"""

import asyncio
import base64
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from blockyard.blocks.ai.port import LanguageModels
from blockyard.blocks.registry import BlockRegistry, load_registry
from blockyard.engine.costs import CostTable, model_costs_from_prices
from blockyard.engine.executor import Engine
from blockyard.engine.ports import EventBus, WorkQueue
from blockyard.engine.schedules import ScheduledRuns, Scheduler
from blockyard.engine.service import ExecutionService
from blockyard.engine.worker import Worker
from blockyard.integrations.credentials import CredentialsVault
from blockyard.integrations.crypto import keyring_for
from blockyard.integrations.llm import build_llm_service
from blockyard.integrations.oauth.flow import OAuthFlow, redirect_uri_for
from blockyard.integrations.oauth.providers import ProviderRegistry
from blockyard.integrations.run_inputs import RunInputBox
from blockyard.runtime.local import LocalBus, LocalQueue
from blockyard.runtime.ratelimit import LocalRateLimiter, RateLimiter
from blockyard.settings import Settings
from blockyard.store.api_keys import ApiKeyRepo
from blockyard.store.blocks import BlockRepo
from blockyard.store.credentials import CredentialRepo
from blockyard.store.credit_repo import CreditRepo
from blockyard.store.credits import SqlBilling
from blockyard.store.db import Database, open_database
from blockyard.store.executions import ExecutionRepo, SqlRunStore
from blockyard.store.graphs import GraphRepo, SqlGraphSource
from blockyard.store.knowledge import SqlKnowledgeStore
from blockyard.store.leases import LeaseRepo
from blockyard.store.media import media_store_from_settings
from blockyard.store.oauth_states import OAuthStateRepo
from blockyard.store.schedules import ScheduleRepo
from blockyard.store.tokens import RefreshTokenRepo
from blockyard.store.users import UserRepo

log = logging.getLogger(__name__)

JWT_SECRET_FILE = "jwt_secret"
ENCRYPTION_KEY_FILE = "encryption_key"


@dataclass(slots=True)
class Secrets:
    """The two secrets every process of one deployment must share."""

    jwt_secret: str
    encryption_key: str


@dataclass(slots=True)
class Runtime:
    """How work and events travel: in-process, or through Redis for scale-out."""

    queue: WorkQueue
    bus: EventBus


@dataclass(slots=True)
class Repos:
    users: UserRepo
    api_keys: ApiKeyRepo
    refresh_tokens: RefreshTokenRepo
    graphs: GraphRepo
    executions: ExecutionRepo
    schedules: ScheduleRepo
    credits: CreditRepo


@dataclass(slots=True)
class Integrations:
    """The credentials vault, OAuth2 sign-ins and the rate limiter of the API."""

    vault: CredentialsVault
    oauth: OAuthFlow
    limiter: RateLimiter


@dataclass
class Container:
    """Everything a process needs, built once by :func:`build` and passed down."""

    settings: Settings
    secrets: Secrets
    db: Database
    registry: BlockRegistry
    runtime: Runtime
    repos: Repos
    engine: Engine
    service: ExecutionService
    integrations: Integrations
    workers: list[Worker] = field(default_factory=list)
    scheduler: Scheduler | None = None
    """Fires due schedules (``settings.scheduler``); the API wakes it after a change."""
    billing: SqlBilling | None = None
    """The credit ledger's billing when ``settings.credits_enabled`` (else no billing)."""
    _started: bool = False
    _block_sync: asyncio.Task[None] | None = None

    @property
    def bus(self) -> EventBus:
        return self.runtime.bus

    async def start(self) -> None:
        """Start the engine workers; each resumes unfinished runs before taking new work."""
        if self._started:
            return
        self._started = True
        # The blocks table mirrors the registry for reference; building every block's JSON
        # schema takes a while, so it is written in the background, off the start-up path.
        self._block_sync = asyncio.create_task(_sync_blocks(self.db, self.registry))
        for worker in self.workers:
            await worker.start()
        if self.scheduler is not None:
            self.scheduler.start()

    async def close(self) -> None:
        """Stop workers, then the queue and bus, then the database. Safe to call twice."""
        if self._block_sync is not None:
            await asyncio.gather(self._block_sync, return_exceptions=True)
            self._block_sync = None
        if self.scheduler is not None:
            await _quietly(self.scheduler.stop, "scheduler")
        for worker in reversed(self.workers):
            await _quietly(worker.stop, "worker")
        self.workers.clear()
        if self.billing is not None:
            await _quietly(self.billing.close, "billing")
        await _quietly(self.runtime.queue.close, "queue")
        await _quietly(self.runtime.bus.close, "event bus")
        await _quietly(self.integrations.limiter.close, "rate limiter")
        await _quietly(self.db.close, "database")
        self._started = False


async def _sync_blocks(db: Database, registry: BlockRegistry) -> None:
    try:
        await BlockRepo(db).sync(registry)
    except Exception:
        log.exception("Could not write the blocks table")


async def _quietly(close: Callable[[], object], what: str) -> None:
    """Close one part without letting its failure leave the others open."""
    try:
        result = close()
        if hasattr(result, "__await__"):
            await result
    except Exception:
        log.exception("Could not close the %s", what)


def ensure_secrets(settings: Settings) -> Secrets:
    """Secrets from settings, or from files in the data dir, generated on first start."""
    data_dir = settings.data_dir
    jwt_secret = settings.jwt_secret or _secret_file(
        data_dir / JWT_SECRET_FILE, lambda: secrets.token_urlsafe(48)
    )
    encryption_key = settings.encryption_key or _secret_file(
        data_dir / ENCRYPTION_KEY_FILE,
        lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii"),
    )
    return Secrets(jwt_secret=jwt_secret, encryption_key=encryption_key)


def _secret_file(path: Path, make: Callable[[], str]) -> str:
    """Read ``path``, or create it readable by its owner only (0600) with a fresh secret.

    ``O_EXCL`` makes two processes starting at once agree: the loser reads the winner's.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        value = path.read_text(encoding="ascii").strip()
        if value:
            return value
        raise
    value = make()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value + "\n")
    log.info("Generated %s", path.name)
    return value


def build_runtime(settings: Settings, *, redis_prefix: str = "blockyard") -> Runtime:
    """In-process queue and bus by default; Redis Streams and pub/sub with ``redis_url``."""
    if settings.redis_url:
        from blockyard.runtime.redis import RedisBus, RedisQueue  # only scale-out pays for it

        return Runtime(
            queue=RedisQueue(settings.redis_url, stream=f"{redis_prefix}:jobs"),
            bus=RedisBus(settings.redis_url, prefix=redis_prefix),
        )
    return Runtime(queue=LocalQueue(), bus=LocalBus())


def build_repos(db: Database, signup_credits: int = 0) -> Repos:
    return Repos(
        users=UserRepo(db),
        api_keys=ApiKeyRepo(db),
        refresh_tokens=RefreshTokenRepo(db),
        graphs=GraphRepo(db),
        executions=ExecutionRepo(db),
        schedules=ScheduleRepo(db),
        credits=CreditRepo(db, signup_credits=signup_credits),
    )


def build_billing(
    settings: Settings, db: Database, registry: BlockRegistry, llm: LanguageModels
) -> SqlBilling | None:
    """The credit ledger's billing when credits are enabled. A model costs, per run with
    the platform key, the operator's price or else its list price (see engine/costs.py)."""
    if not settings.credits_enabled:
        return None
    keyed = {name for name, key in settings.llm_platform_keys.items() if key}
    prices = {m.name: (m.input_price, m.output_price) for m in llm.models() if m.provider in keyed}
    model_costs = {**model_costs_from_prices(prices), **settings.credits_model_costs}
    costs = CostTable(registry, settings.credits_block_costs, model_costs)
    return SqlBilling(db, costs, signup_credits=settings.signup_credits)


def build_integrations(
    settings: Settings, keys: Secrets, db: Database, *, redis_prefix: str = "blockyard"
) -> Integrations:
    """The vault (its key ring checked here: a bad key stops the start), OAuth2 and limits."""
    key_file = None if settings.encryption_key else settings.data_dir / ENCRYPTION_KEY_FILE
    ring = keyring_for(keys.encryption_key, settings.data_dir, key_file)
    providers = ProviderRegistry.from_settings(settings)
    vault = CredentialsVault(CredentialRepo(db), ring, LeaseRepo(db), providers)
    platform_url = settings.platform_url or f"http://{settings.host}:{settings.port}"
    oauth = OAuthFlow(vault, OAuthStateRepo(db), redirect_uri_for(platform_url))
    limiter: RateLimiter = LocalRateLimiter()
    if settings.redis_url:
        from blockyard.runtime.ratelimit import RedisRateLimiter

        limiter = RedisRateLimiter(settings.redis_url, prefix=redis_prefix)
    return Integrations(vault=vault, oauth=oauth, limiter=limiter)


def build_workers(settings: Settings, engine: Engine, runtime: Runtime) -> list[Worker]:
    """``settings.workers`` consumers of the queue sharing one engine (so the per-user
    limits hold across them). With the in-process queue the first one also resumes the
    runs the store says are unfinished (that queue died with the last process); Redis
    hands a dead worker's jobs to another by itself."""
    resume = not settings.redis_url
    return [
        Worker(engine, runtime.queue, runtime.bus, resume_from_store=resume and index == 0)
        for index in range(settings.workers)
    ]


async def build(
    settings: Settings,
    *,
    redis_prefix: str = "blockyard",
    registry: BlockRegistry | None = None,
) -> Container:
    """Build every part of one process from ``settings`` (see the module docstring)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    keys = ensure_secrets(settings)
    db = await open_database(settings.resolved_database_url, migrate=True)
    try:
        registry = registry or load_registry()
        integrations = build_integrations(settings, keys, db, redis_prefix=redis_prefix)
        runtime = build_runtime(settings, redis_prefix=redis_prefix)
    except BaseException:
        await db.close()
        raise
    graph_source = SqlGraphSource(db)
    llm = build_llm_service(settings)
    billing = build_billing(settings, db, registry, llm)
    run_store = SqlRunStore(db, credit_holder=billing.holder if billing else None)
    run_secrets = RunInputBox(integrations.vault.keys)
    engine = Engine(
        registry,
        run_store,
        graph_source,
        runtime.bus,
        billing=billing,
        media=media_store_from_settings(settings),
        credentials=integrations.vault,
        llm=llm,
        knowledge=SqlKnowledgeStore(db),
        secrets=run_secrets,
        max_output_bytes=settings.max_node_output_bytes,
        node_concurrency=settings.node_concurrency,
        user_concurrency=settings.user_concurrency,
    )
    service = ExecutionService(
        run_store,
        runtime.queue,
        runtime.bus,
        graph_source,
        registry,
        max_input_bytes=settings.max_input_bytes,
        secrets=run_secrets,
        max_user_executions=settings.max_user_executions,
    )
    workers = build_workers(settings, engine, runtime)
    repos = build_repos(db, settings.signup_credits if settings.credits_enabled else 0)
    scheduler = (
        Scheduler(
            repos.schedules,
            ScheduledRuns(service, run_secrets),
            find_existing=service.find_by_key,
        )
        if settings.scheduler
        else None
    )
    return Container(
        settings=settings,
        secrets=keys,
        db=db,
        registry=registry,
        runtime=runtime,
        repos=repos,
        engine=engine,
        service=service,
        integrations=integrations,
        workers=workers,
        scheduler=scheduler,
        billing=billing,
    )
