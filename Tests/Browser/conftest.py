"""Browser tests of the dashboard: Debian's chromium driven by Playwright, against the suite that
deploy/test.sh started (CUMULUS_TEST_GATEWAY_URL, CUMULUS_TEST_ADMIN_EMAIL/PASSWORD).

Nothing here skips: a missing browser, Playwright or environment variable fails the run with a
message that says what to install or set. When a test fails, a full-page screenshot of every
page it opened goes to $CUMULUS_TEST_DATA/browser-failures/ (deploy/test.sh keeps that folder
with CUMULUS_KEEP_TEST_DATA=1)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from cumulus_api import Gateway

CHROMIUM = os.environ.get("CUMULUS_TEST_CHROMIUM", "/usr/bin/chromium")


def _required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        pytest.fail(f"{name} is not set: run the browser tests through deploy/test.sh, which starts the suite and exports it", pytrace=False)
    return value


@pytest.fixture(scope="session")
def gateway_url() -> str:
    return _required("CUMULUS_TEST_GATEWAY_URL").rstrip("/")


@pytest.fixture(scope="session")
def admin() -> dict:
    return {"email": _required("CUMULUS_TEST_ADMIN_EMAIL"), "password": _required("CUMULUS_TEST_ADMIN_PASSWORD")}


@pytest.fixture(scope="session")
def gateway(gateway_url) -> Gateway:
    return Gateway(gateway_url)


@pytest.fixture(scope="session")
def admin_token(gateway, admin) -> str:
    return gateway.login(admin["email"], admin["password"])


@pytest.fixture(scope="session")
def browser():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        found = shutil.which("chromium")
        pytest.fail(f"no chromium at {CHROMIUM}{f' (there is one at {found}: set CUMULUS_TEST_CHROMIUM)' if found else ''}; "
                    "install Debian's package: apt-get install chromium (deploy/lib.sh ensure_packages does)", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed: pip install -r Tests/requirements.txt", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def open_page(request, browser, gateway_url):
    """open_page() -> a new page in its own browser context (its own sessionStorage, so several
    users can be logged in at once). Console errors and uncaught exceptions are collected on
    page.problems; a failing test leaves a screenshot of each page."""
    contexts = []

    def make():
        context = browser.new_context(ignore_https_errors=True, base_url=gateway_url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(f"uncaught: {error}"))
        contexts.append((context, page))
        return page

    yield make
    failed = any(getattr(request.node, f"report_{when}", None) is not None and getattr(request.node, f"report_{when}").failed
                 for when in ("setup", "call"))
    if failed:
        folder = Path(os.environ.get("CUMULUS_TEST_DATA") or "/tmp") / "browser-failures"
        folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        for index, (_, page) in enumerate(contexts):
            path = folder / f"{name}-{index}.png"
            try:
                page.screenshot(path=str(path), full_page=True)
                print(f"\nscreenshot of the failed page ({page.url}): {path}")
            except Exception as error:  # the page may be gone; the failure itself is what matters
                print(f"\nno screenshot of page {index}: {error}")
    for context, _ in contexts:
        context.close()


def log_in(page, email: str, password: str) -> None:
    page.goto("/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.locator("#account .who").wait_for()


@pytest.fixture
def admin_page(open_page, admin):
    page = open_page()
    log_in(page, admin["email"], admin["password"])
    return page
