"""Issuing, checking and revoking personal access tokens. Every change is audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ejournal.api.models import ApiToken, TokenScope
from ejournal.audit import services as audit

TOKEN_PREFIX = "ejt_"
MAX_DAYS = 365
DEFAULT_DAYS = 90
MAX_ACTIVE_TOKENS = 20
# Writing "last used" on every call would cost a write per request; a minute is precise enough.
TOUCH_INTERVAL = dt.timedelta(seconds=60)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _view(token: ApiToken) -> dict:
    return {
        "user": token.user_id,
        "name": token.name,
        "prefix": token.prefix,
        "scope": token.scope,
        "expires_at": token.expires_at,
    }


@transaction.atomic
def token_issue(*, user, actor, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the token text (shown only once)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(
            "Назовите токен, например по программе, которая будет им пользоваться."
        )
    if len(name) > 100:
        raise ValidationError("Название токена — не длиннее 100 символов.")
    if scope not in TokenScope.values:
        raise ValidationError("Выберите доступ: только чтение или чтение и запись.")
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(f"Срок действия — от 1 до {MAX_DAYS} дней.")
    if not user.is_active:
        raise ValidationError("Учётная запись заблокирована: токен выдать нельзя.")
    now = timezone.now()
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
    if active.count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            f"Действующих токенов не может быть больше {MAX_ACTIVE_TOKENS}: отзовите ненужные."
        )
    prefix = TOKEN_PREFIX + secrets.token_hex(4)
    raw = f"{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        token_hash=token_digest(raw),
        scope=scope,
        expires_at=now + dt.timedelta(days=days),
    )
    audit.record(action="api_token.created", actor=actor, obj=token, after=_view(token))
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, actor, reason: str = "") -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = actor
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        action="api_token.revoked",
        actor=actor,
        obj=token,
        before=_view(token),
        after={"revoked_at": token.revoked_at},
        reason=reason,
    )
    return token


@transaction.atomic
def tokens_revoke_all(*, user, actor=None, reason: str = "") -> int:
    """Revoke every token of ``user`` (a compromised account, a blocked user)."""
    now = timezone.now()
    ids = list(
        ApiToken.objects.select_for_update()
        .filter(user=user, revoked_at__isnull=True)
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    ApiToken.objects.filter(pk__in=ids).update(revoked_at=now, revoked_by=actor)
    audit.record(
        action="api_token.revoked_all",
        actor=actor,
        object_type="accounts.user",
        object_id=user.pk,
        after={"tokens": ids, "revoked_at": now},
        reason=reason,
    )
    return len(ids)


def revoke_for_account(user, *, actor, reason: str) -> None:
    """For ``registry.ACCESS_REVOKERS``: a compromised account, or one given a new
    password, loses every API token at once."""
    tokens_revoke_all(user=user, actor=actor, reason=reason)


def token_authenticate(raw: str, *, ip: str | None) -> ApiToken | None:
    """The active token for the text a client sent, with its user; else None."""
    raw = (raw or "").strip()
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=token_digest(raw)).first()
    now = timezone.now()
    if token is None or not token.is_active_at(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
        token.last_used_at, token.last_used_ip = now, ip
    return token
