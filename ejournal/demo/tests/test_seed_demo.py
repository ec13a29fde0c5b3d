import datetime as dt
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP

from ejournal.accounts.models import (
    MUNICIPAL_ROLES,
    CompromiseReport,
    ConsentStatus,
    Guardian,
    HealthSheet,
    OrderKind,
    Role,
    RoleAssignment,
    StaffMember,
    Student,
    User,
)
from ejournal.audit.models import AuditEvent
from ejournal.audit.services import chain_for, chain_verify
from ejournal.demo.builder import curriculum, demo_school
from ejournal.demo.builder.logins import LOGINS
from ejournal.demo.builder.structure import year_calendar
from ejournal.demo.builder.two_factor import DEMO_TWO_FACTOR_LOGINS, demo_totp_key_hex
from ejournal.people import compromise
from ejournal.people import services as people_services
from ejournal.school import selectors
from ejournal.school.models import (
    AcademicYear,
    GroupKind,
    GroupMembership,
    SchoolClass,
    StudyGroup,
    TeachingLoad,
)

# Slow (builds demo schools): `make test` runs it, `make test-fast` does not.
pytestmark = pytest.mark.slow

SMALL = ["--classes-per-grade=2", "--students-per-class=6"]

START_PAGE_TEXT = {
    "admin": "Администрирование школы",
    "director": "Обзор школы",
    "deputy": "Контроль учебного процесса",
    "teacher": "Уроки на сегодня",
    "operator": "Контингент",
    "hr": "Персонал",
    "student": "Здравствуйте",
    "parent": "Мои дети",
}


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for app in ("accounts", "school", "audit")
        for model in apps.get_app_config(app).get_models()
    }


@pytest.fixture(scope="module")
def _seeded_small_demo(django_db_setup, django_db_blocker):
    """One small demo school for the whole module: seeding runs every later step
    (timetable, journal, plans, period marks), too slow to repeat per test. Each test
    still runs in its own transaction, rolled back after it."""
    with django_db_blocker.unblock():
        seed(*SMALL)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def small_demo(_seeded_small_demo, db):
    return demo_school()


def test_small_demo_has_no_structure_problems_either(small_demo):
    year = AcademicYear.objects.get(school=small_demo)
    assert selectors.structure_problems(year=year) == []


@pytest.mark.parametrize("spec", LOGINS, ids=lambda s: s.login)
def test_each_demo_login_signs_in_with_demo_and_lands_on_its_start_page(small_demo, spec):
    user = User.objects.get(username=spec.login)
    assert user.check_password("demo")
    assert not user.must_change_password
    assert RoleAssignment.objects.filter(
        user=user, role=spec.role, school=small_demo, active=True
    ).exists()
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": spec.login, "password": "demo"}, follow=True
    )
    if spec.login in DEMO_TWO_FACTOR_LOGINS:
        # Management logins also need the code from the demo authenticator key.
        assert response.redirect_chain[-1][0] == reverse("security:two_factor_verify")
        code = TOTP(bytes.fromhex(demo_totp_key_hex())).token()
        response = client.post(
            reverse("security:two_factor_verify"), {"code": f"{code:06d}"}, follow=True
        )
    assert response.status_code == 200
    assert START_PAGE_TEXT[spec.login] in response.content.decode()


def test_other_people_have_no_usable_password(small_demo):
    demo = {spec.login for spec in LOGINS}
    others = User.objects.exclude(username__in=demo)
    assert others.exists()
    assert not any(u.has_usable_password() for u in others)


def test_teacher_is_homeroom_of_5a_and_teaches_mathematics_there(small_demo):
    staff = StaffMember.objects.get(user__username="teacher")
    homeroom = SchoolClass.objects.get(homeroom_teacher=staff)
    assert (homeroom.grade, homeroom.letter) == (5, "А")
    assert staff.position == "Учитель математики"
    assert TeachingLoad.objects.filter(
        teacher=staff, subject__name="Математика", group__school_class=homeroom
    ).exists()


def test_student_is_in_the_teachers_class(small_demo):
    student = Student.objects.get(user__username="student")
    year = AcademicYear.objects.get(school=small_demo)
    school_class = selectors.class_of_student_on(student=student, day=year.start)
    assert school_class.homeroom_teacher.user.username == "teacher"


def test_parent_has_two_children_in_different_classes_one_of_them_the_student(small_demo):
    guardian = Guardian.objects.get(user__username="parent")
    year = AcademicYear.objects.get(school=small_demo)
    children = list(guardian.students.all())
    assert len(children) == 2
    assert "student" in {c.user.username for c in children if c.user}
    classes = {selectors.class_of_student_on(student=c, day=year.start) for c in children}
    assert len(classes) == 2 and None not in classes
    # One family: the same surname (in each one's gender form) as their mother.
    assert {c.last_name[:5] for c in children} == {guardian.last_name[:5]}


def test_second_run_changes_nothing(small_demo):
    before = row_counts()
    hashes = dict(User.objects.values_list("username", "password"))
    output = seed(*SMALL)
    assert "уже есть" in output
    assert row_counts() == before
    assert dict(User.objects.values_list("username", "password")) == hashes


def test_second_run_restores_a_broken_demo_login(small_demo):
    teacher = User.objects.get(username="teacher")
    teacher.set_password("something-else-42")
    teacher.is_active = False
    teacher.save()
    RoleAssignment.objects.filter(user__username="hr").update(active=False)
    User.objects.get(username="parent").delete()

    output = seed()
    assert "teacher: восстановлено" in output
    teacher.refresh_from_db()
    assert teacher.is_active and teacher.check_password("demo")
    assert RoleAssignment.objects.get(user__username="hr").active
    parent = User.objects.get(username="parent")
    assert parent.check_password("demo")
    assert Guardian.objects.get(user=parent).students.count() == 2
    assert AuditEvent.objects.filter(action="demo.logins_restored").count() == 1


