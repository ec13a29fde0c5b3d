"""Helpers of the end-to-end journeys: a signed-in page without the login form, axe-core
injected from node_modules, and screenshots saved into EJOURNAL_ARTIFACTS_DIR (else
EJOURNAL_TEST_ARTIFACTS, else a temporary directory).

axe-core comes from the npm registry (package.json / package-lock.json at the repository
root). When node_modules lacks it the fixture runs `npm ci` once; without npm the
accessibility checks are skipped locally and fail in CI (EJOURNAL_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# axe's "serious" and "critical" violations fail a test; "minor"/"moderate" are reported.
BLOCKING = ("serious", "critical")


def artifacts_dir() -> Path:
    # EJOURNAL_TEST_ARTIFACTS is what .ci/run already collects for the other browser tests.
    path = (
        os.environ.get("EJOURNAL_ARTIFACTS_DIR")
        or os.environ.get("EJOURNAL_TEST_ARTIFACTS")
        or os.path.join(tempfile.gettempdir(), "ejournal-e2e-artifacts")
    )
    Path(path).mkdir(parents=True, exist_ok=True)
    return Path(path)


def shot(page, name: str) -> Path:
    """A full-page screenshot of a journey step (CI keeps the directory as an artifact)."""
    path = artifacts_dir() / (re.sub(r"[^\w.-]+", "_", name) + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path


def login_as(page, user) -> None:
    """Sign the page's browser context in as `user` without going through the login form
    (the form itself has its own browser test)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": page.context._ejournal_base_url}]
    )


@pytest.fixture(scope="session")
def axe_script() -> str:
    if not AXE.exists() and shutil.which("npm"):
        # pytest-xdist workers start together: one of them installs, the others wait.
        with open(Path(tempfile.gettempdir()) / "ejournal-npm-ci.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not AXE.exists():
                subprocess.run(  # noqa: S603
                    [shutil.which("npm") or "npm", "ci", "--no-audit", "--no-fund", "--silent"],
                    cwd=ROOT,
                    check=False,
                    timeout=300,
                )
    if not AXE.exists():
        message = "axe-core не установлен: выполните `npm ci` в корне репозитория"
        if os.environ.get("EJOURNAL_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE.read_text(encoding="utf-8")


def axe_violations(page, script: str) -> list[dict]:
    """Serious and critical axe-core violations of the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=script)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(
                    (n) => n.target.join(" ") + " :: " + n.failureSummary),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in BLOCKING]


def assert_accessible(page, script: str, where: str) -> None:
    violations = axe_violations(page, script)
    if violations:
        lines = [f"{where}: {len(violations)} serious/critical axe violations"]
        for v in violations:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
            lines.extend(f"    {n}" for n in v["nodes"])
        pytest.fail("\n".join(lines))


def _page(playwright_browser, live_server, request, **options):
    context = playwright_browser.new_context(
        base_url=live_server.url,
        locale="ru-RU",
        # axe-core is injected as an inline script, which the site's CSP rightly forbids.
        bypass_csp=True,
        **options,
    )
    context._ejournal_base_url = live_server.url
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    _final_shot(page, request)
    context.close()


@pytest.fixture
def e2e_page(playwright_browser, live_server, request):
    """A laptop-sized page (1366×900) whose context knows the live server's address."""
    yield from _page(
        playwright_browser, live_server, request, viewport={"width": 1366, "height": 900}
    )


@pytest.fixture
def e2e_phone(playwright_browser, live_server, request):
    """A 360-px phone."""
    yield from _page(
        playwright_browser,
        live_server,
        request,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )


def _final_shot(page, request) -> None:
    # The last state of a failed journey is the most useful picture; never mask the failure.
    with contextlib.suppress(Exception):
        shot(page, f"{request.node.name}-last")
