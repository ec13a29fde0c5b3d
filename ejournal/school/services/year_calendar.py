"""Academic years, grade bands, study periods, holidays and the default calendar."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from ejournal.audit import services as audit
from ejournal.school.models import (
    AcademicYear,
    DayOff,
    DayOffKind,
    GradeBand,
    PeriodKind,
    School,
    StudyPeriod,
)
from ejournal.school.services._common import (
    check_dates,
    check_grade_range,
    check_within_year,
    delete,
    save_update,
    snapshot,
)

# --- academic years -------------------------------------------------------------

YEAR_FIELDS = ["name", "start", "end"]


def _validate_year(*, school: School, name: str, start, end, exclude_pk=None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError("Укажите название учебного года, например «2026/2027».")
    check_dates(start, end, strict=True, what="учебный год")
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
        after=snapshot(year, YEAR_FIELDS),
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
    save_update(
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
    check_grade_range(grade_from, grade_to)
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
        after={"year": year.pk, **snapshot(band, BAND_FIELDS)},
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
    save_update(
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
    check_dates(start, end, strict=True, what="учебный период")
    check_within_year(band.year, start, end, f"Период «{name}»")
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
        after={"band": band.pk, **snapshot(period, PERIOD_FIELDS)},
    )
    return period


@transaction.atomic
def study_period_update(
    *, period: StudyPeriod, number: int, name: str, start: dt.date, end: dt.date, actor
) -> StudyPeriod:
    name = _validate_period(
        band=period.band, number=number, name=name, start=start, end=end, exclude_pk=period.pk
    )
    save_update(
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
    delete(
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
    check_dates(start, end, strict=False, what=name)
    check_within_year(year, start, end, f"«{name}»")
    check_grade_range(grade_from, grade_to)
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
        after={"year": year.pk, **snapshot(day_off, DAY_OFF_FIELDS)},
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
    save_update(
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
    delete(
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
