"""Playwright fixtures: the system Chromium against a live test server.

Locally the browser tests are skipped when Chromium is absent; CI sets
EJOURNAL_REQUIRE_BROWSER=1 so that a missing browser fails instead.
"""

import contextlib
import os
import re
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(os.environ.get("EJOURNAL_TEST_ARTIFACTS", "test-artifacts"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_executable() -> str | None:
    for candidate in (
        os.environ.get("CHROMIUM_PATH"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="session")
def chromium_path():
    path = chromium_executable()
    if path is None:
        if os.environ.get("EJOURNAL_REQUIRE_BROWSER"):
            pytest.fail("Chromium не найден: браузерные тесты обязательны в CI")
        pytest.skip("Chromium не установлен (apt-get install chromium); в CI тесты обязательны")
    return path


@pytest.fixture(scope="session")
def playwright_browser(chromium_path):
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test
    # makes around it are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with _real_clock_for_children():
        pw_manager = sync_playwright()
        pw = pw_manager.start()
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()
        pw_manager.__exit__(None, None, None)


# scripts/test-at shifts the machine's clock with libfaketime, preloaded through these.
FAKED_CLOCK_ENVIRONMENT = ("LD_PRELOAD", "FAKETIME", "FAKETIME_DONT_FAKE_MONOTONIC")


@contextlib.contextmanager
def _real_clock_for_children():
    """Start Playwright's driver and Chromium without the shifted clock of scripts/test-at.

    Chromium under libfaketime spins its timers and never finishes loading a page. It does
    not need the shift: the pages it shows come from the live server, which runs on the
    pinned school clock (``school_clock``) in this process, and its cookies last for the
    browser session."""
    saved = {name: os.environ.pop(name) for name in FAKED_CLOCK_ENVIRONMENT if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def _new_page(browser, live_server, request, **context_options):
    context = browser.new_context(base_url=live_server.url, locale="ru-RU", **context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    return context, page


@pytest.fixture
def browser_page(playwright_browser, live_server, request):
    """A fresh laptop-sized page; a screenshot of its last state is saved as an artifact."""
    context, page = _new_page(
        playwright_browser, live_server, request, viewport={"width": 1366, "height": 900}
    )
    yield page
    save_screenshot(page, request.node.name)
    context.close()


@pytest.fixture
def phone_page(playwright_browser, live_server, request):
    context, page = _new_page(
        playwright_browser,
        live_server,
        request,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    yield page
    save_screenshot(page, request.node.name)
    context.close()


def save_screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^\w.-]+", "_", name) + ".png")
    # A failed screenshot must not mask the test's own result.
    with contextlib.suppress(Exception):
        page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("Логин").fill(username)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_load_state("networkidle")


# The school clock of every browser test: a Monday morning in the second quarter of the
# test world's year (ejournal/testing/world.py), ticking from there. The live server runs
# in this process, so time_machine moves its clock too; Chromium keeps the real one, so
# cookies are made to last for the browser's session rather than until a moment that,
# by the browser's clock, may already be past.
SCHOOL_CLOCK = "2026-11-16 10:00 +0300"


@pytest.fixture
def school_clock(settings):
    import time_machine

    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
    with time_machine.travel(SCHOOL_CLOCK, tick=True) as traveller:
        yield traveller
