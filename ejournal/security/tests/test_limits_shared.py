"""The rate limits hold across the processes of a machine and see the real client behind
the reverse proxy; a guesser cannot turn them into a lock-out of the real user."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from ejournal.core.request_context import client_ip
from ejournal.core.sqlite_cache import SQLiteCache
from ejournal.security.tests.conftest import enrol, totp_now
from ejournal.testing.factories import TEST_PASSWORD

ROOT = Path(settings.BASE_DIR)


COUNT_SCRIPT = """
import sys, time
from ejournal.core.sqlite_cache import SQLiteCache
cache = SQLiteCache(sys.argv[1], {})
while time.time() < float(sys.argv[2]):
    time.sleep(0.001)
for _ in range(300):
    cache.add("k", 0, 60)
    cache.incr("k")
"""


def test_counts_from_several_processes_add_up_exactly(tmp_path):
    path = str(tmp_path / "rl.sqlite3")
    start_at = str(time.time() + 2)  # all three start counting together
    workers = [
        subprocess.Popen([sys.executable, "-c", COUNT_SCRIPT, path, start_at], cwd=ROOT)  # noqa: S603
        for _ in range(3)
    ]
    assert [w.wait(60) for w in workers] == [0, 0, 0]
    assert SQLiteCache(path, {}).get("k") == 900


def test_the_file_cache_behaves_like_a_cache(tmp_path):
    cache = SQLiteCache(str(tmp_path / "c.sqlite3"), {})
    assert cache.add("a", 1, 60) and not cache.add("a", 5, 60)
    assert cache.incr("a", 2) == 3
    cache.set("b", {"x": [1, 2]}, 60)
    assert cache.get("b") == {"x": [1, 2]}
    cache.set("gone", 1, -1)
    assert cache.get("gone") is None and cache.add("gone", 7, 60) and cache.get("gone") == 7
    with pytest.raises(ValueError):
        cache.incr("missing")
    with pytest.raises(ValueError):
        cache.incr("b")
    assert cache.delete("a") and not cache.has_key("a")
    cache.clear()
    assert cache.get("b") is None


# --- two server processes ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(port: int, path: str, data: dict, headers: dict | None = None) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=urllib.parse.urlencode(data).encode(),
        headers=headers or {},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _wait_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read() if server.stderr else ""
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"the server on {port} did not start")


@pytest.fixture
def two_servers(tmp_path):
    """Two separate server processes of one deployment (one data directory), as two
    gunicorn workers or two `runserver`s would be, with a /webapi sign-in limit of 3."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PYTEST"))}
    env.update(
        EJOURNAL_DATA_DIR=str(tmp_path / "data"),
        DJANGO_SETTINGS_MODULE="config.settings",
        WEBAPI_LOGIN_LIMIT_PER_IP="3",
        WEBAPI_LOGIN_LIMIT_PER_LOGIN="100",
        TRUSTED_PROXIES="127.0.0.1",
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
    )
    env.pop("REDIS_URL", None)
    env.pop("RATE_LIMIT_DB", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    ports = [_free_port(), _free_port()]
    servers = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "runserver", "--noreload", "--nothreading", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for port in ports
    ]
    try:
        for port, server in zip(ports, servers, strict=True):
            _wait_up(port, server)
        yield ports
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)


@pytest.mark.slow  # starts two servers
@pytest.mark.django_db(transaction=True)
def test_a_limit_counts_once_across_two_server_processes(two_servers):
    first, second = two_servers
    attempt = {"un": "nobody", "pw": "wrong", "scid": "1", "lt": "x", "pw2": "x"}
    # Alternating between the processes: a per-process counter would allow 3 on each.
    statuses = [_post(port, "/webapi/login", attempt) for port in (first, second, first, second)]
    assert statuses[:3] != [429] * 3 and 429 not in statuses[:3], statuses
    assert statuses[3] == 429, statuses
    # Behind the trusted proxy (127.0.0.1) another client of the same proxy is not held up,
    # and a client cannot escape by writing its own X-Forwarded-For: the proxy appends.
    other = {"X-Forwarded-For": "198.51.100.20"}
    assert _post(second, "/webapi/login", attempt, other) != 429
    forged = {"X-Forwarded-For": "10.9.9.9, 198.51.100.20"}
    statuses = [_post(first, "/webapi/login", attempt, forged) for _ in range(3)]
    assert statuses[-1] == 429, statuses


