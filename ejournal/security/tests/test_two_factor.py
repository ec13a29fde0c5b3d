import time

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ejournal.accounts import two_factor
from ejournal.audit.models import AuditEvent
from ejournal.security.models import UserSession
from ejournal.security.tests.conftest import enrol, totp_now
from ejournal.testing.factories import TEST_PASSWORD


def _password(client, username, next_url=""):
    url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": username, "password": TEST_PASSWORD})


@pytest.mark.parametrize("role", ["admin", "director", "deputy"])
def test_management_roles_must_enrol_before_they_get_a_session(world, role, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    client = Client()
    response = _password(client, role)
    assert response.status_code == 302
    assert response.url == reverse("security:two_factor_setup")
    assert "_auth_user_id" not in client.session
    # Nothing else is reachable with the password alone.
    assert client.get("/").status_code == 302
    page = client.get(reverse("security:two_factor_setup"))
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=world.users[role], confirmed=False)
    wrong = client.post(reverse("security:two_factor_setup"), {"code": "000000"})
    assert "Код не подошёл" in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    done = client.post(reverse("security:two_factor_setup"), {"code": totp_now(device)})
    assert done.url == reverse("security:recovery_codes")
    assert client.session["_auth_user_id"] == str(world.users[role].pk)
    codes_page = client.get(reverse("security:recovery_codes")).content.decode()
    codes = list(
        StaticToken.objects.filter(device__user=world.users[role]).values_list("token", flat=True)
    )
    assert len(codes) == 10 and all(code in codes_page for code in codes)
    # Shown once: a second visit does not show them again.
    again = client.get(reverse("security:recovery_codes"))
    assert again.status_code == 302
    assert AuditEvent.objects.filter(
        action="auth.two_factor_enabled", actor=world.users[role]
    ).exists()
    assert UserSession.objects.get(user=world.users[role]).two_factor


def test_enrolled_user_signs_in_with_a_code_and_lands_on_next(world, settings):
    # django-otp slows down guessing after a wrong code; not what this test is about.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = enrol(world.users["deputy"])
    client = Client()
    response = _password(client, "deputy", next_url="/profile/")
    assert response.url == reverse("security:two_factor_verify")
    assert "_auth_user_id" not in client.session
    bad = client.post(reverse("security:two_factor_verify"), {"code": "123456"})
    assert bad.status_code == 200 and "Код не подошёл" in bad.content.decode()
    ok = client.post(reverse("security:two_factor_verify"), {"code": totp_now(device)})
    assert ok.status_code == 302 and ok.url == "/profile/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.sign_in", actor=world.users["deputy"]).exists()


def test_recovery_code_works_once(world):
    user = world.users["admin"]
    enrol(user)
    codes = two_factor._new_recovery_codes(user)
    first = Client()
    _password(first, "admin")
    assert first.post(reverse("security:two_factor_verify"), {"code": codes[0]}).status_code == 302
    assert "_auth_user_id" in first.session
    second = Client()
    _password(second, "admin")
    response = second.post(reverse("security:two_factor_verify"), {"code": codes[0]})
    assert response.status_code == 200
    assert "_auth_user_id" not in second.session
    assert two_factor.recovery_codes_left(user) == 9


def test_code_step_expires(world, settings):
    enrol(world.users["admin"])
    client = Client()
    with time_machine.travel(time.time(), tick=False) as traveller:
        _password(client, "admin")
        traveller.shift(settings.TWO_FACTOR_PENDING_MINUTES * 60 + 1)
        response = client.get(reverse("security:two_factor_verify"))
    assert response.status_code == 302 and response.url == reverse("accounts:login")


