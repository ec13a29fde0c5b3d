"""Django's PostgreSQL backend with a fuse for a database that has gone away.

With the connection pool, every request to a dead database waits the pool's whole
timeout for a connection that never comes, so the workers pile up behind it. After one
such failure this backend answers "unreachable" at once for ``DB_DOWN_RETRY_SECONDS``
(the 503 page says to try again), then lets one request try again. Pooled connections are
checked on checkout (CONN_HEALTH_CHECKS), so the ones broken while it was down are
replaced instead of failing the first requests after it returns.

    DATABASES["default"]["ENGINE"] = "ejournal.core.pgpool"
"""

from __future__ import annotations

import threading
import time

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base
from psycopg_pool import PoolTimeout

_lock = threading.Lock()
_down_until = 0.0


def _retry_seconds() -> float:
    return float(getattr(settings, "DB_DOWN_RETRY_SECONDS", 5))


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        global _down_until
        if time.monotonic() < _down_until:
            raise psycopg.OperationalError("база данных недоступна (повторная попытка позже)")
        try:
            return super().get_new_connection(conn_params)
        except (PoolTimeout, psycopg.OperationalError):
            with _lock:
                _down_until = time.monotonic() + _retry_seconds()
            raise


def fuse_reset() -> None:
    """Forget a recorded outage (tests, and after an administrator's check)."""
    global _down_until
    _down_until = 0.0
