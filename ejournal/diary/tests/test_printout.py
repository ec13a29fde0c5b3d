import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from ejournal.audit.models import AuditEvent
from ejournal.core.pdf import render_typst, template_path
from ejournal.journal.models import Attendance, Homework, LessonRecord

from .conftest import MONDAY

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def printout_url(world, cls=None, **extra):
    params = {"school_class": (cls or world.school_class).pk, "week": str(MONDAY), "print": "1"}
    params.update(extra)
    return reverse("diary:printout"), params


def test_weekly_printout_has_one_page_per_student_with_marks_homework_and_attendance(
    dw, client_for, today, world
):
    child, second, third = world.students
    lesson = dw.lesson(MONDAY, 1)
    LessonRecord.objects.create(lesson=lesson, topic="Обыкновенные дроби")
    dw.mark(lesson, child, "5", category="control")
    dw.mark(lesson, second, "3")
    Attendance.objects.create(lesson=lesson, student=third, code="b")
    Homework.objects.create(lesson=lesson, text="Учебник, с. 42, № 7")

    url, params = printout_url(world)
    response = client_for("homeroom").get(url, params)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages = pdf_text(response.content)
    assert len(pages) == 3
    first = next(p for p in pages if child.last_name in p)
    assert "5 (КР)" in first
    assert "Обыкновенные дроби" in first
    assert "Учебник, с. 42, № 7" in first
    assert "Пн, 16.11" in first
    second_page = next(p for p in pages if second.last_name in p)
    assert "3 (Отв)" in second_page
    assert "5 (КР)" not in second_page
    assert "Б" in next(p for p in pages if third.last_name in p)
    assert AuditEvent.objects.filter(action="diary.weekly_printed").count() == 1


def test_printout_for_chosen_students_only(dw, client_for, today, world):
    url, params = printout_url(world, student=[world.students[1].pk])
    response = client_for("homeroom").get(url, params)
    pages = pdf_text(response.content)
    assert len(pages) == 1
    assert world.students[1].last_name in pages[0]


def test_printout_refuses_a_student_of_another_class(dw, client_for, today, world):
    url, params = printout_url(world, student=[world.other_child.pk])
    response = client_for("homeroom").get(url, params)
    assert response.status_code == 200
    assert "Выбраны ученики не из этого класса." in response.content.decode()


def test_homeroom_teacher_cannot_print_another_class(dw, client_for, today, world):
    url, params = printout_url(world, cls=world.other_class)
    response = client_for("homeroom").get(url, params)
    assert response["Content-Type"].startswith("text/html")
    assert "Выберите класс из списка." in response.content.decode()


@pytest.mark.parametrize(
    "role,status",
    [
        ("homeroom", 200),
        ("teacher", 200),  # homeroom teacher of 6Б in the world
        ("admin", 200),
        ("deputy", 200),
        ("director", 200),
        ("operator", 404),
        ("hr", 404),
        ("student", 404),
        ("parent", 404),
        ("outsider", 404),
        ("inspector", 404),
    ],
)
def test_printout_page_access(dw, client_for, role, status):
    assert client_for(role).get(reverse("diary:printout")).status_code == status


def test_printout_page_lists_the_class_for_choosing_students(dw, client_for, today, world):
    response = client_for("homeroom").get(
        reverse("diary:printout"), {"school_class": world.school_class.pk, "week": str(MONDAY)}
    )
    html = response.content.decode()
    for s in world.students:
        assert s.full_name in html
    assert world.other_child.full_name not in html


def test_show_students_works_before_a_week_is_picked(dw, client_for, today, world):
    """The first «Показать учеников» after choosing only the class: the current week."""
    homeroom = client_for("homeroom")
    first = homeroom.get(reverse("diary:printout")).content.decode()
    assert 'name="week" value="2026-11-18"' in first  # ISO, or the date field shows empty
    response = homeroom.get(
        reverse("diary:printout"), {"school_class": world.school_class.pk, "week": ""}
    )
    html = response.content.decode()
    assert "errorlist" not in html
    assert all(s.full_name in html for s in world.students)
    assert 'name="week" value="2026-11-18"' in html
    assert "Скачать PDF" in html


def test_a_printout_without_a_week_is_of_the_schools_current_week(dw, client_for, world):
    """Monday 06:00 in Vladivostok is still Sunday in Moscow (the server's zone)."""
    world.school.time_zone = "Asia/Vladivostok"
    world.school.save(update_fields=["time_zone"])
    url, params = printout_url(world, week="")
    with time_machine.travel(dt.datetime(2026, 11, 22, 20, 0, tzinfo=dt.UTC), tick=False):
        response = client_for("homeroom").get(url, params)
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="dnevnik-2026-11-23.pdf"' in response["Content-Disposition"]
    assert "Неделя: 23.11.2026 — 28.11.2026" in pdf_text(response.content)[0]


def test_render_typst_renders_cyrillic_and_rejects_bad_names():
    pdf = render_typst(
        "diary/weekly.typ",
        {"school": "Школа", "week": "16.11", "printed": "18.11", "sheets": []},
    )
    assert pdf.startswith(b"%PDF")
    with pytest.raises(ValueError):
        template_path("diary/../../secrets.typ")
    with pytest.raises(FileNotFoundError):
        template_path("diary/missing.typ")


def test_the_printout_counts_absences_and_lates_apart(dw, client_for, today, world):
    """One «Н» and two «ОП»: one missed lesson and two late arrivals, not «3 пропуска»."""
    child = world.child
    Attendance.objects.create(lesson=dw.lesson(MONDAY, 1), student=child, code="n")
    Attendance.objects.create(lesson=dw.lesson(MONDAY, 2), student=child, code="op")
    Attendance.objects.create(lesson=dw.lesson(MONDAY, 3), student=child, code="op")
    url, params = printout_url(world)
    pages = pdf_text(client_for("homeroom").get(url, params).content)
    page = " ".join(next(p for p in pages if child.last_name in p).split())
    assert "За неделю пропущено уроков: 1, опозданий: 2" in page
