"""What is attested: a group × subject × period (a target), who may enter it, the teachers'
and classes' targets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ejournal.attestation.models import (
    AttestationSettings,
    PeriodClosure,
    PeriodMarkKind,
)
from ejournal.attestation.selectors.student import _periods_by_grade
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    AcademicYear,
    SchoolClass,
    StudyGroup,
    StudyPeriod,
    TeachingLoad,
)


def fmt(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


_SHORT_LABELS: dict[str, str] = {
    PeriodMarkKind.YEAR: "год",
    PeriodMarkKind.EXAM: "экзамен",
    PeriodMarkKind.FINAL: "итоговая",
}


@dataclass(frozen=True)
class Target:
    """A study period, or the year / exam / final marks of an academic year.

    ``window_period`` is the period whose entry window and closing apply: the period
    itself, or for the year marks the last period of the grade's band.
    """

    kind: str
    year: AcademicYear
    period: StudyPeriod | None
    window_period: StudyPeriod

    @property
    def label(self) -> str:
        if self.period is not None:
            return self.period.name
        return f"{PeriodMarkKind(self.kind).label} отметка, {self.year}"

    @property
    def short_label(self) -> str:
        return self.period.name if self.period is not None else _SHORT_LABELS[self.kind]

    @property
    def slug(self) -> str:
        return f"p{self.period.pk}" if self.period is not None else self.kind

    @property
    def start(self) -> dt.date:
        return self.period.start if self.period is not None else self.year.start

    @property
    def end(self) -> dt.date:
        return self.period.end if self.period is not None else self.year.end


def group_grade(group: StudyGroup) -> int:
    """The grade whose periods apply to a group: its class's, or for a stream the lowest
    grade of its members."""
    if group.school_class_id:
        return group.school_class.grade  # type: ignore[union-attr]
    grade = (
        SchoolClass.objects.filter(
            year_id=group.year_id,
            enrollments__student__group_memberships__group=group,
        )
        .order_by("grade")
        .values_list("grade", flat=True)
        .first()
    )
    return grade or 5


def target_for(*, year: AcademicYear, grade: int, slug: str) -> Target | None:
    """``p<id>`` for a period of the grade's band, or ``year`` / ``exam`` / ``final``."""
    periods = school_selectors.periods_for_grade(year=year, grade=grade)
    if not periods:
        return None
    if slug.startswith("p") and slug[1:].isdigit():
        period = next((p for p in periods if p.pk == int(slug[1:])), None)
        if period is None:
            return None
        return Target(PeriodMarkKind.PERIOD, year, period, period)
    if slug in (PeriodMarkKind.YEAR, PeriodMarkKind.EXAM, PeriodMarkKind.FINAL):
        return Target(slug, year, None, periods[-1])
    return None


def targets_for(*, year: AcademicYear, periods: Sequence[StudyPeriod]) -> list[Target]:
    if not periods:
        return []
    result = [Target(PeriodMarkKind.PERIOD, year, p, p) for p in periods]
    result += [
        Target(kind, year, None, periods[-1])
        for kind in (PeriodMarkKind.YEAR, PeriodMarkKind.EXAM, PeriodMarkKind.FINAL)
    ]
    return result


def entry_refusal(
    *,
    grade: int,
    window_period: StudyPeriod,
    closure: PeriodClosure | None,
    settings: AttestationSettings,
    today: dt.date,
) -> str | None:
    """Why period marks cannot be entered now (None: they can)."""
    if grade == 1:
        return "В 1 классе обучение безотметочное: отметки за период не выставляются."
    if closure is not None and closure.is_closed:
        return (
            f"Период «{window_period.name}» закрыт: изменения вносятся только через "
            "заместителя директора."
        )
    opens = window_period.end - dt.timedelta(days=max(settings.entry_window_days, 1) - 1)
    if today < opens:
        return (
            f"Отметки за период «{window_period.name}» выставляются с {fmt(opens)} "
            f"(последние {settings.entry_window_days} дн. периода)."
        )
    last = window_period.end + dt.timedelta(days=settings.closing_grace_days)
    reopened = closure is not None and not closure.is_closed
    if today > last and not reopened:
        return (
            f"Срок выставления отметок за период «{window_period.name}» истёк {fmt(last)}. "
            "Обратитесь к заместителю директора."
        )
    return None


@dataclass
class LoadTargets:
    load: TeachingLoad
    grade: int
    targets: list[Target]


def teacher_loads(*, loads, year: AcademicYear) -> list[LoadTargets]:
    """The teacher's groups × subjects of a year with their periods (three queries)."""
    items = list(
        loads.filter(group__year=year)
        .select_related("group__school_class", "subject")
        .order_by("group__name", "subject__name")
    )
    streams = [i.group_id for i in items if not i.group.school_class_id]
    stream_grades: dict[int, int] = {}
    if streams:
        rows = SchoolClass.objects.filter(
            year=year, enrollments__student__group_memberships__group__in=streams
        ).values_list("enrollments__student__group_memberships__group", "grade")
        for group_id, grade in rows:
            stream_grades[group_id] = min(grade, stream_grades.get(group_id, 11))
    by_grade = _periods_by_grade(year)
    result = []
    for load in items:
        grade = (
            load.group.school_class.grade
            if load.group.school_class_id
            else stream_grades.get(load.group_id, 5)
        )
        result.append(LoadTargets(load, grade, targets_for(year=year, periods=by_grade[grade])))
    return result


@dataclass
class ClassTargets:
    school_class: SchoolClass
    targets: list[Target]


def classes_with_targets(*, classes, year: AcademicYear) -> list[ClassTargets]:
    by_grade = _periods_by_grade(year)
    result = []
    for school_class in classes.filter(year=year).order_by("grade", "letter"):
        periods = by_grade[school_class.grade]
        targets = [Target(PeriodMarkKind.PERIOD, year, p, p) for p in periods]
        if periods:
            targets.append(Target(PeriodMarkKind.YEAR, year, None, periods[-1]))
        result.append(ClassTargets(school_class, targets))
    return result
