import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ejournal.accounts.models import ConsentStatus, Guardian, OrderKind, RoleAssignment, Student
from ejournal.audit.models import AuditEvent
from ejournal.people import services as people_services
from ejournal.testing import factories as f

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 10)
ROLES = [
    "admin",
    "director",
    "deputy",
    "teacher",
    "operator",
    "hr",
    "homeroom",
    "student",
    "parent",
    "other_parent",
    "outsider",
    "inspector",
]


@pytest.fixture
def secret(world):
    """The world's child with a name that must disappear after the order."""
    child = world.child
    child.last_name, child.first_name, child.patronymic = "Засекреченов", "Тайнослав", "Кодович"
    child.save()
    return child


def revoke(world, actor):
    guardian = world.child.guardians.get()
    people_services.consent_record(
        guardian=guardian,
        status=ConsentStatus.REVOKED,
        date=DAY,
        document="заявление об отзыве № 7",
        actor=actor,
    )
    return Guardian.objects.get(pk=guardian.pk)


def test_refused_consent_empties_guardian_data_and_forbids_an_account(world):
    guardian = f.GuardianFactory(school=world.school, phone="+7 900", address="ул. Ленина, 1")
    f.link_guardian(world.students[1], guardian)
    people_services.consent_record(
        guardian=guardian,
        status=ConsentStatus.REFUSED,
        date=DAY,
        document="отказ от 10.11.2026",
        actor=world.users["homeroom"],
    )
    guardian.refresh_from_db()
    assert (guardian.phone, guardian.address, guardian.email, guardian.workplace) == ("",) * 4
    assert people_services.student_has_minimal_data(world.students[1])
    with pytest.raises(ValidationError, match="учётная запись родителя не создаётся"):
        people_services.guardian_account_create(
            guardian=guardian, username="mama", actor=world.users["homeroom"]
        )
    with pytest.raises(ValidationError, match="хранятся только ФИО"):
        people_services.guardian_update_contacts(
            guardian=guardian, actor=world.users["homeroom"], phone="+7 901"
        )
    guardian.refresh_from_db()
    assert guardian.user is None and guardian.phone == ""


def test_account_with_consent_gets_a_one_time_password(world):
    guardian = f.GuardianFactory(school=world.school)
    f.link_guardian(world.students[1], guardian)
    people_services.consent_record(
        guardian=guardian,
        status=ConsentStatus.GIVEN,
        date=DAY,
        document="",
        actor=world.users["homeroom"],
    )
    user, password = people_services.guardian_account_create(
        guardian=guardian, username="mama", actor=world.users["homeroom"]
    )
    assert user.check_password(password) and user.must_change_password
    assert RoleAssignment.objects.filter(user=user, role="parent", active=True).exists()


def test_refusal_without_document_is_rejected_and_changes_nothing(world):
    guardian = world.child.guardians.get()
    with pytest.raises(ValidationError, match="реквизиты"):
        people_services.consent_record(
            guardian=guardian,
            status=ConsentStatus.REFUSED,
            date=DAY,
            document=" ",
            actor=world.users["operator"],
        )
    assert not hasattr(Guardian.objects.get(pk=guardian.pk), "consent")


def test_revocation_closes_the_guardian_account_and_ends_sessions(world, client_for):
    parent = client_for("parent")
    assert parent.get("/").status_code == 200
    guardian = revoke(world, world.users["operator"])
    assert guardian.user is None
    user = world.users["parent"]
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert not RoleAssignment.objects.filter(user=user, active=True).exists()
    assert parent.get("/").status_code == 302  # signed out


def test_pseudonymisation_needs_a_revoked_consent(world):
    with pytest.raises(ValidationError, match="отзыва согласия"):
        people_services.student_pseudonymise(
            student=world.child, order_number="12-о", order_date=DAY, actor=world.users["operator"]
        )
    assert Student.objects.get(pk=world.child.pk).pseudonym == ""


