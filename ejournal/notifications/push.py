"""Web Push: a family's browser gets the notification even with the diary closed.

Sending uses ``pywebpush`` (the Web Push reference library of the Mozilla push team:
RFC 8291 message encryption and RFC 8292 VAPID signing, so no cryptography of our own).
The server's VAPID key comes from ``WEBPUSH_VAPID_PRIVATE_KEY`` (a PEM; the same on
every server of a deployment) or, unset, from a key made once in the data directory,
like ``SECRET_KEY``. The browser side is ``static/notifications/push.js`` (subscribing)
and the diary's service worker (showing the message and opening its page on tap).
"""

from __future__ import annotations

import base64
import json
import logging
import os
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from py_vapid import Vapid, Vapid01
from pywebpush import WebPushException, webpush

from ejournal.audit import services as audit
from ejournal.notifications.gateways import GatewayError
from ejournal.notifications.models import PushSubscription

logger = logging.getLogger(__name__)
PUSH_TIMEOUT_SECONDS = 10
TTL_SECONDS = 24 * 3600
MAX_DEVICES = 10


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _key_pem() -> bytes:
    configured = getattr(settings, "WEBPUSH_VAPID_PRIVATE_KEY", "")
    if configured:
        return configured.encode()
    path = Path(settings.DATA_DIR) / "vapid_private.pem"
    if not path.exists():
        key = Vapid()
        key.generate_keys()
        pem = key.private_pem()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # the first worker writes it; the others read it
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
    return path.read_bytes()


@cache
def vapid() -> Vapid01:
    return Vapid.from_pem(_key_pem())


def public_key() -> str:
    """The application server key a browser subscribes with (base64url, uncompressed)."""
    point = vapid().public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64url(point)


def _contact() -> str:
    return getattr(settings, "WEBPUSH_CONTACT", "") or f"mailto:{settings.DEFAULT_FROM_EMAIL}"


# --- Subscriptions ---------------------------------------------------------------------


def _push_service_allowed(endpoint: str) -> bool:
    """The server POSTs to the endpoint a browser hands over: only to the browsers' push
    services (``WEBPUSH_ALLOWED_HOSTS``), never to an address of the school's network.
    A push service on this machine only with ``WEBPUSH_ALLOW_LOCAL`` (tests, development)."""
    url = urlsplit(endpoint)
    host = (url.hostname or "").lower()
    if url.scheme == "http" or host in ("127.0.0.1", "localhost"):
        return settings.WEBPUSH_ALLOW_LOCAL and host in ("127.0.0.1", "localhost")
    if url.scheme != "https":
        return False
    return any(
        host == allowed or (allowed.startswith(".") and host.endswith(allowed))
        for allowed in settings.WEBPUSH_ALLOWED_HOSTS
    )


def _clean(data: dict) -> tuple[str, str, str]:
    endpoint = str(data.get("endpoint") or "")
    keys = data.get("keys") or {}
    p256dh, auth = str(keys.get("p256dh") or ""), str(keys.get("auth") or "")
    if not _push_service_allowed(endpoint):
        raise ValidationError("Браузер передал неверный адрес службы push-уведомлений.")
    if not endpoint or len(endpoint) > 1000 or not p256dh or not auth:
        raise ValidationError("Браузер передал неполную подписку на уведомления.")
    try:
        if len(base64.urlsafe_b64decode(p256dh + "=" * (-len(p256dh) % 4))) != 65:
            raise ValueError
        base64.urlsafe_b64decode(auth + "=" * (-len(auth) % 4))
    except ValueError as exc:
        raise ValidationError("Браузер передал неверные ключи подписки.") from exc
    return endpoint, p256dh, auth


@transaction.atomic
def subscription_save(*, user, data: dict, device: str) -> PushSubscription:
    """This browser receives the person's push notifications (a browser that was another
    person's — a shared computer — now receives this person's only)."""
    endpoint, p256dh, auth = _clean(data)
    existing = PushSubscription.objects.filter(endpoint=endpoint).first()
    if existing is None and PushSubscription.objects.filter(user=user).count() >= MAX_DEVICES:
        raise ValidationError(
            f"Уведомления можно получать не больше чем на {MAX_DEVICES} устройствах: "
            "отключите одно из них."
        )
    subscription, created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={"user": user, "p256dh": p256dh, "auth": auth, "device": device[:200]},
    )
    if created or existing is None or existing.user_id != user.pk:
        audit.record(
            action="push.subscribed", actor=user, obj=subscription, after={"device": device[:200]}
        )
    return subscription


@transaction.atomic
def subscription_delete(*, user, subscription_id: int) -> None:
    subscription = PushSubscription.objects.filter(user=user, pk=subscription_id).first()
    if subscription is None:
        raise ValidationError("Такого устройства нет.")
    audit.record(
        action="push.unsubscribed", actor=user, obj=subscription,
        before={"device": subscription.device},
    )  # fmt: skip
    subscription.delete()


def devices_of(user) -> list[PushSubscription]:
    return list(PushSubscription.objects.filter(user=user))


# --- Sending ---------------------------------------------------------------------------


class WebPushGateway:
    """Sends a delivery to every browser the person subscribed. A browser its push service
    no longer knows (404, 410) is dropped; the delivery fails only when no browser took it."""

    def __init__(self, channel: str = "push"):
        pass

    def send(self, *, address: str, subject: str, body: str, url: str = "") -> str | None:
        user_id = int(address.removeprefix("user:"))
        payload = json.dumps({"title": subject, "body": body, "url": url}, ensure_ascii=False)
        delivered, errors = 0, []
        for subscription in PushSubscription.objects.filter(user_id=user_id):
            info = {
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            }
            try:
                webpush(
                    info, payload, vapid_private_key=vapid(),
                    vapid_claims={"sub": _contact()}, ttl=TTL_SECONDS,
                    timeout=PUSH_TIMEOUT_SECONDS,
                )  # fmt: skip
            except WebPushException as exc:
                status = getattr(exc.response, "status_code", None)
                if status in (404, 410):
                    subscription.delete()
                    continue
                errors.append(f"{status or ''} {exc.message}".strip()[:200])
            except OSError as exc:  # the push service is unreachable
                errors.append(str(exc)[:200])
            else:
                delivered += 1
                subscription.last_success_at = timezone.now()
                subscription.save(update_fields=["last_success_at"])
        if delivered:
            return f"устройств: {delivered}"
        if errors:
            raise GatewayError("; ".join(errors))
        raise GatewayError("нет подписанных устройств")
