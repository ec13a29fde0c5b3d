"""Writes for the staff section: employees, their accounts and their roles in a school."""

from __future__ import annotations

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction

from ejournal.accounts import services as account_services
from ejournal.accounts.models import Role, RoleAssignment, StaffMember, User
from ejournal.audit import services as audit

# Roles an administrator hands out to employees; family and inspector roles are not
# staff roles and have their own ways in.
STAFF_ASSIGNABLE_ROLES = [
    Role.ADMIN,
    Role.DIRECTOR,
    Role.DEPUTY,
    Role.TEACHER,
    Role.OPERATOR,
    Role.HR,
]
STAFF_FIELDS = ["last_name", "first_name", "patronymic", "position", "phone", "email", "is_active"]


def _snapshot(staff: StaffMember) -> dict:
    return {name: getattr(staff, name) for name in STAFF_FIELDS}


def _clean_names(last_name: str, first_name: str, patronymic: str) -> tuple[str, str, str]:
    last_name, first_name = (last_name or "").strip(), (first_name or "").strip()
    if not last_name or not first_name:
        raise ValidationError("Укажите фамилию и имя сотрудника.")
    return last_name, first_name, (patronymic or "").strip()


def _account_of(staff: StaffMember) -> User:
    if staff.user is None:
        raise ValidationError("У сотрудника нет учётной записи.")
    return staff.user


def _check_role(role: str) -> None:
    if role not in STAFF_ASSIGNABLE_ROLES:
        raise ValidationError("Эту роль нельзя выдать сотруднику.")


def staff_member_create(
    *,
    school,
    last_name: str,
    first_name: str,
    patronymic: str = "",
    position: str = "",
    phone: str = "",
    email: str = "",
    username: str,
    roles: list[str],
    actor: User,
) -> tuple[StaffMember, str]:
    """An employee with a new account. Returns the one-time password to hand over once;
    the employee must replace it at the first sign-in."""
    # Hashed before the transaction: Argon2 is slow and the write lock is the site's.
    prepared = account_services.one_time_password_prepare()
    with transaction.atomic():
        last_name, first_name, patronymic = _clean_names(last_name, first_name, patronymic)
        username = (username or "").strip()
        if not username:
            raise ValidationError("Укажите логин.")
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError as exc:
            raise ValidationError(
                "Логин может содержать только буквы, цифры и символы @ . + - _."
            ) from exc
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(f"Логин «{username}» уже занят, выберите другой.")
        for role in roles:
            _check_role(role)
        user = User.objects.create_user(
            username=username,
            last_name=last_name,
            first_name=first_name,
            patronymic=patronymic,
            email=(email or "").strip(),
        )
        staff = StaffMember.objects.create(
            school=school,
            user=user,
            last_name=last_name,
            first_name=first_name,
            patronymic=patronymic,
            position=(position or "").strip(),
            phone=(phone or "").strip(),
            email=(email or "").strip(),
        )
        audit.record(
            action="staff_member.created",
            actor=actor,
            school=school,
            obj=staff,
            after={**_snapshot(staff), "username": username, "roles": sorted(roles)},
        )
        for role in roles:
            account_services.role_grant(user=user, role=role, school=school, actor=actor)
        password = account_services.user_issue_password(
            user=user, actor=actor, school=school, prepared=prepared
        )
        return staff, password


@transaction.atomic
def staff_member_update(
    *,
    staff: StaffMember,
    last_name: str,
    first_name: str,
    patronymic: str,
    position: str,
    phone: str,
    email: str,
    is_active: bool,
    actor: User,
) -> StaffMember:
    """Edit an employee. Dismissal (``is_active=False``) also takes away every role the
    employee holds in this school."""
    last_name, first_name, patronymic = _clean_names(last_name, first_name, patronymic)
    if not is_active and staff.user_id is not None and staff.user_id == actor.pk:
        raise ValidationError("Нельзя отметить уволенным самого себя.")
    before = _snapshot(staff)
    staff.last_name, staff.first_name, staff.patronymic = last_name, first_name, patronymic
    staff.position = (position or "").strip()
    staff.phone = (phone or "").strip()
    staff.email = (email or "").strip()
    staff.is_active = is_active
    after = _snapshot(staff)
    changed = [k for k in after if after[k] != before[k]]
    if changed:
        staff.save()
        audit.record(
            action="staff_member.updated",
            actor=actor,
            school=staff.school_id,
            obj=staff,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    if not is_active and staff.user_id is not None:
        for assignment in RoleAssignment.objects.filter(
            user_id=staff.user_id, school_id=staff.school_id, active=True
        ):
            account_services.role_revoke(assignment=assignment, actor=actor)
    return staff


@transaction.atomic
def staff_role_grant(*, staff: StaffMember, role: str, actor: User) -> RoleAssignment:
    _check_role(role)
    user = _account_of(staff)
    if not staff.is_active:
        raise ValidationError("Сотрудник отмечен уволенным: роли ему не выдаются.")
    return account_services.role_grant(user=user, role=role, school=staff.school, actor=actor)


@transaction.atomic
def staff_role_revoke(*, staff: StaffMember, role: str, actor: User) -> None:
    _check_role(role)
    user = _account_of(staff)
    assignment = RoleAssignment.objects.filter(
        user=user, school_id=staff.school_id, role=role, active=True
    ).first()
    if assignment is None:
        raise ValidationError(f"У сотрудника нет роли «{Role(role).label}».")
    if role == Role.ADMIN and user.pk == actor.pk:
        # Otherwise a school could lose its last administrator by a slip of the mouse.
        raise ValidationError("Нельзя снять роль администратора с самого себя.")
    account_services.role_revoke(assignment=assignment, actor=actor)


def staff_password_issue(*, staff: StaffMember, actor: User) -> str:
    """A new one-time password (the old one stops working, every session ends)."""
    user = _account_of(staff)
    if not staff.is_active:
        raise ValidationError("Сотрудник отмечен уволенным: пароль ему не выдаётся.")
    return account_services.user_issue_password(user=user, actor=actor, school=staff.school)