def test_order_assigns_codes_and_the_real_name_stays_only_in_the_archive(world, secret):
    revoke(world, world.users["operator"])
    order = people_services.student_pseudonymise(
        student=secret, order_number="12-о", order_date=DAY, actor=world.users["operator"]
    )
    student = Student.objects.get(pk=secret.pk)
    assert order.kind == OrderKind.PSEUDONYM
    assert student.pseudonym == "Ученик 1"
    assert student.full_name == student.short_name == str(student) == "Ученик 1"
    assert student.last_name == "Засекреченов"  # kept for the school's archive
    assert student.guardians.get().full_name == "Родитель 1"
    assert people_services.order_note(student) == (
        "Ученик 1: кодовое имя присвоено, приказ № 12-о от 10.11.2026"
    )
    assert "Засекреченов" not in str(
        list(AuditEvent.objects.filter(action="student.pseudonymised").values("after"))
    )
    # the student's own account shows the code too
    student.user.refresh_from_db()
    assert str(student.user) == "Ученик 1"
    other = f.StudentFactory(school=world.school)
    g2 = f.GuardianFactory(school=world.school)
    f.link_guardian(other, g2)
    people_services.consent_record(
        guardian=g2,
        status=ConsentStatus.REVOKED,
        date=DAY,
        document="№ 8",
        actor=world.users["admin"],
    )
    people_services.student_pseudonymise(
        student=other, order_number="13-о", order_date=DAY, actor=world.users["admin"]
    )
    assert Student.objects.get(pk=other.pk).pseudonym == "Ученик 2"


def test_pages_show_the_code_and_never_the_real_name(world, secret, client_for):
    lesson = f.make_lesson(world.group, world.subject, world.staff["teacher"], DAY)
    subgroup = f.GroupFactory(school_class=world.school_class, name="1 подгруппа", kind="subgroup")
    f.add_member(secret, subgroup)
    revoke(world, world.users["operator"])
    people_services.student_pseudonymise(
        student=secret, order_number="12-о", order_date=DAY, actor=world.users["operator"]
    )
    teacher = client_for("teacher")
    pages = [
        (teacher, reverse("journal:grid", args=[world.group.pk, world.subject.pk])),
        (teacher, reverse("journal:lesson", args=[lesson.pk])),
        (client_for("admin"), reverse("school:group_detail", args=[subgroup.pk])),
        (client_for("operator"), reverse("people:student_card", args=[secret.pk])),
    ]
    for client, url in pages:
        html = client.get(url).content.decode()
        assert "Ученик 1" in html, url
        assert "Засекреченов" not in html and "Тайнослав" not in html, url


@pytest.mark.parametrize("role", ROLES)
def test_student_card_roles(world, client_for, role):
    url = reverse("people:student_card", args=[world.child.pk])
    allowed = {"admin", "operator", "deputy", "director", "homeroom"}
    assert client_for(role).get(url).status_code == (200 if role in allowed else 404)


def test_homeroom_of_another_class_cannot_open_the_card(world, client_for):
    # "teacher" leads 6Б; the child is in 5А
    url = reverse("people:student_card", args=[world.child.pk])
    assert client_for("teacher").get(url).status_code == 404


def test_card_query_count_does_not_grow_with_guardians(
    world, client_for, django_assert_max_num_queries
):
    client = client_for("operator")
    url = reverse("people:student_card", args=[world.child.pk])
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    for _ in range(4):
        f.link_guardian(world.child, f.GuardianFactory(school=world.school), relation="other")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_consent_form_and_order_form_post(world, secret, client_for):
    guardian = secret.guardians.get()
    operator = client_for("operator")
    url = reverse("people:consent_record", args=[secret.pk, guardian.pk])
    prefix = f"g{guardian.pk}"
    r = operator.post(
        url, {f"{prefix}-status": "revoked", f"{prefix}-date": "2026-11-10"}, follow=True
    )
    assert "реквизиты" in r.content.decode()
    assert not hasattr(Guardian.objects.get(pk=guardian.pk), "consent")
    operator.post(
        url,
        {
            f"{prefix}-status": "revoked",
            f"{prefix}-date": "2026-11-10",
            f"{prefix}-document": "заявление № 7",
        },
    )
    assert Guardian.objects.get(pk=guardian.pk).consent.status == "revoked"
    # a homeroom teacher may record consent but not issue the order
    order_url = reverse("people:student_pseudonymise", args=[secret.pk])
    assert (
        client_for("homeroom")
        .post(order_url, {"order_number": "1", "order_date": "2026-11-10"})
        .status_code
        == 404
    )
    operator.post(order_url, {"order_number": "12-о", "order_date": "2026-11-10"})
    assert Student.objects.get(pk=secret.pk).pseudonym == "Ученик 1"


