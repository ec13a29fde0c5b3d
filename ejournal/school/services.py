"""Writes to the school structure. Each function validates, saves and records its audit
event in one transaction; on bad input it raises ValidationError (in Russian) and
changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError

from ejournal.accounts.models import StaffMember, Student
from ejournal.audit import services as audit
from ejournal.school.models import (
    AcademicYear,
    ClassEnrollment,
    CurriculumEntry,
    DayOff,
    DayOffKind,
    GradeBand,
    GroupKind,
    GroupMembership,
    PeriodKind,
    School,
    SchoolClass,
    StudyGroup,
    StudyPeriod,
    Subject,
    TeachingLoad,
)

MIN_GRADE, MAX_GRADE = 1, 11
MAX_WEEKLY_HOURS = Decimal("40")


# --- helpers ------------------------------------------------------------------


def _snapshot(obj: Model, fields: list[str]) -> dict[str, Any]:
    """Field values for the audit trail; foreign keys as ids."""
    data: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        data[name] = getattr(obj, getattr(field, "attname", name))
    return data


def _changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _save_update(
    *, obj: Model, fields: list[str], values: dict[str, Any], action: str, actor, school
) -> None:
    """Apply ``values`` to ``obj`` and record only what really changed."""
    before = _snapshot(obj, fields)
    for name, value in values.items():
        setattr(obj, name, value)
    after = _snapshot(obj, fields)
    old, new = _changed(before, after)
    if not new:
        return
    obj.save()
    audit.record(action=action, actor=actor, school=school, obj=obj, before=old, after=new)


def _delete(*, obj: Model, fields: list[str], action: str, actor, school, what: str) -> None:
    before = _snapshot(obj, fields)
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


def _check_dates(start: dt.date | None, end: dt.date | None, *, strict: bool, what: str) -> None:
    if start is None:
        raise ValidationError(f"Укажите дату начала ({what}).")
    if end is None:
        return
    if strict and end <= start:
        raise ValidationError(f"Дата окончания должна быть позже даты начала ({what}).")
    if not strict and end < start:
        raise ValidationError(f"Дата окончания не может быть раньше даты начала ({what}).")


def _check_grade(grade: int, what: str = "Параллель") -> None:
    if grade is None or not MIN_GRADE <= grade <= MAX_GRADE:
        raise ValidationError(f"{what}: класс {grade} не существует — в школе классы с 1 по 11.")


def _check_grade_range(grade_from: int, grade_to: int) -> None:
    _check_grade(grade_from, "Начальная параллель")
    _check_grade(grade_to, "Конечная параллель")
    if grade_to < grade_from:
        raise ValidationError("Конечная параллель не может быть меньше начальной.")


def _check_within_year(year: AcademicYear, start: dt.date, end: dt.date | None, what: str) -> None:
    if start < year.start or (end or start) > year.end:
        raise ValidationError(
            f"{what} выходит за границы учебного года {year} "
            f"({year.start:%d.%m.%Y} — {year.end:%d.%m.%Y})."
        )


def _check_same_school(obj, school: School, message: str) -> None:
    if obj is None or obj.school_id != school.pk:
        raise ValidationError(message)


def _check_hours(hours: Decimal | None, *, allow_zero: bool) -> None:
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


# --- academic years -------------------------------------------------------------

YEAR_FIELDS = ["name", "start", "end"]


def _validate_year(*, school: School, name: str, start, end, exclude_pk=None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("Укажите название учебного года, например «2026/2027».")
    _check_dates(start, end, strict=True, what="учебный год")
    others = AcademicYear.objects.filter(school=school).exclude(pk=exclude_pk)
    if others.filter(name=name).exists():
        raise ValidationError(f"Учебный год «{name}» уже есть.")
    clash = others.filter(start__lte=end, end__gte=start).first()
    if clash:
        raise ValidationError(
            f"Даты пересекаются с учебным годом {clash} "
            f"({clash.start:%d.%m.%Y} — {clash.end:%d.%m.%Y})."
        )
    return name


@transaction.atomic
def academic_year_create(
    *, school: School, name: str, start: dt.date, end: dt.date, actor
) -> AcademicYear:
    name = _validate_year(school=school, name=name, start=start, end=end)
    year = AcademicYear.objects.create(school=school, name=name, start=start, end=end)
    audit.record(
        action="academic_year.created",
        actor=actor,
        school=school,
        obj=year,
        after=_snapshot(year, YEAR_FIELDS),
    )
    return year


@transaction.atomic
def academic_year_update(
    *, year: AcademicYear, name: str, start: dt.date, end: dt.date, actor
) -> AcademicYear:
    name = _validate_year(school=year.school, name=name, start=start, end=end, exclude_pk=year.pk)
    outside = [
        *(
            f"период «{p.name}»"
            for p in StudyPeriod.objects.filter(band__year=year)
            if p.start < start or p.end > end
        ),
        *(f"«{d.name}»" for d in year.days_off.all() if d.start < start or d.end > end),
    ]
    if outside:
        raise ValidationError(
            "Новые даты не вмещают уже заданные периоды и каникулы: " + ", ".join(outside) + "."
        )
    _save_update(
        obj=year,
        fields=YEAR_FIELDS,
        values={"name": name, "start": start, "end": end},
        action="academic_year.updated",
        actor=actor,
        school=year.school,
    )
    return year


# --- grade bands ----------------------------------------------------------------

BAND_FIELDS = ["name", "grade_from", "grade_to", "period_kind", "days_per_week"]


def _validate_band(
    *, year, name, grade_from, grade_to, period_kind, days_per_week, exclude_pk=None
):
    name = (name or "").strip()
    if not name:
        raise ValidationError("Укажите название ступени, например «1–9 классы».")
    _check_grade_range(grade_from, grade_to)
    if period_kind not in PeriodKind.values:
        raise ValidationError("Неизвестный вид учебных периодов.")
    if days_per_week not in (5, 6):
        raise ValidationError("Учебная неделя бывает пятидневной или шестидневной.")
    clash = (
        GradeBand.objects.filter(year=year, grade_from__lte=grade_to, grade_to__gte=grade_from)
        .exclude(pk=exclude_pk)
        .first()
    )
    if clash:
        raise ValidationError(
            f"Параллели {grade_from}–{grade_to} пересекаются со ступенью «{clash.name}» "
            f"({clash.grade_from}–{clash.grade_to})."
        )
    return name


@transaction.atomic
def grade_band_create(
    *,
    year: AcademicYear,
    name: str,
    grade_from: int,
    grade_to: int,
    period_kind: str,
    days_per_week: int,
    actor,
) -> GradeBand:
    name = _validate_band(
        year=year,
        name=name,
        grade_from=grade_from,
        grade_to=grade_to,
        period_kind=period_kind,
        days_per_week=days_per_week,
    )
    band = GradeBand.objects.create(
        year=year,
        name=name,
        grade_from=grade_from,
        grade_to=grade_to,
        period_kind=period_kind,
        days_per_week=days_per_week,
    )
    audit.record(
        action="grade_band.created",
        actor=actor,
        school=year.school_id,
        obj=band,
        after={"year": year.pk, **_snapshot(band, BAND_FIELDS)},
    )
    return band


@transaction.atomic
def grade_band_update(
    *,
    band: GradeBand,
    name: str,
    grade_from: int,
    grade_to: int,
    period_kind: str,
    days_per_week: int,
    actor,
) -> GradeBand:
    name = _validate_band(
        year=band.year,
        name=name,
        grade_from=grade_from,
        grade_to=grade_to,
        period_kind=period_kind,
        days_per_week=days_per_week,
        exclude_pk=band.pk,
    )
    _save_update(
        obj=band,
        fields=BAND_FIELDS,
        values={
            "name": name,
            "grade_from": grade_from,
            "grade_to": grade_to,
            "period_kind": period_kind,
            "days_per_week": days_per_week,
        },
        action="grade_band.updated",
        actor=actor,
        school=band.year.school_id,
    )
    return band


# --- study periods --------------------------------------------------------------

PERIOD_FIELDS = ["number", "name", "start", "end"]


def _validate_period(*, band: GradeBand, number, name, start, end, exclude_pk=None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("Укажите название периода, например «1 четверть».")
    if not number or number < 1:
        raise ValidationError("Номер периода — целое число от 1.")
    _check_dates(start, end, strict=True, what="учебный период")
    _check_within_year(band.year, start, end, f"Период «{name}»")
    others = StudyPeriod.objects.filter(band=band).exclude(pk=exclude_pk)
    if others.filter(number=number).exists():
        raise ValidationError(f"В ступени «{band.name}» уже есть период №{number}.")
    clash = others.filter(start__lte=end, end__gte=start).first()
    if clash:
        raise ValidationError(
            f"Период «{name}» пересекается с периодом «{clash.name}» "
            f"({clash.start:%d.%m.%Y} — {clash.end:%d.%m.%Y})."
        )
    return name


@transaction.atomic
def study_period_create(
    *, band: GradeBand, number: int, name: str, start: dt.date, end: dt.date, actor
) -> StudyPeriod:
    name = _validate_period(band=band, number=number, name=name, start=start, end=end)
    period = StudyPeriod.objects.create(band=band, number=number, name=name, start=start, end=end)
    audit.record(
        action="study_period.created",
        actor=actor,
        school=band.year.school_id,
        obj=period,
        after={"band": band.pk, **_snapshot(period, PERIOD_FIELDS)},
    )
    return period


@transaction.atomic
def study_period_update(
    *, period: StudyPeriod, number: int, name: str, start: dt.date, end: dt.date, actor
) -> StudyPeriod:
    name = _validate_period(
        band=period.band, number=number, name=name, start=start, end=end, exclude_pk=period.pk
    )
    _save_update(
        obj=period,
        fields=PERIOD_FIELDS,
        values={"number": number, "name": name, "start": start, "end": end},
        action="study_period.updated",
        actor=actor,
        school=period.band.year.school_id,
    )
    return period


@transaction.atomic
def study_period_delete(*, period: StudyPeriod, actor) -> None:
    _delete(
        obj=period,
        fields=["band", *PERIOD_FIELDS],
        action="study_period.deleted",
        actor=actor,
        school=period.band.year.school_id,
        what="учебный период",
    )


# --- holidays and non-working days ---------------------------------------------

DAY_OFF_FIELDS = ["kind", "name", "start", "end", "grade_from", "grade_to"]


def _validate_day_off(*, year, kind, name, start, end, grade_from, grade_to) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("Укажите название, например «Осенние каникулы».")
    if kind not in DayOffKind.values:
        raise ValidationError("Неизвестный вид: каникулы или нерабочий день.")
    if end is None:
        raise ValidationError("Укажите дату окончания.")
    _check_dates(start, end, strict=False, what=name)
    _check_within_year(year, start, end, f"«{name}»")
    _check_grade_range(grade_from, grade_to)
    return name


@transaction.atomic
def day_off_create(
    *,
    year: AcademicYear,
    kind: str,
    name: str,
    start: dt.date,
    end: dt.date,
    grade_from: int = 1,
    grade_to: int = 11,
    actor,
) -> DayOff:
    name = _validate_day_off(
        year=year,
        kind=kind,
        name=name,
        start=start,
        end=end,
        grade_from=grade_from,
        grade_to=grade_to,
    )
    day_off = DayOff.objects.create(
        year=year,
        kind=kind,
        name=name,
        start=start,
        end=end,
        grade_from=grade_from,
        grade_to=grade_to,
    )
    audit.record(
        action="day_off.created",
        actor=actor,
        school=year.school_id,
        obj=day_off,
        after={"year": year.pk, **_snapshot(day_off, DAY_OFF_FIELDS)},
    )
    return day_off


@transaction.atomic
def day_off_update(
    *,
    day_off: DayOff,
    kind: str,
    name: str,
    start: dt.date,
    end: dt.date,
    grade_from: int,
    grade_to: int,
    actor,
) -> DayOff:
    name = _validate_day_off(
        year=day_off.year,
        kind=kind,
        name=name,
        start=start,
        end=end,
        grade_from=grade_from,
        grade_to=grade_to,
    )
    _save_update(
        obj=day_off,
        fields=DAY_OFF_FIELDS,
        values={
            "kind": kind,
            "name": name,
            "start": start,
            "end": end,
            "grade_from": grade_from,
            "grade_to": grade_to,
        },
        action="day_off.updated",
        actor=actor,
        school=day_off.year.school_id,
    )
    return day_off


@transaction.atomic
def day_off_delete(*, day_off: DayOff, actor) -> None:
    _delete(
        obj=day_off,
        fields=["year", *DAY_OFF_FIELDS],
        action="day_off.deleted",
        actor=actor,
        school=day_off.year.school_id,
        what="каникулы",
    )


# --- the default calendar ------------------------------------------------------


def _default_calendar(first: int) -> tuple[list, list, list]:
    """Typical Russian dates for a year starting in September of ``first``: quarters for
    1–9, half-years for 10–11, holidays between periods, extra February holidays for the
    first grade and the public holidays that fall on school days."""
    d = dt.date
    second = first + 1
    quarters = [
        ("1 четверть", d(first, 9, 1), d(first, 10, 25)),
        ("2 четверть", d(first, 11, 5), d(first, 12, 28)),
        ("3 четверть", d(second, 1, 9), d(second, 3, 21)),
        ("4 четверть", d(second, 3, 30), d(second, 5, 31)),
    ]
    halves = [
        ("1 полугодие", d(first, 9, 1), d(first, 12, 28)),
        ("2 полугодие", d(second, 1, 9), d(second, 5, 31)),
    ]
    holiday, day = DayOffKind.HOLIDAY, DayOffKind.NON_WORKING
    days_off = [
        (holiday, "Осенние каникулы", d(first, 10, 26), d(first, 11, 4), 1, 11),
        (holiday, "Зимние каникулы", d(first, 12, 29), d(second, 1, 8), 1, 11),
        (holiday, "Доп. каникулы для 1 классов", d(second, 2, 14), d(second, 2, 22), 1, 1),
        (day, "День защитника Отечества", d(second, 2, 23), d(second, 2, 23), 1, 11),
        (day, "Международный женский день", d(second, 3, 8), d(second, 3, 8), 1, 11),
        (holiday, "Весенние каникулы", d(second, 3, 22), d(second, 3, 29), 1, 11),
        (day, "Праздник Весны и Труда", d(second, 5, 1), d(second, 5, 1), 1, 11),
        (day, "День Победы", d(second, 5, 9), d(second, 5, 9), 1, 11),
    ]
    return quarters, halves, days_off


def _fit(year: AcademicYear, periods: list) -> list:
    """Stretch the first period to the year's start and the last one to its end."""
    fitted = [list(p) for p in periods]
    fitted[0][1] = year.start
    fitted[-1][2] = year.end
    return [tuple(p) for p in fitted]


