"""Who is calling: a personal access token (``Authorization: Bearer ejt_…``) or the web
session (with CSRF on writes). Either way the request gets ``request.user`` and the same
``request.ctx`` (``SchoolContext``) the web pages use, so the permission helpers of the
apps apply unchanged. A user of several schools picks one with the ``X-School`` header
(the school's id); with one school it is implied.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

from django.conf import settings
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from ejournal.accounts.models import User
from ejournal.api import services
from ejournal.api.errors import ApiError, not_found, rate_limited, unauthorized
from ejournal.api.models import ApiToken
from ejournal.core import ratelimit
from ejournal.core.request_context import client_ip
from ejournal.school.context import Membership, SchoolContext
from ejournal.school.http import AuthedRequest
from ejournal.school.models import School

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SCHOOL_HEADER = "X-School"


class ApiContext(SchoolContext):
    """The web's school context; the school comes from ``X-School`` when it is sent."""

    @cached_property
    def current(self) -> Membership | None:
        wanted = self._request.headers.get(SCHOOL_HEADER, "").strip()
        if not wanted:
            return super().current
        for m in self.memberships:
            if m.school is not None and str(m.school.pk) == wanted:
                return m
        raise ApiError(404, "not_found", "Школа из заголовка X-School не найдена среди ваших школ.")


class ApiRequest(AuthedRequest):
    """The request an endpoint gets once ``TokenAuth`` or ``SessionAuth`` let it in:
    ``user``, ``ctx`` (an ``ApiContext``) and ``api_token`` (None for the web session) are
    set by ``_enter``. For type annotations only."""

    api_token: ApiToken | None


def _limit(key: str, setting: str) -> None:
    """The REST API's limits (``API_RATE_LIMIT_TOKEN`` / ``_IP``: "N/sec|min|hour|day",
    empty = off), counted by the project's one limiter."""
    wait = ratelimit.hit_wait("api", key=key, rate=getattr(settings, setting))
    if wait:
        raise rate_limited(wait)


def _enter(request, user: User, token: ApiToken | None) -> None:
    if request.method not in SAFE_METHODS and token is not None and not token.can_write:
        raise ApiError(
            403,
            "read_only_token",
            "Токен выдан только для чтения: для изменений нужен токен с доступом на запись.",
        )
    request.user = user
    request.api_token = token
    request.ctx = ApiContext(request)


class TokenAuth(HttpBearer):
    """Personal access tokens. Also counts every request against the caller's IP first."""

    def __call__(self, request):
        _limit(f"ip:{client_ip(request)}", "API_RATE_LIMIT_IP")
        header = request.headers.get(self.header, "")
        if not header:
            return None
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer":
            raise unauthorized("Неизвестная схема авторизации: используйте «Bearer <токен>».")
        return self.authenticate(request, raw)

    def authenticate(self, request, token: str):
        found = services.token_authenticate(token, ip=client_ip(request))
        if found is None:
            raise unauthorized("Токен недействителен, истёк или отозван.")
        _limit(f"token:{found.pk}", "API_RATE_LIMIT_TOKEN")
        _enter(request, found.user, found)
        return found


class SessionAuth(NinjaSessionAuth):
    """The signed-in web session; writes need the CSRF token (``X-CSRFToken``)."""

    def __call__(self, request):
        if not request.user.is_authenticated:
            return None  # no session: answer 401, not a CSRF failure
        return super().__call__(request)

    def authenticate(self, request, key):
        user = request.user
        if not user.is_authenticated:
            return None
        _limit(f"user:{user.pk}", "API_RATE_LIMIT_TOKEN")
        _enter(request, user, None)
        return user


# --- What the endpoints need of the context -------------------------------------------------


def school_of(request: ApiRequest) -> School:
    """The school the call is about; 400 when a user of several schools did not pick one."""
    ctx = request.ctx
    if ctx.needs_choice:
        raise ApiError(
            400,
            "school_required",
            "У вас несколько школ: укажите нужную в заголовке X-School (её id из /me).",
        )
    if ctx.school is None:
        raise not_found()
    return ctx.school


def require_roles(request: ApiRequest, roles: Iterable[str]) -> None:
    """Forbidden looks like missing, as on the web pages."""
    school_of(request)
    if not (request.ctx.roles & set(roles)):
        raise not_found()
