"""Student movement by the operator: enrollment, transfer, leaving — each on an order.

The effective date is the first day of the new state: a transfer on 16.11 ends the old
class on 15.11 and starts the new one on 16.11; marks made in the old class stay there,
because the journal reads enrollments by date.

Every class list change rests on a movement with its order, so the movement report
balances: the students of a class at the start of any range, plus those who arrived,
minus those who left, are the students at its end.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q

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
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    ClassEnrollment,
    GroupKind,
    GroupMembership,
    SchoolClass,
    StudyGroup,
    TeachingLoad,
)

ORDER_KINDS = {
    MovementKind.ENROLLMENT: OrderKind.ENROLLMENT,
    MovementKind.TRANSFER: OrderKind.TRANSFER,
    MovementKind.LEAVING: OrderKind.LEAVING,
}
# A child starts grade 1 at six and a half to eight (29.12.2012 № 273-ФЗ, art. 67); a
# younger or an older pupil of a grade is possible, by this much and no more.
YOUNGEST_AGE_GRADE_1 = 6
OLDEST_AGE_GRADE_1 = 13
# An order is issued before (or on) the day it takes effect, and not long before.
ORDER_LEAD = dt.timedelta(days=366)


@dataclass
class TransferResult:
    movement: StudentMovement
    # Subgroups of the new class the student was put in, and the subjects whose
    # subgroup could not be chosen (the operator adds the student by hand).
    subgroups: list[StudyGroup] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        parts = ["Перевод оформлен."]
        if self.subgroups:
            parts.append("Ученик включён в подгруппы: " + ", ".join(map(str, self.subgroups)) + ".")
        if self.unplaced:
            parts.append(
                "Подгруппа не выбрана: "
                + "; ".join(self.unplaced)
                + ". Включите ученика в подгруппу на странице групп."
            )
        return " ".join(parts)


def _order(
    school, kind: MovementKind, number: str, date: dt.date | None, effective: dt.date
) -> Order:
    number = (number or "").strip()
    if not number:
        raise ValidationError("Укажите номер приказа.")
    date = check_order_date(order_date=date, effective_date=effective)
    return Order.objects.create(school=school, number=number, date=date, kind=ORDER_KINDS[kind])


def check_order_date(*, order_date: dt.date | None, effective_date: dt.date) -> dt.date:
    """An order comes before (or on) the day the movement takes effect."""
    if order_date is None:
        raise ValidationError("Укажите дату приказа.")
    if order_date > effective_date:
        raise ValidationError(
            f"Дата приказа {order_date:%d.%m.%Y} позже даты движения {effective_date:%d.%m.%Y}: "
            "приказ издаётся до того дня, с которого он действует."
        )
    if order_date < effective_date - ORDER_LEAD:
        raise ValidationError(
            f"Приказ от {order_date:%d.%m.%Y} издан больше чем за год до движения "
            f"({effective_date:%d.%m.%Y}): проверьте дату приказа."
        )
    return order_date


def _age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def check_birth_date(*, birth_date: dt.date | None, school_class: SchoolClass) -> None:
    """The birth date is in the past and fits the class's grade (age on 1 September)."""
    if birth_date is None:
        raise ValidationError("Укажите дату рождения ученика.")
    today = school_selectors.school_today(school_class.school)
    if birth_date >= today:
        raise ValidationError(f"Дата рождения {birth_date:%d.%m.%Y} ещё не наступила.")
    age = _age_on(birth_date, school_class.year.start)
    youngest = YOUNGEST_AGE_GRADE_1 + school_class.grade - 1
    oldest = OLDEST_AGE_GRADE_1 + school_class.grade - 1
    if not youngest <= age <= oldest:
        raise ValidationError(
            f"Дата рождения {birth_date:%d.%m.%Y} не подходит для {school_class.grade} класса: "
            f"на {school_class.year.start:%d.%m.%Y} ученику {age} (полных лет), а в этом "
            f"классе учатся дети от {youngest} до {oldest} лет. Проверьте дату рождения и класс."
        )


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


def _check_nothing_later(student: Student, on: dt.date) -> None:
    """A movement goes after the student's last one: history is not rewritten."""
    later = StudentMovement.objects.filter(student=student, effective_date__gt=on).first()
    if later is not None:
        raise ValidationError(
            f"У ученика уже есть движение с более поздней даты "
            f"({later.get_kind_display()} с {later.effective_date:%d.%m.%Y}): "
            "новое движение должно быть не раньше его."
        )


def _record(
    student, kind, order, on, from_class, to_class, actor, *, extra=None, **places
) -> StudentMovement:
    movement = StudentMovement.objects.create(
        student=student,
        kind=kind,
        order=order,
        effective_date=on,
        from_class=from_class,
        to_class=to_class,
        created_by=actor,
        **places,
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
            **places,
            **(extra or {}),
        },
    )
    return movement


def _close_memberships(student: Student, last_day: dt.date, **where) -> None:
    """End the student's group memberships (those matching ``where``) on ``last_day``."""
    memberships = GroupMembership.objects.filter(student=student, **where)
    memberships.filter(date_from__gt=last_day).delete()
    memberships.filter(Q(date_to__isnull=True) | Q(date_to__gt=last_day)).update(date_to=last_day)


