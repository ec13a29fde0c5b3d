"""Two-factor sign-in: a TOTP app code after the password, recovery codes as a fallback.

The session is only created once the code is checked: the password step leaves a
"pending" marker in the anonymous session and the user finishes on the code page (or,
without a device yet but required to have one, on the enrolment page).
"""

from __future__ import annotations

import io
import secrets
import time
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ejournal.accounts.models import Role, RoleAssignment, User
from ejournal.accounts.permissions import ensure_account_within
from ejournal.audit import services as audit

PENDING_KEY = "ejournal_2fa_pending"
VERIFIED_KEY = "ejournal_2fa_verified"
RECOVERY_CODE_COUNT = 10
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def is_required(user) -> bool:
    """Administrators, directors and deputies (settings), and teachers of a school that
    requires it, must sign in with a code."""
    roles = set(getattr(settings, "TWO_FACTOR_REQUIRED_ROLES", []))
    assignments = RoleAssignment.objects.filter(user=user, active=True)
    return (
        assignments.filter(role__in=roles).exists()
        or assignments.filter(role=Role.TEACHER, school__teachers_two_factor_required=True).exists()
    )


def totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- the sign-in steps -----------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    user: User
    backend: str
    next: str


def pending_start(request, user, *, next_url: str) -> None:
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "next": next_url,
        "at": int(time.time()),
    }


def pending_of(request) -> Pending | None:
    data = request.session.get(PENDING_KEY)
    if not data:
        return None
    if time.time() - data.get("at", 0) > settings.TWO_FACTOR_PENDING_MINUTES * 60:
        request.session.pop(PENDING_KEY, None)
        return None
    user = User.objects.filter(pk=data["user"], is_active=True).first()
    if user is None:
        return None
    return Pending(user=user, backend=data["backend"], next=data.get("next") or "/")


def pending_clear(request) -> None:
    request.session.pop(PENDING_KEY, None)


def needs_second_step(user) -> bool:
    return is_enrolled(user) or is_required(user)


def verify_code(*, user, code: str):
    """The device the code belongs to (TOTP, or one recovery code, which is used up)."""
    code = "".join((code or "").split()).lower()
    if not code:
        return None
    if code.isdigit():
        device = totp_device(user)
        if device and device.verify_token(code):
            return device
        return None
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(code):
            audit.record(action="auth.recovery_code_used", actor=user, obj=user)
            return device
    return None


def mark_verified(request, device) -> None:
    """After auth.login: the session remembers which device confirmed it."""
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    request.session[VERIFIED_KEY] = int(time.time())


# --- enrolment -------------------------------------------------------------------


def enrolment_device(user) -> TOTPDevice:
    """The unconfirmed device being set up (one at a time; a fresh secret if none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Приложение", confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg") :]


def secret_base32(device: TOTPDevice) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Резервные коды", confirmed=True)
    codes = [
        "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@transaction.atomic
def totp_confirm(*, user, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the app by one of its codes; returns the recovery codes (shown once)."""
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError("Начните подключение заново.")
    code = "".join((code or "").split())
    if not code.isdigit() or not device.verify_token(code):
        raise ValidationError("Код не подошёл. Проверьте время на телефоне и введите новый код.")
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    audit.record(action="auth.two_factor_enabled", actor=user, obj=user)
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user) -> list[str]:
    if not is_enrolled(user):
        raise ValidationError("Сначала подключите приложение для кодов.")
    codes = _new_recovery_codes(user)
    audit.record(action="auth.recovery_codes_regenerated", actor=user, obj=user)
    return codes


@transaction.atomic
def two_factor_disable(*, user, password: str, code: str) -> None:
    """Turning the code off takes the current password and a current code: an open session
    alone must not be enough to strip the account of its second factor."""
    if is_required(user):
        raise ValidationError("Для вашей роли вход с кодом обязателен: отключить его нельзя.")
    if not user.check_password(password or ""):
        raise ValidationError("Текущий пароль введён неверно.", code="reauth")
    if verify_code(user=user, code=code) is None:
        raise ValidationError("Код не подошёл. Введите новый код из приложения.", code="reauth")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit.record(action="auth.two_factor_disabled", actor=user, obj=user)


@transaction.atomic
def school_policy_save(*, actor, school, teachers_required: bool) -> None:
    """The administrator makes the code mandatory (or not) for the school's teachers."""
    before = school.teachers_two_factor_required
    if before == teachers_required:
        return
    school.teachers_two_factor_required = teachers_required
    school.save(update_fields=["teachers_two_factor_required"])
    if teachers_required:
        # Teachers' sessions opened without a code end: the next sign-in asks for it. (Those
        # whose other roles already required the code keep theirs.)
        already = RoleAssignment.objects.filter(
            active=True, role__in=getattr(settings, "TWO_FACTOR_REQUIRED_ROLES", [])
        ).values("user_id")
        User.objects.filter(
            role_assignments__school=school,
            role_assignments__role=Role.TEACHER,
            role_assignments__active=True,
        ).exclude(pk__in=already).update(session_epoch=F("session_epoch") + 1)
    audit.record(
        action="school.two_factor_policy_changed",
        actor=actor,
        school=school,
        obj=school,
        before={"teachers_two_factor_required": before},
        after={"teachers_two_factor_required": teachers_required},
    )


@transaction.atomic
def two_factor_reset(*, actor, school, user) -> None:
    """A lost phone: the school administrator clears the user's devices and ends their
    sessions; at the next sign-in the user sets up a new app (it stays mandatory)."""
    from ejournal.accounts.models import StaffMember

    if not StaffMember.objects.filter(school=school, user=user).exists():
        raise ValidationError("Такого сотрудника в школе нет.")
    # Otherwise a school could clear the code of another school's staff member and, with a
    # new password, sign in as them.
    ensure_account_within(user=user, school=school)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user.session_epoch += 1
    user.save(update_fields=["session_epoch"])
    audit.record(action="auth.two_factor_reset", actor=actor, school=school, obj=user)


def staff_with_devices(*, school) -> list:
    """Staff of the school who have a code app set up (one query)."""
    from ejournal.accounts.models import StaffMember

    return list(
        StaffMember.objects.filter(
            school=school,
            user_id__in=TOTPDevice.objects.filter(confirmed=True).values("user_id"),
        )
        .select_related("user")
        .order_by("last_name", "first_name")
    )
