"""Browser tests: a real ``blockyard serve`` on a free port with a fresh SQLite data folder,
driven by Debian's Chromium through Playwright.

Each test gets a fresh browser context (its own localStorage) and a ``shot(name)`` helper
that saves a screenshot of the step under the test's temporary folder.
"""

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WEB_INDEX = REPO / "blockyard" / "web" / "index.html"
CHROMIUM = os.environ.get("BLOCKYARD_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"

pytest.importorskip("playwright.sync_api")
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright  # noqa: E402

from tests.server_process import ServeProcess  # noqa: E402

Server = ServeProcess
"""One ``blockyard serve`` process for the whole session (each test signs up afresh)."""


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason}; CI=true requires it")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    _require(WEB_INDEX.is_file(), "the front end is not built (run `make frontend`)")
    srv = Server(tmp_path_factory.mktemp("blockyard-data"))
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    _require(
        Path(CHROMIUM).exists() or shutil.which("chromium") is not None,
        f"Chromium is not installed at {CHROMIUM}",
    )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[[str], Page]]:
    """``open_page(base_url)``: a page in a fresh browser context on that server; an
    uncaught error in any page opened so fails the test."""
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def open_on(base_url: str) -> Page:
        context = browser.new_context(
            base_url=base_url, viewport={"width": 1440, "height": 900}, locale="en-US"
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        opened = context.new_page()
        opened.on("pageerror", lambda exc: errors.append(str(exc)))
        return opened

    yield open_on
    for context in contexts:
        context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture
def page(open_page: Callable[[str], Page], server: Server) -> Page:
    return open_page(server.url)


@pytest.fixture
def shot(page: Page, tmp_path: Path) -> Callable[[str], Path]:
    """Save a screenshot of the current step as ``screenshots/<n>-<name>.png``."""
    folder = tmp_path / "screenshots"
    folder.mkdir()
    taken: list[Path] = []

    def take(name: str) -> Path:
        path = folder / f"{len(taken) + 1:02d}-{name}.png"
        page.screenshot(path=str(path))
        taken.append(path)
        return path

    return take
