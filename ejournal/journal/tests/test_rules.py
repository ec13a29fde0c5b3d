"""The no-back-dating rules of R3.7, the grade-1 rule, and who may write."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from ejournal.journal import services
from ejournal.journal.models import Attendance, Homework, Mark
from ejournal.school.models import GroupKind
from ejournal.testing import factories as f

MSK = "+0300"


def at(when: str):
    return time_machine.travel(f"{when} {MSK}", tick=False)


def put(jw, work, student, value, version=None, staff=None, actor=None):
    return services.mark_set(
        actor=actor or jw.w.users["teacher"],
        staff=staff or jw.teacher,
        work=work,
        student=student,
        value=value,
        expected_version=version,
    )


def test_teacher_puts_a_mark_within_the_window_and_it_is_audited(jw):
    from ejournal.audit.models import AuditEvent

    work = jw.work()
    with at("2026-11-16 10:00"):
        result = put(jw, work, jw.w.students[0], "5")
    assert result.mark.value == "5" and result.mark.numeric == 5
    event = AuditEvent.objects.get(action="mark.created")
    assert event.after["value"] == "5" and event.actor == jw.w.users["teacher"]


def test_a_mark_in_a_grade_one_class_is_refused(jw, world):
    first = f.ClassFactory(school=world.school, year=world.year, grade=1, letter="А")
    group = f.GroupFactory(school_class=first, name="1А")
    kid = f.StudentFactory(school=world.school)
    f.enroll(kid, first)
    lesson = f.make_lesson(group, world.subject, jw.teacher, dt.date(2026, 11, 16))
    work = jw.work(lesson)
    with at("2026-11-16 10:00"), pytest.raises(ValidationError, match="В 1 классе отметки не"):
        put(jw, work, kid, "5")
    assert not Mark.objects.exists()


def test_no_mark_subject_accepts_no_marks(jw, world):
    world.subject.is_no_mark = True
    world.subject.save()
    work = jw.work()
    with at("2026-11-16 10:00"), pytest.raises(ValidationError, match="безотметочное"):
        put(jw, work, world.students[0], "4")


def test_no_marks_or_attendance_for_future_lessons(jw, world):
    work = jw.work()
    with at("2026-11-15 10:00"):
        with pytest.raises(ValidationError, match="ещё не прошёл"):
            put(jw, work, world.students[0], "4")
        with pytest.raises(ValidationError, match="ещё не прошёл"):
            services.attendance_set(
                actor=world.users["teacher"],
                staff=jw.teacher,
                lesson=jw.lesson,
                student=world.students[0],
                value="н",
                expected_version=None,
            )


@pytest.mark.parametrize(
    ("type_name", "grade", "last_ok_day", "first_refused_day"),
    [
        ("Ответ на уроке", 5, "2026-11-23", "2026-11-24"),  # 7 days, grades 5–11
        ("Ответ на уроке", 3, "2026-11-19", "2026-11-20"),  # 3 days, grades 1–4
        ("Контрольная работа", 5, "2026-11-19", "2026-11-20"),  # control: 3 days
        ("Проверочная работа", 9, "2026-11-19", "2026-11-20"),
        ("Сочинение", 5, "2026-11-26", "2026-11-27"),  # essays: 10 days
        ("Изложение", 7, "2026-11-26", "2026-11-27"),
    ],
)
def test_marking_windows_by_work_type_and_grade(
    jw, world, type_name, grade, last_ok_day, first_refused_day
):
    world.school_class.grade = grade
    world.school_class.save()
    work = jw.work(type_name=type_name)
    student = world.students[0]
    with at(f"{last_ok_day} 20:00"):
        put(jw, work, student, "4")
    with at(f"{first_refused_day} 08:00"), pytest.raises(services.JournalRefusal) as refused:
        put(jw, work, student, "5", version=1)
    assert refused.value.correctable
    assert "Подайте запрос на исправление" in refused.value.messages[0]
    assert Mark.objects.get().value == "4"


def test_school_can_change_the_windows(jw, world):
    from ejournal.journal.rules import settings_for

    settings = settings_for(world.school)
    settings.marks_window_days_basic = 1
    settings.save()
    work = jw.work()
    with at("2026-11-18 09:00"), pytest.raises(services.JournalRefusal):
        put(jw, work, world.students[0], "4")


def test_attendance_only_on_the_lesson_day(jw, world):
    args = dict(
        actor=world.users["teacher"], staff=jw.teacher, lesson=jw.lesson, student=world.students[1]
    )
    with at("2026-11-16 09:05"):
        row = services.attendance_set(value="оп5", expected_version=None, **args)
    assert row.code == "op" and row.late_minutes == 5
    with (
        at("2026-11-17 08:00"),
        pytest.raises(services.JournalRefusal, match="только в день урока"),
    ):
        services.attendance_set(value="н", expected_version=row.version, **args)
    assert Attendance.objects.get().code == "op"


@pytest.mark.parametrize(
    ("typed", "message"),
    [("оп", "укажите минуты"), ("х", "Непонятная отметка"), ("б15", "только для опоздания")],
)
def test_bad_attendance_input_gets_a_russian_message(jw, world, typed, message):
    with at("2026-11-16 09:05"), pytest.raises(ValidationError, match=message):
        services.attendance_set(
            actor=world.users["teacher"],
            staff=jw.teacher,
            lesson=jw.lesson,
            student=world.students[1],
            value=typed,
            expected_version=None,
        )
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("typed", ["6", "0", "4+", "abc", "н"])
def test_bad_mark_input_is_refused_in_russian(jw, world, typed):
    work = jw.work()
    with at("2026-11-16 10:00"), pytest.raises(ValidationError, match="Недопустимая отметка"):
        put(jw, work, world.students[0], typed)
    assert not Mark.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("5", "5"),
        ("Н/А", "na"),
        ("осв", "osv"),
        ("зач", "zach"),
        ("незач", "nezach"),
        (".", "dot"),
        ("т", "dot"),
    ],
)
def test_special_marks_and_the_debt_dot(jw, world, typed, stored):
    work = jw.work()
    with at("2026-11-16 10:00"):
        mark = put(jw, work, world.students[0], typed).mark
    assert mark.value == stored
    assert mark.numeric == (5 if stored == "5" else None)


def test_only_the_lessons_teacher_may_write(jw, world):
    work = jw.work()
    with at("2026-11-16 10:00"), pytest.raises(ValidationError, match="только учитель"):
        put(
            jw,
            work,
            world.students[0],
            "5",
            staff=world.staff["homeroom"],
            actor=world.users["homeroom"],
        )
    assert not Mark.objects.exists()


def test_substitute_writes_only_the_substituted_lesson(jw, world):
    sub = world.staff["homeroom"]
    substituted = jw.lesson_on(dt.date(2026, 11, 17), actual_teacher=sub)
    other = jw.lesson_on(dt.date(2026, 11, 17), number=2)
    with at("2026-11-17 12:00"):
        put(
            jw,
            jw.work(substituted),
            world.students[0],
            "4",
            staff=sub,
            actor=world.users["homeroom"],
        )
        with pytest.raises(ValidationError, match="только учитель"):
            put(
                jw, jw.work(other), world.students[0], "4", staff=sub, actor=world.users["homeroom"]
            )
        # The planned teacher keeps read access but may not write the substituted lesson.
        with pytest.raises(ValidationError, match="только учитель"):
            put(jw, jw.work(substituted), world.students[1], "4")
    assert Mark.objects.count() == 1


def test_concurrent_edits_of_one_cell_conflict_instead_of_overwriting(jw, world):
    work = jw.work()
    student = world.students[0]
    with at("2026-11-16 10:00"):
        first = put(jw, work, student, "4")
        # Both editors loaded version 1; the first save wins...
        put(jw, work, student, "5", version=first.mark.version)
        # ...and the second sees the conflict and the current value.
        with pytest.raises(services.JournalConflict) as conflict:
            put(jw, work, student, "3", version=first.mark.version)
        # Creating a mark that someone else already created also conflicts.
        with pytest.raises(services.JournalConflict):
            put(jw, work, world.students[0], "2", version=None)
    assert conflict.value.current["value"] == "5"
    assert "сейчас: 5" in str(conflict.value)
    assert Mark.objects.get().value == "5"


def test_a_student_who_joined_mid_period_gets_marks_only_from_their_date(jw, world):
    late = f.StudentFactory(school=world.school, last_name="Новенький")
    f.enroll(late, world.school_class, dt.date(2026, 11, 17))
    work_before = jw.work()
    lesson_after = jw.lesson_on(dt.date(2026, 11, 17))
    with at("2026-11-17 10:00"):
        with pytest.raises(ValidationError, match="не учится в группе"):
            put(jw, work_before, late, "5")
        put(jw, jw.work(lesson_after), late, "5")


def test_subgroup_lesson_accepts_only_subgroup_members(jw, world):
    sub = f.GroupFactory(
        school_class=world.school_class, kind=GroupKind.SUBGROUP, name="5А англ. 1"
    )
    f.add_member(world.students[0], sub)
    lesson = f.make_lesson(sub, world.subject, jw.teacher, dt.date(2026, 11, 16))
    work = jw.work(lesson)
    with at("2026-11-16 10:00"):
        put(jw, work, world.students[0], "5")
        with pytest.raises(ValidationError, match="не учится в группе"):
            put(jw, work, world.students[1], "5")


def test_make_up_mark_on_a_missed_lesson_keeps_the_absence(jw, world):
    student = world.students[2]
    with at("2026-11-16 09:00"):
        services.attendance_set(
            actor=world.users["teacher"],
            staff=jw.teacher,
            lesson=jw.lesson,
            student=student,
            value="н",
            expected_version=None,
        )
    with at("2026-11-18 15:00"):
        mark = put(jw, jw.work(), student, "4").mark
    assert mark.is_makeup
    assert Attendance.objects.get(student=student).code == "n"


def test_homework_within_90_minutes_after_the_lesson_and_in_advance(jw, world):
    args = dict(actor=world.users["teacher"], staff=jw.teacher, homework=None)
    future = jw.lesson_on(dt.date(2026, 11, 20))
    with at("2026-11-16 07:00"):
        hw = services.homework_save(lesson=future, text="§12, № 5–7", **args)  # in advance
    assert hw.due_date is None or hw.due_date >= future.date
    with at("2026-11-16 11:15"):  # lesson ended 09:45, window until 11:15
        services.homework_save(lesson=jw.lesson, text="№ 101", **args)
    with at("2026-11-16 11:16"), pytest.raises(services.JournalRefusal, match="до 11:15"):
        services.homework_save(lesson=jw.lesson, text="№ 102", **args)
    assert Homework.objects.count() == 2


def test_homework_due_date_defaults_to_the_next_lesson(jw, world):
    jw.lesson_on(dt.date(2026, 11, 18))
    with at("2026-11-16 10:00"):
        hw = services.homework_save(
            actor=world.users["teacher"],
            staff=jw.teacher,
            lesson=jw.lesson,
            homework=None,
            text="№ 1",
        )
    assert hw.due_date == dt.date(2026, 11, 18)


def test_individual_homework_only_for_group_members(jw, world):
    args = dict(
        actor=world.users["teacher"],
        staff=jw.teacher,
        lesson=jw.lesson,
        homework=None,
        text="Доклад",
    )
    with at("2026-11-16 10:00"):
        hw = services.homework_save(student_ids=[world.students[1].pk], **args)
        assert hw.is_individual and list(hw.students.all()) == [world.students[1]]
        with pytest.raises(ValidationError, match="только ученикам этой группы"):
            services.homework_save(student_ids=[world.other_child.pk], **args)


def test_topic_is_required_for_a_lesson_with_a_control_work(jw, world):
    jw.work(type_name="Контрольная работа")
    args = dict(
        actor=world.users["teacher"], staff=jw.teacher, lesson=jw.lesson, expected_version=None
    )
    with at("2026-11-16 10:00"):
        with pytest.raises(ValidationError, match="Тема обязательна"):
            services.lesson_record_save(topic="", **args)
        record = services.lesson_record_save(topic="Контрольная работа №2. Дроби", **args)
    jw.lesson.refresh_from_db()
    assert record.topic.startswith("Контрольная") and jw.lesson.status == "held"


def test_homeroom_teacher_sets_the_reason_for_an_absence(jw, world):
    student = world.students[0]
    with at("2026-11-16 09:00"):
        row = services.attendance_set(
            actor=world.users["teacher"],
            staff=jw.teacher,
            lesson=jw.lesson,
            student=student,
            value="н",
            expected_version=None,
        )
    with at("2026-11-19 16:00"):
        # Not the homeroom teacher of 5А:
        with pytest.raises(ValidationError, match="классный руководитель"):
            services.attendance_set_reason(
                actor=world.users["teacher"],
                staff=jw.teacher,
                lesson=jw.lesson,
                student=student,
                value="б",
                expected_version=row.version,
            )
        row = services.attendance_set_reason(
            actor=world.users["homeroom"],
            staff=world.staff["homeroom"],
            lesson=jw.lesson,
            student=student,
            value="б",
            expected_version=row.version,
        )
    assert row.code == "b" and row.verified_by == world.users["homeroom"]
    count = services.attendance_verify_week(
        actor=world.users["homeroom"],
        staff=world.staff["homeroom"],
        school_class=world.school_class,
        week_start=dt.date(2026, 11, 18),
    )
    assert count == 0  # already verified by setting the reason


def test_cancelled_lesson_takes_no_entries(jw, world):
    lesson = jw.lesson_on(dt.date(2026, 11, 16), number=3, status="cancelled")
    with at("2026-11-16 12:00"), pytest.raises(ValidationError, match="Урок отменён"):
        services.attendance_set(
            actor=world.users["teacher"],
            staff=jw.teacher,
            lesson=lesson,
            student=world.students[0],
            value="н",
            expected_version=None,
        )


def test_a_changed_mark_is_told_once_after_commit_and_never_on_rollback(
    jw, world, django_capture_on_commit_callbacks, monkeypatch
):
    from django.db import transaction

    from ejournal.core import registry
    from ejournal.testing.registry import providers_set

    seen = []
    providers_set(monkeypatch, registry.MARKS_CHANGED, seen.extend)
    work = jw.work()
    with at("2026-11-16 10:00"):
        with django_capture_on_commit_callbacks(execute=True):
            put(jw, work, world.students[0], "4")
        assert len(seen) == 1 and seen[0]["after"]["value"] == "4"
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with pytest.raises(RuntimeError), transaction.atomic():
                put(jw, work, world.students[0], "5", version=1)
                raise RuntimeError
        assert callbacks == [] and len(seen) == 1
    assert Mark.objects.get().value == "4"


def test_lessons_with_journal_data_are_known_to_the_schedule(jw, world):
    from ejournal.schedule import hooks

    empty = jw.lesson_on(dt.date(2026, 11, 16), number=2)
    with at("2026-11-16 10:00"):
        put(jw, jw.work(), world.students[0], "5")
    assert hooks.lesson_ids_with_journal_data([jw.lesson.pk, empty.pk]) == {jw.lesson.pk}
