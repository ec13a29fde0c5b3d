import datetime as dt
import functools

import pytest
import time_machine
from django.core.exceptions import ValidationError

from ejournal.audit.models import AuditEvent
from ejournal.journal import services
from ejournal.journal.corrections import correction_decide
from ejournal.journal.models import CorrectionStatus, Mark

LATE = "2026-11-30 10:00 +0300"  # 14 days after the lesson of 16.11: every window closed


# The shared decide service with this kind's change.
_decide = functools.partial(correction_decide, apply=services.correction_request_apply)


def _late_mark(jw, world, value="3"):
    work = jw.work()
    student = world.students[0]
    with time_machine.travel("2026-11-16 10:00 +0300", tick=False):
        services.mark_set(
            actor=world.users["teacher"],
            staff=jw.teacher,
            work=work,
            student=student,
            value=value,
            expected_version=None,
        )
    return work, student


def test_back_dated_mark_is_refused_and_applied_only_after_approval(jw, world):
    work, student = _late_mark(jw, world)
    with time_machine.travel(LATE, tick=False):
        with pytest.raises(services.JournalRefusal):
            services.mark_set(
                actor=world.users["teacher"],
                staff=jw.teacher,
                work=work,
                student=student,
                value="4",
                expected_version=1,
            )
        req = services.correction_request_create(
            actor=world.users["teacher"],
            staff=jw.teacher,
            lesson=jw.lesson,
            kind="mark",
            work=work,
            student=student,
            new_value={"value": "4"},
            reason="Ученик переписал работу 20.11",
        )
        assert Mark.objects.get().value == "3"
        assert req.old_value["value"] == "3" and req.status == CorrectionStatus.PENDING
        _decide(actor=world.users["deputy"], correction=req, status=CorrectionStatus.APPROVED)
    req.refresh_from_db()
    assert req.status == CorrectionStatus.APPROVED and req.decided_by == world.users["deputy"]
    assert Mark.objects.get().value == "4"
    applied = AuditEvent.objects.get(action="mark.updated")
    assert applied.actor == world.users["deputy"]
    assert f"запросу №{req.pk}" in applied.reason
    assert applied.before["value"] == "3" and applied.after["value"] == "4"


def test_rejected_request_changes_nothing_and_needs_a_comment(jw, world):
    work, student = _late_mark(jw, world)
    with time_machine.travel(LATE, tick=False):
        req = services.correction_request_create(
            actor=world.users["teacher"],
            staff=jw.teacher,
            lesson=jw.lesson,
            kind="mark",
            work=work,
            student=student,
            new_value={"value": "5"},
            reason="Ошибка ввода",
        )
        with pytest.raises(ValidationError, match="почему запрос отклонён"):
            _decide(
                actor=world.users["deputy"],
                correction=req,
                status=CorrectionStatus.REJECTED,
                comment="",
            )
        _decide(
            actor=world.users["deputy"],
            correction=req,
            status=CorrectionStatus.REJECTED,
            comment="Нет подтверждения",
        )
        with pytest.raises(ValidationError, match="уже рассмотрен"):
            _decide(actor=world.users["deputy"], correction=req, status=CorrectionStatus.APPROVED)
    assert Mark.objects.get().value == "3"


def test_request_is_refused_while_the_window_is_open(jw, world):
    work, student = _late_mark(jw, world)
    with (
        time_machine.travel("2026-11-17 10:00 +0300", tick=False),
        pytest.raises(ValidationError, match="Срок ещё не истёк"),
    ):
        services.correction_request_create(
            actor=world.users["teacher"],
            staff=jw.teacher,
            lesson=jw.lesson,
            kind="mark",
            work=work,
            student=student,
            new_value={"value": "5"},
            reason="Хочу исправить",
        )


def test_request_validates_value_reason_and_duplicates(jw, world):
    work, student = _late_mark(jw, world)
    base = dict(
        actor=world.users["teacher"],
        staff=jw.teacher,
        lesson=jw.lesson,
        kind="mark",
        work=work,
        student=student,
    )
    with time_machine.travel(LATE, tick=False):
        with pytest.raises(ValidationError, match="Недопустимая отметка"):
            services.correction_request_create(
                new_value={"value": "7"}, reason="Ошибка ввода", **base
            )
        with pytest.raises(ValidationError, match="причину"):
            services.correction_request_create(new_value={"value": "4"}, reason="", **base)
        services.correction_request_create(new_value={"value": "4"}, reason="Ошибка ввода", **base)
        with pytest.raises(ValidationError, match="уже есть запрос"):
            services.correction_request_create(
                new_value={"value": "5"}, reason="Ошибка ввода", **base
            )


def test_only_the_lessons_teacher_may_request_a_correction(jw, world):
    work, student = _late_mark(jw, world)
    with (
        time_machine.travel(LATE, tick=False),
        pytest.raises(ValidationError, match="только учитель"),
    ):
        services.correction_request_create(
            actor=world.users["homeroom"],
            staff=world.staff["homeroom"],
            lesson=jw.lesson,
            kind="mark",
            work=work,
            student=student,
            new_value={"value": "5"},
            reason="Ошибка ввода",
        )


