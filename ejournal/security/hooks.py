"""Security's answers to the extension points of ``core.registry`` (profile, start page,
changed marks, sent messages), and Django's sign-in signals."""

from __future__ import annotations

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.urls import reverse

logger = logging.getLogger(__name__)


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


def two_factor_section(request):
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


def sessions_section(request):
    return {
        "title": "Мои сеансы",
        "text": (
            "Где выполнен вход: устройство, адрес, последняя активность. "
            "Любой сеанс можно завершить."
        ),
        "url": reverse("security:sessions"),
    }


def school_policy_section(request):
    from ejournal.accounts.models import Role

    if request.ctx.school is None or Role.ADMIN not in request.ctx.roles:
        return None
    return {
        "title": "Вход с кодом в школе",
        "text": "Сделать вход с одноразовым кодом обязательным для учителей школы.",
        "url": reverse("security:school_policy"),
    }


def start_page_alerts(request, role):
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


def marks_changed(changes) -> None:
    """For ``registry.MARKS_CHANGED``: every changed mark is checked for tampering in the
    background (one task for a batch of cells)."""
    from ejournal.security import tasks

    keys = [
        {"school_id": c["school_id"], "work_id": c["work_id"], "student_id": c["student_id"]}
        for c in changes
    ]
    try:
        if len(keys) == 1:
            tasks.check_mark_change.enqueue(**keys[0])
        else:
            tasks.check_mark_changes.enqueue(changes=keys)
    except Exception:
        logger.exception("Не удалось поставить проверку изменений отметок в очередь")


def message_sent(*, school_id, sender_id, recipients, sent_at) -> None:
    """For ``registry.MESSAGE_SENT``: many messages at night raise an alert."""
    from ejournal.security import tasks

    try:
        tasks.check_messages_sent.enqueue(
            school_id=school_id, sender_id=sender_id, sent_at=sent_at.isoformat()
        )
    except Exception:
        logger.exception("Не удалось поставить проверку рассылки в очередь")


def register() -> None:
    user_logged_in.connect(_on_logged_in, dispatch_uid="ejournal.security.logged_in")
    user_logged_out.connect(_on_logged_out, dispatch_uid="ejournal.security.logged_out")
