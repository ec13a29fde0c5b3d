import datetime as dt
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from ejournal.accounts.models import Guardian, Order, Student, StudentGuardian, StudentMovement
from ejournal.audit.models import AuditEvent
from ejournal.people import contingent_import
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
        order_number="101-у",
        order_date=dt.date(2026, 8, 28),
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


def test_imported_students_rest_on_the_enrollment_order(world):
    result = run(world, GOOD.encode())
    assert result.errors == []
    moves = StudentMovement.objects.select_related("order", "to_class").order_by(
        "student__last_name"
    )
    assert [(m.student.last_name, m.kind, str(m.to_class), m.effective_date) for m in moves] == [
        ("Петров", "enrollment", "5А", dt.date(2026, 9, 1)),
        ("Сидорова", "enrollment", "6Б", dt.date(2026, 9, 1)),
    ]
    assert {str(m.order) for m in moves} == {"приказ № 101-у от 28.08.2026"}
    assert Order.objects.get().kind == "enrollment"
    # The same file again: nothing new, no second order.
    run(world, GOOD.encode())
    assert (StudentMovement.objects.count(), Order.objects.count()) == (2, 1)


def test_orders_and_places_may_come_from_the_file(world):
    content = "\n".join(
        [
            ";".join(contingent_import.COLUMNS),
            "5А;Петров;Иван;Ильич;01.02.2015;м;;;;;;;17-з;25.08.2026;МБОУ СОШ №3 г. Тутаев",
        ]
    )
    result = contingent_import.apply(
        school=world.school,
        year=world.year,
        name="list.csv",
        content=content.encode(),
        enroll_from=dt.date(2026, 9, 1),
        actor=world.users["operator"],
    )
    assert result.errors == []
    moved = StudentMovement.objects.select_related("order").get()
    assert (str(moved.order), moved.from_place) == (
        "приказ № 17-з от 25.08.2026",
        "МБОУ СОШ №3 г. Тутаев",
    )


@pytest.mark.parametrize(
    "number, day, line, message",
    [
        ("", None, GOOD.splitlines()[1], "нет номера и даты приказа"),
        ("5", dt.date(2026, 9, 2), GOOD.splitlines()[1], "позже даты движения"),
        # The child of 6Б (world.other_child) is already in a class.
        ("5", dt.date(2026, 8, 28), "5А;Чужой;Имя;;01.01.2014;м", "уже учится в классе 6Б"),
        ("5", dt.date(2026, 8, 28), "5А;Юный;Пётр;;01.01.2030;м", "ещё не наступила"),
        ("5", dt.date(2026, 8, 28), "5А;Малый;Пётр;;01.01.2022;м", "не подходит для 5 класса"),
    ],
)
@time_machine.travel(dt.datetime(2026, 11, 20, 12, 0), tick=False)
def test_import_refuses_a_missing_order_a_double_enrollment_and_a_bad_birth_date(
    world, number, day, line, message
):
    other = world.other_child
    other.first_name, other.patronymic, other.birth_date = "Имя", "", dt.date(2014, 1, 1)
    other.save()
    before = counts()
    result = contingent_import.apply(
        school=world.school,
        year=world.year,
        name="list.csv",
        content="\n".join([HEADER, line]).encode(),
        enroll_from=dt.date(2026, 9, 1),
        actor=world.users["operator"],
        order_number=number,
        order_date=day,
    )
    (error,) = result.errors
    assert error.startswith("Строка 2:") and message in error
    assert counts() == before
    assert not StudentMovement.objects.exists() and not Order.objects.exists()


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
    data = {
        "year": world.year.pk,
        "enroll_from": "2026-09-01",
        "order_number": "101-у",
        "order_date": "2026-08-28",
    }
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


# --- classes and staff ---------------------------------------------------------------

