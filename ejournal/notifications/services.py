"""Notifications: what other apps call (``notify``), preferences, delivery with retries,
and digests.

A notification is created per user and channel according to the user's preference for the
event. Immediate ones get a delivery at once, sent by a background task after commit;
digest ones wait until ``digests_send`` groups them. A delivery that fails is retried with
backoff (``deliveries_retry_due``) and never raises into the code that caused it.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ejournal.accounts.models import Guardian
from ejournal.audit import services as audit
from ejournal.notifications.gateways import NOT_CONFIGURED, GatewayError, gateway_for, is_configured
from ejournal.notifications.models import (
    DEFAULT_MODES,
    Channel,
    Delivery,
    DeliveryStatus,
    Event,
    Mode,
    Notification,
    Preference,
    QuietHours,
)

logger = logging.getLogger(__name__)

# Waits before the 2nd, 3rd ... attempt; after the last one the delivery is given up.
BACKOFF = [
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
]
MAX_ATTEMPTS = len(BACKOFF) + 1
# While one worker sends, others leave the delivery alone for this long.
SEND_LEASE = dt.timedelta(minutes=10)


# --- Preferences ----------------------------------------------------------------------


def preferences_of(user) -> dict[tuple[str, str], str]:
    """(channel, event) → mode for every pair, defaults filled in (one query)."""
    modes: dict[tuple[str, str], str] = {
        (c, e): DEFAULT_MODES[Channel(c)] for c in Channel.values for e in Event.values
    }
    for channel, event, mode in Preference.objects.filter(user=user).values_list(
        "channel", "event", "mode"
    ):
        modes[(channel, event)] = mode
    return modes


@transaction.atomic
def preferences_save(*, user, modes: dict[tuple[str, str], str]) -> int:
    """Store the user's choices; returns how many changed."""
    for (channel, event), mode in modes.items():
        if channel not in Channel.values or event not in Event.values or mode not in Mode.values:
            raise ValidationError("Неизвестный канал, событие или способ доставки.")
    current = preferences_of(user)
    changed = {key: mode for key, mode in modes.items() if current.get(key) != mode}
    for (channel, event), mode in changed.items():
        Preference.objects.update_or_create(
            user=user, channel=channel, event=event, defaults={"mode": mode}
        )
    if changed:
        audit.record(
            action="notification_preferences.updated",
            actor=user,
            object_type="notifications.preference",
            object_id=user.pk,
            before={f"{c}:{e}": current[(c, e)] for c, e in changed},
            after={f"{c}:{e}": m for (c, e), m in changed.items()},
        )
    return len(changed)


def quiet_hours_on(user) -> bool:
    row = QuietHours.objects.filter(user=user).only("enabled").first()
    return True if row is None else row.enabled


@transaction.atomic
def quiet_hours_save(*, user, enabled: bool) -> bool:
    """Turn the push quiet hours on or off; False when nothing changed."""
    if quiet_hours_on(user) == enabled:
        return False
    QuietHours.objects.update_or_create(user=user, defaults={"enabled": enabled})
    audit.record(
        action="notification_preferences.quiet_hours", actor=user,
        object_type="notifications.quiethours", object_id=user.pk,
        before={"enabled": not enabled}, after={"enabled": enabled},
    )  # fmt: skip
    return True


