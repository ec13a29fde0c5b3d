"""Issue #22: account takeover across schools, and the other ways into an account.

The probe: the administrator of school 2 blocked, and through the reissue took over, a
teacher who teaches only in school 1 (her role in school 2 had been revoked). Each test
performs one step of the attack and checks that nothing about the account changed.
"""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from ejournal.accounts.models import (
    CompromiseReport,
    ConsentStatus,
    LettersJob,
    Role,
    RoleAssignment,
    StaffMember,
    User,
)
from ejournal.accounts.permissions import ACCOUNT_BEYOND_SCHOOL
from ejournal.api import services as api_services
from ejournal.diary import services as diary_services
from ejournal.diary.models import CalendarFeed
from ejournal.people import compromise
from ejournal.security.tests.conftest import enrol
from ejournal.testing import factories as f
from ejournal.testing.cross_school import OWN_PASSWORD, build_cross_school
from ejournal.webapi import services as webapi_services
from ejournal.webapi.models import AppPassword

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 10, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def scene(world):
    return build_cross_school(world)


def signed_in(username: str, password: str) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    assert response.status_code == 302 and "_auth_user_id" in client.session, username
    return client


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def state(user: User) -> tuple:
    user.refresh_from_db()
    roles = sorted(
        RoleAssignment.objects.filter(user=user).values_list("school_id", "role", "active")
    )
    return (user.password, user.is_active, user.session_epoch, user.must_change_password, roles)


def report_form(login: str) -> dict:
    since = timezone.localtime() - dt.timedelta(hours=1)
    return {"login": login, "since": since.strftime("%Y-%m-%dT%H:%M"), "note": "звонок"}


# --- the probe: school 2's administrator against a teacher of school 1 only -------------


def test_school2_admin_cannot_block_a_school1_teacher_with_a_revoked_school2_role(
    world, client_for, scene
):
    teacher = signed_in("uchiteleva", OWN_PASSWORD)
    before = state(scene.lone)
    response = client_for("outsider").post(
        reverse("people:compromise_list"), report_form("uchiteleva")
    )
    assert ACCOUNT_BEYOND_SCHOOL in response.content.decode()
    assert state(scene.lone) == before
    assert not CompromiseReport.objects.exists()
    assert teacher.get("/").status_code == 200


def test_the_compromise_service_refuses_it_too(world, scene):
    with pytest.raises(Exception, match="не только в вашей школе"):
        compromise.compromise_report(
            user=scene.lone,
            school=world.other_school,
            since=timezone.now() - dt.timedelta(hours=1),
            reported_by=world.users["outsider"],
        )
    assert scene.lone.is_active


def test_school2_admin_cannot_reissue_from_an_old_report(world, client_for, scene):
    # A report filed in school 2 before the rule existed: the reissue is still refused.
    report = CompromiseReport.objects.create(
        school=world.other_school,
        user=scene.lone,
        reported_by=world.users["outsider"],
        since=timezone.now() - dt.timedelta(hours=2),
    )
    before = state(scene.lone)
    response = client_for("outsider").post(
        reverse("people:compromise_reissue", args=[report.pk]), follow=True
    )
    assert response["Content-Type"].startswith("text/html")
    assert ACCOUNT_BEYOND_SCHOOL in response.content.decode()
    assert state(scene.lone) == before
    signed_in("uchiteleva", OWN_PASSWORD)


def test_school2_admin_cannot_issue_a_password_to_her_school2_staff_row(world, client_for, scene):
    before = state(scene.lone)
    url = reverse("school:staff_password", args=[scene.lone_in_school2.pk])
    response = client_for("outsider").post(url, {"letter": "1"}, follow=True)
    assert response["Content-Type"].startswith("text/html")
    assert ACCOUNT_BEYOND_SCHOOL in response.content.decode()
    assert state(scene.lone) == before
    signed_in("uchiteleva", OWN_PASSWORD)


def test_school2_admin_cannot_give_her_the_revoked_role_back(world, client_for, scene):
    before = state(scene.lone)
    url = reverse("school:staff_role_grant", args=[scene.lone_in_school2.pk])
    response = client_for("outsider").post(url, {"role": Role.TEACHER}, follow=True)
    assert ACCOUNT_BEYOND_SCHOOL in response.content.decode()
    assert state(scene.lone) == before


