"""Personal data of families: consent, pseudonyms by order, family accounts (001 §6)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from ejournal.accounts import services as account_services
from ejournal.accounts.models import (
    Consent,
    ConsentStatus,
    Guardian,
    Order,
    OrderKind,
    Role,
    RoleAssignment,
    Student,
    User,
)
from ejournal.audit import services as audit

# Fields of a guardian that may be kept only with consent (name stays: 001 §6.2.2).
GUARDIAN_OPTIONAL_FIELDS = ("phone", "email", "address", "workplace")


def consent_status(guardian: Guardian) -> str | None:
    consent = getattr(guardian, "consent", None)
    return consent.status if consent else None


def student_has_minimal_data(student: Student) -> bool:
    """True when a guardian refused or revoked consent: only the name, birth date and sex."""
    return Consent.objects.filter(
        guardian__student_links__student=student,
        status__in=[ConsentStatus.REFUSED, ConsentStatus.REVOKED],
    ).exists()


MINIMAL_DATA_MESSAGE = (
    "Согласие на обработку персональных данных не дано: об ученике хранятся только ФИО, "
    "дата рождения и пол."
)


def ensure_full_data_allowed(student: Student) -> None:
    if student_has_minimal_data(student):
        raise ValidationError(MINIMAL_DATA_MESSAGE)


def _close_account(user: User, *, actor, school) -> None:
    """Delete a family account in effect: no sign-in, no sessions, no roles, no name."""
    before = {"is_active": user.is_active, "username": user.username}
    user.is_active = False
    user.set_unusable_password()
    user.session_epoch += 1
    user.first_name = user.last_name = user.patronymic = user.email = ""
    user.save()
    RoleAssignment.objects.filter(user=user, school=school, role=Role.PARENT).update(active=False)
    audit.record(
        action="auth.account_closed",
        actor=actor,
        school=school,
        obj=user,
        before=before,
        after={"is_active": False},
        reason="отзыв согласия на обработку персональных данных",
    )


@transaction.atomic
def consent_record(
    *, guardian: Guardian, status: str, date: dt.date, document: str, actor: User
) -> Consent:
    if status not in ConsentStatus.values:
        raise ValidationError("Укажите, дано ли согласие.")
    if status != ConsentStatus.GIVEN and not document.strip():
        raise ValidationError("Укажите реквизиты письменного отказа или отзыва согласия.")
    previous = Consent.objects.filter(guardian=guardian).first()
    if previous and previous.status == ConsentStatus.REVOKED and status != ConsentStatus.REVOKED:
        raise ValidationError(
            "Согласие отозвано: данные исключены из системы, вернуть их нельзя — "
            "оформите новое согласие через оператора с новым учётом."
        )
    before = (
        {"status": previous.status, "date": previous.date, "document": previous.document}
        if previous
        else None
    )
    consent, _ = Consent.objects.update_or_create(
        guardian=guardian, defaults={"status": status, "date": date, "document": document.strip()}
    )
    if status != ConsentStatus.GIVEN:
        # 001 §6.2: only the minimal data stays; the rest is emptied and locked.
        for field in GUARDIAN_OPTIONAL_FIELDS:
            setattr(guardian, field, "")
        guardian.save(update_fields=list(GUARDIAN_OPTIONAL_FIELDS))
        # ... and the child's optional records go too: only name, birth date and sex stay.
        from ejournal.accounts.models import Activity, HealthSheet

        children = Student.objects.filter(guardian_links__guardian=guardian)
        HealthSheet.objects.filter(student__in=children).delete()
        Activity.objects.filter(student__in=children).delete()
        if guardian.user_id:
            _close_account(guardian.user, actor=actor, school=guardian.school)
            guardian.user = None
            guardian.save(update_fields=["user"])
    audit.record(
        action="consent.recorded",
        actor=actor,
        school=guardian.school,
        obj=consent,
        before=before,
        after={"status": status, "date": date, "document": consent.document},
    )
    return consent


@transaction.atomic
def guardian_update_contacts(*, guardian: Guardian, actor: User, **fields: str) -> Guardian:
    unknown = set(fields) - set(GUARDIAN_OPTIONAL_FIELDS)
    if unknown:
        raise ValidationError("Неизвестные поля.")
    if consent_status(guardian) in (ConsentStatus.REFUSED, ConsentStatus.REVOKED) and any(
        v.strip() for v in fields.values()
    ):
        raise ValidationError(
            "Согласие на обработку персональных данных не дано: хранятся только ФИО, "
            "дата рождения и пол."
        )
    before = {f: getattr(guardian, f) for f in fields}
    for f, v in fields.items():
        setattr(guardian, f, v.strip())
    guardian.save(update_fields=list(fields))
    audit.record(
        action="guardian.updated",
        actor=actor,
        school=guardian.school,
        obj=guardian,
        before=before,
        after={f: getattr(guardian, f) for f in fields},
    )
    return guardian


@transaction.atomic
def guardian_account_create(*, guardian: Guardian, username: str, actor: User) -> tuple[User, str]:
    """A parent account with a one-time password. Impossible without consent (001 §6.2.1)."""
    status = consent_status(guardian)
    if status in (ConsentStatus.REFUSED, ConsentStatus.REVOKED):
        raise ValidationError(
            "Согласие на обработку персональных данных не дано: учётная запись родителя "
            "не создаётся."
        )
    if guardian.user_id:
        raise ValidationError("У родителя уже есть учётная запись.")
    username = username.strip()
    if not username:
        raise ValidationError("Укажите логин.")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError("Такой логин уже занят.")
    user = User.objects.create_user(
        username=username,
        last_name=guardian.last_name,
        first_name=guardian.first_name,
        patronymic=guardian.patronymic,
    )
    guardian.user = user
    guardian.save(update_fields=["user"])
    account_services.role_grant(user=user, role=Role.PARENT, school=guardian.school, actor=actor)
    password = account_services.user_issue_password(user=user, actor=actor, school=guardian.school)
    return user, password


def _next_code_number(school, field_prefix: str, model) -> int:
    taken = model.objects.filter(school=school, pseudonym__startswith=field_prefix).values_list(
        "pseudonym", flat=True
    )
    numbers = [int(p.rsplit(" ", 1)[-1]) for p in taken if p.rsplit(" ", 1)[-1].isdigit()]
    return max(numbers, default=0) + 1


@transaction.atomic
def student_pseudonymise(
    *, student: Student, order_number: str, order_date: dt.date, actor: User
) -> Order:
    """Order a code name for a student whose guardian revoked consent (001 §6.3.3–6.3.4)."""
    if student.pseudonym:
        raise ValidationError(f"Ученику уже присвоено кодовое имя «{student.pseudonym}».")
    if not order_number.strip():
        raise ValidationError("Укажите номер приказа.")
    guardians = list(student.guardians.select_related("user").order_by("pk"))
    if not any(consent_status(g) == ConsentStatus.REVOKED for g in guardians):
        raise ValidationError(
            "Кодовое имя присваивается только после письменного отзыва согласия родителем."
        )
    school = student.school
    order = Order.objects.create(
        school=school, number=order_number.strip(), date=order_date, kind=OrderKind.PSEUDONYM
    )
    student.pseudonym = f"Ученик {_next_code_number(school, 'Ученик ', Student)}"
    student.pseudonym_order = order
    student.save(update_fields=["pseudonym", "pseudonym_order"])
    if student.user_id:
        User.objects.filter(pk=student.user_id).update(
            last_name=student.pseudonym, first_name="", patronymic="", email=""
        )
    for guardian in guardians:
        if guardian.pseudonym:
            continue
        guardian.pseudonym = f"Родитель {_next_code_number(school, 'Родитель ', Guardian)}"
        guardian.save(update_fields=["pseudonym"])
        if guardian.user_id and guardian.user.is_active:
            _close_account(guardian.user, actor=actor, school=school)
    audit.record(
        action="student.pseudonymised",
        actor=actor,
        school=school,
        obj=student,
        # The real name is never written to the trail: the code replaces it.
        after={"pseudonym": student.pseudonym, "order": str(order)},
    )
    return order


def order_note(student: Student) -> str:
    """The line printouts carry for a pseudonymised student (001 §6.3.5)."""
    if not student.pseudonym or student.pseudonym_order_id is None:
        return ""
    return f"{student.pseudonym}: кодовое имя присвоено, {student.pseudonym_order}"
