"""The demo school's personal-data and security examples (ejournal.accounts.demo)."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from ejournal.accounts import compromise, people_services
from ejournal.accounts.models import (
    CompromiseReport,
    ConsentStatus,
    Guardian,
    HealthSheet,
    OrderKind,
    Student,
)
from ejournal.audit.models import AuditEvent
from ejournal.core.demo import demo_school
from ejournal.core.tests.test_seed_demo import SMALL, seed


@pytest.fixture(scope="module")
def _seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        seed(*SMALL)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def school(_seeded, db):
    return demo_school()


def signed_in(username):
    from ejournal.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_a_student_with_refused_consent_keeps_minimal_data_only(school):
    (student,) = Student.objects.filter(
        school=school, guardians__consent__status=ConsentStatus.REFUSED
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


def test_a_pseudonymised_student_has_an_order_and_no_guardian_account(school):
    student = Student.objects.select_related("pseudonym_order").get(
        school=school, pseudonym__startswith="Ученик "
    )
    assert student.pseudonym_order.kind == OrderKind.PSEUDONYM
    assert people_services.order_note(student).startswith(f"{student.pseudonym}: кодовое имя")
    guardians = list(Guardian.objects.filter(student_links__student=student))
    assert guardians and all(g.pseudonym.startswith("Родитель ") for g in guardians)
    assert all(g.consent.status == ConsentStatus.REVOKED and g.user is None for g in guardians)
    closed = AuditEvent.objects.filter(action="auth.account_closed", school=school)
    assert closed.count() == 1
    # the homeroom teacher's journal shows the code, never the name
    html = signed_in("teacher").get(reverse("people:student_card", args=[student.pk]))
    text = html.content.decode()
    assert student.pseudonym in text and student.last_name not in text


def test_a_past_compromise_report_is_reverted_with_a_conflict_left(school):
    report = CompromiseReport.objects.get(school=school)
    assert report.reverted_at is not None and not report.user.is_active
    assert not report.user.has_usable_password()
    changes = compromise.compromise_changes(report)
    assert len(changes) == 3
    assert [c.what for c in changes if c.conflict] == ["отметка"]
    reverts = AuditEvent.objects.filter(reason__startswith="отмена операций по акту")
    assert reverts.count() == 2
    html = signed_in("admin").get(reverse("people:compromise_detail", args=[report.pk]))
    assert html.status_code == 200 and "конфликт" in html.content.decode()
