"""Delivery with retries and backoff, digests, the notify() API and the preferences page."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ejournal.notifications import services
from ejournal.notifications.gateways import GatewayError
from ejournal.notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Event,
    Mode,
    Notification,
    Preference,
)

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 16)


class FlakyGateway:
    """Fails the first ``failures`` sends, then records messages."""

    failures = 0
    sent: list = []
    calls = 0

    def __init__(self, channel=""):
        pass

    def send(self, *, address, subject, body, url=""):
        FlakyGateway.calls += 1
        if FlakyGateway.calls <= FlakyGateway.failures:
            raise GatewayError("SMTP 451: try again later")
        FlakyGateway.sent.append((address, subject, body))


@pytest.fixture
def flaky(settings):
    settings.NOTIFICATION_GATEWAYS = {"email": f"{__name__}.FlakyGateway"}
    FlakyGateway.failures, FlakyGateway.calls, FlakyGateway.sent = 0, 0, []
    return FlakyGateway


def notify_parent(world, event=Event.MESSAGE, text="Собрание в четверг"):
    return services.notify(
        user=world.users["parent"],
        school=world.school,
        event=event,
        subject="Сообщение от классного руководителя",
        body=text,
        url="/messages/1/",
    )


def test_notify_api_sends_an_email_after_commit(dw, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = notify_parent(world)
        assert mail.outbox == []
    assert [n.channel for n in created] == [Channel.EMAIL]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["parent@example.ru"]
    assert "Собрание в четверг" in mail.outbox[0].body


def test_notify_rejects_an_unknown_event(dw, world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        notify_parent(world, event="party")


def test_failed_delivery_is_retried_with_backoff_then_sent(
    dw, world, flaky, django_capture_on_commit_callbacks
):
    flaky.failures = 2
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        notify_parent(world)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRY
    assert delivery.attempts == 1
    assert "451" in delivery.last_error
    assert delivery.next_attempt_at - start >= dt.timedelta(minutes=1) - dt.timedelta(seconds=5)

    # Not due yet: nothing happens.
    assert services.deliveries_retry_due(now=start + dt.timedelta(seconds=30)) == 0
    # Second attempt fails too; the wait grows.
    assert services.deliveries_retry_due(now=start + dt.timedelta(minutes=2)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRY, 2)
    assert delivery.next_attempt_at == start + dt.timedelta(minutes=2) + dt.timedelta(minutes=5)
    # The management command picks it up once due.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timezone, "now", lambda: start + dt.timedelta(minutes=8))
        call_command("notifications_retry", stdout=open("/dev/null", "w"))  # noqa: SIM115
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 3)
    assert len(flaky.sent) == 1


def test_delivery_gives_up_after_the_last_attempt(
    dw, world, flaky, django_capture_on_commit_callbacks
):
    flaky.failures = 100
    with django_capture_on_commit_callbacks(execute=True):
        notify_parent(world)
    moment = timezone.now()
    for _ in range(services.MAX_ATTEMPTS + 2):
        moment += dt.timedelta(days=1)
        services.deliveries_retry_due(now=moment)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == services.MAX_ATTEMPTS
    assert flaky.calls == services.MAX_ATTEMPTS


def test_a_failing_gateway_never_blocks_the_teachers_save(
    dw, world, flaky, django_capture_on_commit_callbacks
):
    from ejournal.journal.models import Mark

    flaky.failures = 100
    with django_capture_on_commit_callbacks(execute=True):
        result = dw.mark(dw.lesson(MONDAY), world.child, "5")
    assert result.mark is not None
    assert Mark.objects.filter(student=world.child, value="5").exists()
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.RETRY}


def test_a_delivery_is_sent_only_once_even_if_attempted_twice(
    dw, world, flaky, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify_parent(world)
    delivery = Delivery.objects.get()
    services.delivery_attempt(delivery_id=delivery.pk)
    services.deliveries_retry_due(now=timezone.now() + dt.timedelta(days=1))
    assert len(flaky.sent) == 1


def test_no_address_is_logged_as_skipped(dw, world, django_capture_on_commit_callbacks):
    user = world.users["parent"]
    user.email = ""
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify_parent(world)
    assert Delivery.objects.get().status == DeliveryStatus.SKIPPED
    assert mail.outbox == []


def test_daily_digest_groups_events_into_one_message(dw, world, django_capture_on_commit_callbacks):
    parent = world.users["parent"]
    for event in (Event.MARK, Event.ABSENCE):
        Preference.objects.create(user=parent, channel=Channel.EMAIL, event=event, mode=Mode.DAILY)
    Preference.objects.create(
        user=parent, channel=Channel.EMAIL, event=Event.HOMEWORK, mode=Mode.WEEKLY
    )
    lesson = dw.lesson(MONDAY)
    with django_capture_on_commit_callbacks(execute=True):
        dw.mark(lesson, world.child, "5")
        dw.mark(lesson, world.child, "3")
        services.notify(
            user=parent,
            school=world.school,
            event=Event.ABSENCE,
            subject="Пропуск",
            body="Пропуск 2-го урока",
        )
        services.notify(
            user=parent,
            school=world.school,
            event=Event.HOMEWORK,
            subject="Д/з",
            body="Выучить стих",
        )
    parent_mail = [m for m in mail.outbox if m.to == ["parent@example.ru"]]
    assert parent_mail == []  # everything waits for the digests
    assert Notification.objects.filter(user=parent, delivery__isnull=True).count() == 4

    with django_capture_on_commit_callbacks(execute=True):
        call_command("notifications_digest", "daily", stdout=open("/dev/null", "w"))  # noqa: SIM115
    parent_mail = [m for m in mail.outbox if m.to == ["parent@example.ru"]]
    assert len(parent_mail) == 1
    digest = parent_mail[0]
    assert digest.subject == "Сводка за день: событий — 3"
    assert digest.body.count("новая отметка") == 2
    assert "Пропуск 2-го урока" in digest.body
    assert "Выучить стих" not in digest.body

    # Sending again finds nothing new; the weekly digest takes the homework.
    assert services.digests_send(mode=Mode.DAILY) == []
    with django_capture_on_commit_callbacks(execute=True):
        weekly = services.digests_send(mode=Mode.WEEKLY)
    assert len(weekly) == 1
    assert "Выучить стих" in weekly[0].body


def test_digest_refuses_an_unknown_mode(dw):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.digests_send(mode="hourly")


# --- The preferences page --------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    ["parent", "student", "teacher", "homeroom", "admin", "director", "deputy", "operator",
     "hr", "outsider", "inspector"],
)  # fmt: skip
def test_every_signed_in_user_can_open_their_preferences(dw, client_for, role):
    assert client_for(role).get(reverse("notifications:preferences")).status_code == 200


def test_anonymous_is_sent_to_sign_in(dw, client_for):
    response = client_for("anonymous").get(reverse("notifications:preferences"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def _form(mode_overrides=None):
    data = {f"{c}__{e}": "off" for c in Channel.values for e in Event.values}
    data["email__mark"] = "immediate"
    data.update(mode_overrides or {})
    return data


def test_saving_preferences(dw, client_for, world, sms_gateway):
    client = client_for("parent")
    response = client.post(reverse("notifications:preferences"), _form({"sms__absence": "daily"}))
    assert response.status_code == 302
    modes = services.preferences_of(world.users["parent"])
    assert modes[("sms", "absence")] == "daily"
    assert modes[("email", "homework")] == "off"
    assert modes[("email", "mark")] == "immediate"


def test_bad_preference_value_changes_nothing(dw, client_for, world, sms_gateway):
    response = client_for("parent").post(
        reverse("notifications:preferences"), _form({"sms__absence": "hourly"})
    )
    assert response.status_code == 200
    assert "Выберите корректный вариант" in response.content.decode()
    assert not Preference.objects.exists()


def test_preferences_page_shows_only_own_deliveries(
    dw, client_for, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            user=world.users["other_parent"], school=world.school, event=Event.MESSAGE,
            subject="Чужое сообщение", body="...",
        )  # fmt: skip
        notify_parent(world)
    html = client_for("parent").get(reverse("notifications:preferences")).content.decode()
    assert "Сообщение от классного руководителя" in html
    assert "Чужое сообщение" not in html


def test_with_a_deferring_queue_the_retry_is_queued_for_its_time(
    dw, world, flaky, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    flaky.failures = 1
    with django_capture_on_commit_callbacks(execute=True):
        notify_parent(world)
    delivery = Delivery.objects.get()
    services.delivery_attempt(delivery_id=delivery.pk)  # what the worker would run
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRY
    deferred = DBTaskResult.objects.get(run_after=delivery.next_attempt_at)
    assert deferred.args_kwargs["args"] == [delivery.pk]
