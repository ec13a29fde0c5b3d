"""Reads for attestation: the entry sheet of a group × subject × period, the class
summary sheet, the objectivity list, and a student's summary for the diary.

Every function runs a fixed number of queries, whatever the size of the class.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max, Q

from ejournal.accounts.http import AuthedRequest
from ejournal.accounts.models import Student, shown_name_ordering
from ejournal.attestation.models import (
    PERIOD_NUMERIC,
    AttestationSettings,
    CouncilDecision,
    PeriodClosure,
    PeriodMark,
    PeriodMarkKind,
)
from ejournal.attestation.permissions import OVERSEERS
from ejournal.core import rawsql
from ejournal.journal import averages
from ejournal.journal import rules as journal_rules
from ejournal.journal.averages import MarksSummary, RoundingPolicy, Suggestion, WeightedMark
from ejournal.journal.models import (
    Attendance,
    AttendanceCode,
    Mark,
    MarkValue,
    Work,
)
from ejournal.journal.selectors import (  # noqa: F401 - settings_of, policy_of: still read here
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
    ClassEnrollment,
    SchoolClass,
    StudyGroup,
    StudyPeriod,
    Subject,
    TeachingLoad,
)


def fmt(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


# --- Settings and closing -------------------------------------------------------------


CLOSED_RANGES_SQL = """
SELECT p.start, p."end", p.name
FROM attestation_periodclosure c
JOIN school_studyperiod p ON p.id = c.period_id
JOIN school_gradeband b ON b.id = p.band_id
JOIN school_academicyear y ON y.id = b.year_id
WHERE c.is_closed = %s AND y.school_id = %s AND b.grade_from <= %s AND b.grade_to >= %s
"""


def closed_ranges_for(school_id: int, grade: int) -> list[journal_rules.ClosedRange]:
    """For the journal (``registry.CLOSED_PERIODS``): closed periods of the grade's band
    (one query)."""
    rows = rawsql.fetch(CLOSED_RANGES_SQL, [True, school_id, grade, grade])
    return [journal_rules.ClosedRange(start, end, name) for start, end, name in rows]


def closures_of_year(*, year: AcademicYear) -> list[tuple[StudyPeriod, PeriodClosure | None]]:
    """Periods of a year, each with its closure (None while open), two queries."""
    periods = list(
        StudyPeriod.objects.filter(band__year=year)
        .select_related("band")
        .order_by("band__grade_from", "start")
    )
    closures = {c.period_id: c for c in PeriodClosure.objects.filter(period__in=periods)}
    return [(period, closures.get(period.pk)) for period in periods]


def closing_opens_on(*, period: StudyPeriod, settings: AttestationSettings) -> dt.date:
    """The first day the deputy may close the period."""
    return period.end + dt.timedelta(days=settings.closing_grace_days + 1)


# --- What is being attested ---------------------------------------------------------


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


# --- The entry sheet ---------------------------------------------------------------------


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


# --- Objectivity ----------------------------------------------------------------------


def marks_for_review(*, school, year: AcademicYear):
    """Period marks departing from the suggested mark by more than one step."""
    return (
        PeriodMark.objects.filter(school=school, year=year, needs_review=True)
        .select_related("student", "subject", "period", "entered_by")
        .order_by("period__start", "kind", "subject__name", *shown_name_ordering("student"))
    )


# --- The summary sheet ------------------------------------------------------------------

COUNTED = ("5", "4", "3", "2", "na")
FAILING = ("2", "na", "nezach")
# «осв» and «безотм» do not take part in quality and success figures.
NOT_COUNTED = ("osv", "bezotm")


@dataclass
class Counts:
    by_value: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, value: str) -> None:
        self.by_value[value] += 1

    # A method, not __getitem__: templates try item lookup before attributes.
    def count(self, value: str) -> int:
        return self.by_value.get(value, 0)

    @property
    def five(self) -> int:
        return self.count("5")

    @property
    def four(self) -> int:
        return self.count("4")

    @property
    def three(self) -> int:
        return self.count("3")

    @property
    def two(self) -> int:
        return self.count("2")

    @property
    def na(self) -> int:
        return self.count("na")

    @property
    def total(self) -> int:
        """Marks that count: everything but «осв» and «безотм»."""
        return sum(n for v, n in self.by_value.items() if v not in NOT_COUNTED)

    @property
    def quality(self) -> Decimal | None:
        """Качество знаний: («5» + «4») / all, in percent."""
        if not self.total:
            return None
        return _percent(self.five + self.four, self.total)

    @property
    def success(self) -> Decimal | None:
        """Успеваемость: (all − «2» − «н/а» − «незач») / all, in percent."""
        if not self.total:
            return None
        return _percent(self.total - sum(self.count(v) for v in FAILING), self.total)


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Absences:
    total: int = 0
    ill: int = 0
    excused: int = 0


@dataclass
class SheetRow:
    student: Student
    cells: list[PeriodMark | None]
    counts: Counts
    absences: Absences
    decision: CouncilDecision | None = None


@dataclass
class SummarySheet:
    school_class: SchoolClass
    target: Target
    subjects: list[Subject]
    rows: list[SheetRow]
    subject_counts: list[Counts]
    totals: Counts
    closure: PeriodClosure | None

    @property
    def is_year(self) -> bool:
        return self.target.period is None

    def footer(self) -> list[tuple[str, list, object]]:
        """Rows under the table: a label, the figure per subject, the class figure."""
        rows: list[tuple[str, list, object]] = []
        for label, value in (("«5»", "5"), ("«4»", "4"), ("«3»", "3"), ("«2»", "2"), ("н/а", "na")):
            rows.append(
                (label, [c.count(value) for c in self.subject_counts], self.totals.count(value))
            )
        rows.append(("Качество, %", [c.quality for c in self.subject_counts], self.totals.quality))
        rows.append(
            ("Успеваемость, %", [c.success for c in self.subject_counts], self.totals.success)
        )
        return rows


def summary_sheet(*, school_class: SchoolClass, target: Target) -> SummarySheet:
    """Students × subjects with the period (or year) marks of a class, computed live.

    Queries: enrollments, subjects, marks, absences, decisions, closure — six, for any
    class size and number of subjects.
    """
    start, end = target.start, target.end
    enrollments = (
        ClassEnrollment.objects.filter(
            school_selectors.overlapping(start, end), school_class=school_class
        )
        .select_related("student")
        .order_by(*shown_name_ordering("student"))
    )
    students: list[Student] = []
    seen: set[int] = set()
    for enrollment in enrollments:
        if enrollment.student_id not in seen:
            seen.add(enrollment.student_id)
            students.append(enrollment.student)
    ids = [s.pk for s in students]
    marks = PeriodMark.objects.filter(student_id__in=ids)
    if target.period is not None:
        marks = marks.filter(period=target.period)
    else:
        marks = marks.filter(year=target.year, kind=PeriodMarkKind.YEAR)
    mark_list = list(marks)
    subjects = list(
        Subject.objects.filter(
            Q(loads__group__school_class=school_class) | Q(pk__in={m.subject_id for m in mark_list})
        )
        .distinct()
        .order_by("name")
    )
    by_cell = {(m.student_id, m.subject_id): m for m in mark_list}
    absences = _absences(ids, start, end)
    decisions: dict[int, CouncilDecision] = {}
    if target.period is None:
        decisions = {
            d.student_id: d
            for d in CouncilDecision.objects.filter(year=target.year, student_id__in=ids)
        }
    closure = PeriodClosure.objects.filter(period=target.window_period).first()

    subject_counts = [Counts() for _ in subjects]
    totals = Counts()
    rows = []
    for student in students:
        counts = Counts()
        cells: list[PeriodMark | None] = []
        for index, subject in enumerate(subjects):
            mark = by_cell.get((student.pk, subject.pk))
            cells.append(mark)
            if mark is not None:
                counts.add(mark.value)
                subject_counts[index].add(mark.value)
                totals.add(mark.value)
        rows.append(
            SheetRow(
                student,
                cells,
                counts,
                absences.get(student.pk, Absences()),
                decisions.get(student.pk),
            )
        )
    return SummarySheet(school_class, target, subjects, rows, subject_counts, totals, closure)


def _absences(student_ids: list[int], start: dt.date, end: dt.date) -> dict[int, Absences]:
    """Lessons missed (Н, Б, УП) per student, and of them ill and excused (one query)."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        Attendance.objects.filter(
            student_id__in=student_ids,
            lesson__date__range=(start, end),
            code__in=[AttendanceCode.ABSENT, AttendanceCode.ILL, AttendanceCode.EXCUSED],
        )
        .exclude(lesson__status=LessonStatus.CANCELLED)
        .values_list("student_id", "code")
    )
    for student_id, code in rows:
        counts[student_id][code] += 1
    return {
        sid: Absences(
            total=sum(c.values()), ill=c[AttendanceCode.ILL], excused=c[AttendanceCode.EXCUSED]
        )
        for sid, c in counts.items()
    }


