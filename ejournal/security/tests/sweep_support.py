"""Support for the authorization sweep (test_authorization_sweep.py): the URL list from
the resolver, a "foreign" world to aim object ids at, and markers that must never leak."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from ejournal.testing import factories as f

ROLES = [
    "anonymous",
    "student",
    "parent",
    "other_parent",
    "teacher",
    "outsider",
    "homeroom",
    "deputy",
    "admin",
    "director",
    "inspector",
    "support",
]

ANON = "anonymous"
FAMILY = frozenset({"student", "parent", "other_parent"})
SCHOOL_STAFF = frozenset({"teacher", "homeroom", "deputy", "admin", "director"})
STAFF = SCHOOL_STAFF | {"outsider"}
MANAGEMENT = frozenset({"deputy", "admin", "director", "outsider"})
SIGNED_IN = FAMILY | STAFF | {"inspector", "support"}
PUBLIC = SIGNED_IN | {ANON}
NOBODY: frozenset[str] = frozenset()

# Surnames that identify whose data a page shows (see build_foreign()).
OWN_CLASS = "Ученик0"  # the three students of 5А (one is the student, the parent's child)
OTHER_FAMILY = "Чужой"  # another family's child, in another class (6Б) of the same school
OTHER_SCHOOL = "Иношкольный"  # a student of another school

NEVER_SEES = {
    "anonymous": (OWN_CLASS, OTHER_FAMILY, OTHER_SCHOOL),
    "student": (OTHER_FAMILY, OTHER_SCHOOL),
    "parent": (OTHER_FAMILY, OTHER_SCHOOL),
    "other_parent": (OWN_CLASS, OTHER_SCHOOL),
    "teacher": (OTHER_SCHOOL,),
    "homeroom": (OTHER_SCHOOL,),
    "deputy": (OTHER_SCHOOL,),
    "admin": (OTHER_SCHOOL,),
    "director": (OTHER_SCHOOL,),
    "outsider": (OWN_CLASS, OTHER_FAMILY),
    # Aggregated reports only: no child's name from any school.
    "inspector": (OWN_CLASS, OTHER_FAMILY, OTHER_SCHOOL),
    # Logins of blocked accounts only.
    "support": (OWN_CLASS, OTHER_FAMILY, OTHER_SCHOOL),
}


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or the route itself for an unnamed pattern
    route: str
    pattern: URLPattern
    prefix: str


def all_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(resolver, prefix: str, namespace: str) -> None:
        for item in resolver.url_patterns:
            if isinstance(item, URLResolver):
                ns = f"{namespace}{item.namespace}:" if item.namespace else namespace
                walk(item, prefix + str(item.pattern), ns)
            else:
                route = prefix + str(item.pattern)
                key = f"{namespace}{item.name}" if item.name else route
                routes.append(Route(key, route, item, prefix))

    walk(get_resolver(), "", "")
    return routes


@dataclass
class Foreign:
    """Object ids the sweep aims at: another family and class of the same school
    ("family"), and another school ("school")."""

    family: dict[str, object]
    school: dict[str, object]


MISSING = 987654


def build_foreign(world) -> Foreign:
    from ejournal.accounts.models import LettersJob, Role
    from ejournal.archive.models import SchoolExport

    # The municipality's support service (a role above the schools) takes part too.
    support = f.UserFactory(username="support")
    f.grant(support, Role.SUPPORT, municipality=world.school.municipality)
    world.users["support"] = support
    other = world.other_school
    year = f.YearFactory(school=other)
    band = f.BandFactory(year=year)
    period = f.PeriodFactory(band=band)
    klass = f.ClassFactory(school=other, year=year, grade=7, letter="В")
    group = f.GroupFactory(school_class=klass, name="7В")
    subject = f.SubjectFactory(school=other, name="История")
    staff = f.StaffFactory(school=other, last_name="Учительский")
    load = f.load(group, subject, staff)
    student = f.StudentFactory(school=other, last_name=OTHER_SCHOOL)
    f.enroll(student, klass)
    guardian = f.GuardianFactory(school=other, last_name="Иношкольная")
    f.link_guardian(student, guardian)
    lesson = f.make_lesson(group, subject, staff, dt.date(2026, 11, 16))
    # Letters with one-time passwords, asked for by the other school's administrator.
    letters = LettersJob.objects.create(
        school=other,
        school_class=klass,
        created_by=world.users["outsider"],
        student_ids=[student.pk],
        status="done",
        letters=1,
        pdf=b"%PDF-1.7 " + OTHER_SCHOOL.encode(),
    )
    # The other school's own data export, asked for by its administrator.
    export = SchoolExport.objects.create(
        school=other,
        created_by=world.users["outsider"],
        created_at=dt.datetime(2026, 11, 16, 9, tzinfo=dt.UTC),
        status="done",
        rows=1,
    )
    own_lesson = f.make_lesson(
        world.group, world.subject, world.staff["teacher"], dt.date(2026, 11, 16), number=2
    )
    common = {
        "school_id": other.pk,
        "year_id": year.pk,
        "band_id": band.pk,
        "period_id": period.pk,
        "subject_id": subject.pk,
        "group_id": group.pk,
        "load_id": load.pk,
        "staff_id": staff.pk,
        "lesson_id": lesson.pk,
        "job_id": letters.pk,
        "export_id": export.pk,
        "pk": lesson.pk,
        "room": "101",
        "kind": "cancel",
        "slug": "q1",
        "provider": "esia",
        "fmt": "pdf",
        "token": "x" * 32,
        "name": "swagger-ui-init.js",
        "path": "",
        "id": MISSING,
        "content_type_id": "1",
        "object_id": "1",
    }
    family_guardian = world.other_child.guardians.first()
    family = {
        **common,
        "student_id": world.other_child.pk,
        "class_id": world.other_class.pk,
        "guardian_id": family_guardian.pk if family_guardian else MISSING,
        "lesson_id": own_lesson.pk,
    }
    school = {
        **common,
        "student_id": student.pk,
        "class_id": klass.pk,
        "guardian_id": guardian.pk,
    }
    return Foreign(family=family, school=school)
