"""What a person does in the UI, as small steps the browser tests share."""

import itertools
import json
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
