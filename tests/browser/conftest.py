"""
Chromium through Playwright, against a real Daphne process serving the test
database. Debian's Chromium is used (Playwright's own download cannot work
offline); a missing browser fails the tests, it does not skip them.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.servers import (
    ARTIFACTS,
    DaphneProcess,
    host_site,  # noqa: F401  (fixture)
    server_environment,
)

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make between browser steps are still plain, sequential calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)


# Per module, not per session: Playwright's sync API keeps an event loop
# running in this thread while it is open, which async tests cannot share.
@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (make test does this)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def server(dns_server, transactional_db):
    """One Daphne process of the project on a free port (with Redis when REDIS_URL is set)."""
    process = DaphneProcess(server_environment(dns_server.address), name="daphne-browser").start()
    yield process
    process.stop()


@pytest.fixture
def new_page(browser, request):
    """Pages in fresh browser contexts; a failing test leaves screenshots in test-artifacts/."""
    contexts = []

    def make(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for number, context in enumerate(contexts):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for page in context.pages:
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{number}.png"), full_page=True)
        context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
