"""Signing in to /webapi: only an app password works, for families only, limited in rate."""

import datetime as dt

import pytest
import time_machine

from ejournal.audit.models import AuditEvent
from ejournal.testing.factories import TEST_PASSWORD
from ejournal.webapi import credentials, services
from ejournal.webapi.models import AppPassword, AppSignIn, WebapiSession
from ejournal.webapi.tests.conftest import ApiClient, proof


@pytest.mark.parametrize("role", ["parent", "student", "other_parent"])
def test_family_member_signs_in_with_the_app_password(world, app_password, role):
    api = ApiClient()
    response = api.login(role, app_password(role), world.school.pk)
    assert response.status_code == 200
    body = response.json()
    assert body["at"] and body["timeOut"] > 0
    assert AppSignIn.objects.filter(app_password__user=world.users[role]).count() == 1
    assert AuditEvent.objects.filter(action="webapi.login", actor=world.users[role]).exists()


def test_the_real_password_never_works(world, app_password):
    app_password("parent")
    response = ApiClient().login("parent", TEST_PASSWORD, world.school.pk)
    assert response.status_code == 409
    assert "сторонних приложений" in response.json()["message"]


def test_without_an_app_password_nobody_signs_in(world):
    assert ApiClient().login("parent", TEST_PASSWORD, world.school.pk).status_code == 409


def test_wrong_app_password_is_409_and_audited(world, app_password):
    password = app_password("parent")
    response = ApiClient().login("parent", password + "x", world.school.pk)
    assert response.status_code == 409
    assert AuditEvent.objects.filter(action="webapi.login_failed").count() == 1


def test_revoked_app_password_stops_working(world, app_password):
    password = app_password("parent")
    services.app_password_revoke(user=world.users["parent"])
    assert ApiClient().login("parent", password, world.school.pk).status_code == 409


def test_a_new_app_password_replaces_the_old_one(world, app_password):
    old = app_password("parent")
    new = app_password("parent")
    assert ApiClient().login("parent", old, world.school.pk).status_code == 409
    assert ApiClient().login("parent", new, world.school.pk).status_code == 200
    assert AppPassword.objects.filter(user=world.users["parent"], revoked_at=None).count() == 1


@pytest.mark.parametrize("role", ["teacher", "admin", "homeroom", "inspector", "outsider"])
def test_staff_get_no_app_password_and_cannot_sign_in(world, role):
    user = world.users[role]
    with pytest.raises(PermissionError):
        services.app_password_create(user=user)
    # Even a row made behind the service's back does not open a diary.
    password = credentials.new_password()
    AppPassword.objects.create(
        user=user, secret=credentials.encrypt(credentials.password_md5(password))
    )
    assert ApiClient().login(role, password, world.school.pk).status_code == 409


def test_sign_in_to_a_school_without_the_familys_children_fails(world, app_password):
    password = app_password("parent")
    assert ApiClient().login("parent", password, world.other_school.pk).status_code == 409


def test_a_challenge_answers_one_attempt_only(world, app_password):
    password = app_password("parent")
    api = ApiClient()
    meta = api.post("auth/getdata").json()
    pw, pw2 = proof(password, meta["salt"])
    form = {"loginType": 1, "scid": world.school.pk, "un": "parent", "pw": pw, "pw2": pw2}
    form.update(lt=meta["lt"], ver=meta["ver"])
    assert api.post("login", form).status_code == 200
    assert api.post("login", form).status_code == 409


def test_an_old_challenge_is_refused(world, app_password):
    password = app_password("parent")
    api = ApiClient()
    with time_machine.travel(dt.datetime(2026, 11, 18, 12, 0), tick=False):
        meta = api.post("auth/getdata").json()
    pw, pw2 = proof(password, meta["salt"])
    with time_machine.travel(dt.datetime(2026, 11, 18, 12, 30), tick=False):
        response = api.post(
            "login",
            {"scid": world.school.pk, "un": "parent", "pw": pw, "pw2": pw2, "lt": meta["lt"]},
        )
    assert response.status_code == 409


