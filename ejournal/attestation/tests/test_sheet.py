"""The summary sheet (сводная ведомость): exact figures, decisions, constant queries."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ejournal.attestation import selectors, services
from ejournal.attestation.models import CouncilDecision, PeriodMark
from ejournal.audit.models import AuditEvent
from ejournal.journal.models import Attendance
from ejournal.schedule.models import LessonStatus
from ejournal.testing import factories as f

D = dt.date


def _pm(w, student, subject, value, period=None, kind="period"):
    return PeriodMark.objects.create(
        school=w.school,
        year=w.year,
        student=student,
        subject=subject,
        kind=kind,
        period=period,
        value=value,
    )


@pytest.fixture
def hand_built(aw):
    """5А: three students, mathematics and Russian, second-quarter marks and absences."""
    w = aw.w
    russian = f.SubjectFactory(school=w.school, name="Русский язык", short_name="Рус")
    f.load(w.group, russian, aw.teacher)
    s0, s1, s2 = w.students
    q2 = aw.q2
    for student, math, rus in ((s0, "5", "4"), (s1, "3", "2"), (s2, "na", "5")):
        _pm(w, student, w.subject, math, q2)
        _pm(w, student, russian, rus, q2)
    _pm(w, s0, w.subject, "2", aw.q1)  # another period: not on this sheet
    lessons = [aw.lesson(D(2026, 11, 9 + i)) for i in range(4)]
    outside = aw.lesson(D(2026, 10, 20))
    cancelled = aw.lesson(D(2026, 11, 20))
    cancelled.status = LessonStatus.CANCELLED
    cancelled.save()
    for lesson, student, code, late in (
        (lessons[0], s0, "n", None),
        (lessons[1], s0, "n", None),
        (lessons[2], s0, "b", None),
        (lessons[3], s1, "up", None),
        (lessons[0], s1, "op", 10),  # late: not a missed lesson
        (outside, s2, "n", None),  # first quarter
        (cancelled, s2, "n", None),  # a cancelled lesson does not count
    ):
        Attendance.objects.create(lesson=lesson, student=student, code=code, late_minutes=late)
    return w, russian


def test_summary_sheet_figures_are_exact(aw, hand_built):
    w, russian = hand_built
    sheet = selectors.summary_sheet(school_class=w.school_class, target=aw.target())
    assert [s.name for s in sheet.subjects] == ["Математика", "Русский язык"]
    s0, s1, s2 = sheet.rows
    assert [[c.value if c else None for c in r.cells] for r in sheet.rows] == [
        ["5", "4"],
        ["3", "2"],
        ["na", "5"],
    ]
    assert (s0.counts.five, s0.counts.four, s0.counts.quality, s0.counts.success) == (
        1,
        1,
        Decimal("100.0"),
        Decimal("100.0"),
    )
    assert (s1.counts.three, s1.counts.two, s1.counts.quality, s1.counts.success) == (
        1,
        1,
        Decimal("0.0"),
        Decimal("50.0"),
    )
    assert (s2.counts.na, s2.counts.five, s2.counts.quality, s2.counts.success) == (
        1,
        1,
        Decimal("50.0"),
        Decimal("50.0"),
    )
    math, rus = sheet.subject_counts
    assert (math.five, math.three, math.na, math.quality, math.success) == (
        1,
        1,
        1,
        Decimal("33.3"),
        Decimal("66.7"),
    )
    assert (rus.five, rus.four, rus.two, rus.quality, rus.success) == (
        1,
        1,
        1,
        Decimal("66.7"),
        Decimal("66.7"),
    )
    totals = sheet.totals
    assert (totals.five, totals.four, totals.three, totals.two, totals.na, totals.total) == (
        2,
        1,
        1,
        1,
        1,
        6,
    )
    assert (totals.quality, totals.success) == (Decimal("50.0"), Decimal("66.7"))
    assert [(r.absences.total, r.absences.ill, r.absences.excused) for r in sheet.rows] == [
        (3, 1, 0),
        (1, 0, 1),
        (0, 0, 0),
    ]
    assert sheet.footer()[-2] == (
        "Качество, %",
        [Decimal("33.3"), Decimal("66.7")],
        Decimal("50.0"),
    )


def test_exempt_and_no_mark_values_do_not_count(aw):
    w = aw.w
    _pm(w, w.students[0], w.subject, "osv", aw.q2)
    _pm(w, w.students[1], w.subject, "zach", aw.q2)
    _pm(w, w.students[2], w.subject, "nezach", aw.q2)
    counts = selectors.summary_sheet(school_class=w.school_class, target=aw.target()).totals
    assert counts.total == 2
    assert counts.quality == Decimal("0.0")
    assert counts.success == Decimal("50.0")


def test_year_sheet_shows_year_marks_absences_of_the_year_and_council_decisions(aw, hand_built):
    w, russian = hand_built
    s0, s1, s2 = w.students
    _pm(w, s0, w.subject, "5", kind="year")
    _pm(w, s1, russian, "2", kind="year")
    with time_machine.travel("2027-05-30 12:00 +0300", tick=False):
        services.council_decision_set(
            actor=w.users["deputy"],
            school_class=w.school_class,
            student=s0,
            kind="transferred",
            date=D(2027, 5, 29),
            protocol_number="7",
        )
        services.council_decision_set(
            actor=w.users["deputy"],
            school_class=w.school_class,
            student=s1,
            kind="conditional",
            date=D(2027, 5, 29),
            protocol_number="7",
        )
    sheet = selectors.summary_sheet(school_class=w.school_class, target=aw.target(kind="year"))
    assert sheet.is_year
    assert [[c.value if c else None for c in r.cells] for r in sheet.rows] == [
        ["5", None],
        [None, "2"],
        [None, None],
    ]
    assert [r.absences.total for r in sheet.rows] == [3, 1, 1]  # the year includes 20.10
    assert sheet.rows[0].decision.text == "переведён в 6 класс"
    assert sheet.rows[1].decision.text == "условно переведён в 6 класс"
    assert sheet.rows[2].decision is None
    assert AuditEvent.objects.filter(action="council_decision.created").count() == 2


@time_machine.travel("2027-05-30 12:00 +0300", tick=False)
def test_council_decision_is_updated_not_duplicated(aw):
    w = aw.w
    args = dict(school_class=w.school_class, student=w.students[0], date=D(2027, 5, 29))
    services.council_decision_set(
        actor=w.users["deputy"], kind="transferred", protocol_number="7", **args
    )
    services.council_decision_set(
        actor=w.users["deputy"],
        kind="repeat",
        protocol_number="8",
        text="оставлен на повторное обучение",
        **args,
    )
    decision = CouncilDecision.objects.get()
    assert (decision.kind, decision.protocol_number) == ("repeat", "8")
    assert AuditEvent.objects.filter(action="council_decision.updated").count() == 1


@time_machine.travel("2027-05-30 12:00 +0300", tick=False)
@pytest.mark.parametrize("role", ["teacher", "homeroom", "director", "admin"])
def test_only_the_deputy_records_council_decisions(aw, role):
    w = aw.w
    with pytest.raises(ValidationError, match="заместитель директора"):
        services.council_decision_set(
            actor=w.users[role],
            school_class=w.school_class,
            student=w.students[0],
            kind="transferred",
            date=D(2027, 5, 29),
            protocol_number="7",
        )
    assert not CouncilDecision.objects.exists()


@time_machine.travel("2027-05-30 12:00 +0300", tick=False)
def test_council_decision_needs_a_student_of_the_class_and_a_protocol(aw):
    w = aw.w
    base = dict(actor=w.users["deputy"], school_class=w.school_class, kind="transferred")
    with pytest.raises(ValidationError, match="не учится в классе 5А"):
        services.council_decision_set(
            **base, student=w.other_child, date=D(2027, 5, 29), protocol_number="7"
        )
    with pytest.raises(ValidationError, match="номер протокола"):
        services.council_decision_set(
            **base, student=w.students[0], date=D(2027, 5, 29), protocol_number=" "
        )
    with pytest.raises(ValidationError, match="не позже сегодняшней"):
        services.council_decision_set(
            **base, student=w.students[0], date=D(2027, 6, 15), protocol_number="7"
        )
    assert not CouncilDecision.objects.exists()


def _build_class(w, letter, n_students, n_subjects):
    """A class of the world's school with period marks and absences in every subject."""
    from ejournal.school.models import StudyPeriod

    school_class = f.ClassFactory(school=w.school, year=w.year, grade=5, letter=letter)
    group = f.GroupFactory(school_class=school_class, name=f"5{letter}")
    teacher = w.staff["teacher"]
    students = [f.StudentFactory(school=w.school) for _ in range(n_students)]
    for student in students:
        f.enroll(student, school_class)
    subjects = [
        f.SubjectFactory(school=w.school, name=f"{letter} предмет {i:02d}")
        for i in range(n_subjects)
    ]
    for subject in subjects:
        f.load(group, subject, teacher)
    q2 = StudyPeriod.objects.get(band__year=w.year, number=2)
    PeriodMark.objects.bulk_create(
        PeriodMark(
            school=w.school,
            year=w.year,
            student=student,
            subject=subject,
            kind="period",
            period=q2,
            value="2345"[(i + j) % 4],
        )
        for i, student in enumerate(students)
        for j, subject in enumerate(subjects)
    )
    lessons = [f.make_lesson(group, s, teacher, D(2026, 11, 10), n) for n, s in enumerate(subjects)]
    Attendance.objects.bulk_create(
        Attendance(lesson=lesson, student=student, code=("n", "b", "up")[k % 3])
        for k, student in enumerate(students)
        for lesson in lessons[:3]
    )
    target = selectors.target_for(year=w.year, grade=5, slug=f"p{q2.pk}")
    return school_class, target


def _sheet_queries(school_class, target):
    with CaptureQueriesContext(connection) as ctx:
        sheet = selectors.summary_sheet(school_class=school_class, target=target)
    return len(ctx.captured_queries), sheet


def test_summary_sheet_queries_do_not_grow_with_students_and_subjects(world):
    small_count, small = _sheet_queries(*_build_class(world, "Б", 3, 2))
    assert len(small.rows) == 3 and len(small.subjects) == 2
    big_count, big = _sheet_queries(*_build_class(world, "В", 30, 15))
    assert len(big.rows) == 30 and len(big.subjects) == 15
    assert big.totals.total == 450
    assert [r.absences.total for r in big.rows[:3]] == [3, 3, 3]
    assert big_count == small_count <= 6
