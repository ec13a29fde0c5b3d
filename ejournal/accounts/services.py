"""Writes to accounts: sign-in bookkeeping, roles, passwords, sessions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from ejournal.accounts.models import FAMILY_ROLES, MUNICIPAL_ROLES, Role, RoleAssignment, User
from ejournal.accounts.permissions import ensure_account_within
from ejournal.audit import services as audit
from ejournal.core import registry
from ejournal.core.mail import email_sends

# Unambiguous characters for one-time passwords read off paper.
_OTP_ALPHABET = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789"


def generate_one_time_password(length: int = 10) -> str:
    return "".join(secrets.choice(_OTP_ALPHABET) for _ in range(length))


@dataclass(frozen=True)
class OneTimePassword:
    """A one-time password and its stored hash, made before any write transaction:
    hashing (Argon2) is deliberately slow, and on SQLite a transaction holds the one
    write lock of the whole site while it lasts."""

    password: str
    encoded: str


def one_time_password_prepare() -> OneTimePassword:
    password = generate_one_time_password()
    return OneTimePassword(password, make_password(password))


def is_family_only(user: User) -> bool:
    """Every active role of the person is a family's (parent, student): «Запомнить это
    устройство» applies; staff keep the idle and daily limits."""
    roles = set(
        RoleAssignment.objects.filter(user=user, active=True).values_list("role", flat=True)
    )
    return bool(roles) and roles <= FAMILY_ROLES


def user_record_sign_in(*, user: User, school=None) -> None:
    audit.record(action="auth.sign_in", actor=user, school=school, obj=user)


PASSWORD_SIGN_IN_FORBIDDEN = (
    "Для вашей роли вход по паролю отключён: войдите кнопкой провайдера ниже "
    "(например, «Войти через Госуслуги»)."
)


def password_sign_in_forbidden(user: User) -> bool:
    """A role in OIDC_REQUIRED_ROLES signs in only through a provider, whose own
    two factors then stand in for ours; without a provider configured nobody is locked out."""
    roles = set(settings.OIDC_REQUIRED_ROLES)
    if not roles or not settings.OIDC_PROVIDERS:
        return False
    return RoleAssignment.objects.filter(user=user, active=True, role__in=roles).exists()


def user_record_failed_sign_in(*, username: str) -> None:
    audit.record(
        action="auth.sign_in_failed",
        object_type="accounts.user",
        object_id=username[:64],
        after={"username": username[:150]},
    )


def user_record_sign_out(*, user: User) -> None:
    audit.record(action="auth.sign_out", actor=user, obj=user)


WRONG_CURRENT_PASSWORD = "Текущий пароль введён неверно."


def user_change_password(
    *, user: User, new_password: str, current_password: str | None = None
) -> None:
    """Set a password the user chose; the issued one-time password stops working.

    Outside the forced change after an issued password, the current password is asked:
    an open session alone (a borrowed computer) must not be enough to take the account.
    Checking and hashing (both slow) come before the write transaction."""
    if not user.must_change_password and not user.check_password(current_password or ""):
        raise ValidationError(WRONG_CURRENT_PASSWORD, code="current_password")
    validate_password(new_password, user)
    user.set_password(new_password)
    with transaction.atomic():
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        audit.record(action="auth.password_changed", actor=user, obj=user)


def user_revoke_other_access(*, user: User, actor: User | None, reason: str) -> None:
    """Ways into an account other than its password and its sessions (API tokens, app
    passwords, the calendar feed) belong to apps above this one: ``registry.ACCESS_REVOKERS``.
    Run inside the caller's transaction, so a revoker that fails rolls the step back."""
    for revoke in registry.ACCESS_REVOKERS.providers():
        revoke(user, actor=actor, reason=reason)


def user_issue_password(
    *,
    user: User,
    actor: User | None,
    school=None,
    municipality=None,
    prepared: OneTimePassword | None = None,
) -> str:
    """A new one-time password; the user must replace it at the next sign-in. Every
    session ends, and every API token, app password and calendar feed address of the
    account stops working: whoever held the old password may have made them.

    Only for an account whose active roles all lie in the issuing ``school`` (or, for the
    support service, in its ``municipality``). ``prepared`` is a password hashed before
    the caller's transaction began; without it the hash is made here, before this one."""
    if prepared is None:
        prepared = one_time_password_prepare()
    with transaction.atomic():
        if actor is not None and actor.pk != user.pk:
            ensure_account_within(user=user, school=school, municipality=municipality)
        user.password = prepared.encoded
        user.must_change_password = True
        user.session_epoch += 1
        user.save(update_fields=["password", "must_change_password", "session_epoch"])
        user_revoke_other_access(user=user, actor=actor, reason="выдан новый одноразовый пароль")
        audit.record(action="auth.password_issued", actor=actor, school=school, obj=user)
    return prepared.password


