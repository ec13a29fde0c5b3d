import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from ejournal.core.request_context import (
    client_ip,
    is_background_poll,
    reset_request_meta,
    set_request_meta,
)

LAST_SEEN_KEY = "ejournal_last_seen"
# A family's «Запомнить это устройство»: no idle timeout, the session lasts
# SESSION_REMEMBER_DAYS from the last visit (each write of the session slides it).
REMEMBER_KEY = "ejournal_remember"
# The school a user with roles in several schools has chosen (``school.context``).
SESSION_SCHOOL_KEY = "ejournal_school_id"
# Writing the session on every request would cost a write per page at the peaks;
# a minute of slack on a 30-minute timeout is harmless.
LAST_SEEN_WRITE_INTERVAL = 60


class SessionActivityMiddleware:
    """Ends a session after ``SESSION_IDLE_TIMEOUT`` seconds without requests, and exposes
    the caller's IP and user agent to the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            idle = last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT
            if idle and not request.session.get(REMEMBER_KEY):
                logout(request)
                messages.info(request, "Сеанс завершён из-за бездействия. Войдите снова.")
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
            if (
                last_seen is None or now - last_seen >= LAST_SEEN_WRITE_INTERVAL
            ) and not is_background_poll(request):
                request.session[LAST_SEEN_KEY] = now
        token = set_request_meta(
            {
                "ip": client_ip(request),
                "user_agent": request.META.get("HTTP_USER_AGENT", ""),
            }
        )
        try:
            return self.get_response(request)
        finally:
            reset_request_meta(token)


class ForcePasswordChangeMiddleware:
    """Issued credentials must be replaced at the first sign-in before anything else."""

    # Signing out everywhere too: whoever else used the letter's password first is shown
    # the same page, and its «Выйти на всех устройствах» must work before the change.
    ALLOWED_URL_NAMES = {
        "accounts:password_change",
        "accounts:logout",
        "accounts:logout_everywhere",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.must_change_password:
            match = request.resolver_match or _resolve(request.path_info)
            name = f"{match.namespace}:{match.url_name}" if match and match.namespace else None
            if name not in self.ALLOWED_URL_NAMES and not request.path.startswith(
                settings.STATIC_URL
            ):
                return redirect("accounts:password_change")
        return self.get_response(request)


def _resolve(path):
    from django.urls import Resolver404, resolve

    try:
        return resolve(path)
    except Resolver404:
        return None
