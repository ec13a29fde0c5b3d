"""A small school with a user for every role, and an outsider school, for tests."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from ejournal.accounts.models import Role
from ejournal.school.models import DayOff, DayOffKind, GradeBand, StudyPeriod
from ejournal.testing import factories as f

# Every key of ``World.users``: a user of each role in the school, an other family's parent,
# a user of another school and the municipality's inspector.
WORLD_ROLES = (
    "admin",
    "director",
    "deputy",
    "teacher",
    "homeroom",
    "operator",
    "hr",
    "student",
    "parent",
    "other_parent",
    "outsider",
    "inspector",
)


@dataclass
class World:
    school: object
    year: object
    school_class: object
    other_class: object
    group: object
    subject: object
    students: list
    users: dict
    staff: dict
    other_school: object
    child: object
    other_child: object


def build_world(n_students: int = 3) -> World:
    school = f.SchoolFactory(short_name="СОШ №1", name="МБОУ «СОШ №1»")
    year = f.YearFactory(school=school)
    band = GradeBand.objects.create(year=year, name="1–9", grade_from=1, grade_to=9)
    for number, (start, end) in enumerate(
        [
            (dt.date(2026, 9, 1), dt.date(2026, 10, 25)),
            (dt.date(2026, 11, 5), dt.date(2026, 12, 28)),
            (dt.date(2027, 1, 9), dt.date(2027, 3, 21)),
            (dt.date(2027, 3, 30), dt.date(2027, 5, 31)),
        ],
        start=1,
    ):
        StudyPeriod.objects.create(
            band=band, number=number, name=f"{number} четверть", start=start, end=end
        )
    DayOff.objects.create(
        year=year,
        kind=DayOffKind.HOLIDAY,
        name="Осенние каникулы",
        start=dt.date(2026, 10, 26),
        end=dt.date(2026, 11, 4),
    )
    users, staff = {}, {}
    for role in ("admin", "director", "deputy", "teacher", "operator", "hr", "homeroom"):
        user = f.UserFactory(username=role, last_name=role.capitalize())
        staff[role] = f.StaffFactory(school=school, user=user)
        f.grant(user, Role.TEACHER if role == "homeroom" else role, school)
        users[role] = user
    school_class = f.ClassFactory(
        school=school, year=year, grade=5, letter="А", homeroom_teacher=staff["homeroom"]
    )
    other_class = f.ClassFactory(
        school=school, year=year, grade=6, letter="Б", homeroom_teacher=staff["teacher"]
    )
    subject = f.SubjectFactory(school=school, name="Математика")
    group = f.GroupFactory(school_class=school_class, name="5А")
    f.load(group, subject, staff["teacher"], Decimal("5"))
    students = []
    for i in range(n_students):
        s = f.StudentFactory(school=school, last_name=f"Ученик{i:02d}")
        f.enroll(s, school_class)
        students.append(s)
    child = students[0]
    child.user = f.UserFactory(username="student")
    child.save()
    f.grant(child.user, Role.STUDENT, school)
    users["student"] = child.user
    parent_user = f.UserFactory(username="parent")
    guardian = f.GuardianFactory(school=school, user=parent_user)
    f.link_guardian(child, guardian)
    f.grant(parent_user, Role.PARENT, school)
    users["parent"] = parent_user
    other_child = f.StudentFactory(school=school, last_name="Чужой")
    f.enroll(other_child, other_class)
    other_parent = f.UserFactory(username="other_parent")
    other_guardian = f.GuardianFactory(school=school, user=other_parent)
    f.link_guardian(other_child, other_guardian)
    f.grant(other_parent, Role.PARENT, school)
    users["other_parent"] = other_parent

    other_school = f.SchoolFactory(municipality=school.municipality, short_name="СОШ №2")
    outsider = f.UserFactory(username="outsider")
    f.StaffFactory(school=other_school, user=outsider)
    f.grant(outsider, Role.ADMIN, other_school)
    users["outsider"] = outsider
    inspector = f.UserFactory(username="inspector")
    f.grant(inspector, Role.INSPECTOR, municipality=school.municipality)
    users["inspector"] = inspector
    return World(
        school,
        year,
        school_class,
        other_class,
        group,
        subject,
        students,
        users,
        staff,
        other_school,
        child,
        other_child,
    )
