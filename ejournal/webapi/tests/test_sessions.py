"""Sessions: expiry and re-login as netschoolapi does it, revocation, compromised accounts."""

import datetime as dt

import time_machine
from django.utils import timezone

from ejournal.accounts import services as accounts
from ejournal.webapi import services
from ejournal.webapi.models import AppPassword, WebapiSession
from ejournal.webapi.tests.conftest import ApiClient


def _expire_all():
    WebapiSession.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))


def test_expired_session_is_401_and_a_relogin_keeps_the_cookie(world, app_password):
    password = app_password("parent")
    api = ApiClient()
    assert api.login("parent", password, world.school.pk).status_code == 200
    old_at, cookie = api.at, api.client.cookies["NSSESSIONID"].value
    _expire_all()
    assert api.get("student/diary/init").status_code == 401
    assert api.login("parent", password, world.school.pk).status_code == 200
    assert api.client.cookies["NSSESSIONID"].value == cookie
    assert api.at != old_at
    # netschoolapi re-sends the failed request with the old token: the live cookie admits it.
    api.at = old_at
    assert api.get("student/diary/init").status_code == 200


def test_old_token_without_the_cookie_stays_dead(world, app_password):
    password = app_password("parent")
    api = ApiClient()
    api.login("parent", password, world.school.pk)
    old_at = api.at
    _expire_all()
    api.login("parent", password, world.school.pk)
    stranger = ApiClient()
    stranger.at = old_at
    assert stranger.get("student/diary/init").status_code == 401


def test_idle_session_expires_and_use_slides_it(world, app_password):
    password = app_password("parent")
    api = ApiClient()
    start = dt.datetime(2026, 11, 18, 12, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        api.login("parent", password, world.school.pk)
    with time_machine.travel(start + dt.timedelta(minutes=20), tick=False):
        assert api.get("years/current").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=45), tick=False):
        assert api.get("years/current").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=80), tick=False):
        assert api.get("years/current").status_code == 401
    assert AppPassword.objects.get(revoked_at=None).last_used_at == start + dt.timedelta(minutes=45)


def test_revoking_the_app_password_ends_its_sessions(world, api_for):
    api = api_for("parent")
    services.app_password_revoke(user=world.users["parent"])
    assert api.get("student/diary/init").status_code == 401
    assert WebapiSession.objects.get().end_reason == "revoked"


def test_logout_everywhere_ends_webapi_sessions_too(world, api_for):
    api = api_for("parent")
    accounts.user_sign_out_everywhere(user=world.users["parent"])
    assert api.get("student/diary/init").status_code == 401


def test_deactivated_user_loses_access(world, api_for):
    api = api_for("student")
    world.users["student"].is_active = False
    world.users["student"].save()
    assert api.get("student/diary/init").status_code == 401


def test_compromised_account_loses_app_passwords_and_sessions(world, api_for):
    api = api_for("parent")
    services.revoke_for_account(world.users["parent"], actor=None, reason="тест")
    assert not AppPassword.objects.filter(revoked_at=None).exists()
    assert api.get("student/diary/init").status_code == 401


def test_the_compromise_hook_is_registered(world, api_for):
    from ejournal.core import registry
    from ejournal.people import compromise

    assert services.revoke_for_account in registry.ACCESS_REVOKERS.providers()
    api = api_for("parent")
    compromise.compromise_report(
        user=world.users["parent"],
        school=world.school,
        since=timezone.now() - dt.timedelta(hours=1),
        reported_by=world.users["admin"],
    )
    assert not AppPassword.objects.filter(revoked_at=None).exists()
    assert WebapiSession.objects.get().ended_at is not None
    assert api.get("student/diary/init").status_code == 401


def _resend_after_relogin(world, password, between):
    """netschoolapi's recovery: log in again from the same cookie jar, then re-send the
    old request with the old token."""
    api = ApiClient()
    assert api.login("parent", password, world.school.pk).status_code == 200
    old_at, cookie = api.at, api.client.cookies["NSSESSIONID"].value
    between(api)
    assert api.get("student/diary/init").status_code == 401
    assert api.login("parent", password, world.school.pk).status_code == 200
    assert api.client.cookies["NSSESSIONID"].value == cookie
    api.at = old_at
    assert api.get("student/diary/init").status_code == 200


def test_relogin_after_logout_from_the_same_client_recovers(world, app_password):
    _resend_after_relogin(world, app_password("parent"), lambda api: api.post("auth/logout"))


def test_relogin_after_the_session_row_was_cleaned_up_recovers(world, app_password):
    # A client idle for months: its session row is gone, its cookie jar is not.
    def forget(api):
        WebapiSession.objects.all().delete()

    _resend_after_relogin(world, app_password("parent"), forget)


def test_a_planted_cookie_does_not_become_the_victims_session(world, app_password):
    attacker = ApiClient()
    response = attacker.login("other_parent", app_password("other_parent"), world.school.pk)
    assert response.status_code == 200
    planted = attacker.client.cookies["NSSESSIONID"].value
    victim = ApiClient()
    victim.client.cookies["NSSESSIONID"] = planted
    assert victim.login("parent", app_password("parent"), world.school.pk).status_code == 200
    assert victim.client.cookies["NSSESSIONID"].value != planted
    attacker.at = ""
    init = attacker.get("student/diary/init")
    assert init.status_code == 401 or world.child.pk not in {
        s["studentId"] for s in init.json()["students"]
    }


def test_first_login_replaces_the_unsigned_challenge_cookie(world, app_password):
    api = ApiClient()
    api.post("auth/getdata")
    before = api.client.cookies["NSSESSIONID"].value
    assert api.login("parent", app_password("parent"), world.school.pk).status_code == 200
    after = api.client.cookies["NSSESSIONID"].value
    assert after != before and after.split(".")[1] == str(world.users["parent"].pk)
