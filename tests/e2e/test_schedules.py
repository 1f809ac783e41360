"""Schedules in the browser: made from the run dialog, listed in the editor's history panel
and on the Schedules page, paused, deleted, and a bad cron refused with the server's words."""

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.flows import autogpt_export, import_file, sign_up

pytestmark = pytest.mark.e2e

Shot = Callable[[str], Path]
ZONE = "Asia/Tokyo"


def next_weekday_nine(zone: str) -> datetime:
    """The next 09:00 on a weekday in ``zone``: what ``0 9 * * 1-5`` fires at next."""
    now = datetime.now(ZoneInfo(zone))
    day = now.replace(hour=9, minute=0, second=0, microsecond=0)
    while day <= now or day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def shown_locally(page: Page, moment: datetime) -> str:
    """How the page writes ``moment`` in the browser's own zone and language."""
    iso = moment.astimezone(UTC).isoformat()
    text: str = page.evaluate(
        "iso => new Date(iso).toLocaleString('en', {dateStyle: 'medium', timeStyle: 'short'})",
        iso,
    )
    return text


def open_schedule_form(page: Page) -> None:
    page.get_by_test_id("run").click()
    expect(page.get_by_test_id("run-start")).to_be_visible()
    page.get_by_test_id("run-schedule").click()
    expect(page.get_by_test_id("run-dialog")).to_contain_text("Schedule runs")


def test_schedule_an_agent_pause_it_and_delete_it(page: Page, shot: Shot, tmp_path: Path) -> None:
    sign_up(page)
    import_file(page, tmp_path, autogpt_export(with_unknown_block=False, seconds="0"))
    agent_url = page.url
    graph_id = agent_url.rsplit("/", 1)[1]

    open_schedule_form(page)
    dialog = page.get_by_test_id("run-dialog")
    browser_zone = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    expect(dialog.locator("#schedule-timezone")).to_have_value(browser_zone)
    expect(dialog.locator("#schedule-name")).to_have_value("Slow adder")
    dialog.locator("#schedule-name").fill("Weekday sums")
    dialog.locator("#schedule-preset").select_option("weekdays")
    expect(dialog.locator("#schedule-cron")).to_have_value("0 9 * * 1-5")
    expect(dialog.get_by_test_id("cron-preview")).to_have_text("At 09:00, Monday through Friday")
    dialog.locator("#schedule-timezone").select_option(ZONE)
    # The agent's own input form is there too, with the Agent Input's default.
    expect(dialog.locator("[data-field=start] input")).to_have_value("1")
    dialog.locator("[data-field=start] input").fill("5")
    shot("schedule-form")

    before = shown_locally(page, next_weekday_nine(ZONE))
    dialog.get_by_test_id("schedule-create").click()
    toast = page.get_by_test_id("toast-success").filter(has_text="Scheduled")
    expect(toast).to_contain_text("Scheduled “Weekday sums”. Next run:")
    after = shown_locally(page, next_weekday_nine(ZONE))
    next_run = re.compile("|".join(re.escape(text) for text in {before, after}))
    expect(toast).to_contain_text(next_run)
    expect(dialog).to_be_hidden()
    shot("scheduled-toast")

    # The editor's history panel lists the agent's schedules.
    page.get_by_role("button", name="Runs and versions").click()
    page.get_by_role("tab", name="Schedules").click()
    item = page.get_by_test_id("schedule-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Weekday sums")
    expect(item).to_contain_text("At 09:00, Monday through Friday")
    expect(item).to_contain_text(ZONE)
    expect(item.get_by_test_id("schedule-next")).to_contain_text(next_run)
    expect(item).to_contain_text("Not yet")
    expect(item.get_by_role("switch")).to_be_checked()
    shot("history-panel-schedules")

    # The Schedules page lists it too, with the agent's name linking to the editor.
    page.goto("/agents")
    page.get_by_role("link", name="Schedules").click()
    page.wait_for_url("**/schedules")
    row = page.get_by_test_id("schedule-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Weekday sums")
    expect(row).to_contain_text(ZONE)
    expect(row.get_by_test_id("schedule-next")).to_contain_text(next_run)
    expect(row.get_by_test_id("schedule-agent")).to_have_text("Slow adder")
    expect(row.get_by_test_id("schedule-agent")).to_have_attribute("href", f"/agents/{graph_id}")
    shot("schedules-page")

    # Pause it: the switch goes off and no next run is planned.
    row.get_by_role("switch", name="Run “Weekday sums” on its schedule").click()
    expect(
        page.get_by_test_id("toast-success").filter(has_text="Paused “Weekday sums”.")
    ).to_be_visible()
    expect(row.get_by_role("switch")).not_to_be_checked()
    expect(row.get_by_test_id("schedule-next")).to_have_text("Paused")
    shot("paused")

    # The agent's link opens the editor, where the panel shows it paused; delete it there.
    row.get_by_test_id("schedule-agent").click()
    page.wait_for_url(agent_url)
    page.get_by_role("button", name="Runs and versions").click()
    page.get_by_role("tab", name="Schedules").click()
    expect(item.get_by_role("switch")).not_to_be_checked()
    expect(item.get_by_test_id("schedule-next")).to_contain_text("Paused")
    item.get_by_role("button", name="Delete Weekday sums").click()
    confirm = page.get_by_test_id("schedule-delete-dialog")
    expect(confirm).to_contain_text("Delete “Weekday sums”?")
    shot("delete-confirm")
    confirm.get_by_role("button", name="Cancel").click()
    expect(item).to_have_count(1)
    item.get_by_role("button", name="Delete Weekday sums").click()
    confirm.get_by_test_id("schedule-delete-confirm").click()
    expect(item).to_have_count(0)
    expect(page.get_by_test_id("history-panel")).to_contain_text("No schedules yet")

    page.goto("/schedules")
    expect(page.get_by_text("No schedules yet")).to_be_visible()
    expect(page.get_by_test_id("schedule-row")).to_have_count(0)


def test_a_bad_custom_cron_shows_the_servers_message(
    page: Page, shot: Shot, tmp_path: Path
) -> None:
    sign_up(page)
    import_file(page, tmp_path, autogpt_export(with_unknown_block=False, seconds="0"))
    open_schedule_form(page)
    dialog = page.get_by_test_id("run-dialog")
    dialog.locator("#schedule-preset").select_option("custom")
    cron = dialog.locator("#schedule-cron")
    cron.fill("*/20 8-17 * * *")
    # An uncommon shape is shown as written rather than guessed at.
    expect(dialog.get_by_test_id("cron-preview")).to_have_text("*/20 8-17 * * *")
    cron.fill("61 9 * * *")
    expect(dialog.locator("#schedule-preset")).to_have_value("custom")
    dialog.get_by_test_id("schedule-create").click()
    error = dialog.get_by_test_id("schedule-error")
    expect(error).to_contain_text("Invalid cron expression '61 9 * * *'")
    expect(error).to_contain_text("Use five fields")
    shot("bad-cron-refused")

    # Fixing it clears the message and creates the schedule.
    cron.fill("30 6 1 * *")
    expect(error).to_be_hidden()
    expect(dialog.get_by_test_id("cron-preview")).to_have_text("At 06:30, on day 1 of the month")
    dialog.get_by_test_id("schedule-create").click()
    expect(page.get_by_test_id("toast-success").filter(has_text="Scheduled")).to_contain_text(
        "Scheduled “Slow adder”."
    )
    expect(dialog).to_be_hidden()