def test_school2_admin_cannot_reset_her_two_factor(world, client_for, scene):
    device = enrol(scene.lone)
    before = state(scene.lone)
    response = client_for("outsider").post(
        reverse("security:school_policy"),
        {"action": "reset", "staff": scene.lone_in_school2.pk},
        follow=True,
    )
    assert ACCOUNT_BEYOND_SCHOOL in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert state(scene.lone) == before


def test_school1_admin_still_manages_her_own_teacher(world, client_for, scene):
    url = reverse(
        "school:staff_password",
        args=[StaffMember.objects.get(school=world.school, user=scene.lone).pk],
    )
    response = client_for("admin").post(url)
    password = response.context["password"]
    signed_in("uchiteleva", password)


# --- an account active in two schools: neither school, only the support service ---------


@pytest.mark.parametrize("school_admin", ["admin", "outsider"])
def test_neither_school_blocks_or_reissues_a_two_school_account(
    world, client_for, scene, school_admin
):
    before = state(scene.shared)
    client = client_for(school_admin)
    page = client.post(reverse("people:compromise_list"), report_form("obshchaya"))
    assert ACCOUNT_BEYOND_SCHOOL in page.content.decode()
    own_row = scene.shared_in_school1 if school_admin == "admin" else scene.shared_in_school2
    client.post(reverse("school:staff_password", args=[own_row.pk]))
    assert state(scene.shared) == before
    signed_in("obshchaya", OWN_PASSWORD)


def test_support_blocks_a_two_school_account_with_an_act_per_school_and_reissues_it(world, scene):
    teacher = signed_in("obshchaya", OWN_PASSWORD)
    support = as_user(scene.support)
    page = support.get(reverse("people:support_accounts"))
    assert page.status_code == 200
    response = support.post(
        reverse("people:support_accounts"),
        {f"report-{k}": v for k, v in report_form("obshchaya").items()},
    )
    assert response.status_code == 302
    reports = CompromiseReport.objects.filter(user=scene.shared)
    assert {r.school_id for r in reports} == {world.school.pk, world.other_school.pk}
    scene.shared.refresh_from_db()
    assert not scene.shared.is_active
    assert teacher.get("/").status_code == 302  # the session ended
    # Each school reads its own act; neither may unblock the account.
    admin_page = as_user(world.users["admin"]).get(
        reverse("people:compromise_detail", args=[reports.get(school=world.school).pk])
    )
    assert "служба технической поддержки" in admin_page.content.decode()
    letter = support.post(reverse("people:support_reissue"), {"reissue-login": "obshchaya"})
    assert letter["Content-Type"] == "application/pdf"
    scene.shared.refresh_from_db()
    assert scene.shared.is_active and scene.shared.must_change_password
    assert (
        Client()
        .post(reverse("accounts:login"), {"username": "obshchaya", "password": OWN_PASSWORD})
        .status_code
        == 200
    )  # the old password no longer signs in


def test_support_of_another_municipality_cannot_touch_the_account(world, scene):
    before = state(scene.shared)
    far = as_user(scene.far_support)
    page = far.post(
        reverse("people:support_accounts"),
        {f"report-{k}": v for k, v in report_form("obshchaya").items()},
    )
    assert "нет действующей учётной записи" in page.content.decode()
    far.post(reverse("people:support_reissue"), {"reissue-login": "obshchaya"})
    assert state(scene.shared) == before


@pytest.mark.parametrize("role", ["admin", "director", "teacher", "parent", "outsider"])
def test_support_pages_are_refused_to_school_roles(client_for, world, role):
    assert client_for(role).get(reverse("people:support_accounts")).status_code == 404
    assert client_for(role).post(reverse("people:support_reissue")).status_code == 404


