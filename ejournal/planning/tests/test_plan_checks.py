"""Hours of a plan against the curriculum or the timetable, mandatory topics, grade plans,
and the link between documented lessons and plan items (suggested_topic)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from ejournal.journal import services as journal_services
from ejournal.planning import selectors, services
from ejournal.planning.models import PlanItem, PlanItemKind
from ejournal.planning.tests.conftest import item, weekdays
from ejournal.schedule.models import LessonStatus
from ejournal.school.models import CurriculumEntry
from ejournal.testing import factories as f

TODAY = dt.date(2026, 10, 1)


def validation(plan):
    items = selectors.items_of(plan)
    return selectors.plan_validation(plan=plan, items=items, today=TODAY)


@pytest.fixture
def curriculum(pw):
    # 5 h a week; the world's four quarters have 172 weekdays = 34 study weeks → 170 h.
    return CurriculumEntry.objects.create(
        year=pw.year, subject=pw.subject, grade=5, hours_per_week=Decimal("5")
    )


def test_curriculum_hours_are_weekly_hours_times_study_weeks(pw, curriculum):
    plan = pw.plan(items=[item("Всё", 170)])
    check = validation(plan).checks[0]
    assert check.expected.source == "curriculum"
    assert check.expected.hours == Decimal(170)
    assert "5 ч в неделю × 34 учебных недель" in check.expected.note
    assert check.ok and validation(plan).ok


@pytest.mark.parametrize(("hours", "word"), [(168, "меньше"), (171, "больше")])
def test_hour_mismatch_is_detected_and_explained(pw, curriculum, hours, word):
    plan = pw.plan(items=[item("Часть 1", 100), item("Часть 2", hours - 100)])
    result = validation(plan)
    check = result.checks[0]
    assert not check.ok and not result.ok
    assert check.difference == hours - 170
    assert f"в плане {hours} ч, нужно 170 ч" in check.message
    assert word in check.message


def test_class_override_of_curriculum_is_used(pw, curriculum):
    CurriculumEntry.objects.create(
        year=pw.year,
        subject=pw.subject,
        grade=5,
        school_class=pw.w.school_class,
        hours_per_week=Decimal("6"),
    )
    plan = pw.plan(items=[item("Всё", 170)])
    assert validation(plan).checks[0].expected.hours == Decimal(204)


def test_timetable_count_is_used_once_lessons_cover_the_year(pw, curriculum):
    plan = pw.plan(items=[item("Всё", 5)])
    days = [dt.date(2026, 9, 1), dt.date(2026, 9, 2), dt.date(2027, 5, 25), dt.date(2027, 5, 31)]
    for day in days:
        pw.lesson(day)
    pw.lesson(dt.date(2026, 9, 3), status=LessonStatus.CANCELLED)  # still a timetable hour
    moved = pw.lesson(dt.date(2026, 9, 4), status=LessonStatus.MOVED)  # replaced by its copy
    pw.lesson(dt.date(2026, 9, 7), number=2, moved_from=moved)
    check = validation(plan).checks[0]
    assert check.expected.source == "timetable"
    assert check.expected.hours == 6
    assert not check.ok
    assert "по расписанию на учебный год создано уроков: 6" in check.message


def test_partial_timetable_falls_back_to_curriculum(pw, curriculum):
    plan = pw.plan(items=[item("Всё", 170)])
    for day in weekdays(dt.date(2026, 9, 1), 10):
        pw.lesson(day)
    assert validation(plan).checks[0].expected.source == "curriculum"


def test_control_item_without_topic_is_flagged(pw, curriculum):
    plan = pw.plan(items=[item("Всё", 169)])
    # Services refuse such an item; an item written before the rule still shows on the plan.
    PlanItem.objects.create(plan=plan, number=2, topic="", hours=1, kind=PlanItemKind.CONTROL)
    result = validation(plan)
    assert result.checks[0].ok
    assert [i.number for i in result.missing_topics] == [2]
    assert not result.ok


@pytest.mark.parametrize("kind", [PlanItemKind.CONTROL, PlanItemKind.PRACTICAL, "laboratory"])
def test_service_refuses_works_without_topic(pw, kind):
    plan = pw.plan()
    with pytest.raises(ValidationError, match="Тема обязательна"):
        services.plan_item_add(actor=None, plan=plan, section="", topic=" ", hours=1, kind=kind)
    assert plan.items.count() == 0


def test_grade_plan_is_checked_for_each_class_without_own_plan(pw, curriculum):
    other = f.ClassFactory(school=pw.w.school, year=pw.year, grade=5, letter="Б")
    group_b = f.GroupFactory(school_class=other, name="5Б")
    f.load(group_b, pw.subject, pw.teacher, Decimal("5"))
    third = f.ClassFactory(school=pw.w.school, year=pw.year, grade=5, letter="В")
    group_c = f.GroupFactory(school_class=third, name="5В")
    f.load(group_c, pw.subject, pw.teacher, Decimal("5"))
    pw.plan(items=[item("Своя", 170)], group=group_c)  # 5В has its own plan
    plan = pw.plan(items=[item("Общая", 170)], grade=5)
    checks = validation(plan).checks
    assert [str(c.group) for c in checks] == ["5А", "5Б"]
    assert all(c.ok for c in checks)


# --- Linking -----------------------------------------------------------------------


@pytest.fixture
def linked(pw):
    plan = pw.plan(items=[item("А", 1), item("Б", 2), item("В", 1)])
    lessons = [pw.lesson(day) for day in weekdays(dt.date(2026, 9, 1), 6)]
    return plan, lessons


def topics(lessons):
    return [getattr(selectors.suggested_topic(lesson), "topic", None) for lesson in lessons]


def test_documented_lessons_advance_the_plan_by_hours(pw, linked):
    plan, lessons = linked
    assert topics(lessons[:1]) == ["А"]
    pw.document(lessons[0], "А")
    assert topics(lessons[1:2]) == ["Б"]
    pw.document(lessons[1], "Б, урок 1")
    assert topics(lessons[2:3]) == ["Б"]  # «Б» spans two lessons
    pw.document(lessons[2], "Б, урок 2")
    assert topics(lessons[3:4]) == ["В"]
    pw.document(lessons[3], "В")
    assert topics(lessons[4:]) == [None, None]  # the plan is exhausted
    # An already documented lesson keeps pointing at the item it covers.
    assert topics(lessons[:4]) == ["А", "Б", "Б", "В"]


def test_held_lesson_without_topic_does_not_advance_the_plan(pw, linked):
    _, lessons = linked
    lessons[0].status = LessonStatus.HELD
    lessons[0].save()
    assert topics(lessons[1:2]) == ["А"]


def test_suggestion_counts_only_earlier_documented_lessons(pw, linked):
    _, lessons = linked
    pw.document(lessons[3])  # documented out of order
    assert topics([lessons[0], lessons[4]]) == ["А", "Б"]


def test_cancelled_or_other_subject_lessons_get_no_suggestion(pw, linked):
    _, lessons = linked
    cancelled = pw.lesson(dt.date(2026, 9, 1), number=2, status=LessonStatus.CANCELLED)
    other_subject = f.SubjectFactory(school=pw.w.school, name="Физика")
    physics = pw.lesson(dt.date(2026, 9, 1), number=3, subject=other_subject)
    assert topics([cancelled, physics]) == [None, None]


def test_own_plan_wins_over_the_grade_plan(pw):
    pw.plan(items=[item("Общая")], grade=5)
    lesson = pw.lesson(dt.date(2026, 9, 1))
    assert topics([lesson]) == ["Общая"]
    pw.plan(items=[item("Своя")])
    assert topics([lesson]) == ["Своя"]


def test_suggested_topic_runs_two_queries_whatever_the_history(
    pw, linked, django_assert_num_queries
):
    _, lessons = linked
    for lesson in lessons[:3]:
        pw.document(lesson)
    with django_assert_num_queries(2):
        assert selectors.suggested_topic(lessons[3]).topic == "В"
    for day in weekdays(dt.date(2026, 10, 1), 20):
        pw.document(pw.lesson(day))
    with django_assert_num_queries(2):
        assert selectors.suggested_topic(lessons[3]).topic == "В"


def test_documenting_through_the_journal_advances_the_plan(pw, linked):
    _, lessons = linked
    first, second = lessons[0], lessons[1]
    with time_machine.travel(dt.datetime(2026, 9, 2, 15, 0, tzinfo=dt.UTC)):
        suggestion = selectors.suggested_topic(first)
        journal_services.lesson_record_save(
            actor=pw.w.users["teacher"],
            staff=pw.teacher,
            lesson=first,
            topic=suggestion.topic,
            expected_version=None,
        )
        second.refresh_from_db()
        assert selectors.suggested_topic(second).topic == "Б"


def test_suggested_topics_for_many_lessons_match_one_by_one(pw, linked, django_assert_num_queries):
    _, lessons = linked
    pw.document(lessons[0])
    pw.document(lessons[2])
    other = f.ClassFactory(school=pw.w.school, year=pw.year, grade=5, letter="Б")
    group_b = f.GroupFactory(school_class=other, name="5Б")
    pw.plan(items=[item("Общая", 2)], grade=5)
    extra = [pw.lesson(day, group=group_b, number=2) for day in weekdays(dt.date(2026, 9, 1), 3)]
    pw.document(extra[0])
    pw.document(extra[1])
    everything = lessons + extra
    expected = {lesson.pk: selectors.suggested_topic(lesson) for lesson in everything}
    with django_assert_num_queries(4):
        batch = selectors.suggested_topics(everything)
    assert batch == expected
    assert [getattr(batch[x.pk], "topic", None) for x in extra] == ["Общая", "Общая", None]
