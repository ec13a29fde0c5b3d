import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from ejournal.audit.models import AuditEvent
from ejournal.schedule import permissions, selectors, services
from ejournal.schedule.models import Lesson, LessonStatus
from ejournal.schedule.tests import helpers
from ejournal.schedule.tests.conftest import teacher_ctx
from ejournal.testing import factories as f

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 10, 5)


@pytest.fixture
def day_lessons(world, bells, frozen_today):
    """Two lessons of 5А on Monday 05.10 taught by the teacher."""
    helpers.entry(world, weekday=1, number=1)
    helpers.entry(world, weekday=1, number=2)
    services.lessons_materialise(school=world.school, start=MONDAY, end=MONDAY)
    return list(Lesson.objects.filter(date=MONDAY).order_by("number"))


def test_substitute_can_edit_the_substituted_lesson_and_nothing_else_of_that_group(
    world, day_lessons
):
    first, second = day_lessons
    substitute = world.staff["homeroom"]
    services.substitution_assign(
        school=world.school,
        lesson=first,
        substitute=substitute,
        reason="болезнь",
        actor=world.users["deputy"],
    )
    sub_ctx = teacher_ctx(world, substitute)
    assert permissions.lesson_for_edit(sub_ctx, first.id) == first
    with pytest.raises(Http404):
        permissions.lesson_for_edit(sub_ctx, second.id)
    # The absent teacher keeps read access to the substituted lesson, but not the pen.
    own_ctx = teacher_ctx(world, world.staff["teacher"])
    with pytest.raises(Http404):
        permissions.lesson_for_edit(own_ctx, first.id)
    assert permissions.lesson_for_view(own_ctx, first.id) == first
    assert permissions.lesson_for_edit(own_ctx, second.id) == second


def test_unrelated_teacher_can_neither_edit_nor_view(world, day_lessons):
    stranger = f.StaffFactory(school=world.school)
    ctx = teacher_ctx(world, stranger)
    for lesson in day_lessons:
        with pytest.raises(Http404):
            permissions.lesson_for_edit(ctx, lesson.id)
        with pytest.raises(Http404):
            permissions.lesson_for_view(ctx, lesson.id)


def test_teacher_of_another_school_never_reaches_a_lesson(world, day_lessons):
    outsider = f.StaffFactory(school=world.other_school)
    ctx = teacher_ctx(world, outsider)
    ctx.school = world.other_school
    with pytest.raises(Http404):
        permissions.lesson_for_view(ctx, day_lessons[0].id)


def test_cancelled_lesson_is_not_editable(world, day_lessons):
    first, _ = day_lessons
    services.schedule_change_cancel(
        school=world.school, lesson=first, actor=world.users["deputy"], reason="карантин"
    )
    with pytest.raises(Http404):
        permissions.lesson_for_edit(teacher_ctx(world, world.staff["teacher"]), first.id)


def test_substitution_log_shows_it_and_whether_it_was_documented(world, day_lessons, client_for):
    first, _ = day_lessons
    services.substitution_assign(
        school=world.school,
        lesson=first,
        substitute=world.staff["homeroom"],
        reason="курсы повышения квалификации",
        actor=world.users["deputy"],
    )
    [row] = selectors.substitution_log(school=world.school, start=MONDAY, end=MONDAY)
    assert row.substitution.absent_teacher == world.staff["teacher"]
    assert not row.documented
    Lesson.objects.filter(pk=first.pk).update(status=LessonStatus.HELD)
    url = reverse("schedule:substitutions") + "?start=2026-10-01&end=2026-10-31"
    body = client_for("deputy").get(url).content.decode()
    for text in (
        "05.10.2026",
        "5А",
        "Математика",
        world.staff["teacher"].short_name,
        world.staff["homeroom"].short_name,
        "курсы повышения квалификации",
    ):
        assert text in body
    assert '<span class="ok">да</span>' in body


