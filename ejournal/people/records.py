"""Extracurricular activities of students and HR staff records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from ejournal.accounts.models import (
    Activity,
    ActivityKind,
    QualificationCategory,
    StaffMember,
    StaffRecord,
    Student,
    User,
)
from ejournal.audit import services as audit

RECORD_FIELDS = [
    "education",
    "qualification",
    "qualification_date",
    "hired_on",
    "teaching_since",
    "courses",
]


@transaction.atomic
def activity_add(
    *,
    student: Student,
    name: str,
    kind: str,
    place: str,
    hours_per_week: Decimal,
    date_from: dt.date,
    date_to: dt.date | None,
    actor: User,
) -> Activity:
    from ejournal.people.services import ensure_full_data_allowed

    ensure_full_data_allowed(student)
    if not name.strip():
        raise ValidationError("Укажите название занятия.")
    if kind not in ActivityKind.values:
        raise ValidationError("Укажите вид занятия.")
    if not (Decimal("0") < hours_per_week <= Decimal("40")):
        raise ValidationError("Часов в неделю — от 0,5 до 40.")
    if date_to is not None and date_to < date_from:
        raise ValidationError("Дата окончания раньше даты начала.")
    activity = Activity.objects.create(
        student=student,
        name=name.strip(),
        kind=kind,
        place=place.strip(),
        hours_per_week=hours_per_week,
        date_from=date_from,
        date_to=date_to,
        created_by=actor,
    )
    audit.record(
        action="activity.created",
        actor=actor,
        school=student.school_id,
        obj=activity,
        after={
            "student": student.pk,
            "name": activity.name,
            "kind": kind,
            "hours_per_week": hours_per_week,
            "date_from": date_from,
            "date_to": date_to,
        },
    )
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity, actor: User) -> None:
    audit.record(
        action="activity.deleted",
        actor=actor,
        school=activity.student.school_id,
        obj=activity,
        before={"student": activity.student_id, "name": activity.name},
    )
    activity.delete()


@transaction.atomic
def staff_record_save(*, staff: StaffMember, actor: User, **data) -> StaffRecord:
    if set(data) - set(RECORD_FIELDS):
        raise ValidationError("Неизвестные поля.")
    if data.get("qualification", QualificationCategory.NONE) not in QualificationCategory.values:
        raise ValidationError("Неизвестная квалификационная категория.")
    if data.get("qualification") in (
        QualificationCategory.FIRST,
        QualificationCategory.HIGHEST,
    ) and not data.get("qualification_date"):
        raise ValidationError("Укажите дату присвоения квалификационной категории.")
    record = StaffRecord.objects.filter(staff=staff).first()
    before = {f: getattr(record, f) for f in RECORD_FIELDS} if record else None
    if record is not None and before == {f: data.get(f, getattr(record, f)) for f in RECORD_FIELDS}:
        return record  # posted back unchanged: nothing to write
    record, _ = StaffRecord.objects.update_or_create(staff=staff, defaults=data)
    audit.record(
        action="staff_record.saved",
        actor=actor,
        school=staff.school_id,
        obj=record,
        before=before,
        after={f: getattr(record, f) for f in RECORD_FIELDS},
    )
    return record
