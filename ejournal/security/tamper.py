"""Unusual journal activity, for the deputy: marks changed at night, many existing
marks changed in a row by one account, or mark changes right after a staff sign-in
from a new device or network (the pattern of a stolen password).

``mark_change_check`` runs in a background task after each committed mark change; it
reads the change's own audit event, so it knows who, when and from where.

Alerts are for changes that bypass the journal's rules. A change applied through the
product's own review — a correction request the deputy approved, a compromised account's
operations reverted by the administrator — carries its reason in the audit event and is
never an alert, nor does it count towards one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import zoneinfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ejournal.accounts.models import STAFF_ROLES, Role, RoleAssignment
from ejournal.audit.models import AuditEvent
from ejournal.audit.services import chain_for
from ejournal.security.models import (
    AlertKind,
    KnownDevice,
    NewDeviceSignIn,
    TamperAlert,
)

# The deputy acts on the alerts; the director reads everything the deputy reads.
ALERT_HANDLERS = frozenset({Role.DEPUTY})
ALERT_READERS = frozenset({Role.DEPUTY, Role.DIRECTOR})

CHANGE_ACTIONS = ("mark.updated", "mark.deleted")
MARK_ACTIONS = ("mark.created", *CHANGE_ACTIONS)


def network_of(ip: str | None) -> str:
    if not ip:
        return "unknown"
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return "unknown"
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def fingerprint_of(user_agent: str) -> str:
    # Version numbers change with every browser update; the browser and system do not.
    stable = "".join(ch for ch in (user_agent or "") if not ch.isdigit())
    return hashlib.sha256(stable.encode()).hexdigest()[:32]


def sign_in_seen(*, user, ip: str | None, user_agent: str) -> bool:
    """Remember the device; record a staff sign-in from a new one. True if it was new."""
    if not RoleAssignment.objects.filter(user=user, active=True, role__in=STAFF_ROLES).exists():
        return False
    now = timezone.now()
    fingerprint, network = fingerprint_of(user_agent), network_of(ip)
    known = KnownDevice.objects.filter(user=user)
    had_any = known.exists()
    updated = known.filter(fingerprint=fingerprint, network=network).update(last_seen=now)
    if updated:
        return False
    try:
        with transaction.atomic():
            KnownDevice.objects.create(
                user=user, fingerprint=fingerprint, network=network, first_seen=now, last_seen=now
            )
    except IntegrityError:
        return False
    if not had_any:
        return False  # the very first sign-in sets the baseline
    NewDeviceSignIn.objects.create(
        user=user, created_at=now, ip=ip, user_agent=(user_agent or "")[:400]
    )
    return True


def _school_tz(school) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(school.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _raise(*, school_id, actor_id, kind, key, at, detail) -> TamperAlert | None:
    """Create the alert (and tell the deputies) or add one more change to it."""
    updated = TamperAlert.objects.filter(dedupe_key=key).update(
        changes=F("changes") + 1, last_at=at
    )
    if updated:
        return None
    try:
        with transaction.atomic():
            alert = TamperAlert.objects.create(
                school_id=school_id,
                actor_id=actor_id,
                kind=kind,
                dedupe_key=key,
                first_at=at,
                last_at=at,
                detail=detail,
            )
    except IntegrityError:
        TamperAlert.objects.filter(dedupe_key=key).update(changes=F("changes") + 1, last_at=at)
        return None
    _tell_deputies(alert)
    return alert


def _tell_deputies(alert: TamperAlert) -> None:
    from ejournal.notifications import services as notifications
    from ejournal.notifications.models import Event

    deputies = (
        RoleAssignment.objects.filter(
            school_id=alert.school_id, role=Role.DEPUTY, active=True, user__is_active=True
        )
        .select_related("user", "school")
        .order_by("user_id")
    )
    for assignment in deputies:
        notifications.notify(
            user=assignment.user,
            school=assignment.school,
            event=Event.MESSAGE,
            subject=f"Подозрительная активность в журнале: {alert.get_kind_display()}",
            body=f"{alert.actor}: {alert.detail}",
            url="/security/alerts/",
        )


@transaction.atomic
def mark_change_check(*, school_id: int, work_id: int, student_id: int) -> list[str]:
    """Check the latest audited change of one mark; returns the alert kinds it fed."""
    from ejournal.school.models import School

    event = (
        AuditEvent.objects.filter(
            object_type="journal.mark",
            object_id=f"{work_id}:{student_id}",
            action__in=MARK_ACTIONS,
            school_id=school_id,
        )
        .order_by("-seq")
        .first()
    )
    if event is None or event.actor_id is None or event.reason:
        return []
    school = School.objects.get(pk=school_id)
    local = timezone.localtime(event.created_at, _school_tz(school))
    fed: list[str] = []
    start, end = settings.TAMPER_SCHOOL_HOURS
    if not start <= local.hour < end:
        night = local.date() if local.hour >= end else local.date() - dt.timedelta(days=1)
        _raise(
            school_id=school_id,
            actor_id=event.actor_id,
            kind=AlertKind.NIGHT,
            key=f"night:{school_id}:{event.actor_id}:{night.isoformat()}",
            at=event.created_at,
            detail=(
                f"отметки изменялись в {local:%H:%M} {local:%d.%m.%Y}, "
                f"вне учебного времени ({start:02d}:00–{end:02d}:00)"
            ),
        )
        fed.append(AlertKind.NIGHT)
    if event.action in CHANGE_ACTIONS:
        minutes = settings.TAMPER_BURST_MINUTES
        since = event.created_at - dt.timedelta(minutes=minutes)
        recent = AuditEvent.objects.filter(
            chain=event.chain,
            actor_id=event.actor_id,
            action__in=CHANGE_ACTIONS,
            reason="",
            created_at__gt=since,
            created_at__lte=event.created_at,
        ).count()
        if recent > settings.TAMPER_BURST_CHANGES:
            open_alert = (
                TamperAlert.objects.filter(
                    kind=AlertKind.BURST,
                    actor_id=event.actor_id,
                    school_id=school_id,
                    last_at__gte=since,
                )
                .values_list("dedupe_key", flat=True)
                .first()
            )
            _raise(
                school_id=school_id,
                actor_id=event.actor_id,
                kind=AlertKind.BURST,
                key=open_alert or f"burst:{school_id}:{event.actor_id}:{event.seq}",
                at=event.created_at,
                detail=(
                    f"более {settings.TAMPER_BURST_CHANGES} исправлений выставленных отметок "
                    f"за {minutes} мин (с {local:%H:%M} {local:%d.%m.%Y})"
                ),
            )
            fed.append(AlertKind.BURST)
    lifetime = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    sign_in = (
        NewDeviceSignIn.objects.filter(
            user_id=event.actor_id,
            created_at__lte=event.created_at,
            created_at__gte=event.created_at - lifetime,
        )
        .order_by("-created_at")
        .first()
    )
    if sign_in and (event.ip is None or network_of(event.ip) == network_of(sign_in.ip)):
        _raise(
            school_id=school_id,
            actor_id=event.actor_id,
            kind=AlertKind.NEW_DEVICE,
            key=f"new_device:{school_id}:{sign_in.pk}",
            at=event.created_at,
            detail=(
                "вход с нового устройства или из новой сети "
                f"(адрес {sign_in.ip or 'неизвестен'}, "
                f"{timezone.localtime(sign_in.created_at, _school_tz(school)):%H:%M %d.%m.%Y}), "
                "после которого изменялись отметки"
            ),
        )
        if not sign_in.alerted:
            NewDeviceSignIn.objects.filter(pk=sign_in.pk).update(alerted=True)
        fed.append(AlertKind.NEW_DEVICE)
    return fed


@transaction.atomic
def messages_sent_check(*, school_id: int, sender_id: int, sent_at: dt.datetime) -> bool:
    """Mass messages from one account outside school hours (a hijacked teacher account
    writing to every parent at night): alert when the recipients of its messages within
    the last hour pass ``TAMPER_MASS_RECIPIENTS``. True when it fed an alert."""
    from ejournal.school.models import School

    school = School.objects.get(pk=school_id)
    local = timezone.localtime(sent_at, _school_tz(school))
    start, end = settings.TAMPER_SCHOOL_HOURS
    if start <= local.hour < end:
        return False
    recipients = sum(
        len((after or {}).get("recipients", []))
        for after in AuditEvent.objects.filter(
            chain=chain_for(school_id),
            actor_id=sender_id,
            action="message.sent",
            created_at__gt=sent_at - dt.timedelta(hours=1),
            created_at__lte=sent_at + dt.timedelta(seconds=1),
        ).values_list("after", flat=True)
    )
    if recipients <= settings.TAMPER_MASS_RECIPIENTS:
        return False
    night = local.date() if local.hour >= end else local.date() - dt.timedelta(days=1)
    _raise(
        school_id=school_id,
        actor_id=sender_id,
        kind=AlertKind.MASS_MESSAGES,
        key=f"mass:{school_id}:{sender_id}:{night.isoformat()}",
        at=sent_at,
        detail=(
            f"сообщения {recipients} получателям за час до {local:%H:%M} {local:%d.%m.%Y}, "
            f"вне учебного времени ({start:02d}:00–{end:02d}:00)"
        ),
    )
    return True


def open_alerts(*, school, limit: int = 20) -> list[TamperAlert]:
    return list(
        TamperAlert.objects.filter(school=school, acknowledged_at__isnull=True)
        .select_related("actor")
        .order_by("-last_at")[:limit]
    )


def alerts_of_school(*, school, limit: int = 200) -> list[TamperAlert]:
    return list(
        TamperAlert.objects.filter(school=school)
        .select_related("actor", "acknowledged_by")
        .order_by("acknowledged_at", "-last_at")[:limit]
    )


@transaction.atomic
def alert_acknowledge(*, actor, school, alert_id: int) -> TamperAlert:
    from django.core.exceptions import ValidationError

    from ejournal.audit import services as audit

    alert = TamperAlert.objects.select_for_update().filter(pk=alert_id, school=school).first()
    if alert is None:
        raise ValidationError("Такого сигнала нет.")
    if alert.acknowledged_at is None:
        alert.acknowledged_by = actor
        alert.acknowledged_at = timezone.now()
        alert.save(update_fields=["acknowledged_by", "acknowledged_at"])
        audit.record(
            action="security.alert_acknowledged",
            actor=actor,
            school=school,
            obj=alert,
            after={"kind": alert.kind, "actor": alert.actor_id},
        )
    return alert