def test_the_journal_is_asked_whether_a_lesson_is_documented(world, day_lessons, monkeypatch):
    from ejournal.core import registry
    from ejournal.testing.registry import providers_set

    first, _ = day_lessons
    services.substitution_assign(
        school=world.school,
        lesson=first,
        substitute=world.staff["homeroom"],
        reason="болезнь",
        actor=None,
    )
    [row] = selectors.substitution_log(school=world.school, start=MONDAY, end=MONDAY)
    assert not row.documented
    providers_set(monkeypatch, registry.LESSONS_DOCUMENTED, lambda lesson_ids: set(lesson_ids))
    [row] = selectors.substitution_log(school=world.school, start=MONDAY, end=MONDAY)
    assert row.documented


def test_whole_day_of_an_absent_teacher_is_substituted_at_once(world, day_lessons):
    first, second = day_lessons
    done = services.substitutions_assign_day(
        school=world.school,
        absent_teacher=world.staff["teacher"],
        day=MONDAY,
        assignments={first.id: world.staff["homeroom"], second.id: world.staff["deputy"]},
        reason="болезнь",
        actor=world.users["deputy"],
    )
    assert len(done) == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.actual_teacher, second.actual_teacher) == (
        world.staff["homeroom"],
        world.staff["deputy"],
    )
    assert AuditEvent.objects.filter(action="substitution.assigned").count() == 2


def test_busy_substitute_is_refused_and_nothing_changes(world, day_lessons):
    first, second = day_lessons
    other = f.GroupFactory(school_class=world.other_class, name="6Б")
    helpers.entry(world, weekday=1, number=1, group=other, teacher=world.staff["homeroom"])
    services.lessons_materialise(school=world.school, start=MONDAY, end=MONDAY)
    with pytest.raises(ValidationError, match="в это время"):
        services.substitutions_assign_day(
            school=world.school,
            absent_teacher=world.staff["teacher"],
            day=MONDAY,
            assignments={first.id: world.staff["homeroom"], second.id: world.staff["deputy"]},
            reason="болезнь",
            actor=None,
        )
    assert not Lesson.objects.filter(actual_teacher__isnull=False).exists()


def test_substitute_cannot_be_the_absent_teacher(world, day_lessons):
    with pytest.raises(ValidationError, match="совпадает с учителем"):
        services.substitution_assign(
            school=world.school,
            lesson=day_lessons[0],
            substitute=world.staff["teacher"],
            reason="болезнь",
            actor=None,
        )


def test_substitution_with_journal_data_cannot_be_cancelled(world, day_lessons, journal_data):
    sub = services.substitution_assign(
        school=world.school,
        lesson=day_lessons[0],
        substitute=world.staff["homeroom"],
        reason="болезнь",
        actor=None,
    )
    journal_data.add(day_lessons[0].id)
    with pytest.raises(ValidationError, match="уже заполнил журнал"):
        services.substitution_cancel(school=world.school, substitution=sub, actor=None)


def test_substitution_form_by_deputy_via_page(world, day_lessons, client_for):
    first, _ = day_lessons
    url = reverse("schedule:lesson_change", args=[first.pk, "substitute"])
    client_for("deputy").post(
        url, {"sub-substitute": world.staff["homeroom"].pk, "sub-reason": "болезнь"}
    )
    first.refresh_from_db()
    assert first.actual_teacher == world.staff["homeroom"]
    # A substitute from another school is not even a choice.
    stranger = f.StaffFactory(school=world.other_school)
    client_for("deputy").post(url, {"sub-substitute": stranger.pk, "sub-reason": "x"})
    first.refresh_from_db()
    assert first.actual_teacher == world.staff["homeroom"]


def test_day_substitution_page_assigns(world, day_lessons, client_for):
    first, second = day_lessons
    url = (
        reverse("schedule:substitute_day") + f"?teacher={world.staff['teacher'].pk}&date=2026-10-05"
    )
    client = client_for("deputy")
    assert "1 урок, 5А, Математика" in client.get(url).content.decode()
    response = client.post(
        url, {f"lesson_{first.pk}": world.staff["hr"].pk, "reason": "болезнь"}, follow=True
    )
    assert "Назначено замен: 1" in response.content.decode()
    second.refresh_from_db()
    assert second.actual_teacher is None