def council_decision_of(*, student: Student, year: AcademicYear) -> CouncilDecision | None:
    return CouncilDecision.objects.filter(student=student, year=year).first()


# --- For the diary ------------------------------------------------------------------------


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


# --- The start page ----------------------------------------------------------------------


def _periods_by_grade(year: AcademicYear) -> dict[int, list[StudyPeriod]]:
    periods = list(StudyPeriod.objects.filter(band__year=year).select_related("band"))
    return {
        grade: sorted((p for p in periods if p.band.covers(grade)), key=lambda p: p.start)
        for grade in range(1, 12)
    }


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


def period_mark_corrections_for(ctx, user):
    """The deputy (and the director, reading) sees the school's requests; a teacher sees
    their own."""
    from ejournal.attestation.models import PeriodMarkCorrection

    requests = PeriodMarkCorrection.objects.filter(school=ctx.school).select_related(
        "group", "subject", "student", "requested_by", "decided_by"
    )
    if ctx.roles & OVERSEERS:
        return requests.order_by("status", "-requested_at")
    return requests.filter(requested_by=user).order_by("-requested_at")


def control_block(request: AuthedRequest, role: str) -> dict:
    """For the deputy's (and the director's) start page: period-mark corrections waiting
    for a decision."""
    from django.urls import reverse

    from ejournal.attestation.models import PeriodMarkCorrection

    if role not in OVERSEERS or request.ctx.school is None:
        return {}
    pending = PeriodMarkCorrection.objects.filter(
        school=request.ctx.school, status="pending"
    ).count()
    lines = (
        [
            (
                f"Запросы на исправление отметок за период: {pending}",
                reverse("attestation:corrections"),
            )
        ]
        if pending
        else []
    )
    return {"blocks": [{"title": "Аттестация", "lines": lines, "empty": "Запросов нет."}]}
