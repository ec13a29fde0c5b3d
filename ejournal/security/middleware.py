"""Security headers, session tracking, and a 503 when the database is unreachable."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.handlers.exception import response_for_exception
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from ejournal.core.request_context import is_background_poll
from ejournal.security import sessions

logger = logging.getLogger(__name__)
DB_DOWN_ATTR = "_ejournal_database_unavailable"
DB_ERRORS = (OperationalError, InterfaceError)


def _is_database_down(exc: BaseException | None) -> bool:
    # OperationalError also covers "database is locked" and deadlocks; all of them mean
    # "try again", which is what the 503 says.
    return isinstance(exc, DB_ERRORS)


def database_unavailable_response(request) -> HttpResponse:
    message = "Сервис временно недоступен: нет связи с базой данных."
    if request.path.startswith("/api/"):
        # The REST API's one error shape (ejournal.api.errors).
        response: HttpResponse = JsonResponse(
            {"error": {"code": "unavailable", "message": message, "details": None}}, status=503
        )
    elif request.path.startswith("/webapi/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        # No request context: rendering must not touch the session or the user (the DB).
        response = HttpResponse(render_to_string("security/503.html"), status=503)
    response["Retry-After"] = "60"
    response["Cache-Control"] = "no-store"
    return response


def _flag_database_errors(sender, request=None, **kwargs) -> None:
    import sys

    if request is not None and _is_database_down(sys.exc_info()[1]):
        setattr(request, DB_DOWN_ATTR, True)


got_request_exception.connect(_flag_database_errors, dispatch_uid="ejournal.security.db_down")


class DatabaseUnavailableMiddleware:
    """A Russian 503 page (JSON under /api/) instead of a 500 when the database is down.

    View errors arrive in ``process_exception``; errors in other middleware (loading the
    session, the user) were already turned into a 500 below us, so the signal handler
    above flags the request and the 500 is replaced here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, DB_DOWN_ATTR, False):
            return database_unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if _is_database_down(exception):
            logger.error("Database unavailable: %s", exception)
            return database_unavailable_response(request)
        if isinstance(exception, OverflowError):
            # An id past what the database holds (2^63 and beyond) names nothing.
            return response_for_exception(request, Http404())
        return None


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response; user files are
    never rendered in place (see README: uploads)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = settings.CONTENT_SECURITY_POLICY
        self.permissions = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.csp and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.csp
        if self.permissions:
            response.setdefault("Permissions-Policy", self.permissions)
        disposition = response.get("Content-Disposition", "")
        if disposition.startswith("attachment"):
            # A downloaded file, even if opened in the browser, runs no script.
            response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class SessionTrackingMiddleware:
    """Keeps «Мои сеансы» current: last activity and address, at most once a minute."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and not is_background_poll(request):
            sessions.session_touch(request=request)
        return self.get_response(request)
