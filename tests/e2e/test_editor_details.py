"""What a new builder meets in the editor: sub-agent inputs, placing blocks, the run panel."""

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import FloatRect, Page, expect

from tests.e2e.flows import (
    OUTPUT,
    _link,
    _node,
    autogpt_export,
    field,
    import_file,
    node,
    run_with_defaults,
    sign_up,
)

pytestmark = pytest.mark.e2e

Shot = Callable[[str], Path]
AGENT_EXECUTOR = "e189baac-8c20-45a1-94a7-55177ea42565"


def _import_child(page: Page, folder: Path) -> str:
    """Import the "Slow adder" (start + 10, no wait) and return its id."""
    import_file(page, folder, autogpt_export(with_unknown_block=False, seconds="0"))
    match = re.search(r"/agents/([0-9a-f-]{36})$", page.url)
    assert match, page.url
    return match.group(1)


def _parent_with_typed_inputs(child_id: str) -> dict[str, Any]:
    """A parent whose Agent Executor holds its sub-agent's input in ``inputs``, as AutoGPT."""
    executor = _node(
        "n-call",
        AGENT_EXECUTOR,
        0,
        graph_id=child_id,
        graph_version=1,
        agent_name="Slow adder",
        inputs={"start": 7},
        input_schema={"type": "object", "properties": {"start": {"type": "number"}}},
        output_schema={"type": "object", "properties": {"answer": {}}},
    )
    return {
        "id": "00000000-0000-4000-8000-0000000000bb",
        "version": 1,
        "name": "Typed parent",
        "description": "",
        "nodes": [executor, _node("n-total", OUTPUT, 420, name="total")],
        "links": [_link("n-call", "answer", "n-total", "value")],
    }


def _export(page: Page) -> dict[str, Any]:
    with page.expect_download() as download:
        page.get_by_role("button", name="Export JSON").click()
    exported: dict[str, Any] = json.loads(Path(download.value.path()).read_text())
    return exported


def test_sub_agent_inputs_stored_the_autogpt_way_show_save_and_run(
    page: Page, shot: Shot, tmp_path: Path
) -> None:
    sign_up(page)
    child_id = _import_child(page, tmp_path)
    import_file(page, tmp_path, _parent_with_typed_inputs(child_id))

    # The picker is labelled for what a builder picks, not for the id it stores.
    picker = node(page, "AgentExecutorBlock").locator("[data-field=graph_id] label")
    expect(picker).to_have_text(re.compile(r"^Agent\s*\*$"))
    start = field(page, "AgentExecutorBlock", "start")
    expect(start).to_have_value("7")
    shot("sub-agent-input-read-from-inputs")
    start.fill("8")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")

    (executor,) = [n for n in _export(page)["nodes"] if n["block_id"] == AGENT_EXECUTOR]
    assert executor["input_default"]["inputs"] == {"start": 8}
    assert "start" not in executor["input_default"]

    run_with_defaults(page)
    expect(page.get_by_test_id("run-output")).to_have_text("18")
    expect(node(page, "AgentExecutorBlock")).to_have_attribute("data-status", "COMPLETED")


def _boxes(page: Page) -> list[FloatRect]:
    nodes = page.locator(".react-flow__node")
    boxes = [nodes.nth(i).bounding_box() for i in range(nodes.count())]
    assert all(boxes)
    return [b for b in boxes if b is not None]


def _overlap(a: FloatRect, b: FloatRect) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def test_blocks_added_from_the_menu_do_not_land_on_each_other(page: Page, shot: Shot) -> None:
    sign_up(page)
    page.goto("/agents/new")
    viewport = page.locator(".react-flow__viewport")
    expect(viewport).to_be_visible()
    before = viewport.get_attribute("style")
    for count, name in enumerate(
        (
            "AgentShortTextInputBlock",
            "FillTextTemplateBlock",
            "AgentOutputBlock",
            "CalculatorBlock",
        ),
        start=1,
    ):
        page.get_by_test_id(f"block-item-{name}").click()
        expect(page.locator(".react-flow__node")).to_have_count(count)
        expect(page.locator(".react-flow__node").nth(count - 1)).to_be_visible()  # measured
        page.wait_for_timeout(300)  # a fit of the view, if one came, would animate by now
        # The view stays where the builder left it: adding a block does not zoom or pan.
        assert viewport.get_attribute("style") == before
    shot("four-blocks-placed")
    boxes = _boxes(page)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not _overlap(a, b), (a, b)


def test_selecting_a_node_shows_its_execution_in_the_run_panel(
    page: Page, shot: Shot, tmp_path: Path
) -> None:
    sign_up(page)
    import_file(page, tmp_path, autogpt_export(with_unknown_block=False, seconds="0"))
    run_with_defaults(page)
    panel = page.get_by_test_id("run-panel")
    expect(panel).to_have_attribute("data-status", "COMPLETED")

    node(page, "CalculatorBlock").locator(".node-desc").click()
    details = panel.get_by_test_id("node-details")
    expect(details).to_contain_text("Calculator")
    expect(details).to_contain_text("11")  # start 1 + b 10
    expect(page.get_by_role("tab", name="Node")).to_have_attribute("aria-selected", "true")
    shot("calculator-selected")

    # Clicking into a field selects its node too: the panel follows, the field keeps focus.
    seconds = field(page, "CountdownTimerBlock", "seconds", "textarea")
    seconds.click()
    expect(details).to_contain_text("Countdown Timer")
    expect(seconds).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("2")
    expect(seconds).to_have_value("2")


def test_the_minimap_gives_way_to_the_run_panel(page: Page, shot: Shot, tmp_path: Path) -> None:
    sign_up(page)
    import_file(page, tmp_path, autogpt_export(with_unknown_block=False, seconds="0"))
    minimap = page.locator(".react-flow__minimap")
    expect(minimap).to_be_visible()
    run_with_defaults(page)
    panel = page.get_by_test_id("run-panel")
    expect(panel).to_have_attribute("data-status", "COMPLETED")
    # With the panel open the canvas is short: the minimap would sit on the nodes' forms.
    expect(minimap).to_have_count(0)
    field(page, "AgentOutputBlock", "name").click(timeout=3000)  # nothing lies on it
    shot("run-panel-without-minimap")
    panel.get_by_role("button", name="Close").click()
    expect(panel).to_have_count(0)
    expect(minimap).to_be_visible()
