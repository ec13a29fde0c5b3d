"""Staff services refuse what the pages cannot even offer."""

import pytest
from django.core.exceptions import ValidationError

from ejournal.accounts.models import Role, RoleAssignment
from ejournal.people import staff_services
from ejournal.school.tests.structure_helpers import db_state
from ejournal.testing import factories as f


@pytest.mark.parametrize("role", [Role.PARENT, Role.STUDENT, Role.INSPECTOR])
def test_non_staff_roles_are_refused(world, role):
    state = db_state()
    with pytest.raises(ValidationError, match="Эту роль нельзя выдать сотруднику."):
        staff_services.staff_role_grant(
            staff=world.staff["teacher"], role=role, actor=world.users["admin"]
        )
    with pytest.raises(ValidationError, match="Эту роль нельзя выдать сотруднику."):
        staff_services.staff_member_create(
            school=world.school,
            last_name="Петров",
            first_name="Пётр",
            username="petrov",
            roles=[role],
            actor=world.users["admin"],
        )
    assert db_state() == state


def test_dismissed_staff_gets_no_role_and_no_password(world):
    staff = world.staff["hr"]
    staff_services.staff_member_update(
        staff=staff,
        last_name=staff.last_name,
        first_name=staff.first_name,
        patronymic=staff.patronymic,
        position=staff.position,
        phone="",
        email="",
        is_active=False,
        actor=world.users["admin"],
    )
    state = db_state()
    with pytest.raises(ValidationError, match="роли ему не выдаются"):
        staff_services.staff_role_grant(staff=staff, role=Role.HR, actor=world.users["admin"])
    with pytest.raises(ValidationError, match="пароль ему не выдаётся"):
        staff_services.staff_password_issue(staff=staff, actor=world.users["admin"])
    assert db_state() == state


def test_staff_without_account_gets_a_clear_message(world):
    staff = f.StaffFactory(school=world.school, user=None)
    with pytest.raises(ValidationError, match="У сотрудника нет учётной записи."):
        staff_services.staff_password_issue(staff=staff, actor=world.users["admin"])


def test_failed_creation_leaves_no_half_made_account(world):
    """A role error after the user row would be created rolls everything back."""
    state = db_state()
    with pytest.raises(ValidationError):
        staff_services.staff_member_create(
            school=world.school,
            last_name="Петров",
            first_name="Пётр",
            username="petrov",
            roles=[Role.TEACHER, "nonsense"],
            actor=world.users["admin"],
        )
    assert db_state() == state


def test_names_are_required(world):
    with pytest.raises(ValidationError, match="Укажите фамилию и имя сотрудника."):
        staff_services.staff_member_create(
            school=world.school,
            last_name=" ",
            first_name="Пётр",
            username="petrov",
            roles=[Role.TEACHER],
            actor=world.users["admin"],
        )
    assert not RoleAssignment.objects.filter(user__username="petrov").exists()
