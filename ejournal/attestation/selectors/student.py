"""A student's period and year marks for the diary."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ejournal.accounts.models import Student
from ejournal.attestation.models import (
    PeriodMark,
    PeriodMarkKind,
)
from ejournal.journal import averages
from ejournal.journal.averages import MarksSummary, WeightedMark
from ejournal.journal.models import (
    Mark,
)
from ejournal.journal.selectors import (
    WRITTEN_CATEGORIES,
    policy_of,
    settings_of,
)
from ejournal.schedule.models import LessonStatus
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    AcademicYear,
    ClassEnrollment,
    StudyPeriod,
    Subject,
)


@dataclass(frozen=True)
class PeriodSummary:
    period: StudyPeriod
    summary: MarksSummary
    policy_mark: int | None
    mark: PeriodMark | None


@dataclass
class SubjectSummary:
    subject: Subject
    periods: list[PeriodSummary]
    year_mark: PeriodMark | None = None
    exam_mark: PeriodMark | None = None
    final_mark: PeriodMark | None = None


def student_period_summary(student: Student, year: AcademicYear) -> list[SubjectSummary]:
    """Per subject: the weighted average of each period, the mark the average rounds to,
    and the period / year / exam / final marks. For the diary (the caller checks that the
    reader may see this student). Six queries."""
    enrollment = (
        ClassEnrollment.objects.filter(student=student, school_class__year=year)
        .select_related("school_class")
        .order_by("-date_from")
        .first()
    )
    if enrollment is None:
        return []
    periods = school_selectors.periods_for_grade(year=year, grade=enrollment.school_class.grade)
    policy = policy_of(settings_of(year.school_id))
    marks = (
        Mark.objects.filter(student=student, work__lesson__date__range=(year.start, year.end))
        .exclude(work__lesson__status=LessonStatus.CANCELLED)
        .values_list(
            "value",
            "work__lesson__date",
            "work__lesson__subject_id",
            "work__work_type__weight",
            "work__work_type__category",
        )
    )
    by_subject_period: dict[tuple[int, int], list[WeightedMark]] = defaultdict(list)
    subject_ids: set[int] = set()
    for value, day, subject_id, weight, category in marks:
        period = next((p for p in periods if p.start <= day <= p.end), None)
        if period is None:
            continue
        subject_ids.add(subject_id)
        by_subject_period[(subject_id, period.pk)].append(
            WeightedMark(value, weight, category in WRITTEN_CATEGORIES)
        )
    period_marks = list(PeriodMark.objects.filter(student=student, year=year))
    subject_ids |= {m.subject_id for m in period_marks}
    subjects = list(Subject.objects.filter(pk__in=subject_ids).order_by("name"))
    result = []
    for subject in subjects:
        own = [m for m in period_marks if m.subject_id == subject.pk]
        by_period = {m.period_id: m for m in own if m.period_id}
        by_kind = {m.kind: m for m in own if not m.period_id}
        items = []
        for period in periods:
            summary = averages.summarise(by_subject_period.get((subject.pk, period.pk), []))
            items.append(
                PeriodSummary(
                    period,
                    summary,
                    policy.mark_for(summary.average) if summary.average is not None else None,
                    by_period.get(period.pk),
                )
            )
        result.append(
            SubjectSummary(
                subject,
                items,
                by_kind.get(PeriodMarkKind.YEAR),
                by_kind.get(PeriodMarkKind.EXAM),
                by_kind.get(PeriodMarkKind.FINAL),
            )
        )
    return result


def _periods_by_grade(year: AcademicYear) -> dict[int, list[StudyPeriod]]:
    periods = list(StudyPeriod.objects.filter(band__year=year).select_related("band"))
    return {
        grade: sorted((p for p in periods if p.band.covers(grade)), key=lambda p: p.start)
        for grade in range(1, 12)
    }
