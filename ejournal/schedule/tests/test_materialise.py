import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ejournal.schedule import services
from ejournal.schedule.models import Lesson, LessonStatus
from ejournal.schedule.tests import helpers
from ejournal.school.models import DayOff, DayOffKind
from ejournal.testing import factories as f

pytestmark = pytest.mark.django_db

MONDAY = 1


def dates(qs):
    return sorted(qs.values_list("date", flat=True))


def test_materialisation_skips_holidays(world, bells):
    helpers.entry(world, weekday=MONDAY, number=1)
    result = services.lessons_materialise(
        school=world.school,
        start=dt.date(2026, 10, 19),
        end=dt.date(2026, 11, 10),
        today=dt.date(2026, 9, 1),
    )
    # 26.10 and 02.11 fall in the autumn holidays.
    assert dates(Lesson.objects.all()) == [dt.date(2026, 10, 19), dt.date(2026, 11, 9)]
    assert result.created == 2


def test_materialisation_skips_non_working_days_of_the_lessons_grade_only(world, bells):
    helpers.entry(world, weekday=2, number=1)
    DayOff.objects.create(
        year=world.year,
        kind=DayOffKind.NON_WORKING,
        name="23 февраля",
        start=dt.date(2027, 2, 23),
        end=dt.date(2027, 2, 23),
    )
    DayOff.objects.create(
        year=world.year,
        kind=DayOffKind.HOLIDAY,
        name="Доп. каникулы 1 класс",
        start=dt.date(2027, 2, 15),
        end=dt.date(2027, 2, 21),
        grade_from=1,
        grade_to=1,
    )
    services.lessons_materialise(
        school=world.school,
        start=dt.date(2027, 2, 15),
        end=dt.date(2027, 3, 2),
        today=dt.date(2026, 9, 1),
    )
    # 16.02 stays: the extra holiday is for the first grade, 5А is fifth.
    assert dates(Lesson.objects.all()) == [dt.date(2027, 2, 16), dt.date(2027, 3, 2)]


def test_materialisation_skips_saturdays_in_a_five_day_band(world, bells):
    band = world.year.bands.get()
    band.days_per_week = 6
    band.save()
    helpers.entry(world, weekday=6, number=1)
    band.days_per_week = 5
    band.save()
    result = services.lessons_materialise(
        school=world.school,
        start=dt.date(2026, 9, 1),
        end=dt.date(2026, 9, 30),
        today=dt.date(2026, 9, 1),
    )
    assert result.created == 0 and not Lesson.objects.exists()


def test_saturday_entry_refused_for_five_day_week(world, bells):
    with pytest.raises(ValidationError, match="5-дневная неделя"):
        helpers.entry(world, weekday=6, number=1)


def test_materialisation_is_idempotent(world, bells):
    helpers.entry(world, weekday=MONDAY, number=1)
    helpers.entry(world, weekday=3, number=2)
    first = services.lessons_materialise(
        school=world.school, start=world.year.start, end=world.year.end, today=dt.date(2026, 9, 1)
    )
    snapshot = list(Lesson.objects.order_by("id").values())
    second = services.lessons_materialise(
        school=world.school, start=world.year.start, end=world.year.end, today=dt.date(2026, 9, 1)
    )
    assert first.created > 60
    assert (second.created, second.updated, second.deleted, second.kept) == (0, 0, 0, [])
    assert list(Lesson.objects.order_by("id").values()) == snapshot


def test_lessons_are_only_inside_the_entry_validity_and_the_year(world, bells):
    helpers.entry(
        world,
        weekday=MONDAY,
        number=1,
        valid_from=dt.date(2026, 9, 14),
        valid_to=dt.date(2026, 9, 28),
    )
    services.lessons_materialise(
        school=world.school,
        start=dt.date(2026, 8, 1),
        end=dt.date(2026, 12, 31),
        today=dt.date(2026, 9, 1),
    )
    assert dates(Lesson.objects.all()) == [
        dt.date(2026, 9, 14),
        dt.date(2026, 9, 21),
        dt.date(2026, 9, 28),
    ]


