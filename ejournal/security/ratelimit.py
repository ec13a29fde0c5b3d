"""A small fixed-window rate limiter on Django's cache, reusable by any view or API.

    from ejournal.security import ratelimit

    if ratelimit.hit("api_token", key=ratelimit.client_key(request), rate="60/60"):
        return ratelimit.too_many_requests(request)

or as a decorator: ``@ratelimit.limit("webapi", rate="120/60")``. ``rate`` is
"count/seconds", or the name of an entry in ``settings.RATE_LIMITS``.
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


def parse_rate(rate: str) -> tuple[int, int]:
    rate = getattr(settings, "RATE_LIMITS", {}).get(rate, rate)
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds or 60)


def _window_key(scope: str, key: str, seconds: int, now: float) -> tuple[str, int]:
    window = int(now // seconds)
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}:{window}", int((window + 1) * seconds - now) + 1


def hit(scope: str, *, key: str, rate: str) -> bool:
    """Count one request; True when it is over the limit (the caller answers 429)."""
    limit, seconds = parse_rate(rate)
    cache_key, ttl = _window_key(scope, key, seconds, time.time())
    cache = _cache()
    cache.add(cache_key, 0, ttl)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, ttl)
        count = 1
    return count > limit


def is_limited(scope: str, *, key: str, rate: str) -> bool:
    """Whether the key is already over the limit, without counting a request."""
    limit, seconds = parse_rate(rate)
    cache_key, _ = _window_key(scope, key, seconds, time.time())
    return (_cache().get(cache_key) or 0) >= limit


def retry_after(rate: str) -> int:
    _, seconds = parse_rate(rate)
    return max(1, math.ceil(seconds - time.time() % seconds))


def reset(scope: str, *, key: str, rate: str) -> None:
    _, seconds = parse_rate(rate)
    cache_key, _ = _window_key(scope, key, seconds, time.time())
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
            render_to_string("security/429.html", {"message": message, "retry": retry}),
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
