"""Personal access tokens: stored hashed, shown once, scoped, expiring, revocable, audited."""

from __future__ import annotations

import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from ejournal.api import services
from ejournal.api.models import ApiToken
from ejournal.audit.models import AuditEvent


def bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def test_only_the_hash_and_a_short_prefix_are_stored(world):
    user = world.users["teacher"]
    token, raw = services.token_issue(user=user, actor=user, name="скрипт", scope="read", days=5)
    row = ApiToken.objects.get(pk=token.pk)
    assert raw.startswith(row.prefix + "_")
    assert row.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {row.prefix, row.token_hash, row.name}
    assert AuditEvent.objects.filter(action="api_token.created", object_id=str(row.pk)).exists()


def test_a_token_authenticates_and_records_its_last_use(world):
    user = world.users["teacher"]
    token, raw = services.token_issue(user=user, actor=user, name="t", scope="read", days=5)
    response = bearer(raw).get("/api/v1/me", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert response.json()["username"] == "teacher"
    assert response.json()["token"]["scope"] == "read"
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_ip == "10.1.2.3"


@pytest.mark.parametrize(
    "header",
    ["", "Bearer ", "Bearer ejt_nothing_here", "Bearer not-a-token", "Basic dXNlcjpwYXNz"],
)
def test_missing_or_unknown_credentials_answer_401(world, header):
    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_an_expired_token_answers_401(world):
    user = world.users["parent"]
    token, raw = services.token_issue(user=user, actor=user, name="t", scope="read", days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = bearer(raw).get("/api/v1/me")
    assert response.status_code == 401
    assert "истёк" in error_of(response)["message"]


def test_a_revoked_token_answers_401_and_the_revocation_is_audited(world):
    user = world.users["parent"]
    token, raw = services.token_issue(user=user, actor=user, name="t", scope="read", days=10)
    assert bearer(raw).get("/api/v1/me").status_code == 200
    services.token_revoke(token=token, actor=user)
    assert bearer(raw).get("/api/v1/me").status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoked", object_id=str(token.pk)).exists()


def test_a_blocked_user_cannot_use_their_token(world):
    user = world.users["teacher"]
    _, raw = services.token_issue(user=user, actor=user, name="t", scope="read", days=10)
    user.is_active = False
    user.save()
    assert bearer(raw).get("/api/v1/me").status_code == 401


def test_a_read_token_cannot_write(world, journal):
    user = world.users["teacher"]
    _, raw = services.token_issue(user=user, actor=user, name="t", scope="read", days=10)
    response = bearer(raw).put(
        f"/api/v1/lessons/{journal.lesson.pk}/topic",
        {"topic": "Дроби"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "read_only_token"


def test_compromise_hook_revokes_every_token_of_the_user(world):
    user = world.users["teacher"]
    raws = [
        services.token_issue(user=user, actor=user, name=f"t{i}", scope="write", days=10)[1]
        for i in range(2)
    ]
    services.revoke_for_account(user, actor=None, reason="нарушение конфиденциальности")
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert all(bearer(raw).get("/api/v1/me").status_code == 401 for raw in raws)
    assert AuditEvent.objects.filter(action="api_token.revoked_all").exists()


def test_reporting_a_compromised_account_ends_its_tokens(world):
    from ejournal.core import registry
    from ejournal.people import compromise

    user = world.users["teacher"]
    _, raw = services.token_issue(user=user, actor=user, name="t", scope="write", days=10)
    assert services.revoke_for_account in registry.ACCESS_REVOKERS.providers()
    compromise.compromise_report(
        user=user,
        school=world.school,
        since=timezone.now() - dt.timedelta(hours=1),
        reported_by=world.users["admin"],
    )
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert bearer(raw).get("/api/v1/me").status_code == 401


@pytest.mark.parametrize(
    ("name", "scope", "days", "message"),
    [
        ("", "read", 5, "Назовите токен"),
        ("t", "admin", 5, "Выберите доступ"),
        ("t", "read", 0, "Срок действия"),
        ("t", "read", 366, "Срок действия"),
    ],
)
def test_bad_token_requests_are_refused_in_russian(world, name, scope, days, message):
    user = world.users["teacher"]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match=message):
        services.token_issue(user=user, actor=user, name=name, scope=scope, days=days)
    assert not ApiToken.objects.exists()


def test_issue_token_command_prints_a_working_token(world):
    out = StringIO()
    call_command("issue_token", "teacher", "--write", "--days", "3", stdout=out)
    raw = out.getvalue().strip()
    token = ApiToken.objects.get(user=world.users["teacher"])
    assert token.scope == "write"
    assert (
        dt.timedelta(days=2, hours=23) < token.expires_at - timezone.now() <= dt.timedelta(days=3)
    )
    assert bearer(raw).get("/api/v1/me").status_code == 200


def test_issue_token_command_refuses_an_unknown_login(world):
    with pytest.raises(CommandError, match="не найден"):
        call_command("issue_token", "nobody", stdout=StringIO())


# --- The profile page -------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(world):
    response = Client().get("/api/tokens/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_profile_links_to_the_token_page(client_for):
    response = client_for("parent").get("/profile/")
    assert response.status_code == 200
    assert "/api/tokens/" in response.content.decode()


@pytest.mark.parametrize("role", ["teacher", "parent", "student", "inspector"])
def test_user_creates_a_token_shown_once_and_revokes_it(client_for, world, role):
    client = client_for(role)
    response = client.post("/api/tokens/", {"name": "Мой скрипт", "scope": "read", "days": "30"})
    assert response.status_code == 200
    raw = response.context["new_token"]
    assert raw and raw in response.content.decode()
    token = ApiToken.objects.get(user=world.users[role])
    # Shown once: the list page does not contain it any more.
    page = client.get("/api/tokens/").content.decode()
    assert raw not in page and token.prefix in page
    assert bearer(raw).get("/api/v1/me").status_code == 200
    response = client.post(f"/api/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert bearer(raw).get("/api/v1/me").status_code == 401


def test_bad_form_is_refused_with_a_russian_message(client_for, world):
    response = client_for("teacher").post(
        "/api/tokens/", {"name": "x", "scope": "read", "days": "0"}
    )
    assert response.status_code == 422
    assert "не меньше 1 дня" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_nobody_revokes_another_users_token(client_for, world):
    owner = world.users["teacher"]
    token, raw = services.token_issue(user=owner, actor=owner, name="t", scope="read", days=3)
    response = client_for("admin").post(f"/api/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    assert bearer(raw).get("/api/v1/me").status_code == 200


def test_token_page_query_count_does_not_grow(client_for, world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("teacher")
    owner = world.users["teacher"]
    services.token_issue(user=owner, actor=owner, name="t", scope="read", days=3)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/api/tokens/").status_code == 200
    for i in range(10):
        services.token_issue(user=owner, actor=owner, name=f"t{i}", scope="read", days=3)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/api/tokens/").status_code == 200
