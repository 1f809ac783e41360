"""The ``blockyard`` command, run in-process through Typer's runner."""

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from blockyard.cli import RedactTokens, app, parse_inputs

INPUT_BLOCK = "c0a8e994-ebf1-4a9c-a4d8-89d09c86741b"
OUTPUT_BLOCK = "363ae599-353e-4804-937e-b2ee3cef3da4"
TEMPLATE_BLOCK = "db7d8f02-2f44-4c55-ab7a-eae0941f0c30"


class _ThreadedRunner(CliRunner):
    """Invokes each command in its own thread, as a real process would run it.

    The commands call ``asyncio.run``, which resets the calling thread's event loop; in a
    worker thread that leaves the loop pytest-asyncio keeps for the main thread alone.
    """

    def invoke(self, *args: Any, **kwargs: Any) -> Result:  # type: ignore[override]
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(super().invoke, *args, **kwargs).result()


runner = _ThreadedRunner()


def _node(node_id: str, block_id: str, **input_default: Any) -> dict[str, Any]:
    return {"id": node_id, "block_id": block_id, "input_default": input_default, "metadata": {}}


def _link(source: str, source_name: str, sink: str, sink_name: str) -> dict[str, Any]:
    return {
        "source_id": source,
        "sink_id": sink,
        "source_name": source_name,
        "sink_name": sink_name,
        "is_static": False,
    }


@pytest.fixture
def agent_file(tmp_path: Path) -> Path:
    agent = {
        "id": "5b0f9a52-3c6e-4d8e-9f0a-1b2c3d4e5f60",
        "version": 1,
        "name": "Greeter",
        "description": "",
        "nodes": [
            _node("in", INPUT_BLOCK, name="name"),
            _node("fill", TEMPLATE_BLOCK, format="Hello, {{ name }}!"),
            _node("out", OUTPUT_BLOCK, name="greeting"),
        ],
        "links": [
            _link("in", "result", "fill", "values_#_name"),
            _link("fill", "output", "out", "value"),
        ],
    }
    path = tmp_path / "greeter.json"
    path.write_text(json.dumps(agent))
    return path


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"BLOCKYARD_DATA_DIR": str(tmp_path / "data"), "BLOCKYARD_DATABASE_URL": ""}


def test_run_prints_outputs_as_json(agent_file: Path) -> None:
    result = runner.invoke(app, ["run", str(agent_file), "--input", "name=Ada", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["status"] == "COMPLETED"
    assert body["outputs"] == {"greeting": ["Hello, Ada!"]}


def test_run_prints_a_table(agent_file: Path) -> None:
    result = runner.invoke(app, ["run", str(agent_file), "-i", "name=Grace"])
    assert result.exit_code == 0, result.output
    assert "Hello, Grace!" in result.stdout and "greeting" in result.stdout


def test_run_without_a_required_input_fails_clearly(agent_file: Path) -> None:
    result = runner.invoke(app, ["run", str(agent_file)])
    assert result.exit_code == 1
    assert "Error" in result.output and "Traceback" not in result.output


def test_run_of_a_missing_file_fails_clearly(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(tmp_path / "nope.json")])
    assert result.exit_code == 1
    assert "cannot read" in result.output


def test_inputs_are_typed_by_the_agent_schema() -> None:
    schema = {"properties": {"name": {"type": "string"}, "n": {"type": "number"}}}
    assert parse_inputs(["name=123", "n=4", "x=[1,2]", "y=plain"], schema) == {
        "name": "123",
        "n": 4,
        "x": [1, 2],
        "y": "plain",
    }


def test_blocks_lists_the_registry() -> None:
    result = runner.invoke(app, ["blocks"])
    assert result.exit_code == 0, result.output
    for block_id in (INPUT_BLOCK, OUTPUT_BLOCK, TEMPLATE_BLOCK):
        assert block_id in result.stdout


def test_user_create_import_and_export(
    env: dict[str, str], agent_file: Path, tmp_path: Path
) -> None:
    args = ["user", "create", "--email", "ada@example.com", "--password", "long enough"]
    created = runner.invoke(app, args, env=env)
    assert created.exit_code == 0, created.output
    assert "ada@example.com" in created.stdout
    again = runner.invoke(app, args, env=env)
    assert again.exit_code == 1 and "already exists" in again.output
    weak = runner.invoke(app, ["user", "create", "--email", "b@c.d", "--password", "x"], env=env)
    assert weak.exit_code == 1

    imported = runner.invoke(
        app, ["import", str(agent_file), "--email", "ada@example.com"], env=env
    )
    assert imported.exit_code == 0, imported.output
    graph_id = imported.stdout.strip().rsplit(" ", 1)[-1]
    assert graph_id != "5b0f9a52-3c6e-4d8e-9f0a-1b2c3d4e5f60"  # fresh ids on import

    target = tmp_path / "out.json"
    exported = runner.invoke(
        app, ["export", graph_id, "--email", "ada@example.com", "--output", str(target)], env=env
    )
    assert exported.exit_code == 0, exported.output
    agent = json.loads(target.read_text())
    assert agent["id"] == graph_id and len(agent["nodes"]) == 3

    stranger = runner.invoke(app, ["export", graph_id, "--email", "nobody@x.y"], env=env)
    assert stranger.exit_code == 1


def test_migrate_and_openapi(env: dict[str, str]) -> None:
    migrated = runner.invoke(app, ["migrate"], env=env)
    assert migrated.exit_code == 0, migrated.output
    spec = runner.invoke(app, ["openapi"], env=env)
    assert spec.exit_code == 0, spec.output
    assert "/api/graphs" in json.loads(spec.stdout)["paths"]


def test_tokens_in_urls_are_kept_out_of_logs() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s"',
        ("1.2.3.4", "GET", "/ws?token=abc.def&x=1"),
        None,
    )
    assert RedactTokens().filter(record)
    assert record.getMessage() == '1.2.3.4 - "GET /ws?token=[redacted]&x=1"'
