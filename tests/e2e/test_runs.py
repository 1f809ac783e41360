"""Importing an agent file, watching a run live, and opening a past run again."""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.flows import node, sign_up, write_agent_file

pytestmark = pytest.mark.e2e

Shot = Callable[[str], Path]
CALCULATOR = "b1ab9b19-67a6-406d-abf5-2dba76d00c79"
TIMER = "d67a9c52-5e4e-11e2-bcfd-0800200c9a71"
OUTPUT = "363ae599-353e-4804-937e-b2ee3cef3da4"
NUMBER_INPUT = "96dae2bb-97a2-41c2-bd2f-13a3b5a8ea98"
NOT_HERE = "0f0f0f0f-aaaa-4bbb-8ccc-123456789abc"


def _node(node_id: str, block_id: str, x: int, **defaults: Any) -> dict[str, Any]:
    """A node as AutoGPT exports it (with the fields this platform ignores)."""
    return {
        "id": node_id,
        "block_id": block_id,
        "input_default": defaults,
        "metadata": {"position": {"x": x, "y": 100}},
        "input_links": [],
        "output_links": [],
        "graph_id": "00000000-0000-4000-8000-000000000001",
        "graph_version": 4,
        "webhook_id": None,
    }


def _link(source: str, pin: str, sink: str, sink_pin: str) -> dict[str, Any]:
    return {
        "id": f"{source}-{sink}",
        "source_id": source,
        "source_name": pin,
        "sink_id": sink,
        "sink_name": sink_pin,
        "is_static": False,
    }


def autogpt_export(*, with_unknown_block: bool, seconds: str) -> dict[str, Any]:
    nodes = [
        _node("n-in", NUMBER_INPUT, 0, name="start", value=1),
        _node("n-add", CALCULATOR, 420, operation="Add", b=10),
        _node("n-wait", TIMER, 840, seconds=seconds),
        _node("n-out", OUTPUT, 1260, name="answer"),
    ]
    if with_unknown_block:
        nodes.append(_node("n-gone", NOT_HERE, 420, prompt="from a block we do not have"))
    return {
        "id": "00000000-0000-4000-8000-000000000001",
        "version": 4,
        "is_active": True,
        "name": "Slow adder",
        "description": "Exported from AutoGPT",
        "user_id": "",
        "created_at": "2025-05-01T10:00:00Z",
        "nodes": nodes,
        "links": [
            _link("n-in", "result", "n-add", "a"),
            _link("n-add", "result", "n-wait", "input_message"),
            _link("n-wait", "output_message", "n-out", "value"),
        ],
        "sub_graphs": [],
        "input_schema": {},
        "output_schema": {},
        "has_external_trigger": False,
    }


def import_file(page: Page, folder: Path, agent: dict[str, Any]) -> None:
    page.get_by_test_id("import-file").set_input_files(str(write_agent_file(folder, agent)))
    page.wait_for_url(re.compile(r"/agents/[0-9a-f-]{36}$"))
    expect(page.locator(".react-flow__node")).to_have_count(len(agent["nodes"]))


def run_with_defaults(page: Page) -> None:
    page.get_by_test_id("run").click()
    page.get_by_test_id("run-start").click()
    page.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}$"))


def test_import_an_autogpt_file_fix_it_and_watch_it_run(
    page: Page, shot: Shot, tmp_path: Path
) -> None:
    sign_up(page)
    import_file(page, tmp_path, autogpt_export(with_unknown_block=True, seconds="1.5"))
    expect(page.get_by_test_id("toast-error")).to_contain_text("1 block is not available")
    unknown = node(page, "unknown")
    expect(unknown).to_contain_text(NOT_HERE)
    shot("imported-with-unknown-block")

    # The server refuses the unknown block, and says so on that node.
    page.get_by_test_id("save").click()
    expect(unknown.get_by_role("alert")).to_contain_text("Unknown block")
    shot("server-problem-on-node")

    unknown.get_by_role("button", name="Node actions").click()
    page.get_by_role("menuitem", name="Delete").click()
    expect(page.locator(".react-flow__node")).to_have_count(4)
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")

    run_with_defaults(page)
    # While the timer waits, the run is live: the panel says so and the timer is not done.
    timer = node(page, "CountdownTimerBlock")
    expect(page.get_by_test_id("run-panel")).to_have_attribute("data-status", "RUNNING")
    expect(page.get_by_test_id("socket-state")).to_have_text("Live")
    expect(node(page, "CalculatorBlock")).to_have_attribute("data-status", "COMPLETED")
    expect(timer).to_have_attribute("data-status", re.compile("QUEUED|RUNNING"))
    shot("live-timer-waiting")
    expect(timer).to_have_attribute("data-status", "COMPLETED")
    expect(page.get_by_test_id("run-panel")).to_have_attribute("data-status", "COMPLETED")
    expect(page.get_by_test_id("run-output")).to_have_text("11")
    shot("run-completed")


def test_reopen_a_past_run_from_the_history(page: Page, shot: Shot, tmp_path: Path) -> None:
    sign_up(page)
    import_file(page, tmp_path, autogpt_export(with_unknown_block=False, seconds="0"))
    run_with_defaults(page)
    expect(page.get_by_test_id("run-panel")).to_have_attribute("data-status", "COMPLETED")
    run_url = page.url

    page.goto("/agents")
    page.get_by_test_id("agent-row").filter(has_text="Slow adder").locator("a.agent-name").click()
    page.get_by_role("button", name="Runs and versions").click()
    page.get_by_test_id("run-list").locator("button").first.click()
    page.wait_for_url(run_url)
    expect(page.get_by_test_id("run-output")).to_have_text("11")
    for block in ("AgentNumberInputBlock", "CalculatorBlock", "CountdownTimerBlock"):
        expect(node(page, block)).to_have_attribute("data-status", "COMPLETED")
    shot("past-run-reopened")

    page.reload()
    expect(page.get_by_test_id("run-output")).to_have_text("11")
    page.get_by_role("tab", name="Timeline").click()
    rows = page.get_by_test_id("timeline").get_by_role("listitem")
    expect(rows).to_have_count(4)
    rows.filter(has_text="Calculator").click()
    details = page.get_by_test_id("node-details")
    expect(details).to_contain_text("11")
    shot("past-run-timeline-and-node-details")
