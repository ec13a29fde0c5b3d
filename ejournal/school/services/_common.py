"""Checks and audit helpers shared by the structure services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError

from ejournal.audit import services as audit
from ejournal.school.models import (
    AcademicYear,
    School,
)

MIN_GRADE, MAX_GRADE = 1, 11
MAX_WEEKLY_HOURS = Decimal("40")


# --- helpers ------------------------------------------------------------------


def snapshot(obj: Model, fields: list[str]) -> dict[str, Any]:
    """Field values for the audit trail; foreign keys as ids."""
    data: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        data[name] = getattr(obj, getattr(field, "attname", name))
    return data


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def save_update(
    *, obj: Model, fields: list[str], values: dict[str, Any], action: str, actor, school
) -> None:
    """Apply ``values`` to ``obj`` and record only what really changed."""
    before = snapshot(obj, fields)
    for name, value in values.items():
        setattr(obj, name, value)
    after = snapshot(obj, fields)
    old, new = changed(before, after)
    if not new:
        return
    obj.save()
    audit.record(action=action, actor=actor, school=school, obj=obj, before=old, after=new)


def delete(*, obj: Model, fields: list[str], action: str, actor, school, what: str) -> None:
    before = snapshot(obj, fields)
    pk = obj.pk
    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError as exc:
        raise ValidationError(
            f"Нельзя удалить {what}: на эту запись уже ссылаются другие данные."
        ) from exc
    audit.record(
        action=action,
        actor=actor,
        school=school,
        object_type=obj._meta.label_lower,
        object_id=pk,
        before=before,
    )


def check_dates(start: dt.date | None, end: dt.date | None, *, strict: bool, what: str) -> None:
    if start is None:
        raise ValidationError(f"Укажите дату начала ({what}).")
    if end is None:
        return
    if strict and end <= start:
        raise ValidationError(f"Дата окончания должна быть позже даты начала ({what}).")
    if not strict and end < start:
        raise ValidationError(f"Дата окончания не может быть раньше даты начала ({what}).")


def check_grade(grade: int, what: str = "Параллель") -> None:
    if grade is None or not MIN_GRADE <= grade <= MAX_GRADE:
        raise ValidationError(f"{what}: класс {grade} не существует — в школе классы с 1 по 11.")


def check_grade_range(grade_from: int, grade_to: int) -> None:
    check_grade(grade_from, "Начальная параллель")
    check_grade(grade_to, "Конечная параллель")
    if grade_to < grade_from:
        raise ValidationError("Конечная параллель не может быть меньше начальной.")


def check_within_year(year: AcademicYear, start: dt.date, end: dt.date | None, what: str) -> None:
    if start < year.start or (end or start) > year.end:
        raise ValidationError(
            f"{what} выходит за границы учебного года {year} "
            f"({year.start:%d.%m.%Y} — {year.end:%d.%m.%Y})."
        )


def check_same_school(obj, school: School, message: str) -> None:
    if obj is None or obj.school_id != school.pk:
        raise ValidationError(message)


def check_hours(hours: Decimal | None, *, allow_zero: bool) -> None:
    if hours is None:
        raise ValidationError("Укажите количество часов в неделю.")
    if hours < 0:
        raise ValidationError("Количество часов не может быть отрицательным.")
    if hours == 0 and not allow_zero:
        raise ValidationError("Количество часов должно быть больше нуля.")
    if hours > MAX_WEEKLY_HOURS:
        raise ValidationError(f"Не больше {MAX_WEEKLY_HOURS} часов в неделю.")
    if hours * 2 != int(hours * 2):
        raise ValidationError("Часы указываются с шагом 0,5.")
