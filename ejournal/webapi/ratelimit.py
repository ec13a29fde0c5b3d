"""Fixed-window limits on ``/webapi`` logins, counted in the Django cache.

Per client IP (a bot serving many families signs in often, so it is generous) and per
login name (guessing one account's password). Settings ``WEBAPI_LOGIN_LIMIT_PER_IP``,
``WEBAPI_LOGIN_LIMIT_PER_LOGIN`` and ``WEBAPI_LOGIN_WINDOW_SECONDS`` override the defaults.
With several server processes the cache must be shared (e.g. Redis or the database cache)
for the limits to hold across them.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

DEFAULT_PER_IP = 60
DEFAULT_PER_LOGIN = 10
DEFAULT_WINDOW = 600


def _window() -> int:
    return int(getattr(settings, "WEBAPI_LOGIN_WINDOW_SECONDS", DEFAULT_WINDOW))


def _key(kind: str, value: str, window_start: int) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"webapi:login:{kind}:{digest}:{window_start}"


def login_attempt(*, ip: str | None, login: str) -> int | None:
    """Count one login attempt; the seconds to wait when over a limit, else None."""
    window = _window()
    now = int(time.time())
    start = now - now % window
    limits = [
        ("ip", ip or "-", int(getattr(settings, "WEBAPI_LOGIN_LIMIT_PER_IP", DEFAULT_PER_IP))),
        (
            "login",
            login or "-",
            int(getattr(settings, "WEBAPI_LOGIN_LIMIT_PER_LOGIN", DEFAULT_PER_LOGIN)),
        ),
    ]
    over = False
    for kind, value, limit in limits:
        key = _key(kind, value, start)
        cache.add(key, 0, timeout=window + 5)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=window + 5)
            count = 1
        over = over or count > limit
    return max(1, start + window - now) if over else None
