"""An open tab's timers do not keep a session alive: only the person's own requests do."""

import time_machine
from django.test import Client
from django.urls import reverse

from ejournal.testing.factories import TEST_PASSWORD

POLL = {"HTTP_HX_REQUEST": "true", "HTTP_X_BACKGROUND_POLL": "1"}


def _signed_in(username: str) -> Client:
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    return client


def test_the_unread_counter_polls_as_a_background_request(world):
    client = _signed_in("parent")
    page = client.get("/", follow=True).content.decode()
    assert 'hx-headers=\'{"X-Background-Poll": "1"}\'' in page


def test_an_open_tab_polling_the_counter_still_idles_out(world, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    with time_machine.travel("2026-11-16 18:00 +0300", tick=False) as clock:
        client = _signed_in("parent")
        assert client.get("/", follow=True).status_code == 200
        for _ in range(16):  # every 120 s for 32 minutes
            clock.shift(120)
            client.get(reverse("messaging:unread"), **POLL)
        response = client.get("/")
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
        assert "_auth_user_id" not in client.session


def test_the_persons_own_requests_keep_the_session_alive(world, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    with time_machine.travel("2026-11-16 18:00 +0300", tick=False) as clock:
        client = _signed_in("parent")
        for _ in range(16):
            clock.shift(120)
            assert client.get("/", follow=True).status_code == 200
        assert "_auth_user_id" in client.session


def test_the_diary_service_worker_does_not_keep_the_session_alive(world, settings):
    """The browser re-checks /diary/sw.js on its own and the worker caches the offline page:
    neither is the person coming back."""
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    worker_update = {"HTTP_SERVICE_WORKER": "script"}
    with time_machine.travel("2026-11-16 18:00 +0300", tick=False) as clock:
        client = _signed_in("parent")
        assert client.get("/diary/", follow=True).status_code == 200
        for _ in range(7):  # every 4 minutes for 28 minutes
            clock.shift(240)
            assert client.get(reverse("diary:service_worker"), **worker_update).status_code == 200
            client.get("/diary/offline/", HTTP_X_BACKGROUND_POLL="1")
        clock.shift(240)  # 32 minutes since the person's last page
        response = client.get("/diary/")
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_the_service_worker_marks_its_own_fetch_as_background():
    from pathlib import Path

    from django.contrib.staticfiles import finders

    script = Path(finders.find("diary/sw.js")).read_text(encoding="utf-8")
    assert '"X-Background-Poll": "1"' in script
