"""The browser suite: the admin as people use it, in real headless Chromium.

The browser is Debian's ``chromium`` (``/usr/bin/chromium``, or ``CHROMIUM_PATH``), driven by
Playwright for Python through ``executable_path``; ``playwright install`` (a browser
download) is never run. Without a browser the suite is skipped with a message saying how to
get one, unless ``TEST_BROWSER_REQUIRED=1`` (``.ci/run`` sets it, after installing chromium
if it is missing): then a missing browser fails the run.

The pages are served by pytest-django's ``live_server`` (a threaded server on the test
database, static files included), on whatever database the run uses.

``walk`` numbers the steps of a test, times them and, when one fails, saves a full-page
screenshot under ``BROWSER_ARTIFACTS`` (default ``var/browser/``) and prints its path.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.live import BASE_DIR

# Playwright's sync API runs an event loop in the test's thread; the test still reads and
# writes the database itself (set-up, checks), which Django would refuse there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
REQUIRED = os.environ.get("TEST_BROWSER_REQUIRED", "") not in ("", "0")
ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS") or BASE_DIR / "var" / "browser")
WIDTH, HEIGHT = 1400, 900
PASSWORD = "browser-walk-1"


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -r requirements-dev.txt)"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)"
    return None


def pytest_collection_modifyitems(config, items):
    """Skip the suite without a browser, saying why; with TEST_BROWSER_REQUIRED the ``browser``
    fixture fails instead."""
    reason = _missing()
    if reason is None or REQUIRED:
        return
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.skip(reason=f"browser suite skipped: {reason}"))


@pytest.fixture(scope="session")
def browser():
    reason = _missing()
    if reason is not None:
        pytest.fail(f"TEST_BROWSER_REQUIRED is set and the browser suite cannot run: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, base_url=live_server.url)
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("tech", "tech@example.com", PASSWORD, first_name="Robin")


def log_in(page, user) -> None:
    page.goto("/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")


class Walk:
    """The numbered, timed steps of one test; a screenshot of the page when one fails."""

    def __init__(self, page, name: str):
        self.page = page
        self.name = name
        self.steps: list[tuple[str, float]] = []
        self.started = time.monotonic()

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        number = len(self.steps) + 1
        began = time.monotonic()
        try:
            yield
        except BaseException:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]
            path = ARTIFACTS / f"{self.name}-{number:02d}-{slug}.png"
            try:
                self.page.screenshot(path=str(path), full_page=True)
                print(f"\nBrowser step {number} ({title}) failed at {self.page.url}; screenshot: {path}")
            except Exception as error:  # the page may be gone; the original error matters more
                print(f"\nBrowser step {number} ({title}) failed; no screenshot ({error})")
            raise
        finally:
            self.steps.append((title, time.monotonic() - began))

    def summary(self) -> str:
        total = time.monotonic() - self.started
        return f"{self.name}: {len(self.steps)} browser steps in {total:.1f} s"


@pytest.fixture
def walk(page, request):
    walked = Walk(page, request.node.name)
    yield walked
    print(f"\n{walked.summary()}")
    request.node.user_properties.append(("browser_steps", len(walked.steps)))


def messages_on(page) -> list[str]:
    return [text.strip() for text in page.locator("ul.messagelist li").all_inner_texts()]


def expect_message(page, fragment: str) -> None:
    page.wait_for_selector("ul.messagelist li")
    texts = messages_on(page)
    assert any(fragment in text for text in texts), f"no message with {fragment!r}: {texts}"
