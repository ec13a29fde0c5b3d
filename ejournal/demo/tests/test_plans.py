"""The demo КТП step: a plan for every course, hours matching the timetable, linked to
the documented lessons, and one class behind its plan."""

import datetime as dt
from decimal import Decimal

from django.core.management import call_command

from ejournal.demo.builder.journal import _topic
from ejournal.demo.builder.plans import seed_plans
from ejournal.planning import selectors
from ejournal.planning.models import ThematicPlan
from ejournal.schedule.models import Lesson
from ejournal.testing import factories as f

TODAY = dt.date(2026, 11, 20)


def year_of_lessons(pw, group, per_week=3):
    """Lessons on Mon/Wed/Fri (first ``per_week`` weekdays of 0, 2, 4) of every study
    week; those up to TODAY documented with the journal demo's topics."""
    days_off = {dt.date(2026, 10, 26) + dt.timedelta(days=i) for i in range(10)}
    periods = [(p.start, p.end) for p in selectors.Calendar.of(pw.year).bands[0].periods.all()]
    n = 0
    for start, end in periods:
        day = start
        while day <= end:
            if day.weekday() in (0, 2, 4)[:per_week] and day not in days_off:
                lesson = pw.lesson(day, group=group)
                if day <= TODAY:
                    n += 1
                    pw.document(lesson, _topic(pw.subject.name, n))
            day += dt.timedelta(days=1)


def test_demo_plans_match_hours_link_topics_and_one_class_lags(pw):
    other = pw.w.other_class
    group_b = f.GroupFactory(school_class=other, name="6Б")
    f.load(group_b, pw.subject, pw.teacher, Decimal("3"))
    year_of_lessons(pw, pw.group)
    year_of_lessons(pw, group_b)

    facts = seed_plans(school=pw.w.school, year=pw.year, today=TODAY, behind_class="6Б")
    assert facts["plans"] == 2 and facts["behind_class"] == "6Б"

    for plan in ThematicPlan.objects.all():
        result = selectors.plan_validation(plan=plan, items=selectors.items_of(plan), today=TODAY)
        assert result.ok, [c.message for c in result.checks]
        assert result.checks[0].expected.source == "timetable"

    rows = {str(r.group): r for r in selectors.fulfilment_rows(year=pw.year, today=TODAY)}
    assert rows["5А"].planned_by == "dates"
    assert rows["5А"].lag == 0
    assert rows["6Б"].lag > 5

    # The next lesson's suggested topic is the journal's next topic.
    next_lesson = Lesson.objects.filter(group=pw.group, date__gt=TODAY).order_by("date").first()
    documented = selectors.documented_lessons(group_id=pw.group.id, subject_id=pw.subject.id)
    assert (
        selectors.suggested_topic(next_lesson).topic
        == _topic(pw.subject.name, documented.count() + 1).split(" (урок")[0]
    )


def test_demo_plans_command_is_idempotent(pw, monkeypatch):
    monkeypatch.setattr("ejournal.demo.builder.demo_school", lambda: pw.w.school)
    monkeypatch.setattr(
        "ejournal.demo.management.commands.seed_demo_plans.demo_school",
        lambda: pw.w.school,
    )
    call_command("seed_demo_plans")
    assert ThematicPlan.objects.count() == 1
    call_command("seed_demo_plans")
    assert ThematicPlan.objects.count() == 1