def test_support_page_query_count_does_not_grow(world, scene, django_assert_max_num_queries):
    support = as_user(scene.support)
    support.get(reverse("people:support_accounts"))
    since = timezone.now() - dt.timedelta(hours=1)
    for i in range(3):
        user = f.UserFactory(username=f"blocked{i}")
        f.grant(user, Role.PARENT, world.school)
        compromise.compromise_report(
            user=user, school=world.school, since=since, reported_by=world.users["admin"]
        )
    with django_assert_max_num_queries(12) as few:
        support.get(reverse("people:support_accounts"))
    for i in range(3, 30):
        user = f.UserFactory(username=f"blocked{i}")
        f.grant(user, Role.PARENT, world.school)
        compromise.compromise_report(
            user=user, school=world.school, since=since, reported_by=world.users["admin"]
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = support.get(reverse("people:support_accounts"))
    assert page.content.decode().count("blocked") == 30


# --- a parent with children in two schools: letters and consent ------------------------


@pytest.fixture
def two_school_parent(world):
    """A parent of 5А in school 1 whose other child is in school 2."""
    parent = world.users["parent"]
    year = f.YearFactory(school=world.other_school)
    klass = f.ClassFactory(school=world.other_school, year=year, grade=2, letter="А")
    child = f.StudentFactory(school=world.other_school, last_name="Младший")
    f.enroll(child, klass)
    guardian = f.GuardianFactory(school=world.other_school, user=parent, last_name="Двухшкольная")
    f.link_guardian(child, guardian)
    f.grant(parent, Role.PARENT, world.other_school)
    return klass, guardian


def test_school2_letters_skip_a_parent_active_in_school1_and_say_so(
    world, client_for, two_school_parent, run_tasks
):
    klass, _ = two_school_parent
    before = state(world.users["parent"])
    admin2 = client_for("outsider")
    confirm = admin2.get(reverse("people:class_credentials", args=[klass.pk]))
    assert "Двухшкольная" in confirm.content.decode()  # listed among those skipped
    with run_tasks():
        admin2.post(reverse("people:class_credentials", args=[klass.pk]), {"confirm": "on"})
    job = LettersJob.objects.get(school_class=klass)
    assert job.status == "done" and job.letters == 1  # the child only
    assert state(world.users["parent"]) == before


def test_consent_revoked_in_school2_ends_only_school2s_part_of_the_account(
    world, client_for, two_school_parent
):
    klass, guardian = two_school_parent
    child = guardian.students.get()
    client_for("outsider").post(
        reverse("people:consent_record", args=[child.pk, guardian.pk]),
        {
            f"g{guardian.pk}-status": ConsentStatus.REVOKED,
            f"g{guardian.pk}-date": "2026-11-10",
            f"g{guardian.pk}-document": "заявление № 5",
        },
    )
    parent = User.objects.get(pk=world.users["parent"].pk)
    assert parent.is_active and parent.has_usable_password() and parent.last_name
    assert RoleAssignment.objects.get(user=parent, school=world.school).active
    assert not RoleAssignment.objects.get(user=parent, school=world.other_school).active


# --- class letters: confirmed first ------------------------------------------------------


def test_class_letters_without_confirmation_change_nothing(world, client_for, run_tasks):
    with run_tasks():
        client_for("homeroom").post(
            reverse("people:class_credentials", args=[world.school_class.pk]), {"confirm": "on"}
        )
    assert LettersJob.objects.get().letters == 4
    before = state(world.users["parent"])
    response = client_for("homeroom").post(
        reverse("people:class_credentials", args=[world.school_class.pk])
    )
    assert response["Content-Type"].startswith("text/html")
    assert "Подтвердите" in response.content.decode()
    assert state(world.users["parent"]) == before


def test_class_letters_confirmation_query_count_does_not_grow(
    world, client_for, django_assert_max_num_queries
):
    url = reverse("people:class_credentials", args=[world.school_class.pk])
    client = client_for("homeroom")
    client.get(url)
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    for i in range(27):
        student = f.StudentFactory(school=world.school, last_name=f"Новый{i}")
        f.enroll(student, world.school_class)
        f.link_guardian(student, f.GuardianFactory(school=world.school))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert "учеников — 30" in page.content.decode()


# --- other ways in end with a compromise or a new password, for good --------------------


def _ways_in(user) -> tuple[str, str]:
    feed = diary_services.calendar_feed_renew(user=user)
    webapi_services.app_password_create(user=user)
    _, raw = api_services.token_issue(user=user, actor=user, name="т", scope="read", days=30)
    return reverse("diary:ical", kwargs={"token": feed.token}), raw


def _assert_ways_in_closed(user, feed_url: str, raw_token: str) -> None:
    assert Client().get(feed_url).status_code == 404
    assert not CalendarFeed.objects.filter(user=user).exists()
    assert not AppPassword.objects.filter(user=user, revoked_at=None).exists()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw_token}")
    assert api.get("/api/v1/me").status_code == 401


