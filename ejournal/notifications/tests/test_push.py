"""Web Push end to end against a push service started here on 127.0.0.1: the parent's
browser subscribes through the page, a teacher's mark reaches it encrypted (decrypted
here with the browser's keys), signed with the server's VAPID key, and a browser the
service no longer knows is dropped."""

import datetime as dt

import pytest
from django.urls import reverse

from ejournal.audit.models import AuditEvent
from ejournal.notifications import push, services
from ejournal.notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Event,
    Mode,
    PushSubscription,
)

MONDAY = dt.date(2026, 11, 16)


@pytest.fixture(autouse=True)
def _daytime():
    """Outside the quiet hours (21:00–08:00 school time), whatever the clock says."""
    import time_machine

    with time_machine.travel("2026-11-16 12:00 +0300", tick=True):
        yield


def subscribe(client, browser):
    return client.post(
        reverse("notifications:push_subscribe"),
        {"subscription": browser.subscription()},
        content_type="application/json",
        HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14) Chrome/130.0 Mobile Safari/537.36",
    )


@pytest.fixture
def parent_browser(dw, world, client_for, push_service):
    parent = world.users["parent"]
    services.preferences_save(user=parent, modes={(Channel.PUSH, Event.MARK): Mode.IMMEDIATE})
    browser = push_service.browser()
    response = subscribe(client_for("parent"), browser)
    assert response.status_code == 201, response.content
    return browser


