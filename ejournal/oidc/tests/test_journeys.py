"""The OpenID Connect journeys against a real provider (npm ``oidc-provider``) that the
test starts on 127.0.0.1; only the browser is stood in for, by plain HTTP."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from ejournal.audit.models import AuditEvent
from ejournal.oidc.models import OidcLink, PersonIdentity
from ejournal.oidc.tests.provider import CLIENT_ID, CLIENT_SECRET, Browser, RunningProvider
from ejournal.security.models import UserSession

pytestmark = pytest.mark.slow

PARENT_CLAIMS = {
    "snils": "112-233-445 95",
    "family_name": "Петрова",
    "given_name": "Анна",
    "middle_name": "Сергеевна",
    "birthdate": "1985-04-12",
}
DEPUTY_CLAIMS = {"snils": "200-300-400 11", "family_name": "Завуч", "given_name": "Ирина"}
# Signed in at ЕСИА with a confirmed account and a one-time code.
DIRECTOR_CLAIMS = {"snils": "300-400-500 22", "acr": "urn:esia:loa:high", "amr": ["pwd", "otp"]}
STRANGER_CLAIMS = {
    "snils": "987-654-321 00",
    "family_name": "Сидоров",
    "given_name": "Пётр",
    "birthdate": "1979-01-30",
}


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    running = RunningProvider(
        accounts={
            "parent-at-esia": PARENT_CLAIMS,
            "deputy-at-esia": DEPUTY_CLAIMS,
            "director-at-esia": DIRECTOR_CLAIMS,
            "stranger-at-esia": STRANGER_CLAIMS,
        },
        redirect_uris=[
            "http://testserver/oidc/esia/callback/",
            "http://testserver/oidc/spoiled/callback/",
        ],
        logout_uris=["http://testserver/login/"],
        tmp=tmp_path_factory.mktemp("oidc"),
    )
    yield running
    running.stop()


@pytest.fixture
def configured(settings, provider):
    def entry(name, label, url):
        return {
            "name": name,
            "label": label,
            "discovery_url": url,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        }

    settings.OIDC_PROVIDERS = [
        entry("esia", "Войти через Госуслуги", provider.discovery_url()),
        entry("spoiled", "Войти через испорченный провайдер", provider.discovery_url(spoiled=True)),
    ]
    return provider


@pytest.fixture
def parent(world):
    user = world.users["parent"]
    user.last_name, user.first_name, user.patronymic = "Петрова", "Анна", "Сергеевна"
    user.save()
    PersonIdentity.objects.create(user=user, snils="11223344595", birth_date=dt.date(1985, 4, 12))
    return user


def _sign_in(client: Client, browser: Browser, *, provider: str = "esia", login: str):
    """Our start page → the provider's login and consent → back to our callback."""
    start = client.get(f"/oidc/{provider}/start/")
    assert start.status_code == 302
    back = browser.walk(start["Location"], login=login)
    assert back.startswith(f"http://testserver/oidc/{provider}/callback/?")
    return back.removeprefix("http://testserver"), client.get(
        back.removeprefix("http://testserver")
    )


def test_parent_signs_in_through_the_provider_and_lands_on_the_start_page(configured, parent):
    client, browser = Client(), Browser()
    _, response = _sign_in(client, browser, login="parent-at-esia")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(parent.pk)
    assert client.get("/").status_code == 200
    link = OidcLink.objects.get(provider="esia", subject="parent-at-esia")
    assert link.user == parent
    event = AuditEvent.objects.get(action="auth.sign_in_oidc", actor=parent)
    assert event.reason == "вход через Госуслуги"


def test_a_linked_parent_signs_in_again_by_subject_alone(configured, parent):
    _sign_in(Client(), Browser(), login="parent-at-esia")
    PersonIdentity.objects.filter(user=parent).delete()  # the match is not needed any more
    client = Client()
    _sign_in(client, Browser(), login="parent-at-esia")
    assert client.session["_auth_user_id"] == str(parent.pk)