CLASSES_GOOD = "\n".join(
    [
        "класс;классный руководитель;кабинет;смена",
        "7В;{homeroom};21;2",
        "8 а;;;",
        "5А;;14;",
    ]
)
CLASSES_BAD = "\n".join(
    [
        "класс;классный руководитель;кабинет;смена",
        "7В;;;",
        "12А;;;",
        "7в;;;3",
        "8Б;Несуществующий Сотрудник;;",
    ]
)
STAFF_GOOD = "\n".join(
    [
        "фамилия;имя;отчество;должность;телефон;e-mail;логин;роли",
        "Смирнова;Елена;Павловна;учитель биологии;+7 901;smirnova@example.ru;smirnova;учитель",
        "Кузнецов;Олег;;лаборант;;;;",
        "Орлова;Нина;Ивановна;заместитель директора;;;orlova;заместитель директора, учитель",
    ]
)
STAFF_BAD = "\n".join(
    [
        "фамилия;имя;отчество;должность;телефон;e-mail;логин;роли",
        "Смирнова;Елена;Павловна;учитель;;;smirnova;учитель",
        ";Олег;;;;;;",
        "Орлова;Нина;;;;почта;teacher;завуч",
        "Петров;Пётр;;;;;;учитель",
        "Смирнова;Елена;Павловна;;;;;",
    ]
)


def homeroom_name(world):
    staff = world.staff["teacher"]
    return " ".join(p for p in (staff.last_name, staff.first_name, staff.patronymic) if p)


def class_counts(world):
    from ejournal.school.models import SchoolClass

    return SchoolClass.objects.filter(year=world.year).count()


def load_classes(world, content: bytes, name="classes.csv"):
    from ejournal.people import import_classes_staff

    return import_classes_staff.apply_classes(
        school=world.school,
        year=world.year,
        name=name,
        content=content,
        actor=world.users["operator"],
    )


def load_staff(world, content: bytes, name="staff.csv"):
    from ejournal.people import import_classes_staff

    return import_classes_staff.apply_staff(
        school=world.school, name=name, content=content, actor=world.users["admin"]
    )


def test_classes_load_with_homeroom_and_reimport_changes_nothing(world):
    from ejournal.school.models import SchoolClass

    before = class_counts(world)
    content = CLASSES_GOOD.format(homeroom=homeroom_name(world)).encode()
    result = load_classes(world, content)
    assert result.errors == []
    assert (result.created_classes, result.updated_classes) == (2, 1)
    seventh = SchoolClass.objects.get(year=world.year, grade=7, letter="В")
    assert seventh.homeroom_teacher == world.staff["teacher"]
    assert (seventh.room, seventh.shift) == ("21", 2)
    assert SchoolClass.objects.filter(year=world.year, grade=8, letter="А").exists()
    five_a = SchoolClass.objects.get(pk=world.school_class.pk)
    assert five_a.room == "14" and five_a.homeroom_teacher == world.staff["homeroom"]
    after = class_counts(world)
    assert after == before + 2
    events = AuditEvent.objects.count()
    again = load_classes(world, content)
    assert again.errors == [] and (again.created_classes, again.updated_classes) == (0, 0)
    assert class_counts(world) == after
    # only the import itself is recorded the second time
    assert AuditEvent.objects.count() == events + 1


def test_bad_classes_file_names_each_line_and_saves_nothing(world):
    before = class_counts(world)
    result = load_classes(world, CLASSES_BAD.encode())
    assert class_counts(world) == before
    assert [e.split(":")[0] for e in result.errors] == ["Строка 3", "Строка 4", "Строка 5"]
    assert "параллель от 1 до 11" in result.errors[0]
    assert "уже есть в одной из предыдущих строк" in result.errors[1]
    assert "смена — 1 или 2" in result.errors[1]
    assert "«Несуществующий Сотрудник» не найден" in result.errors[2]
    assert not AuditEvent.objects.filter(action="contingent.imported").exists()


def test_classes_from_xlsx_with_a_single_column_csv(world):
    book = Workbook()
    sheet = book.active
    sheet.append(["Класс", "Смена"])
    sheet.append(["10Б", 2])
    buffer = io.BytesIO()
    book.save(buffer)
    assert load_classes(world, buffer.getvalue(), name="classes.xlsx").created_classes == 1
    assert load_classes(world, "класс\n11А\n".encode()).created_classes == 1


