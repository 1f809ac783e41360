"""The ``blockyard`` command: serve, worker, run, import, export, blocks, migrate, user, keys,
openapi.

Commands import what they need when they run, so ``blockyard serve`` starts fast and
``blockyard blocks`` never opens a database. Settings come from ``BLOCKYARD_*`` variables
(and ``.env``); options override them.
"""

import asyncio
import json
import logging
import re
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from blockyard.errors import BlockyardError
from blockyard.settings import Settings

T = TypeVar("T")
app = typer.Typer(help="Blockyard: build, run and share AI agents as graphs of blocks.")
user_app = typer.Typer(help="Manage user accounts.")
app.add_typer(user_app, name="user")
keys_app = typer.Typer(help="Manage the key that encrypts saved credentials.")
app.add_typer(keys_app, name="keys")
LOCAL_USER = "local"
console = Console(stderr=True)
out = Console(soft_wrap=True)


def _settings(**overrides: Any) -> Settings:
    settings = Settings()
    changes = {key: value for key, value in overrides.items() if value is not None}
    return settings.model_copy(update=changes) if changes else settings


_TOKEN_IN_URL = re.compile(r"(token=)[^&\s\"']+")


class RedactTokens(logging.Filter):
    """Keep credentials out of logs: WebSocket clients pass them as ``?token=``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_redact(arg) for arg in record.args)
        record.msg = _redact(record.msg)
        return True


def _redact(value: Any) -> Any:
    return _TOKEN_IN_URL.sub(r"\1[redacted]", value) if isinstance(value, str) else value


def _setup_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in ("uvicorn.access", "uvicorn.error"):
        logging.getLogger(name).addFilter(RedactTokens())
    if level != "DEBUG":
        logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per plugin otherwise


def _run(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine; a deliberate error ends the command with its message, not a trace."""
    try:
        return asyncio.run(work)
    except BlockyardError as exc:
        console.print(f"[red]Error:[/red] {exc.message}")
        problems = getattr(exc, "problems", None) or []
        for problem in problems:
            console.print(f"  node {problem.get('node_id')}: {problem.get('message')}")
        raise typer.Exit(1) from None


# --- processes -----------------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Engine workers in this process (0: API only).")
    ] = None,
) -> None:
    """Serve the API, the WebSocket and the front end, with in-process engine workers."""
    import uvicorn

    from blockyard.api.app import create_app

    settings = _settings(host=host, port=port, workers=workers)
    _setup_logging(settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        ws="websockets-sansio",
    )


@app.command()
def worker(
    workers: Annotated[int, typer.Option(help="Engine workers in this process.")] = 1,
) -> None:
    """Run engine workers only (scale-out: point them at PostgreSQL and Redis)."""
    settings = _settings(workers=max(1, workers))
    if not settings.redis_url:
        console.print(
            "[red]Error:[/red] a separate worker needs BLOCKYARD_REDIS_URL to receive work; "
            "without Redis, `blockyard serve` runs the workers itself"
        )
        raise typer.Exit(1)
    _setup_logging(settings.log_level)
    _run(_work_until_signalled(settings))


async def _work_until_signalled(settings: Settings) -> None:
    from blockyard.wiring import build

    container = await build(settings)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    try:
        await container.start()
        console.print(f"[green]{settings.workers} worker(s) running[/green]; Ctrl+C stops")
        await stopping.wait()
    finally:
        await container.close()


# --- agents ------------------------------------------------------------------------------


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        console.print(f"[red]Error:[/red] cannot read {path}: {exc}")
        raise typer.Exit(1) from None


@app.command()
def run(
    file: Annotated[Path, typer.Argument(help="An agent JSON file (AutoGPT format).")],
    inputs: Annotated[
        list[str] | None,
        typer.Option("--input", "-i", help="An agent input as name=value (repeatable)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outputs as JSON.")] = False,
) -> None:
    """Run an agent file here, with no server, and print its outputs."""
    data = _read_json(file)
    result = _run(run_agent_file(data, list(inputs or [])))
    if as_json:
        sys.stdout.write(json.dumps(result.as_json(), indent=2, default=str) + "\n")
    else:
        result.print(out)
    if result.status != "COMPLETED":
        raise typer.Exit(1)


@dataclass(slots=True)
class LocalRun:
    status: str
    outputs: dict[str, list[Any]]
    error: str | None
    node_executions: int

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status, "outputs": self.outputs, "error": self.error}

    def print(self, console: Console) -> None:
        table = Table("output", "value", title=f"Run {self.status.lower()}")
        for name, values in self.outputs.items():
            for value in values:
                shown = value if isinstance(value, str) else json.dumps(value, default=str)
                table.add_row(name, shown)
        console.print(table)
        if self.error:
            console.print(f"[red]{self.error}[/red]")


