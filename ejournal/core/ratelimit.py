"""A small fixed-window rate limiter on Django's cache, reusable by any view or API.

    from ejournal.core import ratelimit

    if ratelimit.hit("api_token", key=ratelimit.client_key(request), rate="60/60"):
        return ratelimit.too_many_requests(request)

or as a decorator: ``@ratelimit.limit("webapi", rate="120/60")``. ``rate`` is
"count/seconds" or "count/<sec|min|hour|day>", or the name of an entry in
``settings.RATE_LIMITS``; an empty rate is no limit. The one limiter of the project: the
sign-in and two-factor limits, the REST API's per-token and per-address limits and the
``/webapi`` sign-in limits all count here, in the cache ``RATE_LIMIT_CACHE`` (shared by
every worker of the machine: a SQLite file of its own, or Redis when ``REDIS_URL`` is set).
"""

from __future__ import annotations

import functools
import hashlib
import math
import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

from ejournal.core.request_context import client_ip


def _cache():
    return caches[getattr(settings, "RATE_LIMIT_CACHE", "default")]


PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """'20/900' -> (20, 900); '300/min' -> (300, 60); '' or None -> None (no limit)."""
    rate = getattr(settings, "RATE_LIMITS", {}).get(rate, rate)
    if not rate:
        return None
    count, _, period = str(rate).partition("/")
    period = period.strip().lower() or "60"
    return int(count), int(period) if period.isdigit() else PERIODS[period]


def _window_key(scope: str, key: str, seconds: int, now: float) -> tuple[str, int]:
    window = int(now // seconds)
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}:{window}", int((window + 1) * seconds - now) + 1


def hit_wait(scope: str, *, key: str, rate: str | None) -> int | None:
    """Count one request; the seconds to wait when it is over the limit, else None."""
    parsed = parse_rate(rate)
    if parsed is None:
        return None
    limit, seconds = parsed
    now = time.time()
    cache_key, ttl = _window_key(scope, key, seconds, now)
    cache = _cache()
    cache.add(cache_key, 0, ttl)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, ttl)
        count = 1
    return max(1, math.ceil(seconds - now % seconds)) if count > limit else None


def hit(scope: str, *, key: str, rate: str | None) -> bool:
    """Count one request; True when it is over the limit (the caller answers 429)."""
    return hit_wait(scope, key=key, rate=rate) is not None


def is_limited(scope: str, *, key: str, rate: str | None) -> bool:
    """Whether the key is already over the limit, without counting a request."""
    parsed = parse_rate(rate)
    if parsed is None:
        return False
    limit, seconds = parsed
    cache_key, _ = _window_key(scope, key, seconds, time.time())
    return (_cache().get(cache_key) or 0) >= limit


def retry_after(rate: str | None) -> int:
    parsed = parse_rate(rate)
    seconds = parsed[1] if parsed else 60
    return max(1, math.ceil(seconds - time.time() % seconds))


def reset(scope: str, *, key: str, rate: str | None) -> None:
    parsed = parse_rate(rate)
    if parsed is None:
        return
    cache_key, _ = _window_key(scope, key, parsed[1], time.time())
    _cache().delete(cache_key)


def client_key(request) -> str:
    return client_ip(request) or "unknown"


def user_or_ip_key(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_key(request)}"


def too_many_requests(request, *, retry: int = 60) -> HttpResponse:
    """429 in Russian: JSON for API paths, a page for everything else."""
    message = "Слишком много запросов. Подождите немного и попробуйте снова."
    if request.path.startswith(("/api/", "/webapi/")):
        response: HttpResponse = JsonResponse({"detail": message, "retry_after": retry}, status=429)
    else:
        response = HttpResponse(
            render_to_string("errors/429.html", {"message": message, "retry": retry}),
            status=429,
        )
    response["Retry-After"] = str(retry)
    return response


def limit(scope: str, *, rate: str, key=user_or_ip_key, methods: tuple[str, ...] = ()):
    """Decorator: answer 429 once ``key(request)`` exceeds ``rate`` in ``scope``."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if (not methods or request.method in methods) and hit(
                scope, key=key(request), rate=rate
            ):
                return too_many_requests(request, retry=retry_after(rate))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
