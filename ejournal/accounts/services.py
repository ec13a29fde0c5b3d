"""Writes to accounts: sign-in bookkeeping, roles, passwords, sessions."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from ejournal.accounts.models import Role, RoleAssignment, User
from ejournal.audit import services as audit

# Unambiguous characters for one-time passwords read off paper.
_OTP_ALPHABET = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789"


def generate_one_time_password(length: int = 10) -> str:
    return "".join(secrets.choice(_OTP_ALPHABET) for _ in range(length))


def user_record_sign_in(*, user: User, school=None) -> None:
    audit.record(action="auth.sign_in", actor=user, school=school, obj=user)


def user_record_failed_sign_in(*, username: str) -> None:
    audit.record(
        action="auth.sign_in_failed",
        object_type="accounts.user",
        object_id=username[:64],
        after={"username": username[:150]},
    )


def user_record_sign_out(*, user: User) -> None:
    audit.record(action="auth.sign_out", actor=user, obj=user)


@transaction.atomic
def user_change_password(*, user: User, new_password: str) -> None:
    """Set a password the user chose; the issued one-time password stops working."""
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit.record(action="auth.password_changed", actor=user, obj=user)


@transaction.atomic
def user_issue_password(*, user: User, actor: User | None, school=None) -> str:
    """A new one-time password; the user must replace it at the next sign-in."""
    password = generate_one_time_password()
    user.set_password(password)
    user.must_change_password = True
    user.session_epoch += 1
    user.save(update_fields=["password", "must_change_password", "session_epoch"])
    audit.record(action="auth.password_issued", actor=actor, school=school, obj=user)
    return password


@transaction.atomic
def user_sign_out_everywhere(*, user: User) -> None:
    user.session_epoch += 1
    user.save(update_fields=["session_epoch"])
    audit.record(action="auth.sign_out_everywhere", actor=user, obj=user)


@transaction.atomic
def role_grant(
    *, user: User, role: str, school=None, municipality=None, actor=None
) -> RoleAssignment:
    if role not in Role.values:
        raise ValidationError("Неизвестная роль.")
    if role == Role.INSPECTOR and municipality is None:
        raise ValidationError("Муниципальному инспектору нужен муниципалитет.")
    if role != Role.INSPECTOR and school is None:
        raise ValidationError("Роль выдаётся в конкретной школе.")
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user,
        role=role,
        school=school if role != Role.INSPECTOR else None,
        municipality=municipality if role == Role.INSPECTOR else None,
        defaults={"active": True},
    )
    if not created and assignment.active:
        return assignment
    before = None if created else {"active": False}
    assignment.active = True
    assignment.save(update_fields=["active"])
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