def test_student_of_another_school_is_unreachable(world, client_for):
    url = reverse("people:student_card", args=[world.child.pk])
    assert client_for("outsider").get(url).status_code == 404
    guardian = world.child.guardians.get()
    consent_url = reverse("people:consent_record", args=[world.child.pk, guardian.pk])
    prefix = f"g{guardian.pk}"
    data = {f"{prefix}-status": "given", f"{prefix}-date": "2026-11-10"}
    assert client_for("outsider").post(consent_url, data).status_code == 404
    assert not hasattr(Guardian.objects.get(pk=guardian.pk), "consent")


def test_refusal_empties_and_locks_the_childs_optional_records(world):
    from decimal import Decimal

    from ejournal.accounts.models import Activity, HealthSheet
    from ejournal.people import health, records

    actor = world.users["homeroom"]
    health.health_sheet_save(
        student=world.child, health_group="2", pe_group="main", notes="", actor=actor
    )
    records.activity_add(
        student=world.child,
        name="Шахматы",
        kind="club",
        place="",
        hours_per_week=Decimal("2"),
        date_from=DAY,
        date_to=None,
        actor=actor,
    )
    people_services.consent_record(
        guardian=world.child.guardians.get(),
        status=ConsentStatus.REFUSED,
        date=DAY,
        document="отказ",
        actor=actor,
    )
    assert not HealthSheet.objects.exists() and not Activity.objects.exists()
    with pytest.raises(ValidationError, match="только ФИО, дата рождения и пол"):
        health.health_sheet_save(
            student=world.child, health_group="2", pe_group="main", notes="", actor=actor
        )
    with pytest.raises(ValidationError, match="только ФИО, дата рождения и пол"):
        records.activity_add(
            student=world.child,
            name="Шахматы",
            kind="club",
            place="",
            hours_per_week=Decimal("2"),
            date_from=DAY,
            date_to=None,
            actor=actor,
        )
    assert not HealthSheet.objects.exists() and not Activity.objects.exists()


def pseudonymise(world, secret):
    revoke(world, world.users["operator"])
    people_services.student_pseudonymise(
        student=secret, order_number="12-о", order_date=DAY, actor=world.users["operator"]
    )
    return Student.objects.get(pk=secret.pk)


def test_diary_and_start_page_show_the_code(world, secret, client_for):
    import time_machine

    pseudonymise(world, secret)
    client = client_for("student")
    with time_machine.travel(dt.datetime(2026, 11, 10, 10, 0), tick=False):
        for url in ("/", reverse("diary:week", args=[secret.pk])):
            html = client.get(url, follow=True).content.decode()
            assert "Ученик 1" in html, url
            assert "Засекреченов" not in html and "Тайнослав" not in html, url


def test_weekly_diary_printout_shows_the_code_and_the_order(world, secret, client_for):
    import io

    from pypdf import PdfReader

    pseudonymise(world, secret)
    response = client_for("homeroom").get(
        reverse("diary:printout"),
        {"school_class": world.school_class.pk, "week": "2026-11-16", "print": "1"},
    )
    assert response["Content-Type"] == "application/pdf"
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages]
    coded = [p for p in pages if "Ученик 1" in p]
    assert len(coded) == 1
    assert "приказ № 12-о от 10.11.2026" in coded[0]
    text = " ".join(pages)
    assert "Засекреченов" not in text and "Тайнослав" not in text
    # the other students' sheets carry no order line
    assert all("приказ" not in p for p in pages if p is not coded[0])


def test_printed_names_give_the_code_and_note_in_one_query(
    world, secret, django_assert_num_queries
):
    pseudonymise(world, secret)
    students = list(Student.objects.filter(school=world.school).order_by("pk"))
    with django_assert_num_queries(1):
        names = people_services.printed_names(students)
    coded = names[secret.pk]
    assert (coded.name, coded.short_name, coded.pseudonymised) == ("Ученик 1",) * 2 + (True,)
    assert coded.order_note == "Ученик 1: кодовое имя присвоено, приказ № 12-о от 10.11.2026"
    others = [n for pk, n in names.items() if pk != secret.pk]
    assert all(not n.pseudonymised and n.order_note == "" for n in others)
    selected = list(Student.objects.select_related("pseudonym_order").filter(pk=secret.pk))
    with django_assert_num_queries(0):
        assert people_services.printed_names(selected)[secret.pk] == coded
    assert people_services.printed_order_notes(students + students) == [coded.order_note]
