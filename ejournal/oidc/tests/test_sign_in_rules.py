"""Who the provider's claims open, and the password sign-in of roles that must use it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from ejournal.accounts.models import Role
from ejournal.audit.models import AuditEvent
from ejournal.oidc import services
from ejournal.oidc.models import OidcLink, PersonIdentity
from ejournal.testing import factories as f
from ejournal.testing.factories import TEST_PASSWORD
from ejournal.testing.queries import exact_queries

ESIA = services.Provider(
    name="esia",
    label="Войти через Госуслуги",
    discovery_url="http://127.0.0.1:9/.well-known/openid-configuration",
    client_id="ejournal",
    client_secret="s",
)
PROVIDERS = [
    {
        "name": "esia",
        "label": "Войти через Госуслуги",
        "discovery_url": ESIA.discovery_url,
        "client_id": "ejournal",
        "client_secret": "s",
    }
]


@pytest.fixture
def parent(world):
    user = world.users["parent"]
    user.last_name, user.first_name, user.patronymic = "Петрова", "Анна", "Сергеевна"
    user.email = "anna@example.ru"
    user.save()
    PersonIdentity.objects.create(user=user, snils="11223344595", birth_date=dt.date(1985, 4, 12))
    return user


def _claims(**extra):
    return {"sub": "p-1", **extra}


def test_first_sign_in_matches_by_snils_and_links_the_subject(parent):
    user = services.oidc_sign_in(provider=ESIA, claims=_claims(snils="112-233-445 95"))
    assert user == parent
    assert OidcLink.objects.get(provider="esia", subject="p-1").user == parent
    assert AuditEvent.objects.filter(action="oidc.linked", actor=parent).exists()


def test_first_sign_in_matches_by_full_name_and_birth_date(parent):
    claims = _claims(
        family_name="петрова", given_name="Анна", middle_name="Сергеевна", birthdate="1985-04-12"
    )
    assert services.oidc_sign_in(provider=ESIA, claims=claims) == parent


def test_a_namesake_born_another_day_is_refused(parent):
    claims = _claims(
        family_name="Петрова", given_name="Анна", middle_name="Сергеевна", birthdate="1986-04-12"
    )
    with pytest.raises(services.SignInRefused, match="не нашли"):
        services.oidc_sign_in(provider=ESIA, claims=claims)
    assert AuditEvent.objects.filter(action="auth.oidc_refused", object_id="esia:p-1").exists()


def test_an_email_alone_never_matches(parent):
    with pytest.raises(services.SignInRefused):
        services.oidc_sign_in(provider=ESIA, claims=_claims(email="anna@example.ru"))
    assert not OidcLink.objects.exists()


def test_two_people_matching_the_same_claims_open_neither(parent, world):
    twin = f.UserFactory(last_name="Петрова", first_name="Анна", patronymic="Сергеевна")
    PersonIdentity.objects.create(user=twin, birth_date=dt.date(1985, 4, 12))
    claims = _claims(
        family_name="Петрова", given_name="Анна", middle_name="Сергеевна", birthdate="1985-04-12"
    )
    with pytest.raises(services.SignInRefused):
        services.oidc_sign_in(provider=ESIA, claims=claims)


def test_a_matching_rule_left_out_of_settings_is_not_used(parent, settings):
    settings.OIDC_MATCH_BY = ["snils"]
    claims = _claims(
        family_name="Петрова", given_name="Анна", middle_name="Сергеевна", birthdate="1985-04-12"
    )
    with pytest.raises(services.SignInRefused):
        services.oidc_sign_in(provider=ESIA, claims=claims)


def test_the_link_records_the_providers_acr_and_amr(parent):
    services.oidc_sign_in(
        provider=ESIA, claims=_claims(snils="11223344595", acr="urn:esia:loa:high", amr=["mfa"])
    )
    link = OidcLink.objects.get(user=parent)
    assert (link.last_acr, link.last_amr) == ("urn:esia:loa:high", ["mfa"])
    assert services.is_multi_factor({"amr": ["pwd", "otp"]})
    assert not services.is_multi_factor({"amr": ["pwd"]})


def test_sign_in_page_shows_one_button_per_provider(world, settings):
    settings.OIDC_PROVIDERS = PROVIDERS
    page = Client().get(reverse("accounts:login")).content.decode()
    assert "Войти через Госуслуги" in page
    assert reverse("oidc:start", args=["esia"]) in page


def test_sign_in_page_without_providers_shows_no_button(world):
    page = Client().get(reverse("accounts:login")).content.decode()
    assert "/oidc/" not in page


def test_provider_buttons_cost_no_queries(world, settings):
    with exact_queries(0):
        Client().get(reverse("accounts:login"))
    settings.OIDC_PROVIDERS = PROVIDERS * 3
    with exact_queries(0):
        Client().get(reverse("accounts:login"))


def test_an_unknown_provider_is_not_found(world, settings):
    settings.OIDC_PROVIDERS = PROVIDERS
    assert Client().get("/oidc/nowhere/start/").status_code == 404
    assert Client().get("/oidc/nowhere/callback/?code=x&state=y").status_code == 404


def test_a_role_that_must_use_the_provider_cannot_sign_in_with_a_password(world, settings):
    settings.OIDC_PROVIDERS = PROVIDERS
    settings.OIDC_REQUIRED_ROLES = [Role.DIRECTOR]
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "director", "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    assert "вход по паролю отключён" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Other roles still use their passwords.
    client.post(reverse("accounts:login"), {"username": "teacher", "password": TEST_PASSWORD})
    assert "_auth_user_id" in client.session


def test_required_roles_keep_passwords_while_no_provider_is_configured(world, settings):
    settings.OIDC_REQUIRED_ROLES = [Role.TEACHER]
    client = Client()
    client.post(reverse("accounts:login"), {"username": "teacher", "password": TEST_PASSWORD})
    assert "_auth_user_id" in client.session