def parse_inputs(raw: list[str], schema: dict[str, Any]) -> dict[str, Any]:
    """``name=value`` pairs; a value is JSON unless the input is a string (then taken as is)."""
    inputs: dict[str, Any] = {}
    properties = schema.get("properties", {})
    for item in raw:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise BlockyardError(f"--input takes name=value, not {item!r}")
        if properties.get(name, {}).get("type") == "string":
            inputs[name] = value
            continue
        try:
            inputs[name] = json.loads(value)
        except ValueError:
            inputs[name] = value
    return inputs


async def run_agent_file(data: Any, raw_inputs: list[str]) -> LocalRun:
    """Run an agent on the engine's in-memory twins: no database, no server, no trace."""
    from blockyard.blocks.registry import load_registry
    from blockyard.engine.executor import Engine
    from blockyard.engine.memory import MemoryBus, MemoryGraphSource, MemoryRunStore
    from blockyard.engine.outputs import graph_outputs
    from blockyard.graph import agent_json, io_schema
    from blockyard.graph.validate import ensure_valid

    registry = load_registry()
    graph = agent_json.load_agent(data)
    inputs = parse_inputs(raw_inputs, io_schema.graph_input_schema(graph, registry))
    ensure_valid(graph, registry, for_run=True, graph_inputs=inputs.keys())
    store, bus = MemoryRunStore(), MemoryBus()
    engine = Engine(registry, store, MemoryGraphSource(graph), bus)
    try:
        with console.status(f"Running {graph.name or 'agent'}"):
            record = await engine.execute(graph, LOCAL_USER, inputs)
        node_execs = await store.list_node_execs(record.id)
    finally:
        await engine.close()
    outputs = graph_outputs(graph, node_execs, registry)
    return LocalRun(record.status.value, outputs, record.error, len(node_execs))


async def _with_container(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    from blockyard.wiring import build

    container = await build(settings.model_copy(update={"workers": 0}))
    try:
        return await work(container)
    finally:
        await container.close()


async def _user_id(container: Any, email: str) -> str:
    found = await container.repos.users.by_email(email.strip().lower())
    if found is None:
        raise BlockyardError(f"No user with email {email}")
    return str(found[0].id)


@app.command("import")
def import_agent(
    file: Annotated[Path, typer.Argument(help="An agent JSON file (AutoGPT format).")],
    email: Annotated[str, typer.Option(help="The owner's email.")],
) -> None:
    """Save an agent file as a new agent of a user."""
    from blockyard.api.routes.graphs import import_graph

    data = _read_json(file)

    async def work(container: Any) -> Any:
        return await import_graph(container, await _user_id(container, email), data)

    with console.status("Importing"):
        result = _run(_with_container(_settings(), work))
    out.print(f"Imported {result.graph.name or 'agent'}: {result.graph.id}")
    for missing in result.missing_blocks:
        console.print(f"[yellow]missing block[/yellow] {missing.block_id} (node {missing.node_id})")


@app.command()
def export(
    graph_id: Annotated[str, typer.Argument(help="The agent's id.")],
    email: Annotated[str, typer.Option(help="The owner's email.")],
    output: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
    version: Annotated[
        int | None, typer.Option(help="A version; the active one if absent.")
    ] = None,
) -> None:
    """Write an agent as AutoGPT agent JSON (secrets stripped)."""
    from blockyard.api.routes.graphs import export_graph

    async def work(container: Any) -> dict[str, Any]:
        user_id = await _user_id(container, email)
        return await export_graph(container, user_id, graph_id, version)

    data = _run(_with_container(_settings(), work))
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        output.write_text(text + "\n", encoding="utf-8")
        console.print(f"Wrote {output}")


# --- administration ---------------------------------------------------------------------


@app.command()
def blocks() -> None:
    """List every block this installation has."""
    from blockyard.blocks.registry import load_registry

    table = Table(title="Blocks")
    table.add_column("id", no_wrap=True, min_width=36)
    for column in ("name", "type", "categories"):
        table.add_column(column, overflow="fold")
    for block in sorted(load_registry(), key=lambda b: b.name()):
        categories = ", ".join(sorted(c.value for c in block.categories))
        table.add_row(block.id, block.name(), block.block_type.value, categories)
    out.print(table)


@app.command()
def migrate() -> None:
    """Apply database migrations (also done on every start)."""
    from blockyard.store.db import open_database

    settings = _settings()

    async def work() -> None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = await open_database(settings.resolved_database_url, migrate=True)
        await db.close()

    with console.status("Migrating"):
        _run(work())
    console.print("[green]Database is up to date[/green]")


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="The new user's email.")],
    password: Annotated[str, typer.Option(help="At least 8 characters.")],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    admin: Annotated[bool, typer.Option("--admin", help="Make the user an admin.")] = False,
) -> None:
    """Create a user account (works even when registration is closed)."""
    from pydantic import ValidationError

    from blockyard.api.auth import hash_password
    from blockyard.api.schemas import UserCreate

    try:
        body = UserCreate(email=email, password=password, name=name)
    except ValidationError as exc:
        for err in exc.errors():
            console.print(f"[red]Error:[/red] {'.'.join(map(str, err['loc']))}: {err['msg']}")
        raise typer.Exit(1) from None

    async def work(container: Any) -> Any:
        password_hash = await hash_password(body.password)
        return await container.repos.users.create(
            body.email, password_hash, name=body.name, is_admin=admin
        )

    user = _run(_with_container(_settings(), work))
    out.print(f"Created user {user.email} ({user.id}){' as admin' if admin else ''}")