def test_clients_without_cookies_sign_in_by_the_challenge_handle(world, app_password):
    password = app_password("parent")
    api = ApiClient()
    meta = api.post("auth/getdata").json()
    api.client.cookies.clear()
    pw, pw2 = proof(password, meta["salt"])
    response = api.post(
        "login", {"scid": world.school.pk, "un": "parent", "pw": pw, "pw2": pw2, "lt": meta["lt"]}
    )
    assert response.status_code == 200


def test_pw_alone_proves_the_password_too(world, app_password):
    password = app_password("parent")
    api = ApiClient()
    meta = api.post("auth/getdata").json()
    pw, _pw2 = proof(password, meta["salt"])
    response = api.post(
        "login", {"scid": world.school.pk, "un": "parent", "pw": pw, "lt": meta["lt"]}
    )
    assert response.status_code == 200


def test_too_many_logins_get_429_with_retry_after(world, app_password, settings):
    settings.WEBAPI_LOGIN_LIMIT_PER_LOGIN = 3
    password = app_password("parent")
    for _ in range(3):
        assert ApiClient().login("parent", "wrong", world.school.pk).status_code == 409
    response = ApiClient().login("parent", password, world.school.pk)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Слишком много попыток" in response.json()["message"]
    # Another login from the same address is not blocked by this one's limit.
    assert ApiClient().login("student", "wrong", world.school.pk).status_code == 409


def test_per_ip_limit(world, app_password, settings):
    settings.WEBAPI_LOGIN_LIMIT_PER_IP = 2
    for name in ("a", "b"):
        assert ApiClient().login(name, "x", world.school.pk).status_code == 409
    # The next sign-in is refused at its first step (the challenge) and at the sign-in itself.
    assert ApiClient().post("auth/getdata").status_code == 429
    direct = ApiClient().post("login", {"loginType": 1, "un": "c", "pw": "x", "pw2": "x"})
    assert direct.status_code == 429


def test_anonymous_challenges_are_limited_per_address_and_stop_writing_rows(world, settings):
    from ejournal.webapi.models import WebapiSession

    settings.WEBAPI_LOGIN_LIMIT_PER_IP = 5
    statuses = [ApiClient().post("auth/getdata").status_code for _ in range(8)]
    assert statuses == [200] * 5 + [429] * 3
    assert WebapiSession.objects.count() == 5
    refused = ApiClient().post("auth/getdata")
    assert int(refused["Retry-After"]) > 0
    assert "Слишком много попыток входа" in refused.json()["message"]


def test_app_password_is_stored_encrypted(world):
    item, password = services.app_password_create(user=world.users["parent"])
    h = credentials.password_md5(password)
    assert password not in item.secret and h not in item.secret
    assert credentials.decrypt(item.secret) == h
    tampered = item.secret[:-4] + ("AAAA" if not item.secret.endswith("AAAA") else "BBBB")
    assert credentials.decrypt(tampered) is None
    assert credentials.decrypt("not base64!") is None


def test_password_md5_uses_windows_1251():
    import hashlib

    cp1251 = b"\xef\xe0\xf0\xee\xeb\xfc"  # «пароль»
    assert credentials.password_md5("пароль") == hashlib.md5(cp1251).hexdigest()
    assert credentials.password_md5("пароль") == "749789e4982b0c563f6729aac100a614"


def test_stale_challenges_are_cleaned_up(world):
    with time_machine.travel(dt.datetime(2026, 11, 10, 12, 0), tick=False):
        ApiClient().post("auth/getdata")
    with time_machine.travel(dt.datetime(2026, 11, 18, 12, 0), tick=False):
        ApiClient().post("auth/getdata")
    assert WebapiSession.objects.count() == 1