def test_attendance_topic_and_homework_corrections_apply_on_approval(jw, world):
    student = world.students[1]
    with time_machine.travel(LATE, tick=False):
        reqs = [
            services.correction_request_create(
                actor=world.users["teacher"],
                staff=jw.teacher,
                lesson=jw.lesson,
                kind="attendance",
                student=student,
                new_value={"value": "н"},
                reason="Забыл отметить",
            ),
            services.correction_request_create(
                actor=world.users["teacher"],
                staff=jw.teacher,
                lesson=jw.lesson,
                kind="topic",
                new_value={"topic": "Сложение дробей"},
                reason="Тема не была записана",
            ),
            services.correction_request_create(
                actor=world.users["teacher"],
                staff=jw.teacher,
                lesson=jw.lesson,
                kind="homework",
                new_value={"text": "№ 200"},
                reason="Задание не было записано",
            ),
        ]
        for req in reqs:
            _decide(actor=world.users["deputy"], correction=req, status=CorrectionStatus.APPROVED)
    assert jw.lesson.attendance.get().code == "n"
    assert jw.lesson.record.topic == "Сложение дробей"
    assert jw.lesson.homework.get().text == "№ 200"
    assert dt.date(2026, 11, 16) == jw.lesson.date


def test_a_closed_period_locks_edits_but_corrections_still_apply(jw, world, monkeypatch):
    from ejournal.core import registry
    from ejournal.journal import rules
    from ejournal.testing.registry import providers_set

    def provider(school_id, grade):
        return [rules.ClosedRange(dt.date(2026, 11, 5), dt.date(2026, 12, 28), "2 четверть")]

    work, student = _late_mark(jw, world)
    providers_set(monkeypatch, registry.CLOSED_PERIODS, provider)
    with time_machine.travel("2026-11-17 10:00 +0300", tick=False):
        with pytest.raises(services.JournalRefusal, match="«2 четверть» закрыт"):
            services.mark_set(
                actor=world.users["teacher"],
                staff=jw.teacher,
                work=work,
                student=student,
                value="5",
                expected_version=1,
            )
        req = services.correction_request_create(
            actor=world.users["teacher"],
            staff=jw.teacher,
            lesson=jw.lesson,
            kind="mark",
            work=work,
            student=student,
            new_value={"value": "5"},
            reason="Ошибка при вводе",
        )
        _decide(actor=world.users["deputy"], correction=req, status=CorrectionStatus.APPROVED)
    assert Mark.objects.get().value == "5"


def test_a_late_mark_on_a_lesson_without_works_goes_through_a_correction(jw, world):
    student = world.students[0]
    with time_machine.travel(LATE, tick=False):
        req = services.correction_request_create(
            actor=world.users["teacher"],
            staff=jw.teacher,
            lesson=jw.lesson,
            kind="mark",
            student=student,
            new_value={"value": "4"},
            reason="Отметка за устный ответ",
        )
        _decide(actor=world.users["deputy"], correction=req, status=CorrectionStatus.APPROVED)
    mark = Mark.objects.get()
    assert mark.value == "4" and mark.work.lesson == jw.lesson
    assert mark.work.work_type.name == "Ответ на уроке"


def test_changing_a_marks_value_keeps_its_comment(jw, world):
    work = jw.work()
    student = world.students[0]
    with time_machine.travel("2026-11-16 10:00 +0300", tick=False):
        first = services.mark_set(
            actor=world.users["teacher"],
            staff=jw.teacher,
            work=work,
            student=student,
            value="4",
            comment="Хороший ответ",
            expected_version=None,
        )
        services.mark_set(
            actor=world.users["teacher"],
            staff=jw.teacher,
            work=work,
            student=student,
            value="5",
            expected_version=first.mark.version,
        )
    assert Mark.objects.get().comment == "Хороший ответ"


def test_week_verification_follows_the_dated_class_enrollment(jw, world):
    from ejournal.journal.models import Attendance
    from ejournal.school.models import ClassEnrollment
    from ejournal.testing import factories as f

    mover = world.students[1]
    ClassEnrollment.objects.filter(student=mover).update(date_to=dt.date(2026, 11, 15))
    f.enroll(mover, world.other_class, dt.date(2026, 11, 16))
    other_group = f.GroupFactory(school_class=world.other_class, name="6Б")
    lesson = f.make_lesson(other_group, world.subject, jw.teacher, dt.date(2026, 11, 16))
    Attendance.objects.create(lesson=lesson, student=mover, code="n")
    # 5А's homeroom teacher confirms 5А's week: the absence in 6Б is not theirs.
    count = services.attendance_verify_week(
        actor=world.users["homeroom"],
        staff=world.staff["homeroom"],
        school_class=world.school_class,
        week_start=dt.date(2026, 11, 16),
    )
    assert count == 0
    assert Attendance.objects.get().verified_at is None


def test_deputy_start_page_shows_pending_corrections_and_undocumented_lessons(
    jw, world, client_for
):
    work, student = _late_mark(jw, world)
    with time_machine.travel(LATE, tick=False):
        services.correction_request_create(
            actor=world.users["teacher"],
            staff=jw.teacher,
            lesson=jw.lesson,
            kind="mark",
            work=work,
            student=student,
            new_value={"value": "4"},
            reason="Ошибка ввода",
        )
        jw.lesson_on(dt.date(2026, 11, 27))  # last week, no topic
        body = client_for("deputy").get("/").content.decode()
        teacher_body = client_for("teacher").get("/").content.decode()
    assert "Запросы на исправление журнала: 1" in body
    assert "Уроки за неделю без темы: 1" in body
    # The deputy's control block is not the teacher's (who has a weekly summary of their own).
    assert "Запросы на исправление журнала" not in teacher_body