def test_move_creates_a_new_lesson_and_keeps_the_old_one_as_moved(world, day_lessons):
    first, _ = day_lessons
    change = services.schedule_change_move(
        school=world.school,
        lesson=first,
        actor=world.users["deputy"],
        day=dt.date(2026, 10, 6),
        number=5,
        room="7",
        reason="экскурсия",
    )
    first.refresh_from_db()
    new = change.new_lesson
    assert first.status == LessonStatus.MOVED and first.moved_to == new
    assert (new.date, new.number, new.room, new.moved_from) == (dt.date(2026, 10, 6), 5, "7", first)
    assert (new.start_time, new.end_time) == (dt.time(12, 30), dt.time(13, 15))
    assert change.created_by == world.users["deputy"] and change.reason == "экскурсия"


def test_move_onto_a_busy_slot_is_refused(world, day_lessons):
    first, _ = day_lessons
    with pytest.raises(ValidationError, match="уже есть урок"):
        services.schedule_change_move(
            school=world.school,
            lesson=first,
            actor=None,
            day=MONDAY,
            number=2,
            room="",
            reason="x",
        )


def test_extra_lesson_and_room_change_are_recorded(world, day_lessons):
    change = services.schedule_change_extra(
        school=world.school,
        actor=world.users["deputy"],
        group=world.group,
        subject=world.subject,
        teacher=world.staff["teacher"],
        day=dt.date(2026, 10, 7),
        number=6,
        room="3",
        reason="консультация",
    )
    assert change.kind == "extra" and change.lesson.timetable_entry is None
    room = services.schedule_change_room(
        school=world.school,
        lesson=day_lessons[1],
        actor=world.users["deputy"],
        room="15",
        reason="ремонт",
    )
    assert room.before["room"] == "" and room.after["room"] == "15"
    # A re-run of materialisation leaves both alone.
    services.lessons_materialise(school=world.school, start=MONDAY, end=dt.date(2026, 10, 11))
    assert Lesson.objects.filter(pk=change.lesson_id).exists()
    day_lessons[1].refresh_from_db()
    assert day_lessons[1].room == "15"


def test_student_lessons_follow_dated_membership(world, day_lessons):
    from ejournal.school.models import GroupKind

    child = world.students[1]
    sub = f.GroupFactory(school_class=world.school_class, kind=GroupKind.SUBGROUP, name="5А-1")
    f.add_member(child, sub, date_from=dt.date(2026, 10, 6))
    english = f.SubjectFactory(school=world.school, name="Английский язык")
    helpers.entry(
        world, weekday=1, number=3, group=sub, subject=english, teacher=world.staff["homeroom"]
    )
    services.lessons_materialise(school=world.school, start=MONDAY, end=dt.date(2026, 10, 12))
    lessons = selectors.lessons_of_student(
        student_id=child.id, start=MONDAY, end=dt.date(2026, 10, 12)
    )
    got = [(lsn.date.day, lsn.number) for lsn in lessons]
    # The subgroup lesson of 05.10 is before the student joined it.
    assert got == [(5, 1), (5, 2), (12, 1), (12, 2), (12, 3)]
    assert selectors.group_ids_of_student(student_id=child.id, start=MONDAY, end=MONDAY) == {
        world.group.id
    }


def test_teacher_reads_lessons_of_their_load_but_not_other_subjects_of_that_group(
    world, day_lessons
):
    from decimal import Decimal

    colleague = f.StaffFactory(school=world.school)
    f.load(world.group, world.subject, colleague, Decimal("1"))
    assert permissions.lesson_for_view(teacher_ctx(world, colleague), day_lessons[0].id)
    with pytest.raises(Http404):
        permissions.lesson_for_edit(teacher_ctx(world, colleague), day_lessons[0].id)
    # Teaching Russian to 5А and mathematics to 6Б gives no access to 5А mathematics.
    russian_teacher = f.StaffFactory(school=world.school)
    russian = f.SubjectFactory(school=world.school, name="Русский язык")
    f.load(world.group, russian, russian_teacher, Decimal("1"))
    f.load(
        f.GroupFactory(school_class=world.other_class, name="6Б"),
        world.subject,
        russian_teacher,
        Decimal("1"),
    )
    with pytest.raises(Http404):
        permissions.lesson_for_view(teacher_ctx(world, russian_teacher), day_lessons[0].id)
