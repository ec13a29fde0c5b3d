"""Limits on ``/webapi`` sign-ins, counted by the project's limiter
(``ejournal.core.ratelimit``).

Per client IP (a bot serving many families signs in often, so it is generous) and per
login name (guessing one account's password). Settings ``WEBAPI_LOGIN_LIMIT_PER_IP``,
``WEBAPI_LOGIN_LIMIT_PER_LOGIN`` and ``WEBAPI_LOGIN_WINDOW_SECONDS``.
"""

from __future__ import annotations

from django.conf import settings

from ejournal.core import ratelimit


def login_attempt(*, ip: str | None, login: str) -> int | None:
    """Count one sign-in attempt against both limits; the seconds to wait when over
    either, else None."""
    window = settings.WEBAPI_LOGIN_WINDOW_SECONDS
    waits = [
        ratelimit.hit_wait(
            "webapi_login_ip", key=ip or "-", rate=f"{settings.WEBAPI_LOGIN_LIMIT_PER_IP}/{window}"
        ),
        ratelimit.hit_wait(
            "webapi_login",
            key=(login or "-").strip().lower(),
            rate=f"{settings.WEBAPI_LOGIN_LIMIT_PER_LOGIN}/{window}",
        ),
    ]
    return max((w for w in waits if w is not None), default=None)


def challenge_attempt(*, ip: str | None) -> int | None:
    """Count one anonymous ``auth/getdata`` (each may create a session row until it is
    cleaned up): as many per address as sign-ins, since every sign-in starts with one."""
    window = settings.WEBAPI_LOGIN_WINDOW_SECONDS
    return ratelimit.hit_wait(
        "webapi_getdata_ip", key=ip or "-", rate=f"{settings.WEBAPI_LOGIN_LIMIT_PER_IP}/{window}"
    )
