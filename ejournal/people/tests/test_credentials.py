import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from ejournal.accounts.models import ConsentStatus, LettersJob, Student
from ejournal.people import credentials
from ejournal.people import services as people_services
from ejournal.people.credentials import credentials_issue, credentials_pdf
from ejournal.testing import factories as f

pytestmark = pytest.mark.django_db

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


def pdf_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def sign_in(username: str, password: str) -> Client:
    client = Client()
    client.post(reverse("accounts:login"), {"username": username, "password": password})
    return client


def class_letters(client, world, run_tasks, *, letters: int = 4) -> tuple[LettersJob, bytes]:
    """Confirm a class's letters, let the background task run, take the PDF."""
    with run_tasks():
        response = client.post(
            reverse("people:class_credentials", args=[world.school_class.pk]), {"confirm": "on"}
        )
    job = LettersJob.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse(
        "people:letters_job", args=[job.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert f"Готово: писем — {letters}." in page and "Скачать письма (PDF)" in page
    response = client.get(reverse("people:letters_job_file", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return job, response.content


@time_machine.travel(dt.datetime(2026, 11, 10, 9, 0), tick=False)
def test_class_letters_one_per_page_with_login_and_working_one_time_password(
    world, client_for, run_tasks
):
    _, content = class_letters(client_for("homeroom"), world, run_tasks)
    pages = pdf_text(content)
    # three students, one of them with a guardian
    assert len(pages) == 4
    student = Student.objects.get(pk=world.students[1].pk)
    page = next(p for p in pages if student.user.username in p)
    assert "5А" in page and "10.11.2026" in page
    password = page.split("Пароль")[1].split()[0]
    first = sign_in(student.user.username, password)
    assert first.get("/").status_code in (200, 302)
    assert "_auth_user_id" in first.session
    student.user.refresh_from_db()
    assert student.user.must_change_password
    # a one-time password: once replaced it no longer works
    first.post(
        reverse("accounts:password_change"),
        {"new_password1": "Очень-длинный-пароль-1", "new_password2": "Очень-длинный-пароль-1"},
    )
    student.user.refresh_from_db()
    assert not student.user.must_change_password
    assert "_auth_user_id" not in sign_in(student.user.username, password).session


def test_reissuing_invalidates_the_old_password(world):
    actor = world.users["homeroom"]
    (old,) = credentials_issue(
        students=[world.students[1]], class_name="5А", actor=actor, guardians=False
    )
    (new,) = credentials_issue(
        students=[world.students[1]], class_name="5А", actor=actor, guardians=False
    )
    assert old.login == new.login
    user = Student.objects.get(pk=world.students[1].pk).user
    assert user.check_password(new.password) and not user.check_password(old.password)


def test_guardian_without_consent_gets_no_letter(world):
    guardian = world.child.guardians.get()
    people_services.consent_record(
        guardian=guardian,
        status=ConsentStatus.REFUSED,
        date=dt.date(2026, 11, 10),
        document="отказ",
        actor=world.users["homeroom"],
    )
    letters = credentials_issue(students=[world.child], class_name="5А", actor=world.users["admin"])
    assert [letter.login for letter in letters] == ["student"]


def test_pseudonymised_student_letter_shows_the_code_and_the_order(world):
    child = world.child
    child.last_name = "Засекреченов"
    child.save()
    guardian = child.guardians.get()
    people_services.consent_record(
        guardian=guardian,
        status=ConsentStatus.REVOKED,
        date=dt.date(2026, 11, 10),
        document="отзыв",
        actor=world.users["operator"],
    )
    people_services.student_pseudonymise(
        student=child,
        order_number="12-о",
        order_date=dt.date(2026, 11, 10),
        actor=world.users["operator"],
    )
    child = Student.objects.get(pk=child.pk)
    letters = credentials_issue(students=[child], class_name="5А", actor=world.users["admin"])
    (text,) = pdf_text(credentials_pdf(letters=letters, school=world.school))
    assert "Ученик 1" in text and "Засекреченов" not in text and "12-о" in text


@pytest.mark.parametrize("role", ROLES)
def test_class_credentials_roles(world, client_for, role):
    url = reverse("people:class_credentials", args=[world.school_class.pk])
    response = client_for(role).post(url)
    assert response.status_code == (200 if role in {"admin", "homeroom"} else 404)


def test_homeroom_of_another_class_cannot_issue(world, client_for):
    url = reverse("people:student_credentials", args=[world.school_class.pk, world.child.pk])
    assert client_for("teacher").post(url).status_code == 404
    world.child.user.refresh_from_db()
    assert not world.child.user.must_change_password


def test_single_student_credentials_only_for_a_student_of_that_class(world, client_for):
    url = reverse("people:student_credentials", args=[world.school_class.pk, world.other_child.pk])
    assert client_for("homeroom").post(url).status_code == 404
    url = reverse("people:student_credentials", args=[world.school_class.pk, world.child.pk])
    response = client_for("homeroom").post(url)
    assert len(pdf_text(response.content)) == 2  # the student and the guardian


@pytest.mark.parametrize("role", ROLES)
def test_roster_roles(world, client_for, role):
    url = reverse("people:class_roster", args=[world.school_class.pk])
    allowed = {"admin", "operator", "deputy", "director", "homeroom"}
    assert client_for(role).get(url).status_code == (200 if role in allowed else 404)


def test_roster_as_of_a_date(world, client_for):
    late = f.StudentFactory(school=world.school, last_name="Новенький")
    f.enroll(late, world.school_class, date_from=dt.date(2026, 11, 1))
    gone = f.StudentFactory(school=world.school, last_name="Выбывший")
    f.enroll(gone, world.school_class, date_to=dt.date(2026, 10, 1))
    url = reverse("people:class_roster", args=[world.school_class.pk])
    client = client_for("operator")
    html = client.get(url, {"date": "2026-09-15"}).content.decode()
    assert "Выбывший" in html and "Новенький" not in html
    html = client.get(url, {"date": "2026-11-15"}).content.decode()
    assert "Выбывший" not in html and "Новенький" in html


def test_roster_query_count_does_not_grow(world, client_for, django_assert_max_num_queries):
    client = client_for("homeroom")
    url = reverse("people:class_roster", args=[world.school_class.pk])
    with django_assert_max_num_queries(30) as small:
        client.get(url, {"date": "2026-11-10"})
    for _ in range(10):
        f.enroll(f.StudentFactory(school=world.school), world.school_class)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url, {"date": "2026-11-10"})


def test_admin_prints_a_staff_credentials_letter(world, client_for):
    staff = world.staff["teacher"]
    response = client_for("admin").post(
        reverse("school:staff_password", args=[staff.pk]), {"letter": "1"}
    )
    assert response["Content-Type"] == "application/pdf"
    (text,) = pdf_text(response.content)
    assert "teacher" in text
    password = text.split("Пароль")[1].split()[0]
    staff.user.refresh_from_db()
    assert staff.user.check_password(password) and staff.user.must_change_password


def test_letter_for_one_person_leaves_the_others_passwords_alone(world, client_for):
    guardian = world.child.guardians.get()
    url = reverse("people:student_credentials", args=[world.school_class.pk, world.child.pk])
    client = client_for("homeroom")
    (page,) = pdf_text(client.post(url, {"who": f"guardian-{guardian.pk}"}).content)
    assert world.users["parent"].username in page
    world.child.user.refresh_from_db()
    assert not world.child.user.must_change_password  # the student's password untouched
    (page,) = pdf_text(client.post(url, {"who": "student"}).content)
    assert "student" in page
    parent = Student.objects.get(pk=world.child.pk).guardians.get().user
    password = page.split("Пароль")[1].split()[0]
    world.child.user.refresh_from_db()
    assert world.child.user.check_password(password)
    assert parent.must_change_password  # from the first letter only
    assert client.post(url, {"who": "someone"}).status_code == 404


@time_machine.travel(dt.datetime(2026, 11, 10, 9, 0), tick=False)
def test_class_letters_are_for_their_author_only_and_erased_after_the_keep(
    world, client_for, run_tasks
):
    job, _ = class_letters(client_for("homeroom"), world, run_tasks)
    # The school's administrator may issue letters too, but not take someone else's.
    admin = client_for("admin")
    assert admin.get(reverse("people:letters_job", args=[job.pk])).status_code == 404
    assert admin.get(reverse("people:letters_job_file", args=[job.pk])).status_code == 404
    with time_machine.travel(dt.datetime(2026, 11, 10, 9, 31), tick=False):
        assert credentials.letters_erase_expired() == 1
        homeroom = client_for("homeroom")
        response = homeroom.get(reverse("people:letters_job_file", args=[job.pk]))
        assert response.status_code == 302
        page = homeroom.get(response["Location"]).content.decode()
    assert "Файла писем больше нет" in page and "Файл писем удалён" in page
    job.refresh_from_db()
    assert bytes(job.pdf) == b""


def test_class_letters_progress_page_while_queued_polls_and_says_so(world, client_for):
    students = list(Student.objects.filter(pk__in=[s.pk for s in world.students]))
    job = credentials.letters_job_start(
        actor=world.users["homeroom"], school_class=world.school_class, students=students
    )
    html = client_for("homeroom").get(reverse("people:letters_job", args=[job.pk])).content
    text = html.decode()
    assert "В очереди" in text and 'hx-trigger="every 2s"' in text
    assert "Скачать письма" not in text


def test_class_letters_of_a_class_without_students_are_refused(world):
    with pytest.raises(ValidationError, match="В классе нет учеников"):
        credentials.letters_job_start(
            actor=world.users["homeroom"], school_class=world.school_class, students=[]
        )
    assert not LettersJob.objects.exists()


def test_class_letters_page_query_count_does_not_grow(
    world, client_for, run_tasks, django_assert_max_num_queries
):
    job, _ = class_letters(client_for("homeroom"), world, run_tasks)
    url = reverse("people:letters_job", args=[job.pk])
    client = client_for("homeroom")
    connection.queries_log.clear()  # issuing filled the log: it keeps the last 9000 only
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    small = len(few.captured_queries)
    for i in range(27):
        student = f.StudentFactory(school=world.school, last_name=f"Новый{i}")
        f.enroll(student, world.school_class)
        f.link_guardian(student, f.GuardianFactory(school=world.school))
    big, _ = class_letters(client_for("homeroom"), world, run_tasks, letters=58)
    connection.queries_log.clear()
    with django_assert_max_num_queries(small):
        client.get(reverse("people:letters_job", args=[big.pk]))


def test_the_roster_opens_on_the_schools_today_not_the_servers(world, client_for):
    """At 23:30 in Moscow it is already tomorrow in Vladivostok: a school there sees its
    own date."""
    world.school.time_zone = "Asia/Vladivostok"
    world.school.save(update_fields=["time_zone"])
    url = reverse("people:class_roster", args=[world.school_class.pk])
    with time_machine.travel("2026-11-16 23:30 +0300", tick=False):
        page = client_for("admin").get(url).content.decode()
    assert "на 17.11.2026" in page