def test_guessing_codes_is_rate_limited_with_429(world):
    enrol(world.users["director"])
    client = Client()
    _password(client, "director")
    statuses = [
        client.post(reverse("security:two_factor_verify"), {"code": "000000"}).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    # The pending sign-in is dropped: the password is needed again.
    assert client.get(reverse("security:two_factor_verify")).status_code == 302


def test_teachers_without_school_requirement_sign_in_with_password_only(world):
    client = Client()
    response = _password(client, "teacher")
    assert response.status_code == 302 and response.url == "/"
    assert "_auth_user_id" in client.session


def test_school_setting_makes_it_mandatory_for_teachers(world):
    world.school.teachers_two_factor_required = True
    world.school.save()
    client = Client()
    assert _password(client, "teacher").url == reverse("security:two_factor_setup")
    # Parents are not affected.
    parent = Client()
    assert _password(parent, "parent").url == "/"


def test_teacher_may_enable_and_disable_it_voluntarily(world, client_for):
    client = client_for("teacher")
    page = client.get(reverse("security:two_factor"))
    assert "Вход с кодом выключен" in page.content.decode()
    client.get(reverse("security:two_factor_setup"))
    device = TOTPDevice.objects.get(user=world.users["teacher"])
    response = client.post(reverse("security:two_factor_setup"), {"code": totp_now(device)})
    assert response.url == reverse("security:recovery_codes")
    assert two_factor.is_enrolled(world.users["teacher"])
    # Next sign-in asks for the code.
    assert _password(Client(), "teacher").url == reverse("security:two_factor_verify")
    # Turning it off takes the current password and a current code.
    device.refresh_from_db()
    refused = client.post(
        reverse("security:two_factor"),
        {"action": "disable", "password": "не тот пароль", "code": totp_now(device, offset=30)},
    )
    assert "Текущий пароль введён неверно" in refused.content.decode()
    assert two_factor.is_enrolled(world.users["teacher"])
    client.post(
        reverse("security:two_factor"),
        {"action": "disable", "password": TEST_PASSWORD, "code": totp_now(device, offset=30)},
    )
    assert not two_factor.is_enrolled(world.users["teacher"])


def test_required_roles_cannot_disable_it(world, client_for):
    enrol(world.users["deputy"])
    client = client_for("deputy")
    response = client.post(reverse("security:two_factor"), {"action": "disable"}, follow=True)
    assert "обязателен" in response.content.decode()
    assert two_factor.is_enrolled(world.users["deputy"])


def test_recovery_codes_can_be_regenerated_and_are_shown_once(world, client_for):
    enrol(world.users["deputy"])
    old = two_factor._new_recovery_codes(world.users["deputy"])
    client = client_for("deputy")
    page = client.post(reverse("security:recovery_codes"))
    new = list(
        StaticToken.objects.filter(device__user=world.users["deputy"]).values_list(
            "token", flat=True
        )
    )
    assert set(new).isdisjoint(old)
    assert all(code in page.content.decode() for code in new)


def test_profile_shows_the_two_factor_and_sessions_sections(world, client_for):
    page = client_for("deputy").get(reverse("accounts:profile")).content.decode()
    assert "Двухфакторная аутентификация" in page and "обязателен" in page
    assert "Мои сеансы" in page


def test_django_admin_login_goes_through_our_sign_in(world):
    response = Client().get("/django-admin/login/?next=/django-admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_admin_site_is_ours_and_sends_back_to_the_admin_after_sign_in(world):
    from django.contrib import admin

    from ejournal.accounts.admin_site import EjournalAdminSite

    assert isinstance(admin.site, EjournalAdminSite)
    response = Client().get("/django-admin/")
    assert response.status_code == 302
    login = Client().get(response.url)  # the admin's login page: ours, with next
    assert login.status_code == 302
    assert login.url == f"{reverse('accounts:login')}?next=%2Fdjango-admin%2F"


@pytest.mark.parametrize("url_name", ["security:two_factor", "security:recovery_codes"])
def test_anonymous_is_sent_to_sign_in(world, client_for, url_name):
    response = client_for("anonymous").get(reverse(url_name))
    assert response.status_code == 302 and "/login/" in response.url


def test_code_pages_without_a_pending_sign_in_send_to_login(world):
    for name in ("security:two_factor_verify", "security:two_factor_setup"):
        response = Client().get(reverse(name))
        assert response.status_code == 302 and response.url == reverse("accounts:login")


@pytest.mark.parametrize(
    "role,status",
    [("admin", 200), ("deputy", 404), ("director", 404), ("teacher", 404), ("parent", 404)],
)
def test_only_the_school_administrator_sets_the_teacher_policy(world, client_for, role, status):
    assert client_for(role).get(reverse("security:school_policy")).status_code == status


def test_an_administrator_of_another_school_sees_only_that_school(world, client_for):
    page = client_for("outsider").get(reverse("security:school_policy")).content.decode()
    assert "СОШ №2" in page and "СОШ №1" not in page


def test_administrator_turns_on_the_code_for_teachers_and_it_is_audited(world, client_for):
    client_for("admin").post(reverse("security:school_policy"), {"teachers_required": "on"})
    world.school.refresh_from_db()
    assert world.school.teachers_two_factor_required
    assert AuditEvent.objects.filter(action="school.two_factor_policy_changed").exists()
    assert two_factor.is_required(world.users["teacher"])
    assert not two_factor.is_required(world.users["parent"])


def test_administrator_resets_a_lost_phone_and_the_user_enrols_again(world, client_for):
    user = world.users["deputy"]
    enrol(user)
    victim_session = client_for("deputy")
    admin = client_for("admin")
    staff = world.staff["deputy"]
    page = admin.get(reverse("security:school_policy")).content.decode()
    assert staff.full_name in page
    admin.post(reverse("security:school_policy"), {"action": "reset", "staff": staff.pk})
    assert not two_factor.is_enrolled(user)
    assert AuditEvent.objects.filter(
        action="auth.two_factor_reset", actor=world.users["admin"]
    ).exists()
    assert victim_session.get("/").status_code == 302  # sessions ended
    assert _password(Client(), "deputy").url == reverse("security:two_factor_setup")


def test_administrator_cannot_reset_staff_of_another_school(world, client_for):
    outsider_staff = world.users["outsider"].staff_profiles.get()
    enrol(world.users["outsider"])
    response = client_for("admin").post(
        reverse("security:school_policy"), {"action": "reset", "staff": outsider_staff.pk}
    )
    assert response.status_code == 404
    assert two_factor.is_enrolled(world.users["outsider"])


def test_school_policy_page_query_count_does_not_grow_with_enrolled_staff(
    world, client_for, django_assert_max_num_queries
):
    from ejournal.testing import factories as f

    client = client_for("admin")
    client.get("/")
    enrol(world.users["deputy"])
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("security:school_policy"))
    for _ in range(10):
        enrol(f.StaffFactory(school=world.school).user)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("security:school_policy")).content.decode()
    assert page.count("<option") == 11


def test_two_factor_page_reads_a_constant_number_of_queries(
    world, client_for, django_assert_max_num_queries
):
    enrol(world.users["deputy"])
    two_factor._new_recovery_codes(world.users["deputy"])
    client = client_for("deputy")
    client.get("/")
    with django_assert_max_num_queries(10):
        page = client.get(reverse("security:two_factor")).content.decode()
    assert "Резервных кодов осталось: 10" in page
