"""Role fixtures shared by every app's tests: one small school, a user per role, and an
outsider school to prove that nothing crosses the school boundary."""

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client

from ejournal.testing.browser import (  # noqa: F401 - fixtures
    browser_page,
    chromium_path,
    phone_page,
    playwright_browser,
    school_clock,
)
from ejournal.testing.world import World, build_world  # noqa: F401


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    # Argon2 is deliberately slow and tests create many users; Argon2 hashes made by
    # module-scoped fixtures still verify (test_passwords_use_argon2 checks the real setting).
    from django.test.utils import override_settings

    with override_settings(
        PASSWORD_HASHERS=[
            "django.contrib.auth.hashers.MD5PasswordHasher",
            "django.contrib.auth.hashers.Argon2PasswordHasher",
        ]
    ):
        yield


@pytest.fixture(autouse=True)
def _browser_tests_on_the_school_clock(request):
    # No browser test may depend on the hour it runs at (a lesson "today at 09:00" whose
    # homework window closes at 10:30): they all run on the pinned school clock, started
    # before any of their other fixtures build data.
    if request.node.get_closest_marker("browser") is None:
        yield None
    else:
        yield request.getfixturevalue("school_clock")


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Tests render templates without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session", autouse=True)
def _own_rate_limit_file(tmp_path_factory):
    # The rate limits count in a file that the machine's processes share; each test
    # process (pytest-xdist worker) gets a file of its own so that one's clearing never
    # touches another's counters.
    from django.test.utils import override_settings

    if settings.CACHES[settings.RATE_LIMIT_CACHE]["BACKEND"].endswith("SQLiteCache"):
        caches_setting = {
            **settings.CACHES,
            settings.RATE_LIMIT_CACHE: {
                **settings.CACHES[settings.RATE_LIMIT_CACHE],
                "LOCATION": str(tmp_path_factory.mktemp("ratelimit") / "ratelimit.sqlite3"),
            },
        }
        with override_settings(CACHES=caches_setting):
            yield
    else:
        yield


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Every rate limit counts in this cache (ejournal.security.ratelimit): each test
    # starts with none.
    caches[settings.RATE_LIMIT_CACHE].clear()
    yield
    caches[settings.RATE_LIMIT_CACHE].clear()


@pytest.fixture(autouse=True)
def _own_audit_checkpoints(settings, tmp_path):
    # Checkpoints are a file outside the database: each test's database gets its own.
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "audit-checkpoints"


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def client_for(world):
    """client_for("teacher") -> a Client signed in as that demo role."""

    def make(role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.force_login(world.users[role])
        return client

    return make


# The authorization sweep (ejournal/security) reports how many (URL, role) pairs it
# requested; this hook lives here because under pytest-xdist only the root conftest is
# loaded by the controlling process.
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    # Read from the reports' user properties: with pytest-xdist they come from the workers.
    for status in ("passed", "failed"):
        for report in terminalreporter.stats.get(status, []):
            for name, value in getattr(report, "user_properties", []):
                if name == "authorization_sweep_pairs" and report.when == "call":
                    terminalreporter.write_line(
                        f"authorization sweep: {value} (URL, role) pairs requested"
                    )


@pytest.fixture
def run_tasks(settings, django_capture_on_commit_callbacks):
    """``with run_tasks(): ...``: the background tasks queued inside run when the
    transaction commits, as the worker would run them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return lambda: django_capture_on_commit_callbacks(execute=True)
