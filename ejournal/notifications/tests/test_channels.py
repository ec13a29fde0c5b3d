"""Nothing pretends: a channel the school has not set up says «не настроено» and sends
nothing; SMS goes through a real HTTP gateway (started here on 127.0.0.1) and its answer
decides «отправлено» or the retry."""

import json

import pytest
from django.urls import reverse

from ejournal.notifications import gateways, services
from ejournal.notifications.models import Channel, Delivery, DeliveryStatus, Event, Mode

pytestmark = pytest.mark.django_db


def sms_on(world, phone="8 (900) 000-00-00"):
    parent = world.users["parent"]
    guardian = parent.guardian_profiles.get()
    guardian.phone = phone
    guardian.save()
    services.preferences_save(user=parent, modes={(Channel.SMS, Event.MESSAGE): Mode.IMMEDIATE})
    return parent


def notify(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            user=world.users["parent"],
            school=world.school,
            event=Event.MESSAGE,
            subject="Сообщение",
            body="Собрание в четверг",
            url="/messages/1/",
        )


def test_channels_without_a_gateway_are_not_configured(settings):
    settings.SMS_GATEWAY_URL = ""
    settings.NOTIFICATION_GATEWAYS = {}
    settings.WEBPUSH_ENABLED = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    assert not any(gateways.is_configured(c) for c in Channel.values)
    assert gateways.gateway_for(Channel.SMS) is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.SMS_GATEWAY_URL = "https://sms.example/send?to={phone}&msg={text}"
    assert gateways.is_configured(Channel.EMAIL) and gateways.is_configured(Channel.SMS)
    assert not gateways.is_configured(Channel.PUSH)
    settings.WEBPUSH_ENABLED = True
    assert gateways.is_configured(Channel.PUSH)


def test_an_unconfigured_channel_creates_nothing_and_never_says_sent(
    world, settings, django_capture_on_commit_callbacks
):
    settings.SMS_GATEWAY_URL = ""
    sms_on(world)
    notify(world, django_capture_on_commit_callbacks)
    assert not Delivery.objects.filter(channel=Channel.SMS).exists()
    assert Delivery.objects.filter(channel=Channel.EMAIL).count() == 1  # e-mail is set up


def test_the_preferences_page_says_not_configured_and_keeps_the_choice(world, client_for, settings):
    settings.SMS_GATEWAY_URL = ""
    parent = sms_on(world)
    client = client_for("parent")
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert page.count("не настроено") >= 3  # the column header, its cells, the note
    assert 'name="sms__message"' not in page and 'name="email__message"' in page
    # A posted value for the disabled channel changes nothing.
    data = {f"{c}__{e}": "off" for c in Channel.values for e in Event.values}
    client.post(reverse("notifications:preferences"), data)
    modes = services.preferences_of(parent)
    assert modes[(Channel.SMS, Event.MESSAGE)] == Mode.IMMEDIATE
    assert modes[(Channel.EMAIL, Event.MESSAGE)] == Mode.OFF


def test_sms_goes_through_the_gateway_with_the_number_and_text(
    world, sms_gateway, django_capture_on_commit_callbacks
):
    sms_on(world)
    notify(world, django_capture_on_commit_callbacks)
    [request] = sms_gateway.received
    assert request["to"] == ["79000000000"]
    assert request["msg"][0].startswith("Собрание в четверг")
    delivery = Delivery.objects.get(channel=Channel.SMS)
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.provider_id == "000-100" and delivery.address == "8 (900) 000-00-00"


@pytest.mark.parametrize(
    ("status", "answer", "reason"),
    [
        (200, {"status": "ERROR", "status_code": 201, "status_text": "Не хватает денег"},
         "Не хватает денег"),
        (200, {"error": "invalid login", "error_code": 2}, "invalid login"),
        (503, {"status": "OK"}, "503"),
    ],
)  # fmt: skip
def test_a_refusing_gateway_means_a_retry_with_its_reason(
    world, sms_gateway, django_capture_on_commit_callbacks, status, answer, reason
):
    sms_gateway.status, sms_gateway.answer = status, json.dumps(answer)
    sms_on(world)
    notify(world, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel=Channel.SMS)
    assert delivery.status == DeliveryStatus.RETRY
    assert reason in delivery.last_error and delivery.sent_at is None


def test_the_gateway_can_post_a_form(
    world, sms_gateway, settings, django_capture_on_commit_callbacks
):
    settings.SMS_GATEWAY_METHOD = "POST"
    sms_gateway.answer = "OK - 1 SMS, ID - 4242"
    sms_on(world, phone="+7 900 000-00-00")
    notify(world, django_capture_on_commit_callbacks)
    assert sms_gateway.received[0]["to"] == ["79000000000"]
    assert Delivery.objects.get(channel=Channel.SMS).provider_id == "4242"


def test_a_delivery_left_when_the_gateway_goes_is_failed_not_sent(
    world, sms_gateway, settings, django_capture_on_commit_callbacks
):
    sms_on(world)
    with django_capture_on_commit_callbacks(execute=False):
        services.notify(
            user=world.users["parent"], school=world.school, event=Event.MESSAGE,
            subject="Сообщение", body="Текст",
        )  # fmt: skip
    settings.SMS_GATEWAY_URL = ""
    delivery = Delivery.objects.get(channel=Channel.SMS)
    services.delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_error == "не настроено"
