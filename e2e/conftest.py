"""Browser end-to-end tests: Python Playwright driving Debian's Chromium.

Playwright's own browser download is not used; we launch the system
Chromium (env CHROMIUM, default /usr/bin/chromium). Without it the tests
skip, unless REQUIRE_BROWSER=1 (CI), where that is a failure.

Fixtures:
  browser                 session-scoped Chromium
  page                    fresh context per test (1280x800, zh-CN, Asia/Shanghai),
                          base URL = the live server; screenshot to test-results/ on failure;
                          fails the test if the page reported a CSP violation
  console_errors          list[str] of console errors and uncaught page errors seen by `page`
  live_url(path="/")      absolute URL on pytest-django's live server
  e2e_cast                the fixed test cast, committed (transactional_db) so the server sees it
  results_dir             Path of test-results/ (created)

Helpers (plain functions) live in e2e/helpers.py:
  login_as(page, username, password=PASSWORD)  log in through the real form at /accounts/login/
  expect_logged_in(page)                      the shell's main navigation is showing
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread, which makes
# Django's ORM refuse to run here without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from e2e.helpers import is_csp_violation  # noqa: E402
from xinfang.devdata.cast import build_cast  # noqa: E402

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
RESULTS_DIR = Path(__file__).resolve().parent.parent / "test-results"


def chromium_path() -> str:
    return os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def results_dir() -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    return RESULTS_DIR


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        message = f"Chromium not found at {path} (set CHROMIUM, or run `make browser` as root)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_url(live_server):
    def _url(path: str = "/") -> str:
        return live_server.url + path

    return _url


@pytest.fixture
def e2e_cast(transactional_db):
    """The cast, committed so the live server's thread can see it."""
    return build_cast()


@pytest.fixture
def page(browser, live_server, results_dir, request):
    context = browser.new_context(
        viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai", base_url=live_server.url
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    request.node.console_errors = errors
    yield page
    call = getattr(request.node, "rep_call", None)
    if call is not None and call.failed:
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        try:
            page.screenshot(path=str(results_dir / f"FAILED-{name}.png"), full_page=True)
        except Exception as exc:  # a screenshot must not mask the real failure
            print(f"could not save failure screenshot: {exc}")
    context.close()
    violations = [e for e in errors if is_csp_violation(e)]
    if call is not None and call.passed and violations:
        pytest.fail("Content Security Policy violations:\n" + "\n".join(violations), pytrace=False)


@pytest.fixture
def console_errors(page, request) -> list[str]:
    """Console errors and uncaught exceptions `page` has seen so far (live list)."""
    return request.node.console_errors
