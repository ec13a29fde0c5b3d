import json

import pytest
import time_machine
from django.test import Client, override_settings
from django.urls import reverse

from ejournal.audit.models import AuditEvent
from ejournal.core import ratelimit
from ejournal.security.models import UserSession
from ejournal.testing.factories import TEST_PASSWORD

PHONE = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36"
LAPTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"


def _sign_in(username, *, ua=LAPTOP, ip="10.0.0.5"):
    client = Client(HTTP_USER_AGENT=ua, REMOTE_ADDR=ip)
    response = client.post(
        reverse("accounts:login"), {"username": username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    return client


def test_session_list_shows_device_address_and_activity_and_revokes_another(world):
    laptop = _sign_in("teacher")
    phone = _sign_in("teacher", ua=PHONE, ip="10.0.9.9")
    page = laptop.get(reverse("security:sessions")).content.decode()
    assert "Chrome, Windows" in page and "Chrome, Android" in page
    assert "10.0.9.9" in page and "(этот сеанс)" in page
    other = UserSession.objects.get(user=world.users["teacher"], ip="10.0.9.9")
    response = laptop.post(reverse("security:session_revoke", args=[other.pk]))
    assert response.status_code == 302
    # The phone is signed out at once; the laptop stays.
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.session_revoked").exists()
    assert "Chrome, Android" not in laptop.get(reverse("security:sessions")).content.decode()


def test_nobody_revokes_someone_elses_session(world):
    _sign_in("teacher")
    victim = UserSession.objects.get(user=world.users["teacher"])
    attacker = _sign_in("homeroom")
    response = attacker.post(reverse("security:session_revoke", args=[victim.pk]))
    assert response.status_code == 404
    assert UserSession.objects.filter(pk=victim.pk).exists()


def test_sign_out_and_sign_out_everywhere_clear_the_list(world):
    first = _sign_in("teacher")
    second = _sign_in("teacher", ua=PHONE)
    second.post(reverse("accounts:logout"))
    assert UserSession.objects.filter(user=world.users["teacher"]).count() == 1
    _sign_in("teacher", ua=PHONE)
    first.post(reverse("accounts:logout_everywhere"))
    world.users["teacher"].refresh_from_db()
    from ejournal.security import sessions

    assert sessions.active_sessions(user=world.users["teacher"]) == []


@override_settings(SESSION_IDLE_TIMEOUT=60)
def test_idle_sessions_drop_out_of_the_list_and_activity_is_recorded(world):
    with time_machine.travel("2026-11-23 09:00 +0300", tick=False) as traveller:
        client = _sign_in("teacher")
        row = UserSession.objects.get(user=world.users["teacher"])
        traveller.shift(50)
        client.get("/")
        traveller.shift(50)
        client.get("/")  # 100 s after sign-in, 50 s after the last request: still alive
        row.refresh_from_db()
        assert row.last_activity > row.created_at
        from ejournal.security import sessions

        assert sessions.active_sessions(user=world.users["teacher"]) == [row]
        traveller.shift(120)
        assert sessions.active_sessions(user=world.users["teacher"]) == []


@pytest.mark.parametrize("role", ["anonymous"])
def test_anonymous_cannot_see_sessions(world, client_for, role):
    response = client_for(role).get(reverse("security:sessions"))
    assert response.status_code == 302 and "/login/" in response.url


def test_session_pages_query_count_does_not_grow_with_sessions(
    world, django_assert_max_num_queries
):
    client = _sign_in("teacher")
    client.get("/")
    with django_assert_max_num_queries(8):
        client.get(reverse("security:sessions"))
    for i in range(10):
        _sign_in("teacher", ip=f"10.0.1.{i}")
    with django_assert_max_num_queries(8):
        assert client.get(reverse("security:sessions")).content.decode().count("Завершить") == 10


# --- rate limits -------------------------------------------------------------


@override_settings(RATE_LIMITS={"sign_in_ip": "3/900", "two_factor": "5/300"}, AXES_ENABLED=False)
def test_many_failed_sign_ins_from_one_address_answer_429(world):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for name in ("a", "b", "c"):
        response = client.post(reverse("accounts:login"), {"username": name, "password": "x"})
        assert response.status_code == 200
    blocked = client.post(
        reverse("accounts:login"), {"username": "teacher", "password": TEST_PASSWORD}
    )
    assert blocked.status_code == 429
    assert "Слишком много запросов" in blocked.content.decode()
    assert int(blocked["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    other = Client(REMOTE_ADDR="203.0.113.8")
    assert (
        other.post(
            reverse("accounts:login"), {"username": "teacher", "password": TEST_PASSWORD}
        ).status_code
        == 302
    )


@override_settings(AXES_FAILURE_LIMIT=3)
def test_axes_lockout_of_one_login_answers_429(world):
    client = Client()
    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": "teacher", "password": "wrong"})
    response = client.post(
        reverse("accounts:login"), {"username": "teacher", "password": TEST_PASSWORD}
    )
    assert response.status_code == 429


def test_rate_limit_helper_counts_per_key_and_window():
    with time_machine.travel(1_000_000, tick=False) as traveller:
        assert [ratelimit.hit("t", key="k", rate="2/60") for _ in range(3)] == [
            False,
            False,
            True,
        ]
        assert ratelimit.hit("t", key="other", rate="2/60") is False
        assert ratelimit.is_limited("t", key="k", rate="2/60")
        traveller.shift(61)
        assert ratelimit.hit("t", key="k", rate="2/60") is False


def test_rate_limit_decorator_answers_json_429_for_api_paths(rf):
    @ratelimit.limit("demo_api", rate="1/60", key=ratelimit.client_key)
    def view(request):
        from django.http import JsonResponse

        return JsonResponse({"ok": True})

    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/api/v1/ping")
    request.user = AnonymousUser()
    assert view(request).status_code == 200
    response = view(request)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert "Слишком много" in json.loads(response.content)["detail"]


def test_rates_read_seconds_units_and_names(settings):
    settings.RATE_LIMITS = {"named": "5/300"}
    assert ratelimit.parse_rate("20/900") == (20, 900)
    assert ratelimit.parse_rate("300/min") == (300, 60)
    assert ratelimit.parse_rate("10/hour") == (10, 3600)
    assert ratelimit.parse_rate("named") == (5, 300)
    assert ratelimit.parse_rate("") is None and ratelimit.parse_rate(None) is None


def test_an_empty_rate_never_limits():
    assert [ratelimit.hit_wait("t", key="k", rate="") for _ in range(100)] == [None] * 100
    assert not ratelimit.is_limited("t", key="k", rate="")


def test_hit_wait_says_how_long_to_wait():
    assert ratelimit.hit_wait("w", key="k", rate="1/min") is None
    wait = ratelimit.hit_wait("w", key="k", rate="1/min")
    assert wait is not None and 1 <= wait <= 60
