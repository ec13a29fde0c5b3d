import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from ejournal.accounts import contingent_import
from ejournal.accounts.models import Guardian, Student, StudentGuardian
from ejournal.audit.models import AuditEvent
from ejournal.school.models import ClassEnrollment

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
HEADER = ";".join(contingent_import.COLUMNS)
GOOD = "\n".join(
    [
        HEADER,
        "5А;Петров;Иван;Ильич;01.02.2015;м;Петрова;Анна;Сергеевна;мать;+7 900;anna@example.ru",
        "6Б;Сидорова;Мария;;2014-05-03;ж;;;;;;",
    ]
)
BAD = "\n".join(
    [
        HEADER,
        "5А;Петров;Иван;Ильич;01.02.2015;м;Петрова;Анна;Сергеевна;мать;+7 900;",
        "9Я;Сидорова;Мария;;31.02.2014;х;Сидоров;;;брат;;не-почта",
    ]
)


def counts():
    return (
        Student.objects.count(),
        Guardian.objects.count(),
        ClassEnrollment.objects.count(),
        StudentGuardian.objects.count(),
    )


def run(world, content: bytes, name="list.csv"):
    return contingent_import.apply(
        school=world.school,
        year=world.year,
        name=name,
        content=content,
        enroll_from=dt.date(2026, 9, 1),
        actor=world.users["operator"],
    )


def test_good_file_loads_and_reimport_creates_no_duplicates(world):
    before = counts()
    result = run(world, GOOD.encode())
    assert result.errors == []
    assert (result.created_students, result.created_guardians, result.created_enrollments) == (
        2,
        1,
        2,
    )
    petrov = Student.objects.get(last_name="Петров")
    assert petrov.enrollments.get().school_class == world.school_class
    assert petrov.guardians.get().phone == "+7 900"
    after = counts()
    again = run(world, GOOD.encode())
    assert again.errors == [] and counts() == after != before
    assert AuditEvent.objects.filter(action="contingent.imported").count() == 2


def test_bad_file_names_lines_in_russian_and_saves_nothing(world):
    before = counts()
    result = run(world, BAD.encode())
    assert counts() == before
    (error,) = result.errors
    assert error.startswith("Строка 3:")
    for part in (
        "класс «9Я» не найден",
        "дата рождения",
        "пол",
        "нет фамилии или имени родителя",
        "кем приходится",
        "e-mail",
    ):
        assert part in error


def test_missing_columns_and_wrong_type(world):
    assert "нет столбцов" in run(world, "класс;фамилия\n5А;Иванов".encode()).errors[0]
    with pytest.raises(Exception, match="CSV или XLSX"):
        run(world, b"x", name="list.pdf")


def test_xlsx_and_cp1251(world):
    book = Workbook()
    sheet = book.active
    sheet.append(contingent_import.COLUMNS)
    sheet.append(["5А", "Орлов", "Пётр", "", dt.datetime(2015, 1, 2), "м"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert run(world, buffer.getvalue(), name="list.xlsx").created_students == 1
    assert run(world, GOOD.encode("cp1251")).created_students == 2


def test_page_check_then_apply(world, client_for):
    client = client_for("operator")
    url = reverse("people:contingent_import")
    data = {"year": world.year.pk, "enroll_from": "2026-09-01"}
    check = client.post(
        url, {**data, "check": "1", "file": SimpleUploadedFile("a.csv", GOOD.encode())}
    )
    assert (
        "Проверка пройдена" in check.content.decode()
        and not Student.objects.filter(last_name="Петров").exists()
    )
    bad = client.post(
        url, {**data, "apply": "1", "file": SimpleUploadedFile("a.csv", BAD.encode())}
    )
    assert "Строка 3" in bad.content.decode()
    assert not Student.objects.filter(last_name="Петров").exists()
    done = client.post(
        url, {**data, "apply": "1", "file": SimpleUploadedFile("a.csv", GOOD.encode())}
    )
    assert done.status_code == 302 and Student.objects.filter(last_name="Петров").exists()


@pytest.mark.parametrize("role", ROLES)
def test_import_page_roles(world, client_for, role):
    status = client_for(role).get(reverse("people:contingent_import")).status_code
    assert status == (200 if role in {"admin", "operator", "outsider"} else 404)
