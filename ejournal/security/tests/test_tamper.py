import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from ejournal.accounts.models import Role
from ejournal.core.request_context import reset_request_meta, set_request_meta
from ejournal.journal import services as journal
from ejournal.journal.models import WorkType
from ejournal.notifications.models import Notification
from ejournal.security import tamper
from ejournal.security.models import AlertKind, NewDeviceSignIn, TamperAlert
from ejournal.testing import factories as f
from ejournal.testing.factories import TEST_PASSWORD

DAY = "2026-11-16 10:00 +0300"
NIGHT = "2026-11-16 23:30 +0300"


@pytest.fixture
def mark_world(world):
    teacher = world.staff["teacher"]
    lesson = f.make_lesson(world.group, world.subject, teacher, dt.date(2026, 11, 16))
    journal.work_types_ensure_defaults(school=world.school)
    work_type = WorkType.objects.filter(school=world.school).first()
    from ejournal.journal.models import Work

    work = Work.objects.create(lesson=lesson, work_type=work_type)

    def put(student, value, version=None, *, role="teacher", in_work=None):
        result = journal.mark_set(
            actor=world.users[role],
            staff=world.staff[role],
            work=in_work or work,
            student=student,
            value=value,
            expected_version=version,
        )
        return tamper.mark_change_check(
            school_id=world.school.pk, work_id=(in_work or work).pk, student_id=student.pk
        ), result

    return put


def test_marks_changed_at_night_alert_the_deputy_once_per_night(world, mark_world):
    with time_machine.travel(NIGHT, tick=False):
        fed, _ = mark_world(world.students[0], "4")
        mark_world(world.students[1], "5")
    assert fed == [AlertKind.NIGHT]
    alert = TamperAlert.objects.get()
    assert alert.kind == AlertKind.NIGHT and alert.changes == 2
    assert alert.actor == world.users["teacher"]
    assert "23:30" in alert.detail
    # The deputy (and only the deputy) is notified, once.
    notified = set(Notification.objects.values_list("user__username", flat=True))
    assert notified == {"deputy"}


def test_daytime_marks_raise_nothing(world, mark_world):
    with time_machine.travel(DAY, tick=False):
        assert mark_world(world.students[0], "4")[0] == []
        assert mark_world(world.students[0], "5", version=1)[0] == []
    assert not TamperAlert.objects.exists()


def test_many_changes_of_existing_marks_in_a_short_time_alert(world, mark_world, settings):
    settings.TAMPER_BURST_CHANGES = 3
    settings.TAMPER_BURST_MINUTES = 10
    with time_machine.travel(DAY, tick=True):
        for student in world.students:
            mark_world(student, "2")
        fed = []
        for student in world.students:
            fed.append(mark_world(student, "5", version=1)[0])
        for student in world.students[:2]:
            fed.append(mark_world(student, "4", version=2)[0])
    # New marks do not count; the 4th change of an existing mark is the first alert.
    assert fed[:3] == [[], [], []] and fed[3] == [AlertKind.BURST]
    alert = TamperAlert.objects.get(kind=AlertKind.BURST)
    assert alert.changes == 2
    assert Notification.objects.filter(user=world.users["deputy"]).count() == 1


def test_changes_after_a_sign_in_from_a_new_device_alert(world, mark_world):
    with time_machine.travel(DAY, tick=True) as traveller:
        home = Client(HTTP_USER_AGENT="Firefox/120 Windows", REMOTE_ADDR="10.1.1.10")
        home.post(reverse("accounts:login"), {"username": "teacher", "password": TEST_PASSWORD})
        assert not NewDeviceSignIn.objects.exists()  # the first device is the baseline
        again = Client(HTTP_USER_AGENT="Firefox/121 Windows", REMOTE_ADDR="10.1.1.77")
        again.post(reverse("accounts:login"), {"username": "teacher", "password": TEST_PASSWORD})
        assert not NewDeviceSignIn.objects.exists()  # same browser, same network
        stranger = Client(HTTP_USER_AGENT="Chrome/130 Android", REMOTE_ADDR="198.51.100.4")
        stranger.post(reverse("accounts:login"), {"username": "teacher", "password": TEST_PASSWORD})
        assert NewDeviceSignIn.objects.filter(user=world.users["teacher"]).count() == 1
        token = set_request_meta({"ip": "198.51.100.4", "user_agent": "Chrome/130 Android"})
        try:
            traveller.shift(300)
            fed, _ = mark_world(world.students[0], "2")
        finally:
            reset_request_meta(token)
        assert AlertKind.NEW_DEVICE in fed
        alert = TamperAlert.objects.get(kind=AlertKind.NEW_DEVICE)
        assert "198.51.100.4" in alert.detail


def test_parents_new_devices_are_not_tracked(world):
    for ip in ("10.0.0.1", "172.16.0.1"):
        client = Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=ip)
        client.post(reverse("accounts:login"), {"username": "parent", "password": TEST_PASSWORD})
    assert not NewDeviceSignIn.objects.exists()