def test_seed_records_its_audit_event_and_the_chain_verifies(small_demo):
    events = AuditEvent.objects.filter(school=small_demo)
    assert [e.action for e in events if e.action == "demo.seeded"] == ["demo.seeded"]
    assert chain_verify(chain=chain_for(small_demo.pk)).ok


def test_birth_dates_fit_the_grade(small_demo):
    year = AcademicYear.objects.get(school=small_demo)
    for school_class in SchoolClass.objects.filter(year=year):
        for student in selectors.students_of_class_on(school_class=school_class, day=year.start):
            age = (year.start - student.birth_date).days / 365.25
            assert 5.5 + school_class.grade <= age <= 7 + school_class.grade


def test_split_subjects_have_two_subgroups_covering_the_class(small_demo):
    year = AcademicYear.objects.get(school=small_demo)
    cls = SchoolClass.objects.get(year=year, grade=8, letter="А")
    subgroups = StudyGroup.objects.filter(school_class=cls, kind=GroupKind.SUBGROUP)
    assert subgroups.count() == 4  # English and informatics, two groups each
    class_ids = set(
        selectors.students_of_class_on(school_class=cls, day=year.start).values_list(
            "id", flat=True
        )
    )
    english = [g for g in subgroups if "англ" in g.name]
    members = [
        set(selectors.students_of_group_on(group=g, day=year.start).values_list("id", flat=True))
        for g in english
    ]
    assert members[0] | members[1] == class_ids and not members[0] & members[1]
    assert GroupMembership.objects.filter(group__in=english).count() >= len(class_ids)


def test_a_mid_year_transfer_is_dated(small_demo):
    year = AcademicYear.objects.get(school=small_demo)
    q2 = year_calendar(year.start.year)["q2_start"]
    moved = Student.objects.filter(enrollments__date_to=q2 - dt.timedelta(days=1)).filter(
        enrollments__school_class__letter="Б", enrollments__date_from=q2
    )
    student = moved.get()
    assert str(selectors.class_of_student_on(student=student, day=year.start)) == "7А"
    assert str(selectors.class_of_student_on(student=student, day=q2)) == "7Б"


def test_weekly_hours_stay_within_the_five_day_maximum():
    # СанПиН 1.2.3685-21, table 6.6: maximum weekly load for a five-day week.
    maximum = {1: 21, 2: 23, 3: 23, 4: 23, 5: 29, 6: 30, 7: 32, 8: 33, 9: 33, 10: 34, 11: 34}
    for grade, limit in maximum.items():
        total = sum(p.hours.get(grade, 0) for p in curriculum.PLAN)
        assert 20 <= total <= limit, grade


def test_roles_cover_every_staff_role(small_demo):
    roles = set(RoleAssignment.objects.filter(school=small_demo).values_list("role", flat=True))
    assert roles == set(Role.values) - MUNICIPAL_ROLES


# --- personal data and security examples (ejournal.demo.builder.personal_data) ---------


def signed_in(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_a_student_with_refused_consent_keeps_minimal_data_only(small_demo):
    (student,) = Student.objects.filter(
        school=small_demo, guardians__consent__status=ConsentStatus.REFUSED
    ).distinct()
    assert people_services.student_has_minimal_data(student)
    assert not student.pseudonym
    for guardian in student.guardians.all():
        assert guardian.consent.status == ConsentStatus.REFUSED
        assert (guardian.phone, guardian.email, guardian.address, guardian.workplace) == ("",) * 4
        assert guardian.user is None
    assert not HealthSheet.objects.filter(student=student).exists()
    html = signed_in("teacher").get(reverse("people:student_card", args=[student.pk]))
    assert "хранятся только ФИО" in html.content.decode()


def test_a_pseudonymised_student_has_an_order_and_no_guardian_account(small_demo):
    student = Student.objects.select_related("pseudonym_order").get(
        school=small_demo, pseudonym__startswith="Ученик "
    )
    assert student.pseudonym_order.kind == OrderKind.PSEUDONYM
    assert people_services.order_note(student).startswith(f"{student.pseudonym}: кодовое имя")
    guardians = list(Guardian.objects.filter(student_links__student=student))
    assert guardians and all(g.pseudonym.startswith("Родитель ") for g in guardians)
    assert all(g.consent.status == ConsentStatus.REVOKED and g.user is None for g in guardians)
    closed = AuditEvent.objects.filter(action="auth.account_closed", school=small_demo)
    assert closed.count() == 1
    # the homeroom teacher's journal shows the code, never the name
    html = signed_in("teacher").get(reverse("people:student_card", args=[student.pk]))
    text = html.content.decode()
    assert student.pseudonym in text and student.last_name not in text


def test_a_past_compromise_report_is_reverted_with_a_conflict_left(small_demo):
    report = CompromiseReport.objects.get(school=small_demo)
    assert report.reverted_at is not None and not report.user.is_active
    assert not report.user.has_usable_password()
    changes = compromise.compromise_changes(report)
    assert len(changes) == 3
    assert [c.what for c in changes if c.conflict] == ["отметка"]
    reverts = AuditEvent.objects.filter(reason__startswith="отмена операций по акту")
    assert reverts.count() == 2
    html = signed_in("admin").get(reverse("people:compromise_detail", args=[report.pk]))
    assert html.status_code == 200 and "конфликт" in html.content.decode()
