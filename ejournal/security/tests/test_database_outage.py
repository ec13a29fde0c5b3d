"""A database that goes away costs one request the pool's timeout, not every request; a
database that comes back (or restarts) is used at once, without 503s from connections the
pool held across the outage. Both against a real PostgreSQL server process on 127.0.0.1
(a closed port for the dead one), through the deployment's own settings."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

# Slow (waits out database timeouts): `make test` runs it, `make test-fast` does not.
pytestmark = pytest.mark.slow

ROOT = Path(settings.BASE_DIR)
PG = ("127.0.0.1", 5432)


def _env(database_url: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PYTEST"))}
    env.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="config.settings", **extra)
    return env


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nobody listens


DEAD_SCRIPT = """
import json, django
django.setup()
from django.test import Client
from psycopg_pool import ConnectionPool

waits = []
original = ConnectionPool.getconn
def counted(self, *a, **k):
    waits.append(1)
    return original(self, *a, **k)
ConnectionPool.getconn = counted

from django.conf import settings
client = Client(raise_request_exception=False)
client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32  # the session is read from the database
out = []
for path in ("/webapi/schools/search", "/webapi/schools/search", "/api/v1/me"):
    response = client.get(path)
    out.append([response.status_code, response["Content-Type"], len(waits)])
print(json.dumps(out))
"""


def test_a_dead_database_costs_one_wait_then_answers_503_at_once(tmp_path):
    url = f"postgres://postgres@127.0.0.1:{_closed_port()}/ejournal"
    result = subprocess.run(
        [sys.executable, "-c", DEAD_SCRIPT],
        cwd=ROOT,
        env=_env(url, EJOURNAL_DATA_DIR=str(tmp_path), DB_POOL_TIMEOUT="2"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    assert [a[0] for a in answers] == [503, 503, 503]
    assert answers[2][1].startswith("application/json")
    # Only the first request waited on the pool; the others were answered by the fuse.
    assert [a[2] for a in answers] == [1, 1, 1]


STALE_SCRIPT = """
import json, sys, django
django.setup()
import psycopg
from django.db import connection

def ask():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        value = cursor.fetchone()[0]
    connection.close()  # back into the pool, as at the end of a request
    return value

out = [ask()]
# The server drops every connection of this application (a restart, a failover).
with psycopg.connect(sys.argv[1], autocommit=True) as admin:
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE application_name = %s AND pid <> pg_backend_pid()",
        [sys.argv[2]],
    )
out.append(ask())
out.append(ask())
print(json.dumps(out))
"""


def test_connections_broken_while_pooled_are_replaced_not_handed_out(tmp_path):
    try:
        socket.create_connection(PG, timeout=2).close()
    except OSError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL на 127.0.0.1:5432 недоступен, а в CI он обязателен: {exc}")
        pytest.skip(f"PostgreSQL is not running on 127.0.0.1:5432: {exc}")
    app = f"ejournal_stale_{os.getpid()}"
    admin_url = "postgresql://postgres@127.0.0.1:5432/postgres"
    result = subprocess.run(
        [sys.executable, "-c", STALE_SCRIPT, admin_url, app],
        cwd=ROOT,
        env=_env(
            f"postgres://postgres@127.0.0.1:5432/postgres?application_name={app}",
            EJOURNAL_DATA_DIR=str(tmp_path),
            DB_POOL_MIN="2",
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [1, 1, 1]
