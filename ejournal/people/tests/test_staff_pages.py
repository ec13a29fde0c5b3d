"""The staff section: employees, one-time passwords and roles (administrator only)."""

import pytest
from django.test import Client
from django.urls import reverse

from ejournal.accounts.models import Role, RoleAssignment, StaffMember, User
from ejournal.audit.models import AuditEvent
from ejournal.school.tests.structure_helpers import (
    ALL_ROLES,
    audit_actions,
    db_state,
    expected_status,
    query_count,
)
from ejournal.testing import factories as f

ADMIN_ONLY = {"admin"}


def _pages(world):
    staff_id = world.staff["teacher"].pk
    return [
        reverse("school:staff_list"),
        reverse("school:staff_create"),
        reverse("school:staff_detail", args=[staff_id]),
        reverse("school:staff_edit", args=[staff_id]),
    ]


@pytest.mark.parametrize("role", ALL_ROLES)
def test_staff_pages_open_for_admin_only(client_for, world, role):
    client = client_for(role)
    for url in _pages(world):
        response = client.get(url)
        expected = expected_status(role, ADMIN_ONLY)
        if role == "outsider" and url in (
            reverse("school:staff_list"),
            reverse("school:staff_create"),
        ):
            expected = 200  # their own school's list and form
        assert response.status_code == expected, url
        if role == "anonymous":
            assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", sorted(set(ALL_ROLES) - ADMIN_ONLY))
def test_staff_writes_are_refused_to_everyone_but_admin(client_for, world, role):
    client = client_for(role)
    staff = world.staff["teacher"]
    state = db_state()
    posts = [
        (reverse("school:staff_edit", args=[staff.pk]), {"last_name": "X", "first_name": "Y"}),
        (reverse("school:staff_role_grant", args=[staff.pk]), {"role": "admin"}),
        (reverse("school:staff_role_revoke", args=[staff.pk]), {"role": "teacher"}),
        (reverse("school:staff_password", args=[staff.pk]), {}),
    ]
    if role != "outsider":
        posts.append(
            (
                reverse("school:staff_create"),
                {"last_name": "X", "first_name": "Y", "username": "x1", "roles": ["admin"]},
            )
        )
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == (302 if role == "anonymous" else 404), url
    assert db_state() == state


