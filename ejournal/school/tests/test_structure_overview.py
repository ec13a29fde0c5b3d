"""The structure hub: live problems with links, and pages whose query count does not grow."""

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from ejournal.accounts.models import Role
from ejournal.school.models import CurriculumEntry, DayOff, GroupKind, StudyPeriod
from ejournal.school.tests.structure_helpers import query_count
from ejournal.testing import factories as f

TODAY = dt.datetime(2026, 10, 12, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_overview_lists_problems_with_links_to_fix_them(client_for, world):
    bare = f.ClassFactory(school=world.school, year=world.year, grade=7, letter="В")
    CurriculumEntry.objects.create(
        year=world.year, subject=world.subject, grade=5, hours_per_week=Decimal("4")
    )
    subgroup = f.GroupFactory(
        school_class=world.school_class, kind=GroupKind.SUBGROUP, name="5А англ. 1"
    )
    f.add_member(world.other_child, subgroup)
    body = client_for("deputy").get(reverse("school:overview")).content.decode()
    classes = reverse("school:class_list", args=[world.year.pk])
    loads = reverse("school:load_list", args=[world.year.pk])
    groups = reverse("school:group_list", args=[world.year.pk])
    assert f'<a href="{classes}">У класса {bare} не назначен классный руководитель.</a>' in body
    assert f'<a href="{loads}">5А, Математика: по учебному плану 4 ч в неделю' in body
    assert f'<a href="{groups}">Ученик Чужой П.С. в группе «5А англ. 1»' in body


def test_overview_of_a_year_without_periods_links_to_its_calendar(client_for, world):
    year = f.YearFactory(
        school=world.school, name="2027/2028", start=dt.date(2027, 9, 1), end=dt.date(2028, 5, 31)
    )
    body = client_for("admin").get(f"{reverse('school:overview')}?year={year.pk}").content.decode()
    calendar = reverse("school:year_calendar", args=[year.pk])
    assert f'<a href="{calendar}">В учебном году 2027/2028 не заданы учебные периоды.</a>' in body


def test_overview_of_another_schools_year_is_404(client_for, world):
    year = f.YearFactory(school=world.other_school)
    response = client_for("admin").get(f"{reverse('school:overview')}?year={year.pk}")
    assert response.status_code == 404


def test_overview_without_problems_says_so(client_for, world):
    CurriculumEntry.objects.create(
        year=world.year, subject=world.subject, grade=5, hours_per_week=Decimal("5")
    )
    CurriculumEntry.objects.create(
        year=world.year,
        subject=world.subject,
        school_class=world.other_class,
        grade=6,
        hours_per_week=Decimal("0"),
    )
    body = client_for("director").get(reverse("school:overview")).content.decode()
    assert "Замечаний нет." in body


def test_tabs_show_staff_only_to_admin(client_for, world):
    staff_url = reverse("school:staff_list")
    assert staff_url in client_for("admin").get(reverse("school:overview")).content.decode()
    assert staff_url not in client_for("deputy").get(reverse("school:overview")).content.decode()


# --- constant query counts -------------------------------------------------------------


def _grow(world, n: int, tag: str):
    """Add n of everything the structure pages list (and some problems to report)."""
    year, school = world.year, world.school
    band = world.year.bands.get()
    for i in range(n):
        staff = f.StaffFactory(school=school, user=f.UserFactory(username=f"{tag}{i}"))
        f.grant(staff.user, Role.TEACHER, school)
        cls = f.ClassFactory(
            school=school,
            year=year,
            grade=1 + i % 11,
            letter=f"{tag}{i}",
            homeroom_teacher=staff if i % 2 else None,
        )
        subject: Any = f.SubjectFactory(school=school, name=f"Предмет {tag}{i}")
        student = f.StudentFactory(school=school)
        f.enroll(student, cls)
        for override in ({}, {"school_class": cls}, {"student": student}):
            CurriculumEntry.objects.create(
                year=year, subject=subject, grade=cls.grade, hours_per_week=Decimal("2"), **override
            )
        whole = f.GroupFactory(school_class=cls, name=f"{cls} весь")
        sub = f.GroupFactory(school_class=cls, kind=GroupKind.SUBGROUP, name=f"{cls} п1")
        f.add_member(student, sub)
        f.add_member(world.students[0], sub)  # not in that class: a reported problem
        f.load(whole, subject, staff, Decimal("1"))
        f.load(sub, subject, staff, Decimal("3"))
        day = dt.date(2026, 12, 1) + dt.timedelta(days=i)
        StudyPeriod.objects.create(
            band=band,
            number=(200 if tag == "b" else 100) + i,
            name=f"М{tag}{i}",
            start=day,
            end=day + dt.timedelta(1),
        )
        DayOff.objects.create(
            year=year, kind="non_working", name=f"День {tag}{i}", start=day, end=day
        )


def _subgroup_with(world, n: int):
    sub = f.GroupFactory(school_class=world.school_class, kind=GroupKind.SUBGROUP, name="5А п")
    for _ in range(n):
        student = f.StudentFactory(school=world.school)
        f.enroll(student, world.school_class)
        f.add_member(student, sub)
    return sub


LIST_PAGES = [
    ("overview", False),
    ("year_list", False),
    ("year_calendar", True),
    ("class_list", True),
    ("subject_list", False),
    ("curriculum", True),
    ("group_list", True),
    ("load_list", True),
]


@pytest.mark.parametrize("role", ["deputy", "director"])
@pytest.mark.parametrize(("name", "by_year"), LIST_PAGES)
def test_list_page_query_count_does_not_grow(
    client_for, world, django_assert_num_queries, name, by_year, role
):
    client = client_for(role)
    url = reverse(f"school:{name}", args=[world.year.pk] if by_year else [])
    client.get(url)  # the first request of a session writes it
    _grow(world, 2, "a")
    small = query_count(client, url)
    _grow(world, 15, "b")
    with django_assert_num_queries(small):
        response = client.get(url)
    assert response.status_code == 200


def test_group_page_query_count_does_not_grow(client_for, world, django_assert_num_queries):
    client = client_for("deputy")
    small_group = _subgroup_with(world, 2)
    url = reverse("school:group_detail", args=[small_group.pk])
    client.get(url)
    small = query_count(client, url)
    small_group.name = "5А п-старый"
    small_group.save()
    big = f.GroupFactory(school_class=world.school_class, kind=GroupKind.SUBGROUP, name="5А б")
    for _ in range(20):
        student = f.StudentFactory(school=world.school)
        f.enroll(student, world.school_class)
        f.add_member(student, big)
    with django_assert_num_queries(small):
        client.get(reverse("school:group_detail", args=[big.pk]))
