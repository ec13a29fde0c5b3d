"""Writes of the compatibility API: app passwords, login challenges, sessions.

Nothing here writes diary data: the API is read-only. Every change of an app password and
every sign-in is audited; failed sign-ins of a known user are audited too.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ejournal.accounts.models import User
from ejournal.audit import services as audit
from ejournal.diary import selectors as diary
from ejournal.school.models import School
from ejournal.webapi import credentials
from ejournal.webapi.models import AppPassword, AppSignIn, EndReason, WebapiSession

CHALLENGE_TTL = dt.timedelta(minutes=10)
# Stale challenges of clients that never logged in, and long-dead sessions, are dropped.
STALE_AFTER = dt.timedelta(days=1)
ENDED_KEPT = dt.timedelta(days=30)
# A session's last use is written at most this often: not a write per request.
TOUCH_INTERVAL = dt.timedelta(seconds=60)
BAD_CREDENTIALS = "Неверный логин или пароль для сторонних приложений."


def idle_timeout() -> dt.timedelta:
    return dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT)


def max_age() -> dt.timedelta:
    return dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)


# --- App passwords -----------------------------------------------------------------------


def _family_school(user):
    students = diary.family_students(user)
    return students[0].school if students else None


def _end_sessions(*, user, reason: str, app_password: AppPassword | None = None) -> int:
    sessions = WebapiSession.objects.filter(user=user, ended_at__isnull=True)
    if app_password is not None:
        sessions = sessions.filter(app_password=app_password)
    return sessions.update(ended_at=timezone.now(), end_reason=reason, token_hash=None)


@transaction.atomic
def app_password_create(*, user: User, actor: User | None = None) -> tuple[AppPassword, str]:
    """A new app password for ``user`` (replacing the active one); the password is returned
    once and kept only as its encrypted MD5."""
    if not diary.family_students(user):
        raise PermissionError("Пароль для сторонних приложений — только для учеников и родителей.")
    User.objects.select_for_update().filter(pk=user.pk).first()
    replaced = _revoke_active(user=user)
    password = credentials.new_password()
    app_password = AppPassword.objects.create(
        user=user, secret=credentials.encrypt(credentials.password_md5(password))
    )
    audit.record(
        action="webapi.app_password_created",
        actor=actor or user,
        school=_family_school(user),
        obj=app_password,
        after={"user": user.pk, "replaced": replaced},
    )
    return app_password, password


def _revoke_active(*, user: User) -> list[int]:
    active = list(AppPassword.objects.filter(user=user, revoked_at__isnull=True))
    for item in active:
        item.revoked_at = timezone.now()
        item.save(update_fields=["revoked_at"])
        _end_sessions(user=user, reason=EndReason.REVOKED, app_password=item)
    return [item.pk for item in active]


@transaction.atomic
def app_password_revoke(*, user: User, actor: User | None = None, reason: str = "") -> bool:
    """Turn off third-party access: the app password stops working, its sessions end."""
    revoked = _revoke_active(user=user)
    ended = _end_sessions(user=user, reason=EndReason.REVOKED)
    if revoked or ended:
        audit.record(
            action="webapi.app_password_revoked",
            actor=actor or user,
            school=_family_school(user),
            object_type="webapi.apppassword",
            object_id=",".join(str(pk) for pk in revoked),
            after={"user": user.pk, "sessions_ended": ended},
            reason=reason,
        )
    return bool(revoked or ended)


def revoke_for_account(user: User, *, actor: User | None, reason: str) -> None:
    """For ``registry.ACCESS_REVOKERS``: a compromised account, or one given a new
    password, loses third-party access at once."""
    app_password_revoke(user=user, actor=actor, reason=reason)


# --- Login challenge and sessions ---------------------------------------------------------


@dataclass
class Challenge:
    session: WebapiSession
    cookie: str | None  # a new cookie value to set, None when the client's one is kept
    lt: str
    ver: str
    salt: str


def _cleanup(now: dt.datetime) -> None:
    WebapiSession.objects.filter(
        Q(user__isnull=True, created_at__lt=now - STALE_AFTER)
        | Q(ended_at__lt=now - ENDED_KEPT)
        | Q(expires_at__lt=now - ENDED_KEPT)
    ).delete()


def session_by_cookie(cookie: str | None) -> WebapiSession | None:
    if not cookie:
        return None
    return (
        WebapiSession.objects.select_related("user", "app_password", "school")
        .filter(key_hash=credentials.token_hash(cookie))
        .first()
    )


@transaction.atomic
def challenge_issue(*, cookie: str | None) -> Challenge:
    """``auth/getdata``: a fresh salt bound to the client's session. A known cookie keeps
    its session row whatever its state (expired, logged out): netschoolapi re-sends the
    request that failed with its old cookie after logging in again, so that cookie must be
    live again. A signed cookie whose row was cleaned up gets its row back for the same
    reason (a planted cookie gains nothing: see ``credentials.session_cookie``)."""
    now = timezone.now()
    _cleanup(now)
    session = session_by_cookie(cookie)
    new_cookie = None
    if session is None and cookie and credentials.cookie_user(cookie) is not None:
        session = WebapiSession.objects.create(key_hash=credentials.token_hash(cookie))
    elif session is None:
        new_cookie = credentials.session_cookie()
        session = WebapiSession.objects.create(key_hash=credentials.token_hash(new_cookie))
    session.challenge_lt = secrets.token_hex(16)
    session.challenge_salt = secrets.token_hex(8)
    session.challenge_at = now
    session.save(update_fields=["challenge_lt", "challenge_salt", "challenge_at"])
    return Challenge(session, new_cookie, session.challenge_lt, "1", session.challenge_salt)


class LoginFailed(Exception):
    def __init__(self, message: str = BAD_CREDENTIALS):
        super().__init__(message)
        self.message = message


@dataclass
class LoginResult:
    session: WebapiSession
    token: str
    cookie: str | None  # a new cookie to set, None when the client's one is kept
    user: User  # the session's, signed in now


def _challenge_session(*, cookie: str | None, lt: str) -> WebapiSession | None:
    session = session_by_cookie(cookie)
    if session is None and lt:
        # Clients without a cookie jar: the challenge handle alone finds the session.
        session = WebapiSession.objects.filter(challenge_lt=lt).first()
    return session


def session_login(
    *, cookie: str | None, lt: str, school_id: str, username: str, pw: str, pw2: str
) -> LoginResult:
    """``login``: check the app password's proof against the session's salt. Only an app
    password works, never the account's real password."""
    now = timezone.now()
    session = _challenge_session(cookie=cookie, lt=lt)
    if session is None or not session.challenge_lt:
        raise LoginFailed("Сеанс входа не найден: начните вход заново.")
    fresh = session.challenge_at and now - session.challenge_at <= CHALLENGE_TTL
    if not fresh or not hmac.compare_digest(session.challenge_lt, lt or ""):
        _consume_challenge(session)
        raise LoginFailed("Сеанс входа устарел: начните вход заново.")
    salt = session.challenge_salt
    # A challenge answers one attempt: a captured pw2 cannot be replayed.
    _consume_challenge(session)

    school = School.objects.filter(pk=int(school_id)).first() if school_id.isdigit() else None
    user = User.objects.filter(username=username, is_active=True).first() if username else None
    app_password = (
        AppPassword.objects.filter(user=user, revoked_at__isnull=True).first() if user else None
    )
    h = credentials.decrypt(app_password.secret) if app_password else None
    students = (
        [s for s in diary.family_students(user) if s.school_id == school.pk]
        if user and school
        else []
    )
    if h is None or not credentials.proof_matches(salt=salt, h=h, pw2=pw2, pw=pw):
        _record_failure(user=user, school=school, reason="password")
        raise LoginFailed()
    if user is None or not students:  # no user, no students
        _record_failure(user=user, school=school, reason="no_students_in_school")
        raise LoginFailed("В этой школе нет дневников, доступных этой учётной записи.")
    return _sign_in(
        session=session, user=user, app_password=app_password, school=school, cookie=cookie
    )