def test_compromise_revokes_the_feed_app_password_and_tokens_and_the_reissue_brings_none_back(
    world, client_for
):
    parent = world.users["parent"]
    feed_url, raw = _ways_in(parent)
    assert Client().get(feed_url).status_code == 200
    admin = client_for("admin")
    admin.post(reverse("people:compromise_list"), report_form("parent"))
    report = CompromiseReport.objects.get(user=parent)
    _assert_ways_in_closed(parent, feed_url, raw)
    letter = admin.post(reverse("people:compromise_reissue", args=[report.pk]))
    assert letter["Content-Type"] == "application/pdf"
    _assert_ways_in_closed(parent, feed_url, raw)


def test_class_letters_revoke_the_familys_tokens_app_passwords_and_feeds(
    world, client_for, run_tasks
):
    parent = world.users["parent"]
    feed_url, raw = _ways_in(parent)
    with run_tasks():
        client_for("homeroom").post(
            reverse("people:class_credentials", args=[world.school_class.pk]), {"confirm": "on"}
        )
    _assert_ways_in_closed(parent, feed_url, raw)


# --- two-factor follows role changes ------------------------------------------------------


def test_granting_a_role_that_needs_a_code_ends_the_sessions_opened_without_one(world, client_for):
    operator = signed_in("operator", f.TEST_PASSWORD)
    assert operator.get("/").status_code == 200
    client_for("admin").post(
        reverse("school:staff_role_grant", args=[world.staff["operator"].pk]),
        {"role": Role.DEPUTY},
    )
    response = operator.get(reverse("security:alerts"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url
    again = Client()
    step = again.post(
        reverse("accounts:login"), {"username": "operator", "password": f.TEST_PASSWORD}
    )
    assert step.url == reverse("security:two_factor_setup")


def test_requiring_the_code_of_teachers_ends_their_sessions(world, client_for):
    teacher = signed_in("teacher", f.TEST_PASSWORD)
    client_for("admin").post(reverse("security:school_policy"), {"teachers_required": "on"})
    assert teacher.get("/").status_code == 302


# --- re-authentication -------------------------------------------------------------------


def test_voluntary_password_change_asks_for_the_current_password(world, scene):
    teacher = signed_in("uchiteleva", OWN_PASSWORD)
    url = reverse("accounts:password_change")
    new = {"new_password1": "Новый-пароль-Ирины-77", "new_password2": "Новый-пароль-Ирины-77"}
    missing = teacher.post(url, new)
    assert "Обязательное поле" in missing.content.decode()
    wrong = teacher.post(url, {**new, "current_password": "чужая догадка"})
    assert "Текущий пароль введён неверно" in wrong.content.decode()
    signed_in("uchiteleva", OWN_PASSWORD)
    done = teacher.post(url, {**new, "current_password": OWN_PASSWORD})
    assert done.status_code == 302
    signed_in("uchiteleva", "Новый-пароль-Ирины-77")


def test_forced_change_after_a_one_time_password_keeps_its_fields(world, client_for):
    response = client_for("admin").post(
        reverse("school:staff_password", args=[world.staff["teacher"].pk])
    )
    client = signed_in("teacher", response.context["password"])
    page = client.get(reverse("accounts:password_change"))
    assert "current_password" not in page.content.decode()
    done = client.post(
        reverse("accounts:password_change"),
        {"new_password1": "Новый-пароль-учителя-7", "new_password2": "Новый-пароль-учителя-7"},
    )
    assert done.url == reverse("accounts:home")


def test_turning_off_two_factor_needs_the_password_and_a_code(world, client_for):
    enrol(world.users["teacher"])
    client = client_for("teacher")
    client.post(reverse("security:two_factor"), {"action": "disable"})
    client.post(
        reverse("security:two_factor"),
        {"action": "disable", "password": f.TEST_PASSWORD, "code": "000000"},
    )
    assert TOTPDevice.objects.filter(user=world.users["teacher"]).exists()


# --- a student role with no pupil profile --------------------------------------------------


def test_student_role_without_a_pupil_profile_gets_a_page_not_a_server_error(world):
    user = f.UserFactory(username="lonely-student")
    f.grant(user, Role.STUDENT, world.school)
    response = as_user(user).get("/")
    assert response.status_code == 200
    assert "не связана с карточкой ученика" in response.content.decode()
