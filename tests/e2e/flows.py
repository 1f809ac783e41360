"""What a person does in the UI, as small steps the browser tests share."""

import itertools
import json
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

PASSWORD = "correct horse battery"
_emails = itertools.count(1)


def sign_up(page: Page) -> str:
    """Create an account through the register page; ends on the agents list."""
    email = f"person{next(_emails)}-{id(page)}@example.com"
    page.goto("/register")
    page.fill("#name", "Ada")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("[data-testid=auth-submit]")
    page.wait_for_url("**/agents")
    return email


def node(page: Page, block_name: str) -> Locator:
    """The first node card of a block (it carries ``data-status`` during a run)."""
    return page.locator(f".block-node[data-block={block_name}]").first


def handle(page: Page, block_name: str, kind: str, pin: str) -> Locator:
    return node(page, block_name).locator(f".react-flow__handle.{kind}[data-handleid='{pin}']")


def drag_block(page: Page, block_name: str, x: float, y: float) -> None:
    """Drag a block from the menu onto the canvas at (x, y) inside the canvas."""
    before = page.locator(".react-flow__node").count()
    page.drag_and_drop(
        f"[data-testid=block-item-{block_name}]",
        "[data-testid=canvas]",
        target_position={"x": x, "y": y},
    )
    expect(page.locator(".react-flow__node")).to_have_count(before + 1)


def connect(page: Page, source: Locator, target: Locator) -> None:
    """Drag from an output handle to an input handle, as a person does."""
    a = source.bounding_box()
    b = target.bounding_box()
    assert a is not None and b is not None
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2, steps=15)
    page.mouse.up()


def field(page: Page, block_name: str, name: str, element: str = "input") -> Locator:
    return node(page, block_name).locator(f"[data-field={name}] {element}").first


def write_agent_file(folder: Path, agent: dict[str, Any]) -> Path:
    path = folder / "agent.json"
    path.write_text(json.dumps(agent))
    return path


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
    page.goto("/agents")
    page.get_by_test_id("import-file").set_input_files(str(write_agent_file(folder, agent)))
    page.wait_for_url(re.compile(r"/agents/[0-9a-f-]{36}$"))
    expect(page.locator(".react-flow__node")).to_have_count(len(agent["nodes"]))


def run_with_defaults(page: Page) -> None:
    page.get_by_test_id("run").click()
    page.get_by_test_id("run-start").click()
    page.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}$"))
