"""Importing an agent file, watching a run live, and opening a past run again."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from tests.e2e.flows import (
    NOT_HERE,
    autogpt_export,
    field,
    import_file,
    node,
    run_with_defaults,
    sign_up,
)

pytestmark = pytest.mark.e2e

Shot = Callable[[str], Path]


def test_import_an_autogpt_file_fix_it_and_watch_it_run(
    page: Page, shot: Shot, tmp_path: Path
) -> None:
    sign_up(page)
    import_file(page, tmp_path, autogpt_export(with_unknown_block=True, seconds="3"))
    expect(page.get_by_test_id("toast-error")).to_contain_text("1 block is not available")
    unknown = node(page, "unknown")
    expect(unknown).to_contain_text(NOT_HERE)
    shot("imported-with-unknown-block")

    # Saved as imported; an edit makes a new version, which the server refuses because of
    # the unknown block, and says so on that node.
    expect(page.get_by_test_id("save")).to_be_disabled()
    field(page, "CalculatorBlock", "b").fill("12")
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
    expect(page.get_by_test_id("run-output")).to_have_text("13")
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


def test_a_dropped_socket_reconnects_and_catches_up(page: Page, shot: Shot, tmp_path: Path) -> None:
    """The socket passes through a relay the test can cut; the server behind it is real."""
    relays: list[WebSocketRoute] = []

    def relay(ws: WebSocketRoute) -> None:
        ws.connect_to_server()
        relays.append(ws)

    page.route_web_socket(re.compile(r"/ws\?"), relay)
    sign_up(page)
    import_file(page, tmp_path, autogpt_export(with_unknown_block=False, seconds="3"))
    run_with_defaults(page)
    expect(page.get_by_test_id("socket-state")).to_have_text("Live")
    expect(page.get_by_test_id("run-panel")).to_have_attribute("data-status", "RUNNING")

    relays[-1].close(code=1006)
    expect(page.get_by_test_id("socket-state")).to_have_text(re.compile("Reconnecting|Live"))
    shot("socket-dropped")
    # The run finishes while (or after) the page reconnects; the catch-up brings the end.
    expect(page.get_by_test_id("run-panel")).to_have_attribute("data-status", "COMPLETED")
    expect(node(page, "CountdownTimerBlock")).to_have_attribute("data-status", "COMPLETED")
    expect(page.get_by_test_id("run-output")).to_have_text("11")
    assert len(relays) >= 2, "the page should have opened a second socket"
    shot("caught-up")