@transaction.atomic
def user_sign_out_everywhere(*, user: User) -> None:
    user.session_epoch += 1
    user.save(update_fields=["session_epoch"])
    audit.record(action="auth.sign_out_everywhere", actor=user, obj=user)


def _code_required(user: User) -> bool:
    from ejournal.accounts import two_factor

    return two_factor.is_required(user)


@transaction.atomic
def role_grant(
    *, user: User, role: str, school=None, municipality=None, actor=None
) -> RoleAssignment:
    if role not in Role.values:
        raise ValidationError("Неизвестная роль.")
    municipal = role in MUNICIPAL_ROLES
    if municipal and municipality is None:
        raise ValidationError(f"Роль «{Role(role).label}» выдаётся в муниципалитете.")
    if not municipal and school is None:
        raise ValidationError("Роль выдаётся в конкретной школе.")
    if actor is not None and not municipal:
        ensure_account_within(user=user, school=school, holding=False)
    code_was_required = _code_required(user)
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user,
        role=role,
        school=None if municipal else school,
        municipality=municipality if municipal else None,
        defaults={"active": True},
    )
    if not created and assignment.active:
        return assignment
    before = None if created else {"active": False}
    assignment.active = True
    assignment.save(update_fields=["active"])
    if not code_was_required and _code_required(user):
        # Sessions opened without a code must not carry the new role: they end, and the
        # next sign-in asks for the code (or sets the app up).
        user.session_epoch += 1
        user.save(update_fields=["session_epoch"])
    audit.record(
        action="role.granted",
        actor=actor,
        school=school,
        obj=assignment,
        before=before,
        after={"user": user.pk, "role": role, "active": True},
    )
    return assignment


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, actor=None) -> None:
    if not assignment.active:
        return
    assignment.active = False
    assignment.save(update_fields=["active"])
    audit.record(
        action="role.revoked",
        actor=actor,
        school=assignment.school,
        obj=assignment,
        before={"user": assignment.user_id, "role": assignment.role, "active": True},
        after={"active": False},
    )


# --- Password reset (families only) ------------------------------------------------------

RESET_ANSWER = (
    "Если такая учётная запись есть и у неё подтверждён адрес электронной почты, "
    "на него отправлено письмо со ссылкой. Ссылка действует сутки."
)


def password_reset_request(*, identifier: str, base_url: str) -> None:
    """Send a parent's or student's reset link to their confirmed address. Staff keep the
    credentials the school issues. The caller answers ``RESET_ANSWER`` whatever happens,
    so the answer tells nobody whether an account exists."""
    identifier = identifier.strip()
    if not identifier or not email_sends():
        return
    found = User.objects.filter(
        Q(username__iexact=identifier) | Q(email__iexact=identifier),
        is_active=True,
        email_confirmed=True,
    ).exclude(email="")
    for user in found[:2]:
        if not is_family_only(user):
            continue
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        link = base_url.rstrip("/") + reverse("accounts:password_reset_confirm", args=[uid, token])
        send_mail(
            subject="Восстановление пароля к электронному дневнику",
            message=(
                f"Здравствуйте, {user.get_full_name() or user.username}!\n\n"
                f"Ваш логин: {user.username}. Чтобы задать новый пароль, откройте ссылку "
                f"(она действует сутки и только один раз):\n{link}\n\n"
                "Если вы не просили восстановить пароль, ничего не делайте."
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )
        audit.record(action="auth.password_reset_requested", actor=None, obj=user)


def password_reset_user(*, uidb64: str, token: str) -> User | None:
    """The account a reset link is for, if the link is valid (it stops being valid once
    the password changes)."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not is_family_only(user):
        return None
    return user if default_token_generator.check_token(user, token) else None


def password_reset_complete(*, user: User, new_password: str) -> None:
    """The new password from a reset link: every session and other way in ends."""
    validate_password(new_password, user)
    user.set_password(new_password)
    with transaction.atomic():
        user.must_change_password = False
        user.session_epoch += 1
        user.save(update_fields=["password", "must_change_password", "session_epoch"])
        audit.record(action="auth.password_reset", actor=user, obj=user)
