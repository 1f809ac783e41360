"""Credits in the browser: a server that bills runs, a new user's sign-up grant in the
sidebar, a run, and the balance and the usage row on the Credits page afterwards."""

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.flows import CALCULATOR, autogpt_export, import_file, run_with_defaults, sign_up
from tests.server_process import ServeProcess

pytestmark = pytest.mark.e2e

Shot = Callable[[str], Path]


@pytest.fixture(scope="module")
def billed_server(
    server: ServeProcess, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServeProcess]:
    """A second server, billing: 10 credits on sign-up, the Calculator costs 3 a run.
    (It asks for ``server`` for that fixture's checks: the front end is built.)"""
    srv = ServeProcess(
        tmp_path_factory.mktemp("blockyard-billed"),
        env={
            "BLOCKYARD_CREDITS_ENABLED": "true",
            "BLOCKYARD_SIGNUP_CREDITS": "10",
            "BLOCKYARD_CREDITS_BLOCK_COSTS": json.dumps({CALCULATOR: 3}),
        },
    )
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def billed_page(open_page: Callable[[str], Page], billed_server: ServeProcess) -> Page:
    return open_page(billed_server.url)


def test_the_balance_drops_by_what_a_run_cost(billed_page: Page, tmp_path: Path) -> None:
    page = billed_page
    shots = tmp_path / "screenshots"
    shots.mkdir()
    sign_up(page)
    expect(page.get_by_test_id("credit-balance")).to_have_text("10 credits")

    import_file(page, tmp_path, autogpt_export(with_unknown_block=False, seconds="0"))
    run_with_defaults(page)
    expect(page.get_by_test_id("run-panel")).to_have_attribute("data-status", "COMPLETED")
    run_url = page.url

    page.goto("/agents")  # the editor is full-screen: the sidebar is on the other pages
    expect(page.get_by_test_id("credit-balance")).to_have_text("7 credits")
    page.get_by_test_id("credit-balance").click()
    page.wait_for_url("**/settings/credits")
    expect(page.get_by_test_id("credits-balance")).to_contain_text("7")
    rows = page.get_by_test_id("credit-transactions").locator("tbody tr")
    expect(rows).to_have_count(2)
    usage = rows.first
    expect(usage).to_contain_text("Usage")
    expect(usage).to_contain_text("-3")
    expect(rows.nth(1)).to_contain_text("Sign-up credits")
    page.screenshot(path=str(shots / "credits-page.png"))

    page.get_by_label("Show").select_option("GRANT")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("+10")
    page.get_by_label("Show").select_option("")

    usage.get_by_role("link", name="View run").click()
    page.wait_for_url(re.compile(re.escape(run_url) + "$"))
    expect(page.get_by_test_id("run-output")).to_have_text("11")
