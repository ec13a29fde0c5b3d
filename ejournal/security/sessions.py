"""Active sessions of a user: recorded at sign-in, touched by middleware, revocable."""

from __future__ import annotations

import datetime as dt
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ejournal.accounts.middleware import REMEMBER_KEY
from ejournal.audit import services as audit
from ejournal.core.request_context import client_ip
from ejournal.security.models import UserSession

TOUCH_KEY = "ejournal_session_touched"
TOUCH_INTERVAL = 60


def _store(session_key: str | None = None):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def session_started(*, request, user) -> UserSession | None:
    key = request.session.session_key
    if not key:
        request.session.save()
        key = request.session.session_key
    now = timezone.now()
    row, _ = UserSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "epoch": user.session_epoch,
            "created_at": now,
            "last_activity": now,
            "ip": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:400],
            "two_factor": False,
            "remembered": bool(request.session.get(REMEMBER_KEY)),
        },
    )
    request.session[TOUCH_KEY] = int(now.timestamp())
    return row


def session_ended(*, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def session_touch(*, request) -> None:
    """At most once a minute per session: one UPDATE of its last activity."""
    now = timezone.now()
    last = request.session.get(TOUCH_KEY)
    if last is not None and now.timestamp() - last < TOUCH_INTERVAL:
        return
    request.session[TOUCH_KEY] = int(now.timestamp())
    key = request.session.session_key
    if not key:
        return
    touched = UserSession.objects.filter(session_key=key).update(
        last_activity=now, ip=client_ip(request)
    )
    if not touched and request.user.is_authenticated:
        # The session's key changed under it (a password change cycles it): the row of
        # the old key would be a ghost and this browser unlisted. Drop the rows whose
        # sessions are gone and record this one.
        store = _store()
        for row in UserSession.objects.filter(user=request.user):
            if not store.exists(row.session_key):
                row.delete()
        session_started(request=request, user=request.user)


def active_sessions(*, user) -> list[UserSession]:
    """Sessions still alive: same epoch, not idle too long, not past the absolute lifetime
    (a remembered device: visited within ``SESSION_REMEMBER_DAYS``)."""
    now = timezone.now()
    ordinary = Q(
        remembered=False,
        last_activity__gte=now - dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT),
        created_at__gte=now - dt.timedelta(seconds=settings.SESSION_COOKIE_AGE),
    )
    remembered = Q(
        remembered=True,
        last_activity__gte=now - dt.timedelta(days=settings.SESSION_REMEMBER_DAYS),
    )
    return list(
        UserSession.objects.filter(
            ordinary | remembered, user=user, epoch=user.session_epoch
        ).order_by("-last_activity")
    )


@transaction.atomic
def session_revoke(*, user, session_id: int) -> None:
    row = UserSession.objects.filter(user=user, pk=session_id).first()
    if row is None:
        raise ValidationError("Такого сеанса нет.")
    _store(row.session_key).delete(row.session_key)
    row.delete()
    audit.record(
        action="auth.session_revoked",
        actor=user,
        obj=user,
        before={"session": row.pk, "ip": row.ip, "user_agent": row.user_agent},
    )
