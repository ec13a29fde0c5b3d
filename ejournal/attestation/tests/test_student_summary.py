"""What the diary will show families: averages and period marks per subject."""

import datetime as dt
from decimal import Decimal

from ejournal.attestation import selectors
from ejournal.attestation.models import PeriodMark
from ejournal.testing import factories as f


def test_student_summary_gives_averages_and_period_marks_per_subject(aw):
    w = aw.w
    s0 = w.students[0]
    russian = f.SubjectFactory(school=w.school, name="Русский язык")
    aw.mark(s0, dt.date(2026, 9, 10), "5", "Контрольная работа")
    aw.mark(s0, dt.date(2026, 9, 11), "4")
    aw.mark(s0, dt.date(2026, 11, 10), "3")
    aw.mark(s0, dt.date(2026, 11, 11), "dot")
    aw.mark(w.students[1], dt.date(2026, 11, 10), "2")  # another student
    PeriodMark.objects.create(
        school=w.school,
        year=w.year,
        student=s0,
        subject=w.subject,
        kind="period",
        period=aw.q1,
        value="5",
    )
    PeriodMark.objects.create(
        school=w.school, year=w.year, student=s0, subject=russian, kind="year", value="4"
    )
    summary = selectors.student_period_summary(s0, w.year)
    assert [s.subject.name for s in summary] == ["Математика", "Русский язык"]
    math = summary[0]
    assert [p.period.name for p in math.periods] == [f"{n} четверть" for n in range(1, 5)]
    q1, q2, q3, _ = math.periods
    assert q1.summary.average == Decimal(14) / Decimal(3)
    assert (q1.policy_mark, q1.mark.value) == (5, "5")
    assert (q2.summary.average, q2.summary.debt_count, q2.policy_mark, q2.mark) == (
        Decimal(3),
        1,
        3,
        None,
    )
    assert q3.summary.average is None and q3.policy_mark is None
    assert summary[1].year_mark.value == "4"


def test_student_summary_uses_a_fixed_number_of_queries(aw, django_assert_max_num_queries):
    w = aw.w
    s0 = w.students[0]
    for i in range(10):
        subject = f.SubjectFactory(school=w.school)
        aw.mark(s0, dt.date(2026, 11, 10), "4", subject=subject, number=i + 2)
    selectors.settings_of(w.school)
    with django_assert_max_num_queries(6):
        summary = selectors.student_period_summary(s0, w.year)
    assert len(summary) == 10


def test_student_outside_the_year_gets_nothing(aw):
    stranger = f.StudentFactory(school=aw.w.school)
    assert selectors.student_period_summary(stranger, aw.w.year) == []
