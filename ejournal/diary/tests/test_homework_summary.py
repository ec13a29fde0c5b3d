import datetime as dt

import pytest
from django.urls import reverse

from ejournal.core.russian import by_day
from ejournal.journal.models import Attendance, Homework

from .conftest import MONDAY, TODAY

pytestmark = pytest.mark.django_db


def test_homework_list_shows_upcoming_by_due_date_only(dw, client_for, today):
    lesson = dw.lesson(MONDAY)
    Homework.objects.create(lesson=lesson, text="Прошлое", due_date=MONDAY)
    Homework.objects.create(lesson=lesson, text="Позже", due_date=TODAY + dt.timedelta(days=5))
    Homework.objects.create(lesson=lesson, text="Скоро", due_date=TODAY + dt.timedelta(days=1))
    html = (
        client_for("student").get(reverse("diary:homework", args=[dw.w.child.pk])).content.decode()
    )
    assert "Прошлое" not in html
    assert html.index("Скоро") < html.index("Позже")
    # The headings say when in Russian: «Ко вторнику, 17 ноября», «К среде, 18 ноября».
    soon = TODAY + dt.timedelta(days=1)
    assert f"<h2>{by_day(soon)[0].upper()}{by_day(soon)[1:]}" in html


def test_homework_list_hides_a_classmates_individual_task(dw, client_for, today):
    lesson = dw.lesson(MONDAY)
    hw = Homework.objects.create(
        lesson=lesson, text="Только для соседа", due_date=TODAY, is_individual=True
    )
    hw.students.set([dw.w.students[1]])
    html = (
        client_for("parent").get(reverse("diary:homework", args=[dw.w.child.pk])).content.decode()
    )
    assert "Только для соседа" not in html


def test_summary_lists_debts_missed_control_works_and_attendance(dw, client_for, today):
    child = dw.w.child
    monday = dw.lesson(MONDAY)
    dw.put(monday, child, "dot", comment="Не сдал тетрадь")
    tuesday = dw.lesson(MONDAY + dt.timedelta(days=1))
    dw.work(tuesday, "control", title="Дроби")
    Attendance.objects.create(lesson=tuesday, student=child, code="b")
    Attendance.objects.create(lesson=monday, student=child, code="op", late_minutes=10)
    # A control work the child missed but has since written is not a debt.
    wednesday = dw.lesson(TODAY)
    Attendance.objects.create(lesson=wednesday, student=child, code="n")
    dw.put(wednesday, child, "4", category="control")

    response = client_for("parent").get(reverse("diary:summary", args=[child.pk]))
    data = response.context["data"]
    assert [m.comment for m in data.debts] == ["Не сдал тетрадь"]
    assert [(w.date, w.title) for w in data.missed_works] == [(tuesday.date, "Дроби")]
    assert (data.period_attendance.ill, data.period_attendance.absent) == (1, 1)
    assert data.period_attendance.late == 1
    assert data.year_attendance.missed == 2
    assert "Дроби" in response.content.decode()


@pytest.mark.parametrize("n", [1, 15])
def test_homework_and_summary_query_counts_do_not_grow(
    dw, client_for, today, n, django_assert_max_num_queries
):
    child = dw.w.child
    for i in range(n):
        lesson = dw.lesson(MONDAY + dt.timedelta(days=i % 3), i // 3 + 1)
        Homework.objects.create(lesson=lesson, text=f"Задание {i}", due_date=TODAY)
        dw.put(lesson, child, "dot")
        dw.work(lesson, "control")
        Attendance.objects.create(lesson=lesson, student=child, code="n")
    client = client_for("parent")
    with django_assert_max_num_queries(11):
        assert client.get(reverse("diary:homework", args=[child.pk])).status_code == 200
    with django_assert_max_num_queries(11):
        assert client.get(reverse("diary:summary", args=[child.pk])).status_code == 200