def test_a_stranger_is_refused_in_russian_logged_and_no_account_is_made(configured, parent):
    from ejournal.accounts.models import User

    users_before = User.objects.count()
    client = Client()
    _, response = _sign_in(client, Browser(), login="stranger-at-esia")
    assert response.status_code == 302 and response["Location"] == "/login/"
    page = client.get("/login/").content.decode()
    assert "Мы не нашли вашу учётную запись" in page
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == users_before
    assert not OidcLink.objects.exists()
    assert AuditEvent.objects.filter(
        action="auth.oidc_refused", object_id="esia:stranger-at-esia"
    ).exists()


def test_a_blocked_account_is_not_let_in_through_the_provider(configured, parent):
    parent.is_active = False
    parent.save()
    client = Client()
    _sign_in(client, Browser(), login="parent-at-esia")
    assert "_auth_user_id" not in client.session
    assert "заблокирована" in client.get("/login/").content.decode()


def test_a_tampered_id_token_is_refused(configured, parent):
    client = Client()
    _, response = _sign_in(client, Browser(), provider="spoiled", login="parent-at-esia")
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session
    assert "не прошёл проверку" in client.get("/login/").content.decode()
    assert AuditEvent.objects.filter(action="auth.oidc_failed", object_id="spoiled").exists()
    assert not OidcLink.objects.exists()


def test_a_replayed_state_is_refused(configured, parent):
    client = Client()
    callback, _ = _sign_in(client, Browser(), login="parent-at-esia")
    client.post("/logout/")
    # The same callback URL again, in the same browser and in another one.
    for again in (client, Client()):
        response = again.get(callback)
        assert response["Location"] == "/login/"
        assert "_auth_user_id" not in again.session
    assert AuditEvent.objects.filter(action="auth.oidc_failed", object_id="esia").count() == 2


def test_logout_ends_our_session_and_the_providers(configured, parent):
    client, browser = Client(), Browser()
    _sign_in(client, browser, login="parent-at-esia")
    # While the provider's session lives, a new sign-in goes through without a login form.
    again = Client().get("/oidc/esia/start/")
    assert browser.walk(again["Location"]).startswith("http://testserver/oidc/esia/callback/")
    assert "ejournal_oidc_provider" in client.session

    response = client.post("/oidc/logout/")
    assert "_auth_user_id" not in client.session
    assert response["Location"].startswith(configured.issuer)
    assert browser.walk(response["Location"]) == "http://testserver/login/"
    assert AuditEvent.objects.filter(action="auth.sign_out", actor=parent).exists()

    after = Client().get("/oidc/esia/start/")
    assert browser.walk(after["Location"]) == "login-form"


@pytest.fixture
def deputy(world):
    user = world.users["deputy"]
    PersonIdentity.objects.create(user=user, snils="20030040011")
    return user


def test_staff_who_must_give_a_code_give_ours_after_the_provider(configured, deputy):
    client = Client()
    _, response = _sign_in(client, Browser(), login="deputy-at-esia")
    assert response["Location"] == reverse("security:two_factor_setup")
    assert "_auth_user_id" not in client.session


def test_staff_required_to_use_the_provider_take_its_second_factor(configured, deputy, settings):
    settings.OIDC_REQUIRED_ROLES = ["deputy"]
    client = Client()
    _, response = _sign_in(client, Browser(), login="deputy-at-esia")
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(deputy.pk)


def test_the_providers_two_factors_stand_in_for_ours_and_are_recorded(configured, world):
    director = world.users["director"]
    PersonIdentity.objects.create(user=director, snils="30040050022")
    client = Client()
    _, response = _sign_in(client, Browser(), login="director-at-esia")
    assert response["Location"] == "/"
    link = OidcLink.objects.get(user=director)
    assert (link.last_acr, link.last_amr) == ("urn:esia:loa:high", ["pwd", "otp"])
    event = AuditEvent.objects.get(action="auth.sign_in_oidc", actor=director)
    assert event.after["amr"] == ["pwd", "otp"]
    session = UserSession.objects.get(session_key=client.session.session_key)
    assert session.two_factor
