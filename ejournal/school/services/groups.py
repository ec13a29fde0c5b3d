"""Study groups, their dated membership and the teaching load."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from ejournal.accounts.models import StaffMember, Student
from ejournal.audit import services as audit
from ejournal.school.models import (
    AcademicYear,
    ClassEnrollment,
    GroupKind,
    GroupMembership,
    School,
    SchoolClass,
    StudyGroup,
    Subject,
    TeachingLoad,
)
from ejournal.school.services._common import (
    check_dates,
    check_hours,
    check_same_school,
    check_within_year,
    delete,
    save_update,
    snapshot,
)

# --- study groups -----------------------------------------------------------------

GROUP_FIELDS = ["name", "kind", "school_class"]


def _validate_group(*, year: AcademicYear, name, kind, school_class, exclude_pk=None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("Укажите название группы, например «5А англ. 1».")
    if kind not in GroupKind.values:
        raise ValidationError("Неизвестный вид группы.")
    if kind in (GroupKind.WHOLE_CLASS, GroupKind.SUBGROUP) and school_class is None:
        raise ValidationError("Для группы «весь класс» или подгруппы укажите класс.")
    if school_class is not None and (
        school_class.school_id != year.school_id or school_class.year_id != year.pk
    ):
        raise ValidationError("Класс не относится к этому учебному году.")
    if StudyGroup.objects.filter(year=year, name=name).exclude(pk=exclude_pk).exists():
        raise ValidationError(f"Группа «{name}» в учебном году {year} уже есть.")
    return name


@transaction.atomic
def study_group_create(
    *, year: AcademicYear, name: str, kind: str, school_class: SchoolClass | None = None, actor
) -> StudyGroup:
    name = _validate_group(year=year, name=name, kind=kind, school_class=school_class)
    group = StudyGroup.objects.create(
        school=year.school, year=year, name=name, kind=kind, school_class=school_class
    )
    audit.record(
        action="study_group.created",
        actor=actor,
        school=year.school_id,
        obj=group,
        after={"year": year.pk, **snapshot(group, GROUP_FIELDS)},
    )
    return group


@transaction.atomic
def study_group_update(
    *, group: StudyGroup, name: str, kind: str, school_class: SchoolClass | None, actor
) -> StudyGroup:
    name = _validate_group(
        year=group.year, name=name, kind=kind, school_class=school_class, exclude_pk=group.pk
    )
    if kind == GroupKind.WHOLE_CLASS and group.memberships.exists():
        raise ValidationError(
            "У группы есть собственный состав; группа «весь класс» берёт состав из класса. "
            "Сначала удалите записи состава."
        )
    if (
        kind == GroupKind.SUBGROUP
        and school_class is not None
        and school_class.pk != group.school_class_id
        and group.memberships.exists()
    ):
        raise ValidationError("Нельзя сменить класс подгруппы, в которой уже есть ученики.")
    save_update(
        obj=group,
        fields=GROUP_FIELDS,
        values={"name": name, "kind": kind, "school_class": school_class},
        action="study_group.updated",
        actor=actor,
        school=group.school_id,
    )
    return group


# --- group membership -------------------------------------------------------------

MEMBERSHIP_FIELDS = ["group", "student", "date_from", "date_to"]


def _enrolled_throughout(
    enrollments: list[ClassEnrollment], date_from: dt.date, date_to: dt.date | None
) -> bool:
    """True when the enrollments (of one class) cover every day of [date_from, date_to]."""
    cursor = date_from
    for e in sorted(enrollments, key=lambda e: e.date_from):
        if e.date_to is not None and e.date_to < cursor:
            continue
        if e.date_from > cursor:
            return False
        if e.date_to is None:
            return True
        cursor = e.date_to + dt.timedelta(days=1)
        if date_to is not None and cursor > date_to:
            return True
    return False


def _validate_membership(
    *, group: StudyGroup, student: Student, date_from, date_to, exclude_pk=None
) -> None:
    if group.kind == GroupKind.WHOLE_CLASS:
        raise ValidationError(
            "Состав группы «весь класс» определяется зачислением в класс; "
            "ученика зачисляют в класс, а не в группу."
        )
    check_same_school(student, group.school, "Ученик не найден в этой школе.")
    check_dates(date_from, date_to, strict=False, what="членство в группе")
    check_within_year(group.year, date_from, date_to, "Членство в группе")
    if group.kind == GroupKind.SUBGROUP:
        enrollments = list(
            ClassEnrollment.objects.filter(student=student, school_class_id=group.school_class_id)
        )
        if not _enrolled_throughout(enrollments, date_from, date_to):
            until = f"по {date_to:%d.%m.%Y}" if date_to else "без даты окончания"
            raise ValidationError(
                f"Ученик {student.short_name} не учится в классе {group.school_class} "
                f"на все даты членства (с {date_from:%d.%m.%Y} {until}): в подгруппу "
                "можно включить только ученика этого класса."
            )
    same = GroupMembership.objects.filter(group=group, student=student).exclude(pk=exclude_pk)
    if date_to is not None:
        same = same.filter(date_from__lte=date_to)
    clash = same.exclude(date_to__lt=date_from).first()
    if clash:
        raise ValidationError(
            f"Ученик {student.short_name} уже состоит в группе «{group}» в эти даты "
            f"(с {clash.date_from:%d.%m.%Y})."
        )


@transaction.atomic
def group_membership_create(
    *, group: StudyGroup, student: Student, date_from: dt.date, date_to: dt.date | None, actor
) -> GroupMembership:
    _validate_membership(group=group, student=student, date_from=date_from, date_to=date_to)
    membership = GroupMembership.objects.create(
        group=group, student=student, date_from=date_from, date_to=date_to
    )
    audit.record(
        action="group_membership.created",
        actor=actor,
        school=group.school_id,
        obj=membership,
        after=snapshot(membership, MEMBERSHIP_FIELDS),
    )
    return membership


@transaction.atomic
def group_membership_update(
    *, membership: GroupMembership, date_from: dt.date, date_to: dt.date | None, actor
) -> GroupMembership:
    """Change the dates; setting ``date_to`` is how a student leaves a group."""
    _validate_membership(
        group=membership.group,
        student=membership.student,
        date_from=date_from,
        date_to=date_to,
        exclude_pk=membership.pk,
    )
    save_update(
        obj=membership,
        fields=["date_from", "date_to"],
        values={"date_from": date_from, "date_to": date_to},
        action="group_membership.updated",
        actor=actor,
        school=membership.group.school_id,
    )
    return membership


@transaction.atomic
def group_membership_delete(*, membership: GroupMembership, actor) -> None:
    """For a row entered by mistake; a student who leaves gets an end date instead."""
    delete(
        obj=membership,
        fields=MEMBERSHIP_FIELDS,
        action="group_membership.deleted",
        actor=actor,
        school=membership.group.school_id,
        what="запись о членстве",
    )


# --- teaching load -------------------------------------------------------------------

LOAD_FIELDS = ["group", "subject", "teacher", "hours_per_week"]


def _validate_load(*, school: School, group, subject, teacher, hours, exclude_pk=None) -> None:
    check_same_school(group, school, "Группа не найдена в этой школе.")
    check_same_school(subject, school, "Предмет не найден в этой школе.")
    check_same_school(teacher, school, "Учитель не найден среди сотрудников этой школы.")
    if not teacher.is_active:
        raise ValidationError(f"{teacher.short_name} не работает в школе.")
    check_hours(hours, allow_zero=False)
    duplicate = (
        TeachingLoad.objects.filter(group=group, subject=subject, teacher=teacher)
        .exclude(pk=exclude_pk)
        .exists()
    )
    if duplicate:
        raise ValidationError(
            f"{teacher.short_name} уже ведёт «{subject}» в группе «{group}» — "
            "измените часы в существующей строке."
        )


@transaction.atomic
def teaching_load_create(
    *,
    school: School,
    group: StudyGroup,
    subject: Subject,
    teacher: StaffMember,
    hours_per_week: Decimal,
    actor,
) -> TeachingLoad:
    _validate_load(
        school=school, group=group, subject=subject, teacher=teacher, hours=hours_per_week
    )
    load = TeachingLoad.objects.create(
        group=group, subject=subject, teacher=teacher, hours_per_week=hours_per_week
    )
    audit.record(
        action="teaching_load.created",
        actor=actor,
        school=school,
        obj=load,
        after=snapshot(load, LOAD_FIELDS),
    )
    return load


@transaction.atomic
def teaching_load_update(
    *,
    load: TeachingLoad,
    group: StudyGroup,
    subject: Subject,
    teacher: StaffMember,
    hours_per_week: Decimal,
    actor,
) -> TeachingLoad:
    school = load.group.school
    _validate_load(
        school=school,
        group=group,
        subject=subject,
        teacher=teacher,
        hours=hours_per_week,
        exclude_pk=load.pk,
    )
    save_update(
        obj=load,
        fields=LOAD_FIELDS,
        values={
            "group": group,
            "subject": subject,
            "teacher": teacher,
            "hours_per_week": hours_per_week,
        },
        action="teaching_load.updated",
        actor=actor,
        school=school,
    )
    return load


@transaction.atomic
def teaching_load_delete(*, load: TeachingLoad, actor) -> None:
    delete(
        obj=load,
        fields=LOAD_FIELDS,
        action="teaching_load.deleted",
        actor=actor,
        school=load.group.school_id,
        what="строку тарификации",
    )
