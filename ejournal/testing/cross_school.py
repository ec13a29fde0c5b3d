"""Accounts that reach across schools, as the outside probe found them (issue #22).

School 1 is ``world.school`` (its administrator ``world.users["admin"]``), school 2 is
``world.other_school`` (its administrator ``world.users["outsider"]``), both in one
municipality. The accounts are issued through the staff services the staff form calls;
only the link of an existing account to a second school is made with factories: the
product has no page for it (a teacher of two schools has two staff rows and one user).
"""

from __future__ import annotations

from dataclasses import dataclass

from ejournal.accounts import services as account_services
from ejournal.accounts.models import Role, StaffMember, User
from ejournal.people import staff_services
from ejournal.school.models import AcademicYear
from ejournal.testing import factories as f

OWN_PASSWORD = "Свой-пароль-учителя-2026"


@dataclass
class CrossSchool:
    lone: User  # teaches only in school 1; her role in school 2 was revoked
    lone_in_school2: StaffMember
    shared: User  # teaches in both schools
    shared_in_school1: StaffMember
    shared_in_school2: StaffMember
    support: User  # the municipality's support service
    far_support: User  # the support service of another municipality
    parent: User  # a parent with a child in each school
    families: dict  # school id -> (class, student, guardian) of that parent


def _teacher_of_school1(world, *, last_name: str, username: str) -> StaffMember:
    staff, _ = staff_services.staff_member_create(
        school=world.school,
        last_name=last_name,
        first_name="Ирина",
        username=username,
        roles=[Role.TEACHER],
        actor=world.users["admin"],
    )
    # What she does at her first sign-in: the forced change to a password of her own.
    account_services.user_change_password(user=staff.user, new_password=OWN_PASSWORD)
    return staff


def _also_in_school2(world, user: User) -> StaffMember:
    staff = f.StaffFactory(school=world.other_school, user=user, last_name=user.last_name)
    f.grant(user, Role.TEACHER, world.other_school)
    return staff


def build_cross_school(world) -> CrossSchool:
    lone = _teacher_of_school1(world, last_name="Учителева", username="uchiteleva").user
    lone_in_school2 = _also_in_school2(world, lone)
    staff_services.staff_role_revoke(
        staff=lone_in_school2, role=Role.TEACHER, actor=world.users["outsider"]
    )
    shared_in_school1 = _teacher_of_school1(world, last_name="Общая", username="obshchaya")
    shared_in_school2 = _also_in_school2(world, shared_in_school1.user)
    support = f.UserFactory(username="support", last_name="Поддержкина")
    account_services.role_grant(
        user=support, role=Role.SUPPORT, municipality=world.school.municipality
    )
    far_support = f.UserFactory(username="far_support", last_name="Дальняя")
    account_services.role_grant(
        user=far_support, role=Role.SUPPORT, municipality=f.MunicipalityFactory()
    )
    parent = f.UserFactory(username="dvuhshkolnaya", last_name="Двухшкольная")
    families = {}
    for school in (world.school, world.other_school):
        year = AcademicYear.objects.filter(school=school).first() or f.YearFactory(school=school)
        klass = f.ClassFactory(school=school, year=year, grade=3, letter="В")
        child = f.StudentFactory(school=school, last_name="Двухшкольный")
        f.enroll(child, klass)
        guardian = f.GuardianFactory(school=school, user=parent, last_name="Двухшкольная")
        f.link_guardian(child, guardian)
        f.grant(parent, Role.PARENT, school)
        families[school.pk] = (klass, child, guardian)
    return CrossSchool(
        lone=lone,
        lone_in_school2=lone_in_school2,
        shared=shared_in_school1.user,
        shared_in_school1=shared_in_school1,
        shared_in_school2=shared_in_school2,
        support=support,
        far_support=far_support,
        parent=parent,
        families=families,
    )