def quiet_until(*, user, school, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the person's quiet hours end, if they are in them now (school time)."""
    if school is None or not quiet_hours_on(user):
        return None
    now = now or timezone.now()
    local = now.astimezone(zoneinfo.ZoneInfo(school.time_zone))
    if QuietHours.END <= local.hour < QuietHours.START:
        return None
    day = local.date() if local.hour < QuietHours.END else local.date() + dt.timedelta(days=1)
    end = dt.datetime.combine(day, dt.time(QuietHours.END), tzinfo=local.tzinfo)
    return end.astimezone(dt.UTC)


# --- Creating notifications ------------------------------------------------------------


def address_of(user, channel: str) -> str:
    if channel == Channel.EMAIL:
        return user.email or ""
    if channel == Channel.SMS:
        phone = (
            Guardian.objects.filter(user=user)
            .exclude(phone="")
            .values_list("phone", flat=True)
            .first()
        )
        return phone or ""
    # Push: the person's subscribed browsers (none: nowhere to send).
    return f"user:{user.pk}" if user.push_subscriptions.exists() else ""


def _with_link(body: str, url: str) -> str:
    base = getattr(settings, "SITE_URL", "")
    if url and base:
        return f"{body}\n\n{base.rstrip('/')}{url}"
    return body


@transaction.atomic
def notify(
    *, user, school, event: str, subject: str, body: str, url: str = ""
) -> list[Notification]:
    """Tell ``user`` about an event on every channel they chose for it.

    For other apps (messaging, attestation ...): call it inside the transaction of the
    change; nothing is sent unless that transaction commits, and a failing gateway never
    raises here. ``event`` is one of ``models.Event``; ``url`` a site path such as
    "/diary/12/week/".
    """
    if event not in Event.values:
        raise ValidationError("Неизвестный вид события.")
    if not user.is_active:
        return []
    modes = preferences_of(user)
    created = []
    for channel in Channel.values:
        mode = modes[(channel, event)]
        if mode == Mode.OFF or not is_configured(channel):
            continue
        notification = Notification(
            user=user,
            school=school,
            channel=channel,
            event=event,
            mode=mode,
            subject=subject[:255],
            body=body,
            url=url,
        )
        if mode == Mode.IMMEDIATE:
            notification.delivery = _delivery_create(
                user=user,
                channel=channel,
                subject=subject,
                # A push opens the page itself; e-mail and SMS carry its address.
                body=body if channel == Channel.PUSH else _with_link(body, url),
                url=url,
                wait_until=quiet_until(user=user, school=school)
                if channel == Channel.PUSH
                else None,
            )
        notification.save()
        created.append(notification)
    return created


def _delivery_create(
    *,
    user,
    channel: str,
    subject: str,
    body: str,
    is_digest=False,
    url: str = "",
    wait_until: dt.datetime | None = None,
) -> Delivery:
    address = address_of(user, channel)
    delivery = Delivery.objects.create(
        user=user,
        url=url[:500],
        next_attempt_at=wait_until if address else None,
        channel=channel,
        address=address,
        subject=subject[:255],
        body=body,
        is_digest=is_digest,
        status=DeliveryStatus.PENDING if address else DeliveryStatus.SKIPPED,
    )
    if address and wait_until is not None:
        # Quiet hours: sent when they end (a deferred task, or the retry sweep).
        transaction.on_commit(lambda: _schedule_retry(delivery))
    elif address:
        transaction.on_commit(lambda: _enqueue_delivery(delivery.pk))
    return delivery


def _enqueue_delivery(delivery_id: int) -> None:
    from ejournal.notifications import tasks

    try:
        tasks.deliver.enqueue(delivery_id)
    except Exception:
        # The queue being down must not break the request; the retry sweep picks it up.
        logger.exception("Не удалось поставить доставку %s в очередь", delivery_id)


# --- Delivering ------------------------------------------------------------------------


def delivery_attempt(*, delivery_id: int, now: dt.datetime | None = None) -> Delivery | None:
    """Send one delivery if it is due; record the outcome. Never raises a gateway error."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=delivery_id,
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRY],
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + SEND_LEASE)
    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if not claimed or delivery is None:
        return delivery
    gateway = gateway_for(delivery.channel)
    if gateway is None:  # the channel was switched off after the delivery was made
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        delivery.last_error = NOT_CONFIGURED
        delivery.save(update_fields=["status", "next_attempt_at", "last_error"])
        return delivery
    try:
        provider_id = gateway.send(
            address=delivery.address, subject=delivery.subject, body=delivery.body,
            url=delivery.url,
        )  # fmt: skip
    except GatewayError as exc:
        delivery.last_error = str(exc)[:500]
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.status = DeliveryStatus.RETRY
            delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
        delivery.save(update_fields=["status", "next_attempt_at", "last_error"])
        logger.warning("Доставка %s не удалась: %s", delivery.pk, exc)
        if delivery.next_attempt_at:
            _schedule_retry(delivery)
        return delivery
    delivery.status = DeliveryStatus.SENT
    delivery.sent_at = timezone.now()
    delivery.next_attempt_at = None
    delivery.provider_id = (provider_id or "")[:100]
    delivery.save(update_fields=["status", "sent_at", "next_attempt_at", "provider_id"])
    return delivery


def _schedule_retry(delivery: Delivery) -> None:
    """Queue the next attempt for its time when the task backend can defer (the database
    queue can); otherwise ``notifications_retry`` run by cron picks it up."""
    from ejournal.notifications import tasks

    try:
        if tasks.deliver.get_backend().supports_defer:
            tasks.deliver.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
    except Exception:
        logger.exception("Не удалось запланировать повтор доставки %s", delivery.pk)


def deliveries_due(*, now: dt.datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRY], next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )


def deliveries_retry_due(*, now: dt.datetime | None = None) -> int:
    """Attempt every delivery whose retry time has come; returns how many were tried."""
    ids = deliveries_due(now=now)
    for delivery_id in ids:
        delivery_attempt(delivery_id=delivery_id, now=now)
    return len(ids)


# --- Digests ---------------------------------------------------------------------------

DIGEST_TITLES = {Mode.DAILY: "Сводка за день", Mode.WEEKLY: "Сводка за неделю"}


@transaction.atomic
def digests_send(*, mode: str, now: dt.datetime | None = None) -> list[Delivery]:
    """Group every waiting notification of ``mode`` into one delivery per user and channel."""
    if mode not in DIGEST_TITLES:
        raise ValidationError("Сводка бывает только за день или за неделю.")
    now = now or timezone.now()
    waiting = list(
        Notification.objects.select_for_update()
        .filter(mode=mode, delivery__isnull=True, created_at__lte=now)
        .select_related("user")
        .order_by("user_id", "channel", "created_at", "id")
    )
    groups: dict[tuple[int, str], list[Notification]] = defaultdict(list)
    for n in waiting:
        groups[(n.user_id, n.channel)].append(n)
    deliveries = []
    for (_user_id, channel), items in groups.items():
        user = items[0].user
        delivery = _delivery_create(
            user=user,
            channel=channel,
            subject=f"{DIGEST_TITLES[Mode(mode)]}: событий — {len(items)}",
            body=digest_body(items),
            is_digest=True,
        )
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(delivery=delivery)
        deliveries.append(delivery)
    return deliveries


def digest_body(items: Iterable[Notification]) -> str:
    by_event: dict[str, list[Notification]] = defaultdict(list)
    for n in items:
        by_event[n.event].append(n)
    parts = []
    for event in Event.values:
        if event not in by_event:
            continue
        parts.append(f"{Event(event).label.capitalize()}:")
        for n in by_event[event]:
            parts.append(f"  • {n.body}")
        parts.append("")
    return _with_link("\n".join(parts).strip(), "/diary/")
