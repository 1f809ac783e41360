"""An agent that runs another agent: the sub-agent's run is watched from inside the parent."""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.flows import (
    NUMBER_INPUT,
    OUTPUT,
    _link,
    _node,
    autogpt_export,
    import_file,
    node,
    run_with_defaults,
    sign_up,
)

pytestmark = pytest.mark.e2e

Shot = Callable[[str], Path]
AGENT_EXECUTOR = "e189baac-8c20-45a1-94a7-55177ea42565"


def parent_agent(child_id: str) -> dict[str, Any]:
    """start -> [Slow adder as a block] -> output ``total``."""
    executor = _node(
        "n-call",
        AGENT_EXECUTOR,
        420,
        graph_id=child_id,
        agent_name="Slow adder",
        input_schema={"type": "object", "properties": {"start": {"type": "number"}}},
        output_schema={"type": "object", "properties": {"answer": {}}},
    )
    return {
        "id": "00000000-0000-4000-8000-0000000000aa",
        "version": 1,
        "name": "Calls the adder",
        "description": "Runs Slow adder inside",
        "nodes": [
            _node("n-start", NUMBER_INPUT, 0, name="start", value=5),
            executor,
            _node("n-total", OUTPUT, 840, name="total"),
        ],
        "links": [
            _link("n-start", "result", "n-call", "start"),
            _link("n-call", "answer", "n-total", "value"),
        ],
    }


def test_watch_a_sub_agent_run_inside_its_parent(page: Page, shot: Shot, tmp_path: Path) -> None:
    sign_up(page)
    import_file(page, tmp_path, autogpt_export(with_unknown_block=False, seconds="2"))
    match = re.search(r"/agents/([0-9a-f-]{36})$", page.url)
    assert match, page.url
    child_id = match.group(1)

    import_file(page, tmp_path, parent_agent(child_id))
    run_with_defaults(page)
    caller = node(page, "AgentExecutorBlock")
    chip = caller.get_by_test_id("sub-run-chip")
    # While the sub-agent's timer waits, the parent's node shows the child run, live.
    expect(chip).to_have_attribute("data-status", re.compile("QUEUED|RUNNING"))
    chip.click()
    sub_run = page.get_by_test_id("sub-run")
    expect(sub_run).to_contain_text("Slow adder")
    rows = sub_run.get_by_role("listitem")
    expect(rows.filter(has_text="Calculator")).to_have_attribute("data-status", "COMPLETED")
    shot("sub-run-live")

    expect(sub_run).to_have_attribute("data-status", "COMPLETED")
    expect(rows).to_have_count(4)
    expect(chip).to_have_attribute("data-status", "COMPLETED")
    expect(page.get_by_test_id("run-panel")).to_have_attribute("data-status", "COMPLETED")
    rows.filter(has_text="Calculator").click()
    expect(sub_run.get_by_test_id("node-details")).to_contain_text("15")
    shot("sub-run-done-with-node-details")
    page.get_by_role("tab", name="Outputs").click()
    expect(page.get_by_test_id("run-output")).to_have_text("15")

    # The stored run shows the same after a reload, and the child opens in its own agent.
    page.reload()
    node(page, "AgentExecutorBlock").get_by_test_id("sub-run-chip").click()
    expect(page.get_by_test_id("sub-run")).to_have_attribute("data-status", "COMPLETED")
    page.get_by_test_id("sub-run-open").click()
    page.wait_for_url(re.compile(rf"/agents/{child_id}/runs/[0-9a-f-]{{36}}$"))
    expect(page.get_by_test_id("run-output")).to_have_text("15")
    shot("sub-run-opened-in-its-agent")
