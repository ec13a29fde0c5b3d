"""Personal data of families: consent, pseudonyms by order, family accounts (001 §6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from ejournal.accounts import services as account_services
from ejournal.accounts.models import (
    Consent,
    ConsentStatus,
    Guardian,
    Order,
    OrderKind,
    Relation,
    Role,
    RoleAssignment,
    Student,
    StudentGuardian,
    User,
)
from ejournal.accounts.permissions import account_within
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
    """Delete a family account in effect: no sign-in, no sessions, no roles, no name.

    An account active in another school too is not this school's to close: the school
    only takes its own roles away (each school is a data operator of its own)."""
    if not account_within(user=user, school=school, holding=False):
        for assignment in RoleAssignment.objects.filter(user=user, school=school, active=True):
            account_services.role_revoke(assignment=assignment, actor=actor)
        return
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
        if guardian.user is not None:
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
    if before == {f: v.strip() for f, v in fields.items()}:
        return guardian  # posted back unchanged: nothing to write
    for f, v in fields.items():
        setattr(guardian, f, v.strip())
    guardian.save(update_fields=list(fields))
    if "email" in fields and guardian.user_id:
        # The card's e-mail is the account's: notifications go where the school has it.
        # A school-entered address is not the person's confirmation of it.
        User.objects.filter(pk=guardian.user_id).exclude(email=guardian.email).update(
            email=guardian.email, email_confirmed=False
        )
    audit.record(
        action="guardian.updated",
        actor=actor,
        school=guardian.school,
        obj=guardian,
        before=before,
        after={f: getattr(guardian, f) for f in fields},
    )
    return guardian


def _clean_guardian_names(last_name: str, first_name: str, patronymic: str) -> dict[str, str]:
    names = {
        "last_name": (last_name or "").strip(),
        "first_name": (first_name or "").strip(),
        "patronymic": (patronymic or "").strip(),
    }
    if not names["last_name"] or not names["first_name"]:
        raise ValidationError("Укажите фамилию и имя родителя.")
    return names


def _check_relation(relation: str) -> None:
    if relation not in Relation.values:
        raise ValidationError("Укажите, кем родитель приходится ученику.")


@transaction.atomic
def guardian_update(
    *,
    link: StudentGuardian,
    actor: User,
    last_name: str,
    first_name: str,
    patronymic: str,
    relation: str,
    **contacts: str,
) -> Guardian:
    """The homeroom teacher keeps a guardian's name, relation and contacts up to date.

    Without consent only the name and relation stay (001 §6.2.2); after a revocation the
    data is out of the system and nothing is edited any more.
    """
    guardian = link.guardian
    if guardian.pseudonym or consent_status(guardian) == ConsentStatus.REVOKED:
        raise ValidationError(
            "Согласие отозвано: данные родителя исключены из системы и не изменяются."
        )
    names = _clean_guardian_names(last_name, first_name, patronymic)
    _check_relation(relation)
    before = {**{f: getattr(guardian, f) for f in names}, "relation": link.relation}
    changed = {f: v for f, v in names.items() if getattr(guardian, f) != v}
    if changed:
        for f, v in changed.items():
            setattr(guardian, f, v)
        guardian.save(update_fields=list(changed))
    if link.relation != relation:
        link.relation = relation
        link.save(update_fields=["relation"])
    after = {**{f: getattr(guardian, f) for f in names}, "relation": link.relation}
    if after != before:
        audit.record(
            action="guardian.updated",
            actor=actor,
            school=guardian.school,
            obj=guardian,
            before=before,
            after=after,
        )
    if contacts:
        guardian_update_contacts(guardian=guardian, actor=actor, **contacts)
    return guardian


@transaction.atomic
def guardian_add(
    *,
    student: Student,
    actor: User,
    last_name: str,
    first_name: str,
    patronymic: str,
    relation: str,
    **contacts: str,
) -> Guardian:
    """A new parent or legal guardian of the student, linked with their relation."""
    if student.pseudonym:
        raise ValidationError(
            "Ученику присвоено кодовое имя: данные родителей в систему не вносятся."
        )
    names = _clean_guardian_names(last_name, first_name, patronymic)
    _check_relation(relation)
    unknown = set(contacts) - set(GUARDIAN_OPTIONAL_FIELDS)
    if unknown:
        raise ValidationError("Неизвестные поля.")
    if Guardian.objects.filter(student_links__student=student, **names).exists():
        raise ValidationError("Этот родитель у ученика уже указан.")
    guardian = Guardian.objects.create(
        school=student.school, **names, **{f: v.strip() for f, v in contacts.items()}
    )
    StudentGuardian.objects.create(student=student, guardian=guardian, relation=relation)
    audit.record(
        action="guardian.created",
        actor=actor,
        school=student.school,
        obj=guardian,
        after={**names, **contacts, "relation": relation, "student": student.pk},
    )
    return guardian


def guardian_account_create(*, guardian: Guardian, username: str, actor: User) -> tuple[User, str]:
    """A parent account with a one-time password. Impossible without consent (001 §6.2.1)."""
    # Hashed before the transaction: Argon2 is slow and the write lock is the site's.
    prepared = account_services.one_time_password_prepare()
    with transaction.atomic():
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
        account_services.role_grant(
            user=user, role=Role.PARENT, school=guardian.school, actor=actor
        )
        password = account_services.user_issue_password(
            user=user, actor=actor, school=guardian.school, prepared=prepared
        )
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
    if student.user_id and account_within(user=student.user, school=school, holding=False):
        User.objects.filter(pk=student.user_id).update(
            last_name=student.pseudonym, first_name="", patronymic="", email=""
        )
    for guardian in guardians:
        if guardian.pseudonym:
            continue
        guardian.pseudonym = f"Родитель {_next_code_number(school, 'Родитель ', Guardian)}"
        guardian.save(update_fields=["pseudonym"])
        if guardian.user is not None and guardian.user.is_active:
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
    """The line printouts carry for a pseudonymised student (001 §6.3.5), "" for others.

    Reads ``student.pseudonym_order``: select it with the student
    (``select_related("pseudonym_order")``) or use ``printed_names`` for many students.
    """
    if not student.pseudonym or student.pseudonym_order_id is None:
        return ""
    return f"{student.pseudonym}: кодовое имя присвоено, {student.pseudonym_order}"


@dataclass(frozen=True)
class PrintedName:
    """How a student appears on anything printed or exported (001 §6.3).

    ``name``/``short_name`` are the code «Ученик N» for a pseudonymised student and the
    real name otherwise; ``order_note`` is "" or the line «Ученик N: кодовое имя
    присвоено, приказ № … от ДД.ММ.ГГГГ» that every printed copy must carry.
    """

    student_id: int
    name: str
    short_name: str
    pseudonymised: bool
    order_note: str


def printed_names(students: Iterable[Student]) -> dict[int, PrintedName]:
    """The display name, code and order note of each student, by student id.

    The one helper for printouts, reports, archive copies, exports and the API::

        names = printed_names(students)
        row["name"] = names[student.pk].name
        footer = printed_order_notes(students)  # the lines to print under the document

    At most one query (the orders of pseudonymised students), none when nobody is
    pseudonymised or the students came with ``select_related("pseudonym_order")``.
    """
    students = list(students)
    missing = {
        s.pseudonym_order_id
        for s in students
        if s.pseudonym and s.pseudonym_order_id and "pseudonym_order" not in s._state.fields_cache
    }
    orders = {o.pk: o for o in Order.objects.filter(pk__in=missing)} if missing else {}
    result = {}
    for student in students:
        note = ""
        if student.pseudonym and student.pseudonym_order_id:
            order = orders.get(student.pseudonym_order_id) or student.pseudonym_order
            note = f"{student.pseudonym}: кодовое имя присвоено, {order}"
        result[student.pk] = PrintedName(
            student_id=student.pk,
            name=student.full_name,
            short_name=student.short_name,
            pseudonymised=bool(student.pseudonym),
            order_note=note,
        )
    return result


def printed_order_notes(students: Iterable[Student]) -> list[str]:
    """The order lines a printed copy carries for its pseudonymised students, each once,
    in the order of ``students`` (empty when nobody on it is pseudonymised)."""
    notes: list[str] = []
    for printed in printed_names(students).values():
        if printed.order_note and printed.order_note not in notes:
            notes.append(printed.order_note)
    return notes
