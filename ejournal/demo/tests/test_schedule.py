import datetime as dt

import pytest

from ejournal.demo.builder import DemoOptions, demo_school, seed_demo
from ejournal.demo.builder.schedule import seed_schedule
from ejournal.schedule import selectors
from ejournal.schedule.models import Lesson, ScheduleChange, Substitution

# Slow (builds the demo school): `make test` runs it, `make test-fast` does not.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_demo_timetable_is_conflict_free_and_lessons_reach_the_period_end(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 18, 7, 0, tzinfo=dt.UTC), tick=False)
    today = dt.date(2026, 11, 18)
    build = seed_demo(options=DemoOptions(classes_per_grade=1, students_per_class=3), today=today)
    school = demo_school()
    year = school.years.get()
    # seed_demo runs the schedule step once it is hooked into its STEPS.
    facts = build.facts.get("schedule") or seed_schedule(school, year, today)
    conflicts = selectors.timetable_conflicts(school=school, year=year, day=today)
    # No double bookings, and every class gets exactly its teaching-load hours.
    assert [c.message for c in conflicts] == []
    assert facts["timetable_entries"] > 11 * 20
    last = Lesson.objects.filter(school=school).order_by("-date").first().date
    first = Lesson.objects.filter(school=school).order_by("date").first().date
    assert first == year.start and last.month == 12
    assert Substitution.objects.filter(school=school).exists()
    assert ScheduleChange.objects.filter(school=school).exists()
    assert not Lesson.objects.filter(school=school, date__lt=today, status="planned").exists()
