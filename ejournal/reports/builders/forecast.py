"""Report 16, «Прогноз»: the expected period mark of each student per subject, with the
probability of each mark, and the class forecast (000 §2.8). The method is in
``ejournal.reports.forecast``; it is back-tested on the previous period: the forecast is
made from the marks up to the same point of that period and compared with the mark the
student got (the period mark, or the mark the full average rounds to). Eight queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from ejournal.accounts.models import HOMEROOM, Student
from ejournal.attestation.models import PeriodMark
from ejournal.journal.averages import NUMERIC, RoundingPolicy, weighted_average
from ejournal.reports import academic
from ejournal.reports.forecast import OUTCOMES, Forecast, expected_remaining, forecast
from ejournal.reports.permissions import SCHOOL_WIDE
from ejournal.reports.registry import Column, Figure, Report, ReportResult, Table, pseudonym_notes
from ejournal.schedule.models import Lesson, LessonStatus
from ejournal.school.models import AcademicYear, SchoolClass, StudyPeriod, Subject

LIVE = (LessonStatus.PLANNED, LessonStatus.HELD)


def _decimal(value: float) -> Decimal:
    return Decimal(str(round(value, 6)))


@dataclass
class StudentForecast:
    student: Student
    school_class: SchoolClass
    subject: Subject
    marks: int
    result: Forecast

    def probability(self, mark: int) -> float:
        return self.result.probabilities.get(mark, 0.0)


@dataclass
class ClassForecast:
    school_class: SchoolClass
    subject: Subject
    students: int = 0
    expected: dict[int, float] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0.0))

    @property
    def quality(self) -> Decimal | None:
        return academic.percent(
            Decimal(str(round(self.expected[5] + self.expected[4], 6))), self.students
        )

    @property
    def success(self) -> Decimal | None:
        return academic.percent(
            Decimal(str(round(self.students - self.expected[2], 6))), self.students
        )


@dataclass
class BackTest:
    label: str
    cut: dt.date | None
    forecasts: int = 0
    hits: int = 0

    @property
    def hit_rate(self) -> Decimal | None:
        return academic.percent(self.hits, self.forecasts)


@dataclass
class ForecastReport:
    label: str
    day: dt.date
    students: list[StudentForecast]
    classes: list[ClassForecast]
    backtest: BackTest


def forecast_report(
    *,
    school,
    year: AcademicYear,
    day: dt.date,
    school_class: SchoolClass | None = None,
    grade: int | None = None,
    classes=None,
    subject: Subject | None = None,
) -> ForecastReport:
    periods = academic.Periods.of(year)
    current = {g: p for g in range(1, 12) if (p := periods.at(g, day)) is not None}
    previous = {g: p for g, cur in current.items() if (p := periods.before(cur)) is not None}
    policy = academic.policy_for(school)
    if not current:
        return ForecastReport("нет учебного периода", day, [], [], BackTest("", None))
    students = academic.roster(
        year=year,
        start=min(p.start for p in current.values()),
        end=max(p.end for p in current.values()),
        school_class=school_class,
        grade=grade,
        classes=classes,
    )
    ids = list(students.students)
    spans = [*current.values(), *previous.values()]
    start, end = min(p.start for p in spans), max(p.end for p in spans)
    marks = academic.journal_marks(year=year, start=start, end=end, student_ids=ids)
    if subject is not None:
        marks = [m for m in marks if m.subject_id == subject.pk]
    lessons = _lesson_days(school=school, start=start, end=end, subject=subject)
    subjects = {s.pk: s for s in Subject.objects.filter(pk__in={m.subject_id for m in marks})}

    def grade_of(sid: int) -> int:
        return students.class_of[sid].grade

    # The current period, as of ``day``.
    rows = _forecasts(
        marks=marks,
        lessons=lessons,
        period_of=lambda sid: current.get(grade_of(sid)),
        cut_of=lambda period: day,
        policy=policy,
    )
    result = []
    by_class: dict[tuple[int, int], ClassForecast] = {}
    for (sid, subject_id), (count, outcome) in rows.items():
        school_class_ = students.class_of[sid]
        item = StudentForecast(
            students.students[sid], school_class_, subjects[subject_id], count, outcome
        )
        result.append(item)
        key = (school_class_.pk, subject_id)
        if key not in by_class:
            by_class[key] = ClassForecast(school_class_, subjects[subject_id])
        by_class[key].students += 1
        for mark in OUTCOMES:
            by_class[key].expected[mark] += item.probability(mark)
    order = list(students.students)
    result.sort(
        key=lambda r: (
            r.school_class.grade,
            r.school_class.letter,
            order.index(r.student.pk),
            r.subject.name,
        )
    )
    class_rows = sorted(
        by_class.values(),
        key=lambda c: (c.school_class.grade, c.school_class.letter, c.subject.name),
    )
    backtest = _backtest(
        year=year,
        day=day,
        current=current,
        previous=previous,
        marks=marks,
        lessons=lessons,
        grade_of=grade_of,
        policy=policy,
        ids=ids,
    )
    label = ", ".join(sorted({p.name for p in current.values()}))
    return ForecastReport(label, day, result, class_rows, backtest)


def _lesson_days(*, school, start, end, subject) -> dict[tuple[int, int], list[dt.date]]:
    """(group id, subject id) -> dates of the live lessons in [start, end] (one query)."""
    qs = Lesson.objects.filter(school=school, date__range=(start, end), status__in=LIVE)
    if subject is not None:
        qs = qs.filter(subject=subject)
    days: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
    for group_id, subject_id, date in qs.values_list("group_id", "subject_id", "date"):
        days[(group_id, subject_id)].append(date)
    return days


def _forecasts(*, marks, lessons, period_of, cut_of, policy: RoundingPolicy):
    """(student, subject) -> (marks so far, Forecast) for the marks up to the cut."""
    so_far: dict[tuple[int, int], list] = defaultdict(list)
    group_of: dict[tuple[int, int], tuple[dt.date, int]] = {}
    for mark in marks:
        period: StudyPeriod | None = period_of(mark.student_id)
        if period is None or not period.start <= mark.date <= min(period.end, cut_of(period)):
            continue
        key = (mark.student_id, mark.subject_id)
        so_far[key].append((mark.value, mark.weight))
        if key not in group_of or group_of[key][0] <= mark.date:
            group_of[key] = (mark.date, mark.group_id)
    result = {}
    for key, items in so_far.items():
        if not any(v in NUMERIC for v, _ in items):
            continue
        period = period_of(key[0])
        cut = min(period.end, cut_of(period))
        days = lessons.get((group_of[key][1], key[1]), [])
        held = sum(1 for x in days if period.start <= x <= cut)
        left = sum(1 for x in days if cut < x <= period.end)
        count = sum(1 for v, _ in items if v in NUMERIC)
        remaining = expected_remaining(marks=count, lessons_so_far=held, lessons_left=left)
        result[key] = (count, forecast(items, remaining, policy))
    return result


def _backtest(*, year, day, current, previous, marks, lessons, grade_of, policy, ids) -> BackTest:
    if not previous:
        return BackTest("нет предыдущего периода", None)
    # The same number of days into the previous period as ``day`` is into the current one.
    cuts = {
        p.pk: min(p.end, p.start + (day - current[g].start))
        for g, p in previous.items()
        if g in current
    }
    rows = _forecasts(
        marks=marks,
        lessons=lessons,
        period_of=lambda sid: previous.get(grade_of(sid)),
        cut_of=lambda period: cuts[period.pk],
        policy=policy,
    )
    actual: dict[tuple[int, int], int] = {}
    whole: dict[tuple[int, int], list] = defaultdict(list)
    for mark in marks:
        period = previous.get(grade_of(mark.student_id))
        if period and period.start <= mark.date <= period.end:
            whole[(mark.student_id, mark.subject_id)].append(mark.weighted)
    for key, items in whole.items():
        average = weighted_average(items)
        if average is not None:
            actual[key] = policy.mark_for(average)
    entered = PeriodMark.objects.filter(
        period_id__in=[p.pk for p in previous.values()], student_id__in=ids
    ).values_list("student_id", "subject_id", "value")
    for sid, subject_id, value in entered:
        if value in NUMERIC and (sid, subject_id) in rows:
            actual[(sid, subject_id)] = NUMERIC[value]
    test = BackTest(
        ", ".join(sorted({p.name for p in previous.values()})), min(cuts.values(), default=None)
    )
    for key, (_, outcome) in rows.items():
        if key in actual and outcome.expected is not None:
            test.forecasts += 1
            test.hits += outcome.expected == actual[key]
    return test


# --- The report page ----------------------------------------------------------------------

METHOD = [
    "Метод прогноза. Отметки ученика по предмету с начала периода считаются его "
    "собственной выборкой: каждая из них (с весом своего вида работы) с равной "
    "вероятностью может повториться.",
    "Сколько отметок ещё будет: число отметок ученика на урок до сих пор × уроки группы, "
    "оставшиеся в периоде по расписанию (с округлением).",
    "Каждая оставшаяся отметка берётся из выборки ученика; средний взвешенный балл всех "
    "отметок округляется по правилам школы. Вероятность каждой отметки за период — доля "
    "продолжений, ведущих к ней: точный перебор, если продолжений немного, иначе "
    "нормальное приближение суммы оставшихся отметок. Прогноз — самая вероятная отметка.",
    "Прогноз класса — сумма вероятностей учеников: ожидаемое число «5», «4», «3», «2».",
    "Проверка на прошлом периоде: прогноз строится по отметкам до той же точки "
    "предыдущего периода и сравнивается с полученной отметкой за период (или с отметкой, "
    "к которой округляется средний балл за весь период).",
]


def _pct(value: float) -> Decimal:
    return academic.percent(_decimal(value), 1) or Decimal(0)


def build(*, scope, params) -> ReportResult:
    school_class = params.get("school_class")
    result = forecast_report(
        school=params["school"],
        year=params["year"],
        day=params["date"],
        school_class=school_class,
        subject=params.get("subject"),
        classes=scope.classes,
    )
    class_table = Table(
        title="Прогноз по классам",
        columns=[
            Column("Класс"),
            Column("Предмет"),
            Column("Учеников", "int"),
            *[Column(f"Ожидается «{m}»", "decimal") for m in OUTCOMES],
            Column("Качество, %", "percent"),
            Column("Успеваемость, %", "percent"),
        ],
        rows=[
            [
                str(c.school_class),
                c.subject.name,
                c.students,
                *[academic.two_places(_decimal(c.expected[m])) for m in OUTCOMES],
                c.quality,
                c.success,
            ]
            for c in result.classes
        ],
    )
    tables = [class_table]
    single_class = school_class is not None or len({c.school_class.pk for c in result.classes}) == 1
    if single_class:
        tables.append(
            Table(
                title="Прогноз по ученикам",
                columns=[
                    Column("Ученик"),
                    Column("Предмет"),
                    Column("Отметок", "int"),
                    Column("Средний балл", "decimal"),
                    Column("Ещё отметок", "int"),
                    *[Column(f"«{m}», %", "percent") for m in OUTCOMES],
                    Column("Прогноз"),
                ],
                rows=[
                    [
                        r.student.short_name,
                        r.subject.name,
                        r.marks,
                        academic.two_places(r.result.current),
                        r.result.remaining,
                        *[_pct(r.probability(m)) for m in OUTCOMES],
                        str(r.result.expected or "—"),
                    ]
                    for r in result.students
                ],
            )
        )
    students = sum(c.students for c in result.classes)
    good = sum(c.expected[5] + c.expected[4] for c in result.classes)
    failing = sum(c.expected[2] for c in result.classes)
    test = result.backtest
    return ReportResult(
        subtitle=f"{result.label}, на {result.day:%d.%m.%Y}",
        tables=tables,
        headline=[
            Figure("Прогнозов (ученик × предмет)", students),
            Figure("Ожидаемое качество, %", academic.percent(_decimal(good), students), "percent"),
            Figure(
                "Ожидаемая успеваемость, %",
                academic.percent(_decimal(students - failing), students),
                "percent",
            ),
            Figure(
                f"Точность прогноза на прошлом периоде ({test.label}), %", test.hit_rate, "percent"
            ),
            Figure("Проверено прогнозов", test.forecasts),
        ],
        notes=[
            *METHOD,
            *([] if single_class else ["Прогноз по ученикам — при выборе класса."]),
            *pseudonym_notes(r.student for r in result.students),
        ],
    )


REPORT = Report(
    slug="forecast",
    number=16,
    title="Прогноз успеваемости",
    roles=SCHOOL_WIDE | {HOMEROOM},
    filters=("date", "school_class", "subject"),
    build=build,
    description="Ожидаемые отметки за период по ученикам и классам с вероятностями; "
    "метод и его точность на прошлом периоде (000 §2.8).",
    # Every student × subject of the school, twice (the back-test): a background run.
    background=True,
    landscape=True,
)