def test_admin_creates_staff_member_with_one_time_password(client_for, world):
    response = client_for("admin").post(
        reverse("school:staff_create"),
        {
            "last_name": "Смирнова",
            "first_name": "Ольга",
            "patronymic": "Ивановна",
            "position": "учитель физики",
            "username": "smirnova",
            "roles": ["teacher", "deputy"],
        },
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store" or "no-store" in response["Cache-Control"]
    password = response.context["password"]
    assert password in response.content.decode()
    staff = StaffMember.objects.get(school=world.school, last_name="Смирнова")
    user = staff.user
    assert user.username == "smirnova" and user.must_change_password
    assert user.check_password(password)
    roles = set(
        RoleAssignment.objects.filter(user=user, school=world.school, active=True).values_list(
            "role", flat=True
        )
    )
    assert roles == {"teacher", "deputy"}
    assert audit_actions() == [
        "staff_member.created",
        "role.granted",
        "role.granted",
        "auth.password_issued",
    ]
    created = AuditEvent.objects.get(action="staff_member.created")
    assert created.after["username"] == "smirnova"
    assert password not in str(created.after)
    # The new employee must change the password before anything else.
    client = Client()
    client.force_login(user)
    assert client.get("/").url == reverse("accounts:password_change")


def test_duplicate_login_is_refused_and_nothing_is_created(client_for, world):
    client = client_for("admin")
    state = db_state()
    response = client.post(
        reverse("school:staff_create"),
        {"last_name": "Новиков", "first_name": "Пётр", "username": "teacher", "roles": ["hr"]},
    )
    assert response.status_code == 200
    assert "Логин «teacher» уже занят, выберите другой." in response.content.decode()
    assert db_state() == state


def test_login_with_spaces_is_refused(client_for, world):
    client = client_for("admin")
    state = db_state()
    response = client.post(
        reverse("school:staff_create"),
        {"last_name": "Новиков", "first_name": "Пётр", "username": "a b", "roles": ["hr"]},
    )
    assert "Логин может содержать только буквы, цифры" in response.content.decode()
    assert db_state() == state


def test_admin_grants_and_revokes_a_role(client_for, world):
    client = client_for("admin")
    staff = world.staff["teacher"]
    client.post(reverse("school:staff_role_grant", args=[staff.pk]), {"role": "deputy"})
    assert RoleAssignment.objects.get(user=staff.user, role="deputy", school=world.school).active
    client.post(reverse("school:staff_role_revoke", args=[staff.pk]), {"role": "deputy"})
    assert not RoleAssignment.objects.get(user=staff.user, role="deputy").active
    assert audit_actions() == ["role.granted", "role.revoked"]


def test_family_and_inspector_roles_cannot_be_granted_to_staff(client_for, world):
    client = client_for("admin")
    staff = world.staff["teacher"]
    state = db_state()
    for role in (Role.PARENT, Role.STUDENT, Role.INSPECTOR, "superuser"):
        response = client.post(
            reverse("school:staff_role_grant", args=[staff.pk]), {"role": role}, follow=True
        )
        assert "Выберите роль из списка." in response.content.decode()
    assert db_state() == state


def test_admin_cannot_revoke_own_admin_role(client_for, world):
    client = client_for("admin")
    me = world.staff["admin"]
    state = db_state()
    response = client.post(
        reverse("school:staff_role_revoke", args=[me.pk]), {"role": "admin"}, follow=True
    )
    assert "Нельзя снять роль администратора с самого себя." in response.content.decode()
    assert db_state() == state


def test_revoking_a_role_the_staff_does_not_hold_is_reported(client_for, world):
    client = client_for("admin")
    staff = world.staff["teacher"]
    state = db_state()
    response = client.post(
        reverse("school:staff_role_revoke", args=[staff.pk]), {"role": "hr"}, follow=True
    )
    assert "У сотрудника нет роли «специалист по кадрам»." in response.content.decode()
    assert db_state() == state


def test_new_password_replaces_the_old_one(client_for, world):
    staff = world.staff["teacher"]
    response = client_for("admin").post(reverse("school:staff_password", args=[staff.pk]))
    password = response.context["password"]
    staff.user.refresh_from_db()
    assert staff.user.check_password(password) and staff.user.must_change_password
    assert not staff.user.check_password(f.TEST_PASSWORD)
    assert audit_actions() == ["auth.password_issued"]


def test_dismissal_takes_away_every_role(client_for, world):
    staff = world.staff["operator"]
    client_for("admin").post(
        reverse("school:staff_edit", args=[staff.pk]),
        {
            "last_name": staff.last_name,
            "first_name": staff.first_name,
            "patronymic": staff.patronymic,
            "position": staff.position,
            "is_active": "",
        },
    )
    staff.refresh_from_db()
    assert not staff.is_active
    assert not RoleAssignment.objects.filter(user=staff.user, active=True).exists()
    assert audit_actions() == ["staff_member.updated", "role.revoked"]
    event = AuditEvent.objects.get(action="staff_member.updated")
    assert (event.before, event.after) == ({"is_active": True}, {"is_active": False})


def test_admin_cannot_dismiss_themselves(client_for, world):
    client = client_for("admin")
    me = world.staff["admin"]
    state = db_state()
    response = client.post(
        reverse("school:staff_edit", args=[me.pk]),
        {"last_name": me.last_name, "first_name": me.first_name, "is_active": ""},
    )
    assert "Нельзя отметить уволенным самого себя." in response.content.decode()
    assert db_state() == state


def test_staff_of_another_school_answers_404(client_for, world):
    stranger = f.StaffFactory(school=world.other_school)
    client = client_for("admin")
    state = db_state()
    assert client.get(reverse("school:staff_detail", args=[stranger.pk])).status_code == 404
    assert client.get(reverse("school:staff_edit", args=[stranger.pk])).status_code == 404
    for name, data in [
        ("staff_edit", {"last_name": "X", "first_name": "Y", "is_active": "on"}),
        ("staff_role_grant", {"role": "admin"}),
        ("staff_role_revoke", {"role": "admin"}),
        ("staff_password", {}),
    ]:
        response = client.post(reverse(f"school:{name}", args=[stranger.pk]), data)
        assert response.status_code == 404, name
    assert db_state() == state


def test_staff_list_shows_roles_of_this_school_only(client_for, world):
    teacher = world.users["teacher"]
    f.StaffFactory(school=world.other_school, user=teacher)
    f.grant(teacher, Role.DIRECTOR, world.other_school)
    body = client_for("admin").get(reverse("school:staff_list")).content.decode()
    row = body.split(world.staff["teacher"].full_name)[1].split("</tr>")[0]
    assert "учитель" in row and "директор" not in row


def test_staff_list_query_count_does_not_grow(client_for, world, django_assert_num_queries):
    client = client_for("admin")
    url = reverse("school:staff_list")
    client.get(url)
    small = query_count(client, url)
    for i in range(15):
        user = f.UserFactory(username=f"extra{i}")
        f.StaffFactory(school=world.school, user=user)
        f.grant(user, Role.TEACHER, world.school)
        f.grant(user, Role.HR, world.school)
    with django_assert_num_queries(small):
        client.get(url)
    assert User.objects.count() > 20