def test_staff_load_with_accounts_and_roles_and_reimport_changes_nothing(world):
    from ejournal.accounts.models import RoleAssignment, StaffMember, User

    staff_before = StaffMember.objects.count()
    result = load_staff(world, STAFF_GOOD.encode())
    assert result.errors == []
    assert (result.created_staff, result.created_accounts) == (3, 2)
    smirnova = StaffMember.objects.get(last_name="Смирнова")
    assert smirnova.position == "учитель биологии" and smirnova.user.username == "smirnova"
    assert not smirnova.user.has_usable_password()
    assert set(
        RoleAssignment.objects.filter(user__username="orlova", active=True).values_list(
            "role", flat=True
        )
    ) == {"deputy", "teacher"}
    assert StaffMember.objects.get(last_name="Кузнецов").user is None
    counts_after = (
        StaffMember.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
    )
    again = load_staff(world, STAFF_GOOD.encode())
    assert again.errors == [] and (again.created_staff, again.updated_staff) == (0, 0)
    assert counts_after == (
        StaffMember.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
    )
    assert counts_after[0] == staff_before + 3


def test_bad_staff_file_names_each_line_and_saves_nothing(world):
    from ejournal.accounts.models import StaffMember, User

    before = (StaffMember.objects.count(), User.objects.count())
    result = load_staff(world, STAFF_BAD.encode())
    assert (StaffMember.objects.count(), User.objects.count()) == before
    by_line = {e.split(":")[0]: e for e in result.errors}
    assert set(by_line) == {"Строка 3", "Строка 4", "Строка 5", "Строка 6"}
    assert "нет фамилии или имени" in by_line["Строка 3"]
    for part in ("e-mail", "логин «teacher» уже занят", "неизвестные роли: «завуч»"):
        assert part in by_line["Строка 4"]
    assert "роли выдаются только вместе с логином" in by_line["Строка 5"]
    assert "в одной из предыдущих строк" in by_line["Строка 6"]


def test_operator_cannot_load_staff_but_admin_can(world, client_for):
    from ejournal.accounts.models import StaffMember

    url = reverse("people:contingent_import")
    data = {"kind": "staff", "year": world.year.pk, "apply": "1"}
    response = client_for("operator").post(
        url, {**data, "file": SimpleUploadedFile("s.csv", STAFF_GOOD.encode())}
    )
    assert "Выберите корректный вариант" in response.content.decode()
    assert not StaffMember.objects.filter(last_name="Смирнова").exists()
    response = client_for("admin").post(
        url, {**data, "file": SimpleUploadedFile("s.csv", STAFF_GOOD.encode())}
    )
    assert response.status_code == 302
    assert StaffMember.objects.filter(last_name="Смирнова").exists()


def test_page_previews_classes_before_saving(world, client_for):
    url = reverse("people:contingent_import")
    content = CLASSES_GOOD.format(homeroom=homeroom_name(world)).encode()
    before = class_counts(world)
    response = client_for("operator").post(
        url,
        {
            "kind": "classes",
            "year": world.year.pk,
            "check": "1",
            "file": SimpleUploadedFile("c.csv", content),
        },
    )
    html = response.content.decode()
    assert "Проверка пройдена: строк 3" in html and "7В" in html
    assert world.staff["teacher"].full_name in html
    assert class_counts(world) == before


def test_no_new_guardian_data_for_a_pseudonymised_student(world):
    from ejournal.people import services as people_services

    child = world.child
    people_services.consent_record(
        guardian=child.guardians.get(),
        status="revoked",
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
    row = ";".join(
        [
            "5А",
            child.last_name,
            child.first_name,
            child.patronymic,
            f"{child.birth_date:%d.%m.%Y}",
            "м" if child.sex == "m" else "ж",
            "Новая",
            "Мама",
            "",
            "мать",
            "+7 900",
            "",
        ]
    )
    before = counts()
    result = run(world, f"{HEADER}\n{row}".encode())
    assert counts() == before
    (error,) = result.errors
    assert error.startswith("Строка 2:") and "кодовое имя «Ученик 1»" in error
    assert child.last_name not in error