def test_a_committed_mark_change_runs_the_check_in_the_background(
    world, mark_world, settings, django_capture_on_commit_callbacks
):
    from ejournal.journal.models import Work

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with time_machine.travel(NIGHT, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            journal.mark_set(
                actor=world.users["teacher"],
                staff=world.staff["teacher"],
                work=Work.objects.get(),
                student=world.students[0],
                value="3",
                expected_version=None,
            )
    assert TamperAlert.objects.filter(kind=AlertKind.NIGHT).exists()


def test_a_night_batch_of_cells_is_checked_in_one_background_task(
    world, mark_world, settings, django_capture_on_commit_callbacks
):
    from ejournal.journal.models import Work

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    work = Work.objects.get()
    changes = [
        journal.CellChange(kind="mark", lesson=work.lesson, student=student, work=work,
                           value="4", expected_version=None)
        for student in world.students[:2]
    ]  # fmt: skip
    with time_machine.travel(NIGHT, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            journal.journal_cells_save(
                actor=world.users["teacher"], staff=world.staff["teacher"], changes=changes
            )
    alert = TamperAlert.objects.get(kind=AlertKind.NIGHT)
    assert alert.changes == 2


def test_every_change_of_an_existing_mark_tells_the_family_old_and_new(
    world, mark_world, settings, django_capture_on_commit_callbacks
):
    """The family hears "old → new" (ejournal.notifications.journal_events.mark_changed)."""
    from ejournal.journal.models import Work

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    work = Work.objects.get()
    with time_machine.travel(DAY, tick=False):
        for value, version in (("3", None), ("5", 1)):
            with django_capture_on_commit_callbacks(execute=True):
                journal.mark_set(
                    actor=world.users["teacher"],
                    staff=world.staff["teacher"],
                    work=work,
                    student=world.child,
                    value=value,
                    expected_version=version,
                )
    bodies = list(
        Notification.objects.filter(user=world.users["parent"]).values_list("body", flat=True)
    )
    assert any("3 → 5" in body for body in bodies)


@pytest.fixture
def night_alert(world, mark_world):
    with time_machine.travel(NIGHT, tick=False):
        mark_world(world.students[0], "4")
    return TamperAlert.objects.get()


def test_deputy_sees_alerts_on_the_start_page_and_acknowledges_them(world, client_for, night_alert):
    client = client_for("deputy")
    start = client.get("/").content.decode()
    assert "Подозрительная активность в журнале" in start
    assert "вне учебного времени" in start
    page = client.get(reverse("security:alerts")).content.decode()
    assert "Teacher" in page
    client.post(reverse("security:alert_acknowledge", args=[night_alert.pk]))
    night_alert.refresh_from_db()
    assert night_alert.acknowledged_by == world.users["deputy"]
    assert "Сигналов нет" in client.get("/").content.decode()


def test_director_reads_alerts_and_sees_them_on_the_start_page_but_cannot_acknowledge(
    world, client_for, night_alert
):
    client = client_for("director")
    start = client.get("/").content.decode()
    assert "Подозрительная активность в журнале" in start
    assert "вне учебного времени" in start
    assert "Сигналов нет" not in start
    page = client.get(reverse("security:alerts")).content.decode()
    assert "Teacher" in page and "не просмотрено" in page
    assert reverse("security:alert_acknowledge", args=[night_alert.pk]) not in page
    ack = client.post(reverse("security:alert_acknowledge", args=[night_alert.pk]))
    assert ack.status_code == 404
    night_alert.refresh_from_db()
    assert night_alert.acknowledged_at is None


@pytest.mark.parametrize(
    "role",
    ["teacher", "homeroom", "admin", "parent", "student", "outsider", "inspector"],
)
def test_others_cannot_see_or_acknowledge_alerts(world, client_for, night_alert, role):
    client = client_for(role)
    assert client.get(reverse("security:alerts")).status_code == 404
    assert (
        client.post(reverse("security:alert_acknowledge", args=[night_alert.pk])).status_code == 404
    )
    night_alert.refresh_from_db()
    assert night_alert.acknowledged_at is None


def test_alert_page_query_count_does_not_grow(world, client_for, django_assert_max_num_queries):
    client = client_for("deputy")
    client.get("/")

    def make(n):
        for i in range(n):
            TamperAlert.objects.create(
                school=world.school,
                actor=world.users["teacher"],
                kind=AlertKind.NIGHT,
                dedupe_key=f"k{n}-{i}",
                first_at=dt.datetime(2026, 11, 16, 20, tzinfo=dt.UTC),
                last_at=dt.datetime(2026, 11, 16, 20, tzinfo=dt.UTC),
            )

    make(1)
    with django_assert_max_num_queries(10) as small:
        client.get(reverse("security:alerts"))
    make(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("security:alerts"))


def _message_many(world, count, when, django_capture_on_commit_callbacks):
    from ejournal.accounts.models import Role
    from ejournal.messaging import services as messaging

    recipients = []
    for i in range(count):
        user = f.UserFactory(username=f"mass-parent-{when[11:13]}-{i}")
        f.grant(user, Role.PARENT, world.school)
        recipients.append(user.pk)
    with time_machine.travel(when, tick=False), django_capture_on_commit_callbacks(execute=True):
        messaging.conversation_start(
            actor=world.users["teacher"],
            school=world.school,
            recipient_ids=recipients,
            subject="Срочно",
            body="Перейдите по ссылке",
            check_rules=False,
        )


def test_mass_messages_at_night_alert_the_deputy(
    world, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.TAMPER_MASS_RECIPIENTS = 5
    _message_many(world, 6, NIGHT, django_capture_on_commit_callbacks)
    alert = TamperAlert.objects.get(kind=AlertKind.MASS_MESSAGES)
    assert alert.actor == world.users["teacher"]
    assert "6 получателям" in alert.detail
    assert Notification.objects.filter(user__username="deputy").exists()


def test_daytime_or_small_mailings_raise_nothing(
    world, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.TAMPER_MASS_RECIPIENTS = 5
    _message_many(world, 6, DAY, django_capture_on_commit_callbacks)
    _message_many(world, 3, NIGHT, django_capture_on_commit_callbacks)
    assert not TamperAlert.objects.filter(kind=AlertKind.MASS_MESSAGES).exists()


def _correction_through_the_pages(world, client_for, *, value, student, work):
    """The teacher files a correction of a closed mark on the form; the deputy approves it
    on the corrections page."""
    from ejournal.journal.models import CorrectionRequest

    filed = client_for("teacher").post(
        reverse("journal:correction_create", args=[work.lesson_id]),
        {
            "kind": "mark",
            "work": work.pk,
            "student": student.pk,
            "value": value,
            "reason": "Работа переписана после болезни",
        },
    )
    assert filed.status_code == 302
    request_obj = CorrectionRequest.objects.latest("pk")
    approved = client_for("deputy").post(
        reverse("journal:correction_approve", args=[request_obj.pk]), {"comment": ""}
    )
    assert approved.status_code == 302
    request_obj.refresh_from_db()
    assert request_obj.status == "approved"


LATE_EVENING = "2026-11-30 21:40 +0300"  # the window of 16.11 is long closed


def test_the_deputys_approval_of_a_correction_is_not_an_alert(
    world, mark_world, settings, client_for, django_capture_on_commit_callbacks
):
    """Approving a teacher's request in the evening, many in a row, from home: the
    product's own procedure, so neither a night, a burst nor a new-device alert."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.TAMPER_BURST_CHANGES = 1
    with time_machine.travel(DAY, tick=False):
        for student in world.students:
            _, result = mark_world(student, "3")
    work = result.mark.work
    with time_machine.travel(LATE_EVENING, tick=True):
        # What the sign-in hook records: the office computer, then a new device (the test
        # client's address, so the approvals come from that device's network).
        deputy = world.users["deputy"]
        tamper.sign_in_seen(user=deputy, ip="10.1.1.10", user_agent="Firefox/120 Windows")
        assert tamper.sign_in_seen(user=deputy, ip="127.0.0.1", user_agent="Chrome/130 Android")
        with django_capture_on_commit_callbacks(execute=True):
            for student in world.students:
                _correction_through_the_pages(
                    world, client_for, value="4", student=student, work=work
                )
    assert sorted(work.marks.values_list("value", flat=True)) == ["4", "4", "4"]
    assert not TamperAlert.objects.exists()
    assert not Notification.objects.filter(subject__startswith="Подозрительная").exists()


def test_approved_corrections_do_not_count_towards_a_burst_of_direct_changes(
    world, mark_world, settings, client_for, django_capture_on_commit_callbacks
):
    """A deputy who also teaches: her approvals are left out of the count, her direct
    changes of existing marks in her own lesson still add up to an alert."""
    from ejournal.journal.models import Work

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.TAMPER_BURST_CHANGES = 2
    with time_machine.travel(DAY, tick=False):
        for student in world.students:
            mark_world(student, "3")
    work = Work.objects.get()
    # Who writes a lesson holds the teacher role (the one rule of schedule.permissions).
    f.grant(world.users["deputy"], Role.TEACHER, world.school)
    own_lesson = f.make_lesson(
        world.group, world.subject, world.staff["deputy"], dt.date(2026, 11, 30), number=2
    )
    own_work = Work.objects.create(lesson=own_lesson, work_type=work.work_type)
    with time_machine.travel("2026-11-30 11:00 +0300", tick=True):
        with django_capture_on_commit_callbacks(execute=True):
            for student in world.students:
                _correction_through_the_pages(
                    world, client_for, value="4", student=student, work=work
                )
        assert not TamperAlert.objects.exists()
        for student in world.students:
            mark_world(student, "2", role="deputy", in_work=own_work)
        fed = [
            mark_world(student, "5", 1, role="deputy", in_work=own_work)[0]
            for student in world.students
        ]
    # Three approvals and two direct changes are not "more than two changes"; the third is.
    assert fed == [[], [], [AlertKind.BURST]]
    assert TamperAlert.objects.get().actor == world.users["deputy"]