def test_lesson_times_follow_the_bell_variant_of_its_date(world, bells):
    short = helpers.shortened(world.school)
    services.bell_day_set(
        school=world.school, actor=None, day=dt.date(2026, 9, 14), shift=1, bell_schedule=short
    )
    helpers.entry(world, weekday=MONDAY, number=2)
    services.lessons_materialise(
        school=world.school,
        start=dt.date(2026, 9, 7),
        end=dt.date(2026, 9, 21),
        today=dt.date(2026, 9, 1),
    )
    times = {lsn.date: (lsn.start_time, lsn.end_time) for lsn in Lesson.objects.all()}
    assert times[dt.date(2026, 9, 7)] == (dt.time(9, 25), dt.time(10, 10))
    assert times[dt.date(2026, 9, 14)] == (dt.time(9, 10), dt.time(9, 40))
    assert times[dt.date(2026, 9, 21)] == (dt.time(9, 25), dt.time(10, 10))


def test_choosing_a_variant_after_materialisation_retimes_that_days_lessons(world, bells):
    short = helpers.shortened(world.school)
    helpers.entry(world, weekday=MONDAY, number=3)
    services.lessons_materialise(
        school=world.school,
        start=dt.date(2026, 9, 7),
        end=dt.date(2026, 9, 21),
        today=dt.date(2026, 9, 1),
    )
    changed = services.bell_day_set(
        school=world.school,
        actor=world.users["deputy"],
        day=dt.date(2026, 9, 21),
        shift=1,
        bell_schedule=short,
    )
    assert changed == 1
    lesson = Lesson.objects.get(date=dt.date(2026, 9, 21))
    assert (lesson.start_time, lesson.end_time) == (dt.time(9, 50), dt.time(10, 20))
    assert Lesson.objects.get(date=dt.date(2026, 9, 14)).start_time == dt.time(10, 30)
    services.bell_day_set(
        school=world.school, actor=None, day=dt.date(2026, 9, 21), shift=1, bell_schedule=None
    )
    assert Lesson.objects.get(date=dt.date(2026, 9, 21)).start_time == dt.time(10, 30)


def test_missing_bell_time_is_reported_not_invented(world, bells):
    short = helpers.shortened(world.school)
    short.slots.filter(number=7).delete()
    helpers.entry(world, weekday=MONDAY, number=7)
    services.bell_day_set(
        school=world.school, actor=None, day=dt.date(2026, 9, 14), shift=1, bell_schedule=short
    )
    result = services.lessons_materialise(
        school=world.school,
        start=dt.date(2026, 9, 7),
        end=dt.date(2026, 9, 21),
        today=dt.date(2026, 9, 1),
    )
    assert result.created == 2
    assert result.problems == ["Нет времени 7 урока в расписании звонков «Сокращённый день»."]


def _year_lessons(world, today):
    return services.lessons_materialise(
        school=world.school, start=world.year.start, end=world.year.end, today=today
    )


def test_timetable_edit_moves_only_future_lessons_without_journal_data(
    world, bells, journal_data, frozen_today
):
    entry = helpers.entry(world, weekday=MONDAY, number=1)
    _year_lessons(world, frozen_today)
    past = Lesson.objects.get(date=dt.date(2026, 9, 28))
    marked = Lesson.objects.get(date=dt.date(2026, 10, 12))
    journal_data.add(marked.id)  # homework posted in advance
    new_entry, _ = services.timetable_entry_update(
        entry=entry,
        actor=world.users["deputy"],
        effective_from=dt.date(2026, 10, 2),
        weekday=MONDAY,
        number=4,
        subject=world.subject,
        teacher=world.staff["teacher"],
        room="21",
    )
    result = services.materialise_after_edit(
        school=world.school, actor=None, from_day=dt.date(2026, 10, 2)
    )
    assert result.created == 0 and result.deleted == 0
    assert result.updated == Lesson.objects.filter(number=4).count() > 20
    past.refresh_from_db()
    assert (past.number, past.timetable_entry_id) == (1, entry.id)
    marked.refresh_from_db()
    assert (marked.number, marked.room, marked.timetable_entry_id) == (1, "", entry.id)
    assert len(result.kept) == 1 and "12.10.2026, 1 урок" in result.kept[0]
    assert "в журнале есть записи" in result.kept[0]
    moved = Lesson.objects.get(date=dt.date(2026, 10, 19))
    assert (moved.number, moved.room, moved.timetable_entry_id) == (4, "21", new_entry.id)
    assert moved.start_time == dt.time(11, 35)
    # Re-running changes nothing more and keeps reporting the lesson with data.
    again = services.materialise_after_edit(
        school=world.school, actor=None, from_day=dt.date(2026, 10, 2)
    )
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    assert len(again.kept) == 1