@transaction.atomic
def academic_year_fill_defaults(*, year: AcademicYear, actor) -> None:
    """«Заполнить по умолчанию»: bands 1–9 (quarters) and 10–11 (half-years), their
    periods and the usual holidays. Only for a year that has no bands yet."""
    if year.bands.exists():
        raise ValidationError(
            "В этом учебном году ступени уже заданы; заполнение по умолчанию возможно только "
            "для пустого года."
        )
    quarters, halves, days_off = _default_calendar(year.start.year)
    plan = [
        ("1–9 классы", 1, 9, PeriodKind.QUARTER, _fit(year, quarters)),
        ("10–11 классы", 10, 11, PeriodKind.HALF_YEAR, _fit(year, halves)),
    ]
    for name, grade_from, grade_to, kind, periods in plan:
        band = grade_band_create(
            year=year,
            name=name,
            grade_from=grade_from,
            grade_to=grade_to,
            period_kind=kind,
            days_per_week=5,
            actor=actor,
        )
        for number, (period_name, start, end) in enumerate(periods, start=1):
            study_period_create(
                band=band, number=number, name=period_name, start=start, end=end, actor=actor
            )
    for kind, name, start, end, grade_from, grade_to in days_off:
        if start < year.start or end > year.end:
            continue
        day_off_create(
            year=year,
            kind=kind,
            name=name,
            start=start,
            end=end,
            grade_from=grade_from,
            grade_to=grade_to,
            actor=actor,
        )


