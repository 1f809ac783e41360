"""Building an agent by hand in the browser: drag, connect, fill, save, run."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.flows import connect, drag_block, field, handle, node, sign_up

pytestmark = pytest.mark.e2e

Shot = Callable[[str], Path]


def test_build_save_and_run_a_three_node_agent(page: Page, shot: Shot) -> None:
    sign_up(page)
    shot("agents-empty")
    page.click("[data-testid=new-agent]")
    expect(page.get_by_test_id("block-menu")).to_be_visible()
    page.get_by_test_id("agent-name").fill("Greeter")

    drag_block(page, "AgentShortTextInputBlock", 170, 160)
    drag_block(page, "FillTextTemplateBlock", 560, 120)
    drag_block(page, "AgentOutputBlock", 950, 160)
    shot("three-blocks-dropped")

    field(page, "AgentShortTextInputBlock", "name").fill("topic")
    field(page, "FillTextTemplateBlock", "format", "textarea").fill("Hello {{ topic }}!")
    node(page, "FillTextTemplateBlock").locator(".add-row").click()
    key = node(page, "FillTextTemplateBlock").locator(".dict-key")
    key.fill("topic")
    key.press("Enter")
    field(page, "AgentOutputBlock", "name").fill("greeting")
    connect(
        page,
        handle(page, "AgentShortTextInputBlock", "source", "result"),
        handle(page, "FillTextTemplateBlock", "target", "values_#_topic"),
    )
    connect(
        page,
        handle(page, "FillTextTemplateBlock", "source", "output"),
        handle(page, "AgentOutputBlock", "target", "value"),
    )
    expect(page.locator(".react-flow__edge")).to_have_count(2)
    shot("connected-and-filled")

    page.get_by_test_id("save").click()
    page.wait_for_url(re.compile(r"/agents/[0-9a-f-]{36}$"))
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    expect(page.locator(".react-flow__edge")).to_have_count(2)
    shot("saved-version-1")

    page.get_by_test_id("run").click()
    dialog = page.get_by_test_id("run-dialog")
    dialog.locator("[data-field=topic] input").fill("world")
    shot("run-dialog")
    page.get_by_test_id("run-start").click()

    expect(page.get_by_test_id("run-output")).to_have_text("Hello world!")
    expect(page.get_by_test_id("run-panel")).to_have_attribute("data-status", "COMPLETED")
    for block in ("AgentShortTextInputBlock", "FillTextTemplateBlock", "AgentOutputBlock"):
        expect(node(page, block)).to_have_attribute("data-status", "COMPLETED")
    expect(node(page, "FillTextTemplateBlock").get_by_test_id("node-output")).to_contain_text(
        "Hello world!"
    )
    shot("run-completed")

    page.goto("/agents")
    row = page.get_by_test_id("agent-row").filter(has_text="Greeter")
    expect(row.get_by_test_id("status-badge")).to_have_attribute("data-status", "COMPLETED")
    shot("agents-list-with-last-run")


def test_incompatible_pins_are_refused_with_a_hint(page: Page, shot: Shot) -> None:
    sign_up(page)
    page.goto("/agents/new")
    drag_block(page, "AgentShortTextInputBlock", 200, 160)
    drag_block(page, "CalculatorBlock", 700, 140)
    connect(
        page,
        handle(page, "AgentShortTextInputBlock", "source", "result"),
        handle(page, "CalculatorBlock", "target", "a"),
    )
    hint = page.get_by_test_id("connect-hint")
    expect(hint).to_contain_text("text output cannot feed a number input")
    expect(page.locator(".react-flow__edge")).to_have_count(0)
    shot("incompatible-hint")


def test_missing_required_inputs_are_flagged_on_the_node(page: Page, shot: Shot) -> None:
    sign_up(page)
    page.goto("/agents/new")
    drag_block(page, "CalculatorBlock", 400, 160)
    page.get_by_test_id("save").click()
    calc = node(page, "CalculatorBlock")
    expect(calc.locator("[data-field=a] [role=alert]")).to_contain_text("Required")
    expect(calc.locator("[data-field=operation] [role=alert]")).to_be_visible()
    expect(page.get_by_test_id("toast-error")).to_contain_text("3 required inputs")
    assert page.url.endswith("/agents/new")
    field(page, "CalculatorBlock", "a").fill("2")
    expect(calc.locator("[data-field=a] [role=alert]")).to_have_count(0)
    shot("required-flagged")


def test_an_expired_session_returns_to_login_and_keeps_the_canvas(page: Page, shot: Shot) -> None:
    email = sign_up(page)
    page.goto("/agents/new")
    drag_block(page, "CalculatorBlock", 400, 160)
    field(page, "CalculatorBlock", "operation", "select").select_option(label="Add")
    field(page, "CalculatorBlock", "a").fill("7")
    field(page, "CalculatorBlock", "b").fill("1")
    # The session ends behind the page's back: both tokens stop being valid.
    page.evaluate(
        "localStorage.setItem('blockyard.session', JSON.stringify("
        "{access_token: 'expired', refresh_token: 'revoked', token_type: 'bearer'}))"
    )
    page.get_by_test_id("save").click()
    page.wait_for_url(re.compile(r"/login\?next=.*expired=1"))
    expect(page.get_by_role("status").filter(has_text="session expired")).to_be_visible()
    shot("back-at-login")

    page.fill("#email", email)
    page.fill("#password", "correct horse battery")
    page.click("[data-testid=auth-submit]")
    page.wait_for_url("**/agents/new")
    expect(page.get_by_test_id("draft-banner")).to_be_visible()
    expect(field(page, "CalculatorBlock", "a")).to_have_value("7")
    shot("canvas-restored")
