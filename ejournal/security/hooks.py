"""Where security plugs into other apps: sign-in step, signals, profile, start page,
journal events."""

from __future__ import annotations

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.shortcuts import redirect
from django.urls import reverse

logger = logging.getLogger(__name__)


def sign_in_second_step(request, user, next_url: str):
    """After a correct password: ask for the code (or enrolment) before logging in."""
    from ejournal.accounts import two_factor

    if not two_factor.needs_second_step(user):
        return None
    two_factor.pending_start(request, user, next_url=next_url)
    if two_factor.is_enrolled(user):
        return redirect("security:two_factor_verify")
    return redirect("security:two_factor_setup")


def _on_logged_in(sender, request, user, **kwargs) -> None:
    from ejournal.core.request_context import client_ip
    from ejournal.security import sessions, tamper

    if request is None or not hasattr(request, "session"):
        return
    sessions.session_started(request=request, user=user)
    tamper.sign_in_seen(
        user=user, ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
    )


def _on_logged_out(sender, request, user, **kwargs) -> None:
    from ejournal.security import sessions

    if request is not None and hasattr(request, "session"):
        sessions.session_ended(session_key=request.session.session_key)


def _profile_section(request):
    from ejournal.accounts import two_factor

    user = request.user
    if two_factor.is_enrolled(user):
        left = two_factor.recovery_codes_left(user)
        text = f"Вход с кодом из приложения включён; резервных кодов: {left}."
    elif two_factor.is_required(user):
        text = "Для вашей роли вход с кодом обязателен: он будет настроен при следующем входе."
    else:
        text = "Вход с кодом из приложения выключен. Включите его, чтобы защитить учётную запись."
    return {
        "title": "Двухфакторная аутентификация",
        "text": text,
        "url": reverse("security:two_factor"),
    }


def _sessions_section(request):
    return {
        "title": "Мои сеансы",
        "text": (
            "Где выполнен вход: устройство, адрес, последняя активность. "
            "Любой сеанс можно завершить."
        ),
        "url": reverse("security:sessions"),
    }


def _school_policy_section(request):
    from ejournal.accounts.models import Role

    if request.ctx.school is None or Role.ADMIN not in request.ctx.roles:
        return None
    return {
        "title": "Вход с кодом в школе",
        "text": "Сделать вход с одноразовым кодом обязательным для учителей школы.",
        "url": reverse("security:school_policy"),
    }


def _start_page_alerts(request, role):
    from ejournal.security import tamper

    if role not in tamper.ALERT_READERS or request.ctx.school is None:
        return {}
    alerts = tamper.open_alerts(school=request.ctx.school, limit=5)
    lines = [
        (
            f"{alert.get_kind_display()}: {alert.actor}, изменений {alert.changes}",
            reverse("security:alerts"),
        )
        for alert in alerts
    ]
    return {
        "blocks": [
            {
                "title": "Подозрительная активность в журнале",
                "lines": lines,
                "empty": "Сигналов нет.",
            }
        ]
    }


def _on_mark_changed(*, school_id, lesson_id, work_id, student_id, before, after) -> None:
    from ejournal.security import tasks

    try:
        tasks.check_mark_change.enqueue(school_id=school_id, work_id=work_id, student_id=student_id)
    except Exception:
        logger.exception("Не удалось поставить проверку изменения отметки в очередь")


def _on_mark_changes(payloads: list[dict]) -> None:
    from ejournal.security import tasks

    changes = [
        {"school_id": p["school_id"], "work_id": p["work_id"], "student_id": p["student_id"]}
        for p in payloads
    ]
    try:
        tasks.check_mark_changes.enqueue(changes=changes)
    except Exception:
        logger.exception("Не удалось поставить проверку изменений отметок в очередь")


_on_mark_changed.many = _on_mark_changes  # type: ignore[attr-defined]


def _on_message_sent(*, school_id, sender_id, recipients, sent_at) -> None:
    from ejournal.security import tasks

    try:
        tasks.check_messages_sent.enqueue(
            school_id=school_id, sender_id=sender_id, sent_at=sent_at.isoformat()
        )
    except Exception:
        logger.exception("Не удалось поставить проверку рассылки в очередь")


def _admin_login(request, extra_context=None):
    # The admin site's own login form would skip the code step: use ours.
    from urllib.parse import urlencode

    target = request.GET.get("next", "/django-admin/")
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


def register() -> None:
    from django.contrib import admin

    from ejournal.accounts import selectors as account_selectors
    from ejournal.accounts import views as account_views
    from ejournal.journal import events

    user_logged_in.connect(_on_logged_in, dispatch_uid="ejournal.security.logged_in")
    user_logged_out.connect(_on_logged_out, dispatch_uid="ejournal.security.logged_out")
    for hook, target in (
        (sign_in_second_step, account_views.SIGN_IN_STEPS),
        (_profile_section, account_selectors.PROFILE_SECTIONS),
        (_sessions_section, account_selectors.PROFILE_SECTIONS),
        (_school_policy_section, account_selectors.PROFILE_SECTIONS),
        (_start_page_alerts, account_selectors.START_PAGE_EXTENSIONS),
    ):
        if hook not in target:
            target.append(hook)
    events.subscribe(events.MARK_CHANGED, _on_mark_changed)
    from ejournal.messaging import services as messaging

    if _on_message_sent not in messaging.SENT_HOOKS:
        messaging.SENT_HOOKS.append(_on_message_sent)
    admin.site.login = _admin_login  # type: ignore[method-assign]