# --- classes --------------------------------------------------------------------

CLASS_FIELDS = ["grade", "letter", "homeroom_teacher", "room", "shift"]


def _validate_class(
    *, year: AcademicYear, grade, letter, homeroom_teacher, shift, exclude_pk=None
) -> str:
    _check_grade(grade)
    letter = (letter or "").strip().upper()
    if not letter:
        raise ValidationError("Укажите литеру класса, например «А».")
    if homeroom_teacher is not None:
        _check_same_school(
            homeroom_teacher,
            year.school,
            "Классным руководителем может быть только сотрудник этой школы.",
        )
        if not homeroom_teacher.is_active:
            raise ValidationError("Классный руководитель должен работать в школе.")
    if shift not in (1, 2):
        raise ValidationError("Смена — первая или вторая.")
    duplicate = (
        SchoolClass.objects.filter(year=year, grade=grade, letter=letter)
        .exclude(pk=exclude_pk)
        .exists()
    )
    if duplicate:
        raise ValidationError(f"Класс {grade}{letter} в учебном году {year} уже есть.")
    return letter


@transaction.atomic
def school_class_create(
    *,
    year: AcademicYear,
    grade: int,
    letter: str,
    homeroom_teacher: StaffMember | None = None,
    room: str = "",
    shift: int = 1,
    actor,
) -> SchoolClass:
    letter = _validate_class(
        year=year, grade=grade, letter=letter, homeroom_teacher=homeroom_teacher, shift=shift
    )
    school_class = SchoolClass.objects.create(
        school=year.school,
        year=year,
        grade=grade,
        letter=letter,
        homeroom_teacher=homeroom_teacher,
        room=(room or "").strip(),
        shift=shift,
    )
    audit.record(
        action="school_class.created",
        actor=actor,
        school=year.school_id,
        obj=school_class,
        after={"year": year.pk, **_snapshot(school_class, CLASS_FIELDS)},
    )
    return school_class