def test_ending_an_entry_removes_future_lessons_but_never_ones_with_journal_data(
    world, bells, journal_data, frozen_today
):
    entry = helpers.entry(world, weekday=MONDAY, number=1)
    _year_lessons(world, frozen_today)
    total = Lesson.objects.count()
    marked = Lesson.objects.get(date=dt.date(2026, 11, 9))
    journal_data.add(marked.id)
    services.timetable_entry_end(entry=entry, actor=None, last_day=dt.date(2026, 10, 31))
    result = services.materialise_after_edit(
        school=world.school, actor=None, from_day=dt.date(2026, 11, 1)
    )
    assert Lesson.objects.filter(pk=marked.pk).exists()
    assert "урока больше нет в расписании" in result.kept[0]
    after_end = Lesson.objects.filter(date__gt=dt.date(2026, 10, 31))
    assert list(after_end.values_list("id", flat=True)) == [marked.id]
    assert result.deleted == total - Lesson.objects.count()
    assert (
        Lesson.objects.filter(date__lte=dt.date(2026, 10, 1)).count() == 4
    )  # Mondays of September


def test_materialisation_never_touches_a_substituted_lesson(world, bells, frozen_today):
    entry = helpers.entry(world, weekday=MONDAY, number=1)
    _year_lessons(world, frozen_today)
    lesson = Lesson.objects.get(date=dt.date(2026, 10, 5))
    services.substitution_assign(
        school=world.school,
        lesson=lesson,
        substitute=world.staff["homeroom"],
        reason="болезнь",
        actor=world.users["deputy"],
    )
    services.timetable_entry_end(entry=entry, actor=None, last_day=dt.date(2026, 10, 2))
    result = services.materialise_after_edit(
        school=world.school, actor=None, from_day=dt.date(2026, 10, 3)
    )
    assert Lesson.objects.filter(pk=lesson.pk).exists()
    assert "урок изменён вручную" in result.kept[0]


def test_deleting_an_entry_with_past_lessons_is_refused(world, bells, frozen_today):
    entry = helpers.entry(world, weekday=MONDAY, number=1)
    _year_lessons(world, frozen_today)
    with pytest.raises(ValidationError, match="удалить его нельзя"):
        services.timetable_entry_end(entry=entry, actor=None, last_day=None)


def test_deleting_a_future_entry_removes_its_lessons(world, bells, frozen_today):
    entry = helpers.entry(world, weekday=MONDAY, number=1, valid_from=dt.date(2026, 11, 9))
    _year_lessons(world, frozen_today)
    assert Lesson.objects.exists()
    services.timetable_entry_end(entry=entry, actor=None, last_day=None)
    assert not Lesson.objects.exists()


def test_bad_range_is_refused(world, bells):
    with pytest.raises(ValidationError, match="раньше даты начала"):
        services.lessons_materialise(
            school=world.school, start=dt.date(2026, 10, 2), end=dt.date(2026, 10, 1)
        )


def test_other_schools_are_untouched(world, bells):
    other_year = f.YearFactory(school=world.other_school)
    other_class = f.ClassFactory(school=world.other_school, year=other_year)
    f.GroupFactory(school_class=other_class)
    helpers.entry(world, weekday=MONDAY, number=1)
    services.lessons_materialise(
        school=world.school,
        start=world.year.start,
        end=world.year.end,
        today=dt.date(2026, 9, 1),
    )
    assert set(Lesson.objects.values_list("school_id", flat=True)) == {world.school.id}
    assert Lesson.objects.filter(status=LessonStatus.PLANNED).count() == Lesson.objects.count()
