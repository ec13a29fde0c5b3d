"""Demo period marks: the suggested marks for every ended period, and closed periods."""

import datetime as dt

from ejournal.attestation.models import PeriodClosure, PeriodMark
from ejournal.demo.builder.period_marks import seed_period_marks

TODAY = dt.date(2026, 11, 20)  # the first quarter ended on 25.10 and may be closed


def test_demo_marks_every_ended_period_with_the_suggested_mark_and_closes_it(aw):
    w = aw.w
    s0, s1, s2 = w.students
    aw.mark(s0, dt.date(2026, 9, 10), "5", "Контрольная работа")
    aw.mark(s0, dt.date(2026, 9, 11), "4")
    aw.mark(s0, dt.date(2026, 9, 12), "5")
    aw.mark(s1, dt.date(2026, 9, 11), "3")
    aw.mark(s1, dt.date(2026, 9, 12), "4")
    aw.mark(s0, dt.date(2026, 11, 10), "2")  # the second quarter has not ended
    facts = seed_period_marks(school=w.school, year=w.year, today=TODAY)
    assert facts == {"period_marks": 3, "year_marks": 0, "closed": 1}
    marks = {m.student_id: m for m in PeriodMark.objects.all()}
    assert {m.period_id for m in marks.values()} == {aw.q1.pk}
    assert (marks[s0.pk].value, marks[s0.pk].suggested) == ("5", "5")
    # Two marks: short of three, attested by the average (3.5 → «4»), «н/а» suggested.
    assert (marks[s1.pk].value, marks[s1.pk].suggested) == ("4", "na")
    assert marks[s2.pk].value == "na"
    closure = PeriodClosure.objects.get()
    assert closure.period == aw.q1 and closure.is_closed
    assert closure.closed_by_id == w.users["deputy"].pk
    again = seed_period_marks(school=w.school, year=w.year, today=TODAY)
    assert again == {"period_marks": 0, "year_marks": 0, "closed": 0}


def test_demo_after_the_year_gives_year_marks(aw):
    w = aw.w
    s0 = w.students[0]
    for month in (9, 11):
        aw.mark(s0, dt.date(2026, month, 10), "5", "Контрольная работа")
        aw.mark(s0, dt.date(2026, month, 11), "5")
        aw.mark(s0, dt.date(2026, month, 12), "4")
    facts = seed_period_marks(school=w.school, year=w.year, today=dt.date(2027, 6, 20))
    assert facts["period_marks"] == 12 and facts["closed"] == 4
    assert facts["year_marks"] == 3
    year = PeriodMark.objects.get(student=s0, kind="year")
    # Quarters: 5, 5, н/а, н/а → the mean of the numeric ones.
    assert year.value == "5"