# --- the client's address ---------------------------------------------------------


def _request(remote: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


@override_settings(TRUSTED_PROXIES=[])
def test_without_trusted_proxies_the_forwarded_header_is_ignored():
    assert client_ip(_request("203.0.113.5", "1.2.3.4")) == "203.0.113.5"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8", "127.0.0.1"])
def test_behind_trusted_proxies_the_first_untrusted_hop_from_the_right_is_the_client():
    assert client_ip(_request("127.0.0.1", "203.0.113.5")) == "203.0.113.5"
    # The client wrote its own header; the proxy appended the real address.
    assert client_ip(_request("127.0.0.1", "1.1.1.1, 203.0.113.5")) == "203.0.113.5"
    # Two proxies in a row.
    assert client_ip(_request("127.0.0.1", "198.51.100.7, 10.1.2.3")) == "198.51.100.7"
    # A request that did not come through a proxy is its own address.
    assert client_ip(_request("203.0.113.9", "1.1.1.1")) == "203.0.113.9"
    # Garbage in the header is not believed beyond the last good hop.
    assert client_ip(_request("127.0.0.1", "<script>, 10.0.0.5")) == "10.0.0.5"
    assert client_ip(_request("127.0.0.1", "")) == "127.0.0.1"


@override_settings(TRUSTED_PROXIES=["127.0.0.1"], RATE_LIMITS={**settings.RATE_LIMITS})
def test_one_schools_nat_is_not_locked_out_by_one_address_behind_the_proxy(world):
    settings.RATE_LIMITS["sign_in_ip"] = "3/900"
    attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.66")
    for name in ("a", "b", "c", "d"):
        attacker.post(reverse("accounts:login"), {"username": name, "password": "x"})
    assert (
        attacker.post(reverse("accounts:login"), {"username": "e", "password": "x"}).status_code
        == 429
    )
    colleague = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.77")
    response = colleague.post(
        reverse("accounts:login"), {"username": "teacher", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302


# --- a guesser cannot lock the real user out ------------------------------------------


def _password_step(client):
    return client.post(
        reverse("accounts:login"), {"username": "director", "password": TEST_PASSWORD}
    )


def test_a_guesser_with_the_password_cannot_lock_the_real_user_out_of_the_code_step(world):
    device = enrol(world.users["director"])
    guesser = Client(REMOTE_ADDR="198.51.100.1")
    _password_step(guesser)
    statuses = [
        guesser.post(reverse("security:two_factor_verify"), {"code": "000000"}).status_code
        for _ in range(6)
    ]
    assert statuses[-1] == 429
    real = Client(REMOTE_ADDR="203.0.113.10")
    _password_step(real)
    response = real.post(reverse("security:two_factor_verify"), {"code": totp_now(device)})
    assert response.status_code == 302 and "_auth_user_id" in real.session


@override_settings(RATE_LIMITS={**settings.RATE_LIMITS, "two_factor_account": "4/3600"})
def test_many_new_addresses_share_one_budget_but_the_users_own_address_still_gets_in(world):
    device = enrol(world.users["director"])
    with time_machine.travel("2026-11-16 08:00 +0300", tick=False) as clock:
        # The director signs in from the school's address once, with the phone.
        school = Client(REMOTE_ADDR="203.0.113.10")
        _password_step(school)
        school.post(reverse("security:two_factor_verify"), {"code": totp_now(device)})
        assert "_auth_user_id" in school.session
        clock.shift(60)
        statuses = []
        for i in range(5):
            guesser = Client(REMOTE_ADDR=f"198.51.100.{i + 1}")
            _password_step(guesser)
            statuses.append(
                guesser.post(reverse("security:two_factor_verify"), {"code": "000000"}).status_code
            )
        # The director's own first sign-in came from a new address too: 1 + 3 = 4.
        assert statuses == [200, 200, 200, 429, 429]
        real = Client(REMOTE_ADDR="203.0.113.10")
        _password_step(real)
        response = real.post(reverse("security:two_factor_verify"), {"code": totp_now(device)})
        assert response.status_code == 302 and "_auth_user_id" in real.session
