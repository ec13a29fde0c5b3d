"""Fixed-window request limits kept in Django's cache (per token, per user and per IP).

Settings (read on every request, so they can be changed without a restart of the code):
``API_RATE_LIMIT_TOKEN`` (default "300/min": a token, or a signed-in session's user) and
``API_RATE_LIMIT_IP`` (default "600/min": any caller's address, before authentication, so
that guessing tokens is slow). The form is "<count>/<sec|min|hour|day>"; an empty value
switches the limit off. ``API_RATE_LIMIT_CACHE`` names the cache alias (default "default");
with several server processes it must be a shared cache (Redis, Memcached or database).
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import caches

DEFAULTS = {"API_RATE_LIMIT_TOKEN": "300/min", "API_RATE_LIMIT_IP": "600/min"}
PERIODS = {"s": 1, "sec": 1, "min": 60, "m": 60, "hour": 3600, "h": 3600, "day": 86400, "d": 86400}


def parse_rate(text: str | None) -> tuple[int, int] | None:
    """'300/min' -> (300, 60); empty -> None (no limit)."""
    if not text:
        return None
    count, _, period = str(text).partition("/")
    return int(count), PERIODS[period.strip().lower()]


def rate_for(setting: str) -> tuple[int, int] | None:
    return parse_rate(getattr(settings, setting, DEFAULTS[setting]))


def hit(key: str, setting: str) -> int | None:
    """Count one request under ``key``; the seconds to wait if it is over the limit."""
    rate = rate_for(setting)
    if rate is None:
        return None
    limit, window = rate
    cache = caches[getattr(settings, "API_RATE_LIMIT_CACHE", "default")]
    now = time.time()
    bucket = int(now // window)
    cache_key = f"ejournal-api-rl:{key}:{window}:{bucket}"
    if cache.add(cache_key, 1, window + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, window + 1)
            count = 1
    if count > limit:
        return max(1, math.ceil((bucket + 1) * window - now))
    return None
