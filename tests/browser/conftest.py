"""Browser tests: Playwright for Python drives Debian's Chromium against the app served by
pytest-django's live server (which also serves the static files, as the app does).

Every test under tests/browser/ is marked `browser`. Where Chromium or the playwright package
is missing they are skipped with the reason in pytest's summary; `scripts/test` says so too.
Playwright never downloads a browser here: it launches the system's Chromium.
"""

import shutil
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse

from bartim.models import User
from demo.demo import DEMO_ACCOUNTS
from tests.conftest import PASSWORD

BROWSER_DIR = Path(__file__).parent
ARTIFACTS_DIR = BROWSER_DIR.parent.parent / "test-artifacts"

CHROMIUM_ARGS = [
    # Containers and CI runners give no user namespaces for Chromium's sandbox.
    "--no-sandbox",
    "--disable-gpu",
    # Nothing but the live server may be contacted: no QUIC probes, first-run pages,
    # component or safe-browsing updates, or sync; each could hang or flake offline.
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("/usr/bin/chromium")


def why_browser_tests_cannot_run() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements-dev.txt)"
    if find_chromium() is None:
        return "Chromium is not installed (Debian: apt-get install chromium)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = why_browser_tests_cannot_run()
    for item in items:
        if BROWSER_DIR in item.path.parents:
            item.add_marker(pytest.mark.browser)
        if reason and item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=f"browser test skipped: {reason}"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Kept on the item so the page fixture can tell, at teardown, whether the test failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def chromium_browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio event loop running in the test thread for as
    # long as it is started, and Django then refuses every ORM call from that thread
    # (SynchronousOnlyOperation), including the plain synchronous ones the tests make
    # between browser steps and the database flush after each test. The app itself has no
    # async code, so the check is lifted exactly while Playwright runs.
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=find_chromium(), headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()


@pytest.fixture
def new_page(request, chromium_browser):
    """Opens pages in fresh browser contexts (own cookies): Indonesian, Jakarta time, a
    desktop window unless told otherwise, e.g. new_page(locale="en-GB") or
    new_page(viewport={"width": 375, "height": 812}). A failing test leaves a screenshot
    of each of its pages in test-artifacts/."""
    contexts = []

    def open_page(**context_options):
        options = {
            "locale": "id-ID",
            "timezone_id": "Asia/Jakarta",
            "viewport": {"width": 1280, "height": 900},
        }
        context = chromium_browser.new_context(**(options | context_options))
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page

    report = getattr(request.node, "report_call", None)
    failed = report is not None and report.failed
    for number, context in enumerate(contexts):
        if failed:
            ARTIFACTS_DIR.mkdir(exist_ok=True)
            for page in context.pages:
                page.screenshot(path=ARTIFACTS_DIR / f"{request.node.name}-{number}.png")
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def log_in(live_server):
    """Logs a user in through the real login form, as a person would, and waits for the
    page the form leads to. A page already on the login form (after being sent there from
    a private page) is used as it is, so the login leads back to where the user was going."""

    def log_in_as(page, user, password=PASSWORD):
        if urlsplit(page.url).path != reverse("login"):
            page.goto(live_server.url + reverse("login"))
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("form button[type=submit]")
        return page

    return log_in_as


PHONE = {"width": 375, "height": 812}

# axe-core's impact levels that fail a page; "moderate" and "minor" are reported by axe but
# left to judgement (the issue asks for no serious or critical violations).
FAILING_IMPACTS = ("serious", "critical")


def accessibility_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one readable line
    per rule with the elements it found. axe.min.js comes from the axe-playwright-python
    package and is evaluated through Playwright, so the page's Content-Security-Policy
    (script-src 'self') applies to the app's own scripts only, not to the check."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{page.url}: {violation['id']} ({violation['impact']}): {violation['help']}: "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
        if violation["impact"] in FAILING_IMPACTS
    ]


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page itself is wider than the window (0: no sideways scroll)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.fixture
def demo_data(transactional_db):
    """Barito Timur's reference data and the demo year 2024, made by the `load_bartim` and
    `load_demo` commands: real villages and OPDs, programmes under the three strategies,
    village data, one demo account per role. Returns the demo accounts by username."""
    call_command("load_bartim", stdout=StringIO())
    # --force: the live server runs with DEBUG off, where load_demo otherwise refuses.
    call_command("load_demo", "--force", stdout=StringIO())
    usernames = [account.username for account in DEMO_ACCOUNTS]
    return User.objects.in_bulk(usernames, field_name="username")