def _place_in_subgroups(
    student: Student, school_class: SchoolClass, on: dt.date
) -> tuple[list[StudyGroup], list[str]]:
    """Put a newcomer in one subgroup of each subject the class splits, the one with fewer
    members on ``on`` (the first by name on a tie). A subject with a single subgroup, or a
    subgroup nobody teaches, cannot be decided here and is named in the second list."""
    subgroups = list(
        StudyGroup.objects.filter(school_class=school_class, kind=GroupKind.SUBGROUP)
        .annotate(
            size=Count(
                "memberships",
                filter=Q(memberships__date_from__lte=on)
                & (Q(memberships__date_to__isnull=True) | Q(memberships__date_to__gte=on)),
            )
        )
        .order_by("name")
    )
    if not subgroups:
        return [], []
    by_subject: dict[str, list[StudyGroup]] = defaultdict(list)
    taught = set()
    for group_id, subject_name in TeachingLoad.objects.filter(group__in=subgroups).values_list(
        "group_id", "subject__name"
    ):
        taught.add(group_id)
        groups = by_subject[subject_name]
        groups.extend(g for g in subgroups if g.pk == group_id and g not in groups)
    placed: list[StudyGroup] = []
    unplaced = [
        f"«{g}» (предмет подгруппы не указан в тарификации)"
        for g in subgroups
        if g.pk not in taught
    ]
    for subject_name, groups in sorted(by_subject.items()):
        if len(groups) < 2:
            unplaced.append(f"{subject_name} (в классе одна подгруппа «{groups[0]}»)")
            continue
        chosen = min(groups, key=lambda g: g.size)  # type: ignore[attr-defined]
        if chosen not in placed:
            placed.append(chosen)
    GroupMembership.objects.bulk_create(
        GroupMembership(group=group, student=student, date_from=on) for group in placed
    )
    return placed, unplaced


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
    from_place: str = "",
) -> StudentMovement:
    """Enroll a new student (or one who left) into a class from a date."""
    school = school_class.school
    _check_in_year(school_class, effective_date)
    if student is None:
        if not last_name.strip() or not first_name.strip():
            raise ValidationError("Укажите фамилию и имя ученика.")
        if birth_date is None or sex not in Sex.values:
            raise ValidationError("Укажите дату рождения и пол ученика.")
        check_birth_date(birth_date=birth_date, school_class=school_class)
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
    else:
        check_birth_date(birth_date=student.birth_date, school_class=school_class)
    later = ClassEnrollment.objects.filter(student=student).filter(
        Q(date_to__isnull=True) | Q(date_to__gte=effective_date)
    )
    if later.exists():
        raise ValidationError(
            f"Ученик {student.short_name} уже зачислен в класс на эту дату: "
            "оформите перевод, а не зачисление."
        )
    _check_nothing_later(student, effective_date)
    order = _order(school, MovementKind.ENROLLMENT, order_number, order_date, effective_date)
    ClassEnrollment.objects.create(
        student=student, school_class=school_class, date_from=effective_date
    )
    placed, _ = _place_in_subgroups(student, school_class, effective_date)
    return _record(
        student,
        MovementKind.ENROLLMENT,
        order,
        effective_date,
        None,
        school_class,
        actor,
        extra={"subgroups": [g.pk for g in placed]},
        from_place=from_place.strip(),
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
) -> TransferResult:
    """Move a student to another class of the school; subgroups of the old class end,
    the new class's split subjects get a subgroup each (see ``TransferResult``)."""
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
    _check_nothing_later(student, effective_date)
    order = _order(student.school, MovementKind.TRANSFER, order_number, order_date, effective_date)
    last_day = effective_date - dt.timedelta(days=1)
    from_class = current.school_class
    current.date_to = last_day
    current.save(update_fields=["date_to"])
    _close_memberships(student, last_day, group__school_class=from_class)
    ClassEnrollment.objects.create(student=student, school_class=to_class, date_from=effective_date)
    placed, unplaced = _place_in_subgroups(student, to_class, effective_date)
    moved = _record(
        student,
        MovementKind.TRANSFER,
        order,
        effective_date,
        from_class,
        to_class,
        actor,
        extra={"subgroups": [g.pk for g in placed], "unplaced": unplaced},
    )
    return TransferResult(moved, placed, unplaced)


@transaction.atomic
def student_leave(
    *,
    student: Student,
    effective_date: dt.date,
    order_number: str,
    order_date: dt.date,
    actor: User,
    to_place: str = "",
) -> StudentMovement:
    """The student leaves the school: the class and every group (subgroups, streams,
    electives) end the day before ``effective_date``."""
    to_place = to_place.strip()
    if not to_place:
        raise ValidationError(
            "Укажите, куда выбыл ученик: другая школа (название и город), семейное "
            "образование, другой регион или страна."
        )
    current = _open_enrollment(student, effective_date)
    if current is None:
        raise ValidationError(f"На {effective_date:%d.%m.%Y} ученик не зачислен ни в один класс.")
    if current.date_from >= effective_date:
        raise ValidationError("Дата выбытия должна быть позже даты зачисления.")
    if ClassEnrollment.objects.filter(student=student, date_from__gt=effective_date).exists():
        raise ValidationError("После этой даты у ученика уже есть другое зачисление.")
    _check_nothing_later(student, effective_date)
    order = _order(student.school, MovementKind.LEAVING, order_number, order_date, effective_date)
    last_day = effective_date - dt.timedelta(days=1)
    current.date_to = last_day
    current.save(update_fields=["date_to"])
    _close_memberships(student, last_day)
    return _record(
        student,
        MovementKind.LEAVING,
        order,
        effective_date,
        current.school_class,
        None,
        actor,
        to_place=to_place,
    )
