"""Debugging and housekeeping: one-node runs, re-runs, stop, keyboard editing, versions,
export, API keys and the language switch."""

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.flows import (
    autogpt_export,
    field,
    import_file,
    node,
    run_with_defaults,
    sign_up,
)

pytestmark = pytest.mark.e2e

Shot = Callable[[str], Path]


def open_node_menu(page: Page, block: str) -> None:
    node(page, block).get_by_role("button", name="Node actions").click()


def test_run_one_block_alone_then_rerun_from_a_node(page: Page, shot: Shot, tmp_path: Path) -> None:
    sign_up(page)
    import_file(page, tmp_path, autogpt_export(with_unknown_block=False, seconds="0"))
    run_with_defaults(page)
    expect(page.get_by_test_id("run-output")).to_have_text("11")
    first_run = page.url

    open_node_menu(page, "CalculatorBlock")
    page.get_by_role("menuitem", name="Run this block alone").click()
    dialog = page.get_by_test_id("node-run-dialog")
    dialog.locator("[data-field=a] input").fill("5")
    dialog.get_by_test_id("node-run-start").click()
    expect(dialog.get_by_test_id("node-run-output")).to_have_text("15")
    shot("single-block-run")
    dialog.get_by_role("button", name="Close").last.click()
    assert page.url == first_run, "running one block must not start an agent run"

    open_node_menu(page, "CountdownTimerBlock")
    page.get_by_role("menuitem", name="Re-run from here").click()
    page.wait_for_url(lambda url: url != first_run and "/runs/" in url)
    expect(page.get_by_test_id("run-panel")).to_have_attribute("data-status", "COMPLETED")
    expect(page.get_by_test_id("run-output")).to_have_text("11")
    shot("rerun-from-timer")


def test_stop_a_running_agent(page: Page, shot: Shot, tmp_path: Path) -> None:
    sign_up(page)
    import_file(page, tmp_path, autogpt_export(with_unknown_block=False, seconds="60"))
    run_with_defaults(page)
    expect(page.get_by_test_id("run-panel")).to_have_attribute("data-status", "RUNNING")
    page.get_by_test_id("run-stop").click()
    expect(page.get_by_test_id("run-panel")).to_have_attribute("data-status", "TERMINATED")
    expect(page.get_by_test_id("run-stop")).to_have_count(0)
    shot("stopped")


def test_keyboard_editing_and_versions(page: Page, shot: Shot) -> None:
    sign_up(page)
    page.goto("/agents/new")
    page.get_by_test_id("block-item-CalculatorBlock").click()
    nodes = page.locator(".react-flow__node")
    expect(nodes).to_have_count(1)
    nodes.first.locator(".node-title").click()
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(nodes).to_have_count(2)
    page.keyboard.press("Control+z")
    expect(nodes).to_have_count(1)
    page.keyboard.press("Control+Shift+z")
    expect(nodes).to_have_count(2)
    page.keyboard.press("Delete")
    expect(nodes).to_have_count(1)
    page.keyboard.press("/")
    expect(page.get_by_role("searchbox", name="Search blocks")).to_be_focused()
    page.keyboard.type("note")
    page.keyboard.press("Enter")
    expect(page.locator(".note-node")).to_have_count(1)
    page.locator(".note-node textarea").fill("Adds two numbers.")

    field(page, "CalculatorBlock", "operation", "select").select_option(label="Add")
    field(page, "CalculatorBlock", "a").fill("1")
    field(page, "CalculatorBlock", "b").fill("2")
    page.keyboard.press("Control+s")
    page.wait_for_url(re.compile(r"/agents/[0-9a-f-]{36}$"))
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    field(page, "CalculatorBlock", "b").fill("3")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("toast-success").last).to_contain_text("version 2")

    page.get_by_role("button", name="Runs and versions").click()
    page.get_by_role("tab", name="Versions").click()
    versions = page.get_by_test_id("version-list").get_by_role("listitem")
    expect(versions).to_have_count(2)
    shot("two-versions")
    versions.filter(has_text="v1").get_by_role("button", name="Make active").click()
    page.wait_for_url(re.compile(r"\?version=1$"))
    expect(field(page, "CalculatorBlock", "b")).to_have_value("2")
    expect(page.get_by_test_id("version-list").get_by_text("Active version")).to_have_count(1)
    shot("version-1-active")


def test_export_api_keys_and_language(page: Page, shot: Shot, tmp_path: Path) -> None:
    sign_up(page)
    import_file(page, tmp_path, autogpt_export(with_unknown_block=False, seconds="0"))
    with page.expect_download() as download:
        page.get_by_role("button", name="Export JSON").click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert exported["name"] == "Slow adder"
    assert len(exported["nodes"]) == 4 and len(exported["links"]) == 3

    page.goto("/settings/api-keys")
    page.get_by_role("button", name="Create key").first.click()
    page.fill("#key-name", "Nightly job")
    page.locator("dialog[open]").get_by_role("button", name="Create key").click()
    expect(page.get_by_test_id("new-api-key")).to_have_text(re.compile(r"^byk_"))
    row = page.get_by_role("row").filter(has_text="Nightly job")
    shot("api-key-created")
    row.get_by_role("button", name="Revoke").click()
    expect(row).to_contain_text("Revoked")

    page.get_by_label("Language").select_option("zh-CN")
    expect(page.get_by_role("heading", name="API 密钥")).to_be_visible()
    page.reload()
    expect(page.get_by_role("link", name="智能体")).to_be_visible()
    shot("chinese")


def test_saved_credentials_are_picked_in_a_node(page: Page, shot: Shot) -> None:
    sign_up(page)
    page.get_by_role("link", name="Credentials").click()
    page.get_by_role("button", name="Add credentials").click()
    dialog = page.get_by_test_id("add-credential-dialog")
    dialog.get_by_label("Provider").select_option("openai")
    dialog.get_by_label("Name").fill("Team key")
    secret = dialog.get_by_label("API key")
    secret.fill("sk-test-not-a-real-key")
    assert secret.get_attribute("type") == "password"
    shot("add-credentials")
    dialog.get_by_role("button", name="Save").click()
    row = page.get_by_test_id("credential-row").filter(has_text="Team key")
    expect(row).to_contain_text("openai")
    expect(page.get_by_text("sk-test-not-a-real-key")).to_have_count(0)
    shot("credentials-list")

    page.goto("/agents/new")
    page.get_by_test_id("block-item-AITextGeneratorBlock").click()
    ai = node(page, "AITextGeneratorBlock")
    picker = ai.locator("[data-field=credentials] select")
    if picker.count() == 0:
        ai.locator(".advanced-toggle").click()
    picker.select_option(label="Team key · openai")
    expect(picker).to_have_value(re.compile(r".+"))
    shot("credentials-picked-in-node")

    page.goto("/settings/credentials")
    row.get_by_role("button", name="Delete").click()
    expect(page.get_by_test_id("credential-row")).to_have_count(0)
