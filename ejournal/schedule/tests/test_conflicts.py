import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ejournal.schedule import selectors
from ejournal.schedule.tests import helpers
from ejournal.school.models import GroupKind
from ejournal.testing import factories as f

pytestmark = pytest.mark.django_db


def kinds(world):
    return [c.kind for c in selectors.timetable_conflicts(school=world.school, year=world.year)]


def messages(world, kind):
    return [
        c.message
        for c in selectors.timetable_conflicts(school=world.school, year=world.year)
        if c.kind == kind
    ]


def other_group(world):
    return f.GroupFactory(school_class=world.other_class, name="6Б")


def test_teacher_in_two_places_is_refused_then_reported_when_allowed(world, bells):
    helpers.entry(world, weekday=1, number=2)
    group = other_group(world)
    with pytest.raises(ValidationError) as exc:
        helpers.entry(world, weekday=1, number=2, group=group)
    assert "ведёт два урока одновременно" in exc.value.messages[0]
    helpers.entry(world, weekday=1, number=2, group=group, allow_conflicts=True)
    [msg] = messages(world, "teacher")
    name = world.staff["teacher"].short_name
    assert msg.startswith(f"Учитель {name} ведёт два урока одновременно (понедельник, 2 урок)")


def test_room_in_two_places_is_detected(world, bells):
    helpers.entry(world, weekday=2, number=3, room="12")
    group = other_group(world)
    with pytest.raises(ValidationError, match="Кабинет 12 занят двумя уроками"):
        helpers.entry(
            world, weekday=2, number=3, group=group, teacher=world.staff["homeroom"], room="12"
        )
    helpers.entry(
        world,
        weekday=2,
        number=3,
        group=group,
        teacher=world.staff["homeroom"],
        room="12",
        allow_conflicts=True,
    )
    assert "room" in kinds(world)


def test_group_with_two_lessons_at_once_is_detected(world, bells):
    helpers.entry(world, weekday=3, number=1)
    subject = f.SubjectFactory(school=world.school, name="Русский язык")
    helpers.entry(
        world,
        weekday=3,
        number=1,
        subject=subject,
        teacher=world.staff["homeroom"],
        allow_conflicts=True,
    )
    assert any("У группы 5А два урока одновременно" in m for m in messages(world, "group"))


def test_student_in_two_places_is_detected_through_subgroup_membership(world, bells):
    english = f.SubjectFactory(school=world.school, name="Английский язык")
    sub1 = f.GroupFactory(school_class=world.school_class, kind=GroupKind.SUBGROUP, name="5А-1")
    sub2 = f.GroupFactory(school_class=world.school_class, kind=GroupKind.SUBGROUP, name="5А-2")
    f.add_member(world.students[0], sub1)
    f.add_member(world.students[1], sub2)
    # Two halves of a class in parallel is the normal case: no conflict.
    helpers.entry(
        world, weekday=4, number=1, group=sub1, subject=english, teacher=world.staff["homeroom"]
    )
    helpers.entry(
        world, weekday=4, number=1, group=sub2, subject=english, teacher=world.staff["deputy"]
    )
    assert "student" not in kinds(world)
    # The whole class at the same time as a half of it is not.
    with pytest.raises(ValidationError, match=r"Ученики \(1\) должны быть на двух уроках"):
        helpers.entry(world, weekday=4, number=1)


def test_stream_member_in_two_places_is_detected(world, bells):
    stream = f.GroupFactory(
        school_class=None,
        school=world.school,
        year=world.year,
        kind=GroupKind.STREAM,
        name="Факультатив «Робототехника»",
    )
    f.add_member(world.other_child, stream)
    helpers.entry(world, weekday=5, number=6, group=stream, teacher=world.staff["deputy"])
    group = other_group(world)
    with pytest.raises(ValidationError, match="должны быть на двух уроках"):
        helpers.entry(world, weekday=5, number=6, group=group)


def test_different_times_do_not_conflict_and_validity_is_respected(world, bells):
    helpers.entry(world, weekday=1, number=1, valid_to=dt.date(2026, 12, 28))
    group = other_group(world)
    helpers.entry(world, weekday=1, number=2, group=group)
    helpers.entry(world, weekday=1, number=1, group=group, valid_from=dt.date(2027, 1, 9))
    assert [k for k in kinds(world) if k != "hours"] == []


def test_hours_differing_from_teaching_load_are_reported(world, bells):
    helpers.entry(world, weekday=1, number=1)
    helpers.entry(world, weekday=2, number=1)
    hours = messages(world, "hours")
    name = world.staff["teacher"].short_name
    assert hours == [f"5А, Математика ({name}): в расписании 2 ч в неделю, по тарификации 5 ч."]
    f.load(other_group(world), world.subject, world.staff["homeroom"], Decimal("1"))
    assert len(messages(world, "hours")) == 2


def test_lesson_without_teaching_load_is_reported(world, bells):
    chem = f.SubjectFactory(school=world.school, name="Химия")
    helpers.entry(world, weekday=1, number=3, subject=chem)
    assert any("в тарификации такой нагрузки нет" in m for m in messages(world, "hours"))


def test_entry_needs_a_bell_time_and_objects_of_the_school(world, bells):
    with pytest.raises(ValidationError, match="нет 9 урока"):
        helpers.entry(world, weekday=1, number=9)
    stranger = f.StaffFactory(school=world.other_school)
    with pytest.raises(ValidationError, match="Учитель не найден"):
        helpers.entry(world, weekday=1, number=1, teacher=stranger)


def test_entry_without_any_bell_schedule_is_refused(world):
    with pytest.raises(ValidationError, match="Сначала задайте расписание звонков 1 смены"):
        helpers.entry(world, weekday=1, number=1)


def test_student_who_changed_class_is_not_in_two_places(world, bells):
    mover = world.students[2]
    enrollment = mover.enrollments.get()
    enrollment.date_to = dt.date(2026, 11, 30)
    enrollment.save()
    f.enroll(mover, world.other_class, date_from=dt.date(2026, 12, 1))
    helpers.entry(world, weekday=1, number=1)
    group = other_group(world)
    # Same slot, the mover belongs to each class on different dates: no conflict.
    helpers.entry(world, weekday=1, number=1, group=group, teacher=world.staff["homeroom"])
    assert "student" not in kinds(world)


def test_student_in_a_stream_conflicts_with_their_class_from_the_day_they_join(world, bells):
    # A second class at once is refused by the database; a stream is the way a student
    # belongs to two groups at the same time.
    mover = world.students[2]
    stream = f.GroupFactory(
        school_class=None, school=world.school, year=world.year, kind=GroupKind.STREAM, name="Поток"
    )
    f.add_member(mover, stream, date_from=dt.date(2026, 12, 1))
    helpers.entry(world, weekday=1, number=1)
    with pytest.raises(ValidationError, match=r"Ученики \(1\)"):
        helpers.entry(world, weekday=1, number=1, group=stream, teacher=world.staff["homeroom"])