def test_a_teachers_mark_reaches_the_parents_browser_encrypted_and_signed(
    dw, world, parent_browser, push_service, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dw.mark(dw.lesson(MONDAY), world.child, "5", comment="Молодец")
    [pushed] = push_service.received
    assert pushed.path == "/push/b1" and pushed.headers["content-encoding"] == "aes128gcm"
    assert int(pushed.headers["ttl"]) > 0
    message = parent_browser.decrypt(pushed.body)
    assert "новая отметка 5" in message["body"] and "Молодец" in message["body"]
    assert message["url"].startswith(f"/diary/{world.child.pk}/")
    claims = pushed.vapid_verified(push_service.origin)
    assert claims["sub"].startswith("mailto:")
    delivery = Delivery.objects.get(channel=Channel.PUSH)
    assert delivery.status == DeliveryStatus.SENT and delivery.url == message["url"]
    assert PushSubscription.objects.get().last_success_at is not None


def test_a_browser_the_service_forgot_is_dropped(
    dw, world, parent_browser, push_service, django_capture_on_commit_callbacks
):
    push_service.status = 410
    with django_capture_on_commit_callbacks(execute=True):
        dw.mark(dw.lesson(MONDAY), world.child, "4")
    assert len(push_service.received) == 1
    assert not PushSubscription.objects.exists()
    assert Delivery.objects.get(channel=Channel.PUSH).status != DeliveryStatus.SENT


def test_without_a_subscribed_browser_nothing_is_pushed(
    dw, world, push_service, django_capture_on_commit_callbacks
):
    parent = world.users["parent"]
    services.preferences_save(user=parent, modes={(Channel.PUSH, Event.MARK): Mode.IMMEDIATE})
    with django_capture_on_commit_callbacks(execute=True):
        dw.mark(dw.lesson(MONDAY), world.child, "5")
    assert push_service.received == []
    delivery = Delivery.objects.get(channel=Channel.PUSH, user=parent)
    assert delivery.status == DeliveryStatus.SKIPPED


def test_the_profile_lists_and_revokes_devices(dw, world, client_for, parent_browser):
    client = client_for("parent")
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Chrome, Android" in page and push.public_key() in page
    subscription = PushSubscription.objects.get()
    assert AuditEvent.objects.filter(action="push.subscribed").count() == 1
    # Another person cannot revoke it; the owner can.
    client_for("other_parent").post(reverse("notifications:push_delete", args=[subscription.pk]))
    assert PushSubscription.objects.exists()
    client.post(reverse("notifications:push_delete", args=[subscription.pk]))
    assert not PushSubscription.objects.exists()
    assert AuditEvent.objects.filter(action="push.unsubscribed").count() == 1


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"endpoint": "http://push.example.com/x", "keys": {"p256dh": "AAAA", "auth": "AAAA"}},
        {"endpoint": "https://push.example.com/x", "keys": {"p256dh": "AAAA", "auth": "AAAA"}},
        {"endpoint": "https://push.example.com/x", "keys": {}},
    ],
)
def test_a_bad_subscription_is_refused_in_russian_and_saves_nothing(dw, client_for, bad):
    response = client_for("parent").post(
        reverse("notifications:push_subscribe"), {"subscription": bad},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400 and "Браузер передал" in response.json()["error"]
    assert not PushSubscription.objects.exists()


def test_a_shared_computer_moves_to_the_person_signed_in(dw, world, client_for, push_service):
    browser = push_service.browser()
    subscribe(client_for("parent"), browser)
    subscribe(client_for("other_parent"), browser)
    assert PushSubscription.objects.get().user == world.users["other_parent"]


def test_the_vapid_key_is_made_once_in_the_data_directory(settings, tmp_path):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    settings.DATA_DIR = tmp_path
    push.vapid.cache_clear()
    try:
        first = push.public_key()
        assert (tmp_path / "vapid_private.pem").exists()
        push.vapid.cache_clear()
        assert push.public_key() == first
    finally:
        push.vapid.cache_clear()


def test_the_settings_page_reads_the_same_for_one_device_or_five(
    dw, world, client_for, push_service
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("parent")
    counts = []
    for devices in (1, 5):
        while PushSubscription.objects.count() < devices:
            subscribe(client, push_service.browser(f"b{PushSubscription.objects.count()}"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("notifications:preferences")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://10.0.0.5/push/x",  # the school's own network
        "https://intranet.school.local/push/x",
        "https://fcm.googleapis.com.evil.example/push/x",
        "http://127.0.0.1:9/push/x",  # this machine, not allowed outside tests
    ],
)
def test_the_server_posts_only_to_the_browsers_push_services(
    dw, client_for, push_service, settings, endpoint
):
    settings.WEBPUSH_ALLOW_LOCAL = False
    keys = push_service.browser().subscription()["keys"]
    response = client_for("parent").post(
        reverse("notifications:push_subscribe"),
        {"subscription": {"endpoint": endpoint, "keys": keys}},
        content_type="application/json",
    )
    assert response.status_code == 400 and not PushSubscription.objects.exists()


def test_a_real_push_service_address_is_accepted(dw, client_for, push_service, settings):
    keys = push_service.browser().subscription()["keys"]
    endpoint = "https://fcm.googleapis.com/fcm/send/abc123"
    response = client_for("parent").post(
        reverse("notifications:push_subscribe"),
        {"subscription": {"endpoint": endpoint, "keys": keys}},
        content_type="application/json",
    )
    assert response.status_code == 201


def test_a_push_in_the_quiet_hours_waits_for_the_morning(
    dw, world, parent_browser, push_service, django_capture_on_commit_callbacks, client_for
):
    import time_machine

    evening = dt.datetime(2026, 11, 16, 22, 30, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    with (
        time_machine.travel(evening, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        dw.put(dw.lesson(MONDAY), world.child, "5")  # no notification: written directly
        services.notify(
            user=world.users["parent"], school=world.school, event=Event.MARK,
            subject="Отметка", body="новая отметка 5", url="/diary/",
        )  # fmt: skip
    assert push_service.received == []
    delivery = Delivery.objects.get(channel=Channel.PUSH)
    assert delivery.status == DeliveryStatus.PENDING
    morning = dt.datetime(2026, 11, 17, 5, 0, tzinfo=dt.UTC)  # 08:00 in Moscow
    assert delivery.next_attempt_at == morning
    services.deliveries_retry_due(now=morning - dt.timedelta(minutes=1))
    assert push_service.received == []
    services.deliveries_retry_due(now=morning)
    assert len(push_service.received) == 1
    # Turned off, the evening's push goes at once.
    client = client_for("parent")
    data = {f"{c}__{e}": services.preferences_of(world.users["parent"])[(c, e)]
            for c in Channel.values for e in Event.values}  # fmt: skip
    client.post(reverse("notifications:preferences"), data)  # the box unticked
    assert not services.quiet_hours_on(world.users["parent"])
    with (
        time_machine.travel(evening, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.notify(
            user=world.users["parent"], school=world.school, event=Event.MARK,
            subject="Отметка", body="новая отметка 4", url="/diary/",
        )  # fmt: skip
    assert len(push_service.received) == 2
