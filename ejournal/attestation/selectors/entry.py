"""The entry sheet of period and year marks with the suggested marks, and the objectivity
list."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max

from ejournal.accounts.models import Student, shown_name_ordering
from ejournal.attestation.models import (
    PERIOD_NUMERIC,
    PeriodClosure,
    PeriodMark,
    PeriodMarkKind,
)
from ejournal.attestation.selectors.targets import Target, entry_refusal, fmt, group_grade
from ejournal.journal import averages
from ejournal.journal.averages import MarksSummary, RoundingPolicy, Suggestion, WeightedMark
from ejournal.journal.models import (
    Mark,
    MarkValue,
    Work,
)
from ejournal.journal.selectors import (
    WRITTEN_CATEGORIES,
    mark_rows,
    marks_carried_in,
    policy_of,
    settings_of,
)
from ejournal.schedule.models import LessonStatus
from ejournal.school import selectors as school_selectors
from ejournal.school.models import (
    AcademicYear,
    StudyGroup,
    StudyPeriod,
    Subject,
    TeachingLoad,
)


@dataclass(frozen=True)
class MarkCell:
    date: dt.date
    value: str
    display: str
    weight: Decimal
    work_short: str
    written: bool
    # Made in the class the student came from (see ``marks_carried_in``).
    carried: bool = False


@dataclass
class EntryRow:
    student: Student
    marks: list[MarkCell]
    summary: MarksSummary
    suggestion: Suggestion
    period_mark: PeriodMark | None
    # Year / final marks: the marks they rest on (period marks, or year and exam).
    basis: list[PeriodMark] = field(default_factory=list)
    # Why no period mark is set for this student here (left the group or the school).
    gone: str = ""

    @property
    def needs_comment(self) -> bool:
        return self.period_mark is not None and self.period_mark.needs_review


@dataclass
class EntrySheet:
    group: StudyGroup
    subject: Subject
    target: Target
    grade: int
    rows: list[EntryRow]
    required: int
    written_in_period: bool
    refusal: str | None
    closure: PeriodClosure | None
    hours_per_week: Decimal | None
    basis_periods: list[StudyPeriod] = field(default_factory=list)

    def row_for(self, student_id: int) -> EntryRow | None:
        return next((r for r in self.rows if r.student.pk == student_id), None)


def _members(
    group: StudyGroup, start: dt.date, end: dt.date
) -> tuple[list[Student], dict[int, list[school_selectors.MemberSpan]]]:
    spans = school_selectors.group_member_spans(group=group, start=start, end=end)
    students = list(Student.objects.filter(pk__in=list(spans)).order_by(*shown_name_ordering()))
    return students, spans


def _gone(
    students: list[Student], spans: dict[int, list[school_selectors.MemberSpan]], end: dt.date
) -> dict[int, str]:
    """Students who left the group or the school before ``end`` (the last day of the
    period): their period mark is not set in this group. One query."""
    enrolled = school_selectors.students_enrolled_on(student_ids=[s.pk for s in students], day=end)
    gone = {}
    for student in students:
        ends = [s.date_to for s in spans[student.pk]]
        last = None if None in ends else max(d for d in ends if d is not None)
        if student.pk not in enrolled:
            gone[student.pk] = (
                f"{student.short_name} не числится в школе на {fmt(end)}: "
                "отметка за период не выставляется."
            )
        elif last is not None and last < end:
            gone[student.pk] = (
                f"{student.short_name} выбыл(а) из группы {fmt(last)}: "
                "отметку за период выставляют в группе, где ученик учится теперь."
            )
    return gone


def entry_sheet(
    *,
    group: StudyGroup,
    subject: Subject,
    target: Target,
    today: dt.date,
    hours_per_week: Decimal | None = None,
) -> EntrySheet:
    """Everything the teacher needs to set period marks, per student (fixed queries)."""
    settings = settings_of(group.school_id)
    policy = policy_of(settings)
    grade = group_grade(group)
    closure = PeriodClosure.objects.filter(period=target.window_period).first()
    if hours_per_week is None:
        hours_per_week = TeachingLoad.objects.filter(group=group, subject=subject).aggregate(
            h=Max("hours_per_week")
        )["h"]
    refusal = entry_refusal(
        grade=grade,
        window_period=target.window_period,
        closure=closure,
        settings=settings,
        today=today,
    )
    if target.period is not None:
        start, end = target.period.start, target.period.end
    else:
        start, end = target.window_period.start, target.window_period.end
    students, spans = _members(group, start, end)
    ids = [s.pk for s in students]
    existing = _period_marks(ids, subject.pk, target)
    required = averages.required_marks(
        hours_per_week=hours_per_week,
        per_1h=settings.min_marks_1h,
        per_2h=settings.min_marks_2h,
        per_3h=settings.min_marks_3h,
    )
    if target.kind == PeriodMarkKind.PERIOD:
        return _period_sheet(
            group,
            subject,
            target,
            grade,
            students,
            spans,
            existing,
            settings,
            policy,
            required,
            refusal,
            closure,
            hours_per_week,
        )
    sheet = _year_sheet(
        group,
        subject,
        target,
        grade,
        students,
        existing,
        policy,
        refusal,
        closure,
        hours_per_week,
    )
    gone = _gone(students, spans, end)
    for row in sheet.rows:
        row.gone = gone.get(row.student.pk, "")
    return sheet


def _period_marks(student_ids: list[int], subject_id: int, target: Target) -> dict[int, PeriodMark]:
    marks = PeriodMark.objects.filter(student_id__in=student_ids, subject_id=subject_id)
    if target.period is not None:
        marks = marks.filter(period=target.period)
    else:
        marks = marks.filter(year=target.year, kind=target.kind)
    return {m.student_id: m for m in marks}


def _period_sheet(
    group,
    subject,
    target,
    grade,
    students,
    spans,
    existing,
    settings,
    policy,
    required,
    refusal,
    closure,
    hours_per_week,
) -> EntrySheet:
    period = target.period
    marks = mark_rows(
        Mark.objects.filter(
            student_id__in=[s.pk for s in students],
            work__lesson__group=group,
            work__lesson__subject=subject,
            work__lesson__date__range=(period.start, period.end),
        )
    )
    by_student: dict[int, list[MarkCell]] = defaultdict(list)
    labels = dict(MarkValue.choices)
    # A student's own marks of this group count only while they were in it; marks of the
    # period from the class they came from count too (the average follows the student).
    joined = {
        student_id: first
        for student_id, student_spans in spans.items()
        if (first := min(s.date_from for s in student_spans)) > period.start
    }
    carried = marks_carried_in(
        group_id=group.pk, subject_id=subject.pk, joined=joined, start=period.start
    )
    for student_id, value, day, weight, short, category in marks:
        if not any(s.covers(day) for s in spans[student_id]):
            continue
        by_student[student_id].append(
            MarkCell(
                day, value, labels.get(value, value), weight, short, category in WRITTEN_CATEGORIES
            )
        )
    for student_id, brought in carried.items():
        by_student[student_id][:0] = [
            MarkCell(
                m.date,
                m.value,
                labels.get(m.value, m.value),
                m.weight,
                m.work_short,
                m.written,
                carried=True,
            )
            for m in brought
        ]
    gone = _gone(students, spans, period.end)
    written_in_period = (
        Work.objects.filter(
            lesson__group=group,
            lesson__subject=subject,
            lesson__date__range=(period.start, period.end),
            work_type__category__in=WRITTEN_CATEGORIES,
        )
        .exclude(lesson__status=LessonStatus.CANCELLED)
        .exists()
    )
    written_required = settings.require_written_work and written_in_period
    rows = []
    for student in students:
        cells = by_student.get(student.pk, [])
        summary = averages.summarise(WeightedMark(c.value, c.weight, c.written) for c in cells)
        suggestion = averages.suggest(
            summary=summary, policy=policy, required=required, written_required=written_required
        )
        rows.append(
            EntryRow(
                student,
                cells,
                summary,
                suggestion,
                existing.get(student.pk),
                gone=gone.get(student.pk, ""),
            )
        )
    return EntrySheet(
        group,
        subject,
        target,
        grade,
        rows,
        required,
        written_in_period,
        refusal,
        closure,
        hours_per_week,
    )


def _year_sheet(
    group, subject, target, grade, students, existing, policy, refusal, closure, hours_per_week
) -> EntrySheet:
    """Year marks rest on the period marks; the final mark on the year and exam marks."""
    periods = school_selectors.periods_for_grade(year=target.year, grade=grade)
    basis = PeriodMark.objects.filter(
        student_id__in=[s.pk for s in students], subject=subject, year=target.year
    ).select_related("period")
    by_student: dict[int, list[PeriodMark]] = defaultdict(list)
    for mark in basis:
        by_student[mark.student_id].append(mark)
    rows = []
    empty = averages.summarise([])
    for student in students:
        own = by_student.get(student.pk, [])
        if target.kind == PeriodMarkKind.YEAR:
            used = sorted(
                (m for m in own if m.kind == PeriodMarkKind.PERIOD),
                key=lambda m: m.period.start,  # type: ignore[union-attr]
            )
            suggestion = _suggest_from(used, policy, expected=len(periods), what="за периоды")
        elif target.kind == PeriodMarkKind.FINAL:
            used = [m for m in own if m.kind in (PeriodMarkKind.YEAR, PeriodMarkKind.EXAM)]
            used.sort(key=lambda m: m.kind != PeriodMarkKind.YEAR)
            suggestion = _suggest_from(used, policy, expected=1, what="годовой")
        else:
            used = [m for m in own if m.kind == PeriodMarkKind.YEAR]
            suggestion = Suggestion(None, None)
        rows.append(EntryRow(student, [], empty, suggestion, existing.get(student.pk), basis=used))
    return EntrySheet(
        group,
        subject,
        target,
        grade,
        rows,
        len(periods),
        False,
        refusal,
        closure,
        hours_per_week,
        basis_periods=periods,
    )


def _suggest_from(
    marks: list[PeriodMark], policy: RoundingPolicy, *, expected: int, what: str
) -> Suggestion:
    numeric = [PERIOD_NUMERIC[m.value] for m in marks if m.value in PERIOD_NUMERIC]
    average = averages.plain_average(numeric)
    policy_mark = policy.mark_for(average) if average is not None else None
    warnings = []
    if any(m.value == "na" for m in marks):
        warnings.append("Есть «н/а» за период. Рекомендуется «н/а».")
    if len(numeric) < expected:
        warnings.append(f"Не хватает отметок {what}: {len(numeric)} из {expected}.")
    if policy_mark is None or warnings:
        return Suggestion(averages.NOT_ATTESTED, policy_mark, tuple(warnings))
    return Suggestion(str(policy_mark), policy_mark, ())


def marks_for_review(*, school, year: AcademicYear):
    """Period marks departing from the suggested mark by more than one step."""
    return (
        PeriodMark.objects.filter(school=school, year=year, needs_review=True)
        .select_related("student", "subject", "period", "entered_by")
        .order_by("period__start", "kind", "subject__name", *shown_name_ordering("student"))
    )
