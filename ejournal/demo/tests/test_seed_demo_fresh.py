"""Seeding into an empty database (kept apart from the module-scoped small demo)."""

import datetime as dt

import pytest
import time_machine
from django.core.management import CommandError
from django.db.models import Value
from django.db.models.functions import Concat

from ejournal.accounts.models import Guardian, StaffMember, Student, User
from ejournal.demo.builder import DemoOptions, demo_school, seed_demo
from ejournal.demo.tests.test_seed_demo import SMALL, seed
from ejournal.school import selectors
from ejournal.school.models import (
    AcademicYear,
)

# Slow (builds the full demo school): `make test` runs it, `make test-fast` does not.
pytestmark = pytest.mark.slow


def test_full_demo_school_is_realistic_and_has_no_structure_problems(transactional_db):
    # Its duration is measured by bench/, not asserted here.
    output = seed()
    school = demo_school()
    year = AcademicYear.objects.get(school=school)
    assert school.name == "МБОУ «Средняя общеобразовательная школа №1»"
    classes = list(selectors.classes_with_sizes(year=year, day=year.start))
    assert [str(c) for c in classes] == [f"{g}{x}" for g in range(1, 12) for x in "АБ"]
    assert all(22 <= c.size <= 28 for c in classes)
    assert all(c.homeroom_teacher_id for c in classes)
    teachers = StaffMember.objects.filter(school=school, loads__isnull=False).distinct()
    assert 40 <= teachers.count() <= 50
    assert Guardian.objects.filter(school=school).count() > Student.objects.count()
    assert selectors.structure_problems(year=year) == []
    assert "teacher" in output and "http://127.0.0.1:" in output


def test_same_seed_gives_the_same_people(db):
    seed(*SMALL)
    names = list(Student.objects.order_by("pk").values_list("last_name", "first_name"))
    dates = list(Student.objects.order_by("pk").values_list("birth_date", flat=True))
    assert len(set(names)) > len(names) * 0.8
    # A school rebuilt from the same seed is identical person by person.
    school = demo_school()
    school.short_name = "старая"
    school.save()
    User.objects.update(username=Concat(Value("old-"), "username"))
    seed_demo(
        options=DemoOptions(classes_per_grade=2, students_per_class=6),
        today=selectors.school_today(school),
    )
    new = demo_school()
    again = Student.objects.filter(school=new).order_by("pk")
    assert list(again.values_list("last_name", "first_name")) == names
    assert list(again.values_list("birth_date", flat=True)) == dates


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.datetime(2027, 3, 10, 12, tzinfo=dt.UTC), "2026/2027"),
        (dt.datetime(2026, 10, 1, 12, tzinfo=dt.UTC), "2026/2027"),
        (dt.datetime(2027, 7, 15, 12, tzinfo=dt.UTC), "2027/2028"),
    ],
)
def test_year_is_the_one_containing_today_or_the_coming_one_in_summer(db, today, expected):
    with time_machine.travel(today, tick=False):
        seed("--classes-per-grade=1", "--students-per-class=3")
    year = AcademicYear.objects.get()
    assert year.name == expected
    assert (year.start.month, year.start.day, year.end.month, year.end.day) == (9, 1, 5, 31)


def test_bad_size_options_are_refused_in_russian(db):
    with pytest.raises(CommandError, match="от 1 до 5"):
        seed("--classes-per-grade=9")
    assert demo_school() is None