@keys_app.command("rotate")
def keys_rotate(
    new_key: Annotated[
        str | None,
        typer.Option("--new-key", help="Use this key (32 bytes, base64) instead of a new one."),
    ] = None,
    drop_retired: Annotated[
        bool,
        typer.Option(
            "--drop-retired", help="Forget retired keys that no credential or run input uses."
        ),
    ] = False,
) -> None:
    """Make a new encryption key current and re-encrypt every saved credential (and every
    run's secret inputs) with it.

    Restart every serve and worker process afterwards; with BLOCKYARD_ENCRYPTION_KEY set,
    set it to the key printed here first.
    """
    from blockyard.integrations.keys import RotationReport

    settings = _settings()
    with console.status("Re-encrypting credentials"):
        report: RotationReport = _run(_rotate_keys(settings, new_key, drop_retired))
    runs = report.run_inputs
    out.print(
        f"Current key: {report.key_id}; re-encrypted {report.resealed} credential(s) "
        f"and the secret inputs of {runs.resealed} run(s)"
    )
    for key, count in sorted(report.rows_by_key.items()):
        out.print(f"  key {key}: {count} credential(s)")
    for key, count in sorted(runs.tokens_by_key.items()):
        out.print(f"  key {key}: {count} run input(s)")
    if report.retired_dropped:
        out.print(f"Forgot retired key(s): {', '.join(report.retired_dropped)}")
    if report.unreadable:
        console.print(f"[red]Could not read {len(report.unreadable)} credential(s)[/red]")
    if runs.unreadable:
        console.print(f"[red]Could not read the secret inputs of run(s) {runs.unreadable}[/red]")
    if report.key_text:
        console.print("[yellow]Set BLOCKYARD_ENCRYPTION_KEY to this key everywhere:[/yellow]")
        sys.stdout.write(report.key_text + "\n")
    if report.unreadable or runs.unreadable:
        raise typer.Exit(1)


async def _rotate_keys(settings: Settings, new_key: str | None, drop_retired: bool) -> Any:
    from blockyard.integrations.keys import rotate
    from blockyard.store.credentials import CredentialRepo
    from blockyard.store.db import open_database
    from blockyard.store.executions import SealedInputsRepo
    from blockyard.store.leases import LeaseRepo
    from blockyard.wiring import ENCRYPTION_KEY_FILE, ensure_secrets

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    current = ensure_secrets(settings).encryption_key
    key_file = None if settings.encryption_key else settings.data_dir / ENCRYPTION_KEY_FILE
    db = await open_database(settings.resolved_database_url, migrate=True)
    try:
        return await rotate(
            CredentialRepo(db),
            LeaseRepo(db),
            settings.data_dir,
            current,
            key_file=key_file,
            new_text=new_key,
            drop_retired=drop_retired,
            runs=SealedInputsRepo(db),
        )
    finally:
        await db.close()


@app.command()
def config() -> None:
    """Print the configuration reference (every BLOCKYARD_* variable) as Markdown."""
    from blockyard.settings import settings_reference

    typer.echo(settings_reference(), nl=False)


@app.command()
def openapi() -> None:
    """Print the OpenAPI document (the front end generates its client from it)."""
    from blockyard.api.app import create_app

    sys.stdout.write(json.dumps(create_app(_settings()).openapi(), indent=2) + "\n")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