@transaction.atomic
def school_class_update(
    *,
    school_class: SchoolClass,
    grade: int,
    letter: str,
    homeroom_teacher: StaffMember | None,
    room: str,
    shift: int,
    actor,
) -> SchoolClass:
    letter = _validate_class(
        year=school_class.year,
        grade=grade,
        letter=letter,
        homeroom_teacher=homeroom_teacher,
        shift=shift,
        exclude_pk=school_class.pk,
    )
    _save_update(
        obj=school_class,
        fields=CLASS_FIELDS,
        values={
            "grade": grade,
            "letter": letter,
            "homeroom_teacher": homeroom_teacher,
            "room": (room or "").strip(),
            "shift": shift,
        },
        action="school_class.updated",
        actor=actor,
        school=school_class.school_id,
    )
    return school_class


# --- subjects -------------------------------------------------------------------

SUBJECT_FIELDS = ["name", "short_name", "is_no_mark", "is_physical_education"]


def _validate_subject(*, school: School, name: str, exclude_pk=None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("Укажите название предмета.")
    # Compared in Python: SQLite folds the case of Latin letters only.
    names = (
        Subject.objects.filter(school=school).exclude(pk=exclude_pk).values_list("name", flat=True)
    )
    existing = next((n for n in names if n.casefold() == name.casefold()), None)
    if existing:
        raise ValidationError(f"Предмет «{existing}» уже есть.")
    return name


@transaction.atomic
def subject_create(
    *,
    school: School,
    name: str,
    short_name: str = "",
    is_no_mark: bool = False,
    is_physical_education: bool = False,
    actor,
) -> Subject:
    name = _validate_subject(school=school, name=name)
    subject = Subject.objects.create(
        school=school,
        name=name,
        short_name=(short_name or "").strip(),
        is_no_mark=is_no_mark,
        is_physical_education=is_physical_education,
    )
    audit.record(
        action="subject.created",
        actor=actor,
        school=school,
        obj=subject,
        after=_snapshot(subject, SUBJECT_FIELDS),
    )
    return subject


@transaction.atomic
def subject_update(
    *,
    subject: Subject,
    name: str,
    short_name: str,
    is_no_mark: bool,
    is_physical_education: bool,
    actor,
) -> Subject:
    name = _validate_subject(school=subject.school, name=name, exclude_pk=subject.pk)
    _save_update(
        obj=subject,
        fields=SUBJECT_FIELDS,
        values={
            "name": name,
            "short_name": (short_name or "").strip(),
            "is_no_mark": is_no_mark,
            "is_physical_education": is_physical_education,
        },
        action="subject.updated",
        actor=actor,
        school=subject.school_id,
    )
    return subject


# --- curriculum -------------------------------------------------------------------

CURRICULUM_FIELDS = ["subject", "grade", "school_class", "student", "hours_per_week"]


def _student_class_in_year(student: Student, year: AcademicYear) -> SchoolClass | None:
    enrollment = (
        ClassEnrollment.objects.filter(student=student, school_class__year=year)
        .select_related("school_class")
        .order_by("-date_from")
        .first()
    )
    return enrollment.school_class if enrollment else None


def _resolve_curriculum_target(
    *, year: AcademicYear, subject: Subject, grade, school_class, student, hours
) -> int:
    """Validate a curriculum line and return the grade it belongs to."""
    school = year.school
    _check_same_school(subject, school, "Предмет не найден в этой школе.")
    if school_class is not None and student is not None:
        raise ValidationError("Строка плана относится либо к классу, либо к ученику, не к обоим.")
    if school_class is not None:
        if school_class.year_id != year.pk:
            raise ValidationError("Класс не относится к этому учебному году.")
        grade = school_class.grade
    elif student is not None:
        _check_same_school(student, school, "Ученик не найден в этой школе.")
        own_class = _student_class_in_year(student, year)
        if own_class is None:
            raise ValidationError(
                f"Ученик {student.short_name} не зачислен ни в один класс учебного года {year}."
            )
        grade = own_class.grade
    else:
        _check_grade(grade)
    # A zero override is meaningful (the class or student does not take the subject);
    # a zero line for a whole grade is not.
    _check_hours(hours, allow_zero=school_class is not None or student is not None)
    return grade


@transaction.atomic
def curriculum_entry_create(
    *,
    year: AcademicYear,
    subject: Subject,
    hours_per_week: Decimal,
    grade: int | None = None,
    school_class: SchoolClass | None = None,
    student: Student | None = None,
    actor,
) -> CurriculumEntry:
    grade = _resolve_curriculum_target(
        year=year,
        subject=subject,
        grade=grade,
        school_class=school_class,
        student=student,
        hours=hours_per_week,
    )
    exists = CurriculumEntry.objects.filter(
        year=year, subject=subject, grade=grade, school_class=school_class, student=student
    ).exists()
    if exists:
        target = (
            f"класса {school_class}"
            if school_class
            else f"ученика {student.short_name}"
            if student
            else f"{grade} классов"
        )
        raise ValidationError(
            f"Для {target} часы по предмету «{subject}» уже заданы — измените существующую строку."
        )
    entry = CurriculumEntry.objects.create(
        year=year,
        subject=subject,
        grade=grade,
        school_class=school_class,
        student=student,
        hours_per_week=hours_per_week,
    )
    audit.record(
        action="curriculum_entry.created",
        actor=actor,
        school=year.school_id,
        obj=entry,
        after={"year": year.pk, **_snapshot(entry, CURRICULUM_FIELDS)},
    )
    return entry


@transaction.atomic
def curriculum_entry_update(
    *, entry: CurriculumEntry, hours_per_week: Decimal, actor
) -> CurriculumEntry:
    _check_hours(
        hours_per_week,
        allow_zero=entry.school_class_id is not None or entry.student_id is not None,
    )
    _save_update(
        obj=entry,
        fields=["hours_per_week"],
        values={"hours_per_week": hours_per_week},
        action="curriculum_entry.updated",
        actor=actor,
        school=entry.year.school_id,
    )
    return entry


@transaction.atomic
def curriculum_entry_delete(*, entry: CurriculumEntry, actor) -> None:
    _delete(
        obj=entry,
        fields=["year", *CURRICULUM_FIELDS],
        action="curriculum_entry.deleted",
        actor=actor,
        school=entry.year.school_id,
        what="строку учебного плана",
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
        after={"year": year.pk, **_snapshot(group, GROUP_FIELDS)},
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
    _save_update(
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
    _check_same_school(student, group.school, "Ученик не найден в этой школе.")
    _check_dates(date_from, date_to, strict=False, what="членство в группе")
    _check_within_year(group.year, date_from, date_to, "Членство в группе")
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
        after=_snapshot(membership, MEMBERSHIP_FIELDS),
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
    _save_update(
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
    _delete(
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
    _check_same_school(group, school, "Группа не найдена в этой школе.")
    _check_same_school(subject, school, "Предмет не найден в этой школе.")
    _check_same_school(teacher, school, "Учитель не найден среди сотрудников этой школы.")
    if not teacher.is_active:
        raise ValidationError(f"{teacher.short_name} не работает в школе.")
    _check_hours(hours, allow_zero=False)
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
        after=_snapshot(load, LOAD_FIELDS),
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
    _save_update(
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
    _delete(
        obj=load,
        fields=LOAD_FIELDS,
        action="teaching_load.deleted",
        actor=actor,
        school=load.group.school_id,
        what="строку тарификации",
    )
