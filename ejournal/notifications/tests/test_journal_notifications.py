"""Journal writes notify the student's family after commit, through background tasks."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from ejournal.journal import services as journal
from ejournal.notifications import handlers, services
from ejournal.notifications.models import Channel, Delivery, DeliveryStatus, Event, Mode, Preference

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 16)
MSK = zoneinfo.ZoneInfo("Europe/Moscow")


def recipients():
    return sorted(address for m in mail.outbox for address in m.to)


def test_a_mark_notifies_student_and_parent_once_after_commit(
    dw, world, django_capture_on_commit_callbacks
):
    lesson = dw.lesson(MONDAY)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dw.mark(lesson, world.child, "5", comment="Молодец")
        assert mail.outbox == []  # nothing before commit
    assert len(callbacks) >= 1
    assert recipients() == ["parent@example.ru", "student@example.ru"]
    body = mail.outbox[0].body
    assert "новая отметка 5" in body
    assert "Математика" in body
    assert "Молодец" in body
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 2
    # The other family hears nothing.
    assert "other_parent@example.ru" not in recipients()


def test_a_changed_mark_says_old_and_new(dw, world, django_capture_on_commit_callbacks):
    lesson = dw.lesson(MONDAY)
    work = dw.work(lesson)
    with django_capture_on_commit_callbacks(execute=True):
        dw.mark(lesson, world.child, "3", work=work)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dw.mark(lesson, world.child, "4", work=work)
    assert len(mail.outbox) == 2
    assert "отметка изменена: 3 → 4" in mail.outbox[0].body


def test_a_rolled_back_mark_notifies_nobody(dw, world, django_capture_on_commit_callbacks):
    lesson = dw.lesson(MONDAY)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            dw.mark(lesson, world.child, "5")
            raise RuntimeError("teacher's request failed later")
    assert callbacks == []
    assert mail.outbox == []
    assert not Delivery.objects.exists()


def test_an_unchanged_mark_does_not_notify_again(dw, world, django_capture_on_commit_callbacks):
    lesson = dw.lesson(MONDAY)
    work = dw.work(lesson)
    with django_capture_on_commit_callbacks(execute=True):
        dw.mark(lesson, world.child, "5", work=work)
        dw.mark(lesson, world.child, "5", work=work)
    assert len(mail.outbox) == 2


def test_absence_notifies_the_family(dw, world, django_capture_on_commit_callbacks):
    lesson = dw.lesson(MONDAY, 2)
    with (
        time_machine.travel(dt.datetime(2026, 11, 16, 11, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        journal.attendance_set(
            actor=dw.teacher_user,
            staff=dw.teacher,
            lesson=lesson,
            student=world.child,
            value="н",
            expected_version=None,
        )
    assert recipients() == ["parent@example.ru", "student@example.ru"]
    assert "пропуск" in mail.outbox[0].body
    assert "2-й урок" in mail.outbox[0].body


def test_individual_homework_notifies_only_that_students_family(
    dw, world, django_capture_on_commit_callbacks
):
    lesson = dw.lesson(MONDAY)
    with (
        time_machine.travel(dt.datetime(2026, 11, 16, 9, 30, tzinfo=MSK), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        journal.homework_save(
            actor=dw.teacher_user,
            staff=dw.teacher,
            lesson=lesson,
            homework=None,
            text="Доклад о дробях",
            due_date=MONDAY + dt.timedelta(days=3),
            student_ids=[world.students[1].pk],
        )
    assert mail.outbox == []  # the child's family is not told about a classmate's task
    with (
        time_machine.travel(dt.datetime(2026, 11, 16, 9, 30, tzinfo=MSK), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        journal.homework_save(
            actor=dw.teacher_user,
            staff=dw.teacher,
            lesson=lesson,
            homework=None,
            text="Всем: № 12",
            due_date=MONDAY + dt.timedelta(days=3),
        )
    assert recipients() == ["parent@example.ru", "student@example.ru"]
    assert "Всем: № 12" in mail.outbox[0].body


def test_changed_homework_is_told_as_changed(dw, world, django_capture_on_commit_callbacks):
    from ejournal.journal.models import Homework

    lesson = dw.lesson(MONDAY)
    when = dt.datetime(2026, 11, 16, 9, 30, tzinfo=MSK)
    with time_machine.travel(when, tick=False), django_capture_on_commit_callbacks(execute=True):
        journal.homework_save(
            actor=dw.teacher_user, staff=dw.teacher, lesson=lesson, homework=None,
            text="№ 12", due_date=MONDAY + dt.timedelta(days=3),
        )  # fmt: skip
    mail.outbox.clear()
    with time_machine.travel(when, tick=False), django_capture_on_commit_callbacks(execute=True):
        journal.homework_save(
            actor=dw.teacher_user, staff=dw.teacher, lesson=lesson,
            homework=(saved := Homework.objects.get(lesson=lesson)), text="№ 12 и № 14",
            due_date=MONDAY + dt.timedelta(days=3), expected_version=saved.version,
        )  # fmt: skip
    assert recipients() == ["parent@example.ru", "student@example.ru"]
    assert "домашнее задание изменено" in mail.outbox[0].body and "№ 14" in mail.outbox[0].body


def test_period_mark_event_notifies_with_old_and_new(dw, world, django_capture_on_commit_callbacks):
    from ejournal.attestation.models import PeriodMark, PeriodMarkKind
    from ejournal.school.models import StudyPeriod

    period = StudyPeriod.objects.get(band__year=world.year, number=1)
    mark = PeriodMark.objects.create(
        school=world.school,
        year=world.year,
        student=world.child,
        subject=world.subject,
        kind=PeriodMarkKind.PERIOD,
        period=period,
        value="5",
    )
    with django_capture_on_commit_callbacks(execute=True):
        handlers.period_marks_changed(
            [
                {
                    "school_id": world.school.pk,
                    "period_mark_id": mark.pk,
                    "before": {"value": "4", "display": "4"},
                    "after": {"value": "5", "display": "5"},
                }
            ]
        )
    assert "1 четверть" in mail.outbox[0].body
    assert "4 → 5" in mail.outbox[0].body


def test_turned_off_events_and_channels_send_nothing_and_sms_uses_the_gateway(
    dw, world, django_capture_on_commit_callbacks, sms_gateway
):
    parent, student = world.users["parent"], world.users["student"]
    guardian = parent.guardian_profiles.get()
    guardian.phone = "+7 900 000-00-00"
    guardian.save()
    services.preferences_save(user=student, modes={(Channel.EMAIL, Event.MARK): Mode.OFF})
    services.preferences_save(
        user=parent,
        modes={(Channel.EMAIL, Event.MARK): Mode.OFF, (Channel.SMS, Event.MARK): Mode.IMMEDIATE},
    )
    with django_capture_on_commit_callbacks(execute=True):
        dw.mark(dw.lesson(MONDAY), world.child, "2")
    assert mail.outbox == []
    [sms] = sms_gateway.received
    assert sms["to"] == ["79000000000"] and sms["api_id"] == ["KEY"]
    assert "новая отметка 2" in sms["msg"][0]
    delivery = Delivery.objects.get(channel=Channel.SMS)
    assert delivery.status == DeliveryStatus.SENT and delivery.provider_id == "000-100"


def test_preferences_are_stored_per_user_channel_and_event(dw, world):
    user = world.users["parent"]
    changed = services.preferences_save(
        user=user, modes={(Channel.PUSH, Event.HOMEWORK): Mode.WEEKLY}
    )
    assert changed == 1
    assert Preference.objects.get(user=user).mode == Mode.WEEKLY
    assert services.preferences_of(user)[(Channel.EMAIL, Event.MARK)] == Mode.IMMEDIATE
    assert (
        services.preferences_save(user=user, modes={(Channel.PUSH, Event.HOMEWORK): "weekly"}) == 0
    )


def test_a_batch_of_cells_queues_one_task_and_notifies_each_change(
    dw, world, django_capture_on_commit_callbacks, monkeypatch
):
    from ejournal.notifications import tasks

    lesson = dw.lesson(MONDAY)
    work = dw.work(lesson)
    second = world.students[1]
    queued = []
    original = tasks.run_many

    class Recording:
        def enqueue(self, **kwargs):
            queued.append(kwargs)
            return original.enqueue(**kwargs)

    monkeypatch.setattr(tasks, "run_many", Recording())
    changes = [
        journal.CellChange(kind="mark", lesson=lesson, student=student, work=work, value=value,
                           expected_version=None)
        for student, value in ((world.child, "5"), (second, "4"))
    ]  # fmt: skip
    with (
        time_machine.travel(dt.datetime(2026, 11, 16, 15, 0, tzinfo=MSK), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        journal.journal_cells_save(actor=world.users["teacher"], staff=dw.teacher, changes=changes)
    marks = [q for q in queued if q["task_name"] == "on_mark_changed"]
    assert len(marks) == 1 and len(marks[0]["payloads"]) == 2
    assert "parent@example.ru" in recipients()
    assert any("новая отметка 5" in m.body for m in mail.outbox)


def test_a_refused_batch_queues_nothing(dw, world, django_capture_on_commit_callbacks):
    lesson = dw.lesson(MONDAY)
    work = dw.work(lesson)
    changes = [
        journal.CellChange(kind="mark", lesson=lesson, student=world.child, work=work, value="5",
                           expected_version=None),
        journal.CellChange(kind="mark", lesson=lesson, student=world.child, work=work, value="ж",
                           expected_version=None),
    ]  # fmt: skip
    with (
        time_machine.travel(dt.datetime(2026, 11, 16, 15, 0, tzinfo=MSK), tick=False),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(journal.CellError),
    ):
        journal.journal_cells_save(actor=world.users["teacher"], staff=dw.teacher, changes=changes)
    assert callbacks == []
    assert mail.outbox == []