def _consume_challenge(session: WebapiSession) -> None:
    WebapiSession.objects.filter(pk=session.pk).update(challenge_lt="", challenge_salt="")


@transaction.atomic
def _record_failure(*, user, school, reason: str) -> None:
    if user is None:
        return
    audit.record(
        action="webapi.login_failed",
        actor=user,
        school=school,
        obj=user,
        after={"reason": reason, "school": getattr(school, "pk", None)},
    )


@transaction.atomic
def _sign_in(*, session, user: User, app_password, school, cookie) -> LoginResult:
    from ejournal.core.request_context import current_request_meta

    now = timezone.now()
    token = credentials.new_token()
    new_cookie = None
    if credentials.cookie_user(cookie) != user.pk:
        new_cookie = credentials.session_cookie(user.pk)
        session.key_hash = credentials.token_hash(new_cookie)
    session.user = user
    session.app_password = app_password
    session.school = school
    session.user_epoch = user.session_epoch
    session.token_hash = credentials.token_hash(token)
    session.signed_in_at = session.last_used_at = now
    session.expires_at = now + idle_timeout()
    session.challenge_lt = session.challenge_salt = ""
    session.ended_at, session.end_reason = None, ""
    session.save()
    AppPassword.objects.filter(pk=app_password.pk).update(last_used_at=now)
    meta = current_request_meta()
    AppSignIn.objects.create(
        app_password=app_password,
        school=school,
        ip=meta.get("ip"),
        user_agent=(meta.get("user_agent") or "")[:300],
    )
    audit.record(
        action="webapi.login",
        actor=user,
        school=school,
        obj=session,
        after={"app_password": app_password.pk},
    )
    return LoginResult(session, token, new_cookie, user)


def session_is_live(session: WebapiSession | None, now: dt.datetime) -> bool:
    if session is None or session.user_id is None or session.ended_at is not None:
        return False
    user, app_password = session.user, session.app_password
    return bool(
        user is not None
        and session.expires_at
        and session.expires_at > now
        and session.signed_in_at
        and now - session.signed_in_at < max_age()
        and user.is_active
        and user.session_epoch == session.user_epoch
        and app_password is not None
        and app_password.revoked_at is None
    )


def session_touch(session: WebapiSession, now: dt.datetime) -> None:
    """Slide the idle timeout; written at most once a minute per session."""
    if session.last_used_at and now - session.last_used_at < TOUCH_INTERVAL:
        return
    session.last_used_at = now
    session.expires_at = now + idle_timeout()
    WebapiSession.objects.filter(pk=session.pk).update(
        last_used_at=now, expires_at=session.expires_at
    )
    if session.app_password_id:
        AppPassword.objects.filter(pk=session.app_password_id).update(last_used_at=now)


@transaction.atomic
def session_logout(session: WebapiSession) -> None:
    WebapiSession.objects.filter(pk=session.pk).update(
        ended_at=timezone.now(), end_reason=EndReason.LOGOUT, token_hash=None
    )
    audit.record(action="webapi.logout", actor=session.user, school=session.school, obj=session)
