"""Student movement by the operator: enrollment, transfer, leaving — each on an order.

The effective date is the first day of the new state: a transfer on 16.11 ends the old
class on 15.11 and starts the new one on 16.11; marks made in the old class stay there,
because the journal reads enrollments by date.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from ejournal.accounts.models import (
    MovementKind,
    Order,
    OrderKind,
    Sex,
    Student,
    StudentMovement,
    User,
)
from ejournal.audit import services as audit
from ejournal.school.models import ClassEnrollment, GroupMembership, SchoolClass

ORDER_KINDS = {
    MovementKind.ENROLLMENT: OrderKind.ENROLLMENT,
    MovementKind.TRANSFER: OrderKind.TRANSFER,
    MovementKind.LEAVING: OrderKind.LEAVING,
}


def _order(school, kind: str, number: str, date: dt.date) -> Order:
    number = (number or "").strip()
    if not number:
        raise ValidationError("Укажите номер приказа.")
    return Order.objects.create(school=school, number=number, date=date, kind=ORDER_KINDS[kind])


def _open_enrollment(student: Student, on: dt.date) -> ClassEnrollment | None:
    return (
        ClassEnrollment.objects.select_for_update()
        .filter(student=student, date_from__lte=on)
        .filter(Q(date_to__isnull=True) | Q(date_to__gte=on))
        .select_related("school_class__year")
        .first()
    )


def _check_in_year(school_class: SchoolClass, on: dt.date) -> None:
    year = school_class.year
    if not (year.start <= on <= year.end):
        raise ValidationError(f"Дата {on:%d.%m.%Y} вне учебного года {year} класса {school_class}.")


def _record(student, kind, order, on, from_class, to_class, actor) -> StudentMovement:
    movement = StudentMovement.objects.create(
        student=student,
        kind=kind,
        order=order,
        effective_date=on,
        from_class=from_class,
        to_class=to_class,
        created_by=actor,
    )
    audit.record(
        action=f"student.{kind}",
        actor=actor,
        school=student.school_id,
        obj=movement,
        after={
            "student": student.pk,
            "order": str(order),
            "date": on,
            "from_class": getattr(from_class, "pk", None),
            "to_class": getattr(to_class, "pk", None),
        },
    )
    return movement


def _close_subgroups(student: Student, school_class: SchoolClass, last_day: dt.date) -> None:
    GroupMembership.objects.filter(
        student=student, group__school_class=school_class, date_from__gt=last_day
    ).delete()
    GroupMembership.objects.filter(student=student, group__school_class=school_class).filter(
        Q(date_to__isnull=True) | Q(date_to__gt=last_day)
    ).update(date_to=last_day)


@transaction.atomic
def student_enroll(
    *,
    school_class: SchoolClass,
    effective_date: dt.date,
    order_number: str,
    order_date: dt.date,
    actor: User,
    student: Student | None = None,
    last_name: str = "",
    first_name: str = "",
    patronymic: str = "",
    birth_date: dt.date | None = None,
    sex: str = "",
) -> StudentMovement:
    """Enroll a new student (or one who left) into a class from a date."""
    school = school_class.school
    _check_in_year(school_class, effective_date)
    if student is None:
        if not last_name.strip() or not first_name.strip():
            raise ValidationError("Укажите фамилию и имя ученика.")
        if birth_date is None or sex not in Sex.values:
            raise ValidationError("Укажите дату рождения и пол ученика.")
        student = Student.objects.create(
            school=school,
            last_name=last_name.strip(),
            first_name=first_name.strip(),
            patronymic=patronymic.strip(),
            birth_date=birth_date,
            sex=sex,
        )
    elif student.school_id != school.pk:
        raise ValidationError("Ученик не найден в этой школе.")
    later = ClassEnrollment.objects.filter(student=student).filter(
        Q(date_to__isnull=True) | Q(date_to__gte=effective_date)
    )
    if later.exists():
        raise ValidationError(
            f"Ученик {student.short_name} уже зачислен в класс на эту дату: "
            "оформите перевод, а не зачисление."
        )
    order = _order(school, MovementKind.ENROLLMENT, order_number, order_date)
    ClassEnrollment.objects.create(
        student=student, school_class=school_class, date_from=effective_date
    )
    return _record(
        student, MovementKind.ENROLLMENT, order, effective_date, None, school_class, actor
    )


@transaction.atomic
def student_transfer(
    *,
    student: Student,
    to_class: SchoolClass,
    effective_date: dt.date,
    order_number: str,
    order_date: dt.date,
    actor: User,
) -> StudentMovement:
    if to_class.school_id != student.school_id:
        raise ValidationError("Класс не найден в этой школе.")
    _check_in_year(to_class, effective_date)
    current = _open_enrollment(student, effective_date)
    if current is None:
        raise ValidationError(
            f"На {effective_date:%d.%m.%Y} ученик не зачислен ни в один класс: оформите зачисление."
        )
    if current.school_class_id == to_class.pk:
        raise ValidationError(f"Ученик уже учится в классе {to_class}.")
    if current.date_from >= effective_date:
        raise ValidationError(
            f"Перевод возможен не раньше {current.date_from + dt.timedelta(days=1):%d.%m.%Y}: "
            "ученик зачислен в текущий класс с этой даты."
        )
    if ClassEnrollment.objects.filter(student=student, date_from__gt=effective_date).exists():
        raise ValidationError("После этой даты у ученика уже есть другое зачисление.")
    order = _order(student.school, MovementKind.TRANSFER, order_number, order_date)
    last_day = effective_date - dt.timedelta(days=1)
    from_class = current.school_class
    current.date_to = last_day
    current.save(update_fields=["date_to"])
    _close_subgroups(student, from_class, last_day)
    ClassEnrollment.objects.create(student=student, school_class=to_class, date_from=effective_date)
    return _record(
        student, MovementKind.TRANSFER, order, effective_date, from_class, to_class, actor
    )


@transaction.atomic
def student_leave(
    *,
    student: Student,
    effective_date: dt.date,
    order_number: str,
    order_date: dt.date,
    actor: User,
) -> StudentMovement:
    current = _open_enrollment(student, effective_date)
    if current is None:
        raise ValidationError(f"На {effective_date:%d.%m.%Y} ученик не зачислен ни в один класс.")
    if current.date_from >= effective_date:
        raise ValidationError("Дата выбытия должна быть позже даты зачисления.")
    order = _order(student.school, MovementKind.LEAVING, order_number, order_date)
    last_day = effective_date - dt.timedelta(days=1)
    current.date_to = last_day
    current.save(update_fields=["date_to"])
    _close_subgroups(student, current.school_class, last_day)
    ClassEnrollment.objects.filter(student=student, date_from__gt=last_day).delete()
    return _record(
        student, MovementKind.LEAVING, order, effective_date, current.school_class, None, actor
    )
