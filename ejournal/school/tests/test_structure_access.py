"""Who may open each structure page, and that nothing of another school is reachable."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from ejournal.school.models import CurriculumEntry, DayOff, GroupKind, StudyPeriod
from ejournal.school.tests.structure_helpers import (
    ALL_ROLES,
    EDITORS,
    READERS,
    db_state,
    expected_status,
)
from ejournal.testing import factories as f


@pytest.fixture
def objects(world):
    """One of every structure object in the world's school."""
    period = StudyPeriod.objects.filter(band__year=world.year).first()
    subgroup = f.GroupFactory(
        school_class=world.school_class, kind=GroupKind.SUBGROUP, name="5А англ. 1"
    )
    membership = f.add_member(world.students[0], subgroup)
    entry = CurriculumEntry.objects.create(
        year=world.year, subject=world.subject, grade=5, hours_per_week=Decimal("5")
    )
    return {
        "year_id": world.year.pk,
        "band_id": period.band_id,
        "period_id": period.pk,
        "day_off_id": DayOff.objects.get(year=world.year).pk,
        "class_id": world.school_class.pk,
        "subject_id": world.subject.pk,
        "entry_id": entry.pk,
        "group_id": subgroup.pk,
        "membership_id": membership.pk,
        "load_id": world.group.loads.get().pk,
        "staff_id": world.staff["teacher"].pk,
    }


# (url name, the ids it takes); pages without ids show the user's own school.
READ_PAGES = [
    ("overview", []),
    ("year_list", []),
    ("year_calendar", ["year_id"]),
    ("class_list", ["year_id"]),
    ("subject_list", []),
    ("curriculum", ["year_id"]),
    ("group_list", ["year_id"]),
    ("group_detail", ["group_id"]),
    ("load_list", ["year_id"]),
]
EDIT_PAGES = [
    ("year_create", []),
    ("year_edit", ["year_id"]),
    ("band_create", ["year_id"]),
    ("band_edit", ["band_id"]),
    ("period_create", ["band_id"]),
    ("period_edit", ["period_id"]),
    ("day_off_create", ["year_id"]),
    ("day_off_edit", ["day_off_id"]),
    ("class_create", ["year_id"]),
    ("class_edit", ["class_id"]),
    ("subject_create", []),
    ("subject_edit", ["subject_id"]),
    ("curriculum_create", ["year_id"]),
    ("curriculum_edit", ["entry_id"]),
    ("group_create", ["year_id"]),
    ("group_edit", ["group_id"]),
    ("group_member_add", ["group_id"]),
    ("membership_edit", ["membership_id"]),
    ("load_create", ["year_id"]),
    ("load_edit", ["load_id"]),
]
POST_ONLY = [
    ("year_fill_defaults", ["year_id"]),
    ("period_delete", ["period_id"]),
    ("day_off_delete", ["day_off_id"]),
    ("curriculum_delete", ["entry_id"]),
    ("membership_delete", ["membership_id"]),
    ("load_delete", ["load_id"]),
]


def _url(objects, name, keys):
    return reverse(f"school:{name}", args=[objects[k] for k in keys])


def _expected(role, allowed, keys):
    # The outsider is an administrator of another school: pages without ids show that
    # school (200), pages addressed by our ids do not exist for them (404).
    if role == "outsider" and not keys:
        return 200
    return expected_status(role, allowed)


def _check_pages(client, objects, role, pages, allowed):
    for name, keys in pages:
        url = _url(objects, name, keys)
        response = client.get(url)
        assert response.status_code == _expected(role, allowed, keys), url
        if role == "anonymous":
            assert response.url.startswith(reverse("accounts:login")), url


@pytest.mark.parametrize("role", ALL_ROLES)
def test_read_pages_open_for_admin_deputy_director_only(client_for, objects, role):
    _check_pages(client_for(role), objects, role, READ_PAGES, READERS)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_edit_pages_open_for_admin_and_deputy_only(client_for, objects, role):
    _check_pages(client_for(role), objects, role, EDIT_PAGES, EDITORS)


FORBIDDEN_WRITERS = sorted(set(ALL_ROLES) - EDITORS)


@pytest.mark.parametrize("role", FORBIDDEN_WRITERS)
def test_writes_are_refused_to_everyone_but_admin_and_deputy(client_for, objects, role):
    client = client_for(role)
    state = db_state()
    payload = {
        "name": "Взлом",
        "start": "2026-09-01",
        "end": "2026-09-30",
        "grade": "5",
        "letter": "Я",
        "shift": "1",
        "hours_per_week": "3",
        "number": "9",
    }
    for name, keys in EDIT_PAGES + POST_ONLY:
        if role == "outsider" and not keys:
            continue  # their own school's forms
        url = _url(objects, name, keys)
        response = client.post(url, payload)
        assert response.status_code == (302 if role == "anonymous" else 404), url
    assert db_state() == state


def test_director_sees_no_edit_links(client_for, objects):
    body = client_for("director").get(_url(objects, "class_list", ["year_id"])).content.decode()
    assert "5А" in body
    assert reverse("school:class_edit", args=[objects["class_id"]]) not in body
    assert reverse("school:class_create", args=[objects["year_id"]]) not in body


def test_outsider_subject_list_shows_only_own_school(client_for, objects, world):
    body = client_for("outsider").get(reverse("school:subject_list")).content.decode()
    assert "Математика" not in body


def test_objects_of_another_school_answer_404(client_for, world):
    """The admin of our school addresses objects of the other school by id."""
    other = world.other_school
    year = f.YearFactory(school=other, name="2026/2027")
    band = f.BandFactory(year=year)
    period = f.PeriodFactory(band=band)
    day_off = DayOff.objects.create(
        year=year,
        kind="holiday",
        name="Каникулы",
        start=dt.date(2026, 11, 1),
        end=dt.date(2026, 11, 2),
    )
    cls = f.ClassFactory(school=other, year=year, grade=5, letter="А")
    subject = f.SubjectFactory(school=other)
    entry = CurriculumEntry.objects.create(
        year=year, subject=subject, grade=5, hours_per_week=Decimal("2")
    )
    group = f.GroupFactory(school_class=cls, kind=GroupKind.SUBGROUP, name="чужая")
    student = f.StudentFactory(school=other)
    f.enroll(student, cls)
    membership = f.add_member(student, group)
    teacher = f.StaffFactory(school=other)
    load = f.load(group, subject, teacher)
    ids = {
        "year_id": year.pk,
        "band_id": band.pk,
        "period_id": period.pk,
        "day_off_id": day_off.pk,
        "class_id": cls.pk,
        "subject_id": subject.pk,
        "entry_id": entry.pk,
        "group_id": group.pk,
        "membership_id": membership.pk,
        "load_id": load.pk,
    }
    client = client_for("admin")
    state = db_state()
    for name, keys in READ_PAGES + EDIT_PAGES + POST_ONLY:
        if not keys:
            continue
        url = _url(ids, name, keys)
        if (name, keys) not in POST_ONLY:
            assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "x", "hours_per_week": "1"}).status_code == 404, url
    assert db_state() == state
