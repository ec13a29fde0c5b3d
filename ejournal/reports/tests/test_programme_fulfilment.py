import pytest

from ejournal.journal.models import LessonRecord
from ejournal.planning.models import PlanItem, ThematicPlan
from ejournal.reports.tests.conftest import assert_page_roles, d, page_roles
from ejournal.reports.tests.helpers import pdf_text, report_url, xlsx_text
from ejournal.schedule.models import LessonStatus


@pytest.fixture
def plan_world(rw):
    """5А Математика: a КТП of 4 one-hour topics dated 01.09, 03.09, 08.09, 10.09; by
    09.09 three are due; lessons held 01.09 and 03.09 with topics, 08.09 held without."""
    w = rw.w
    plan = ThematicPlan.objects.create(
        school=w.school, year=w.year, subject=w.subject, group=w.group
    )
    for number, day in enumerate((d(9, 1), d(9, 3), d(9, 8), d(9, 10)), start=1):
        PlanItem.objects.create(plan=plan, number=number, topic=f"Тема {number}", planned_date=day)
    for day, topic in ((d(9, 1), "Тема 1"), (d(9, 3), "Тема 2"), (d(9, 8), "")):
        lesson = rw.lesson(day, status=LessonStatus.HELD)
        LessonRecord.objects.create(lesson=lesson, topic=topic)
    return rw


PAGE_ROLES = page_roles(teacher=200, homeroom=200)


@pytest.mark.parametrize("role,status", PAGE_ROLES.items())
def test_programme_fulfilment_page_roles(client_for, plan_world, role, status):
    assert_page_roles(client_for, "programme-fulfilment", role, status)


def test_programme_fulfilment_figures_and_downloads(client_for, plan_world):
    params = {"year": "2026/2027", "date": "2026-09-09", "school_class": ""}
    client = client_for("teacher")  # the teacher's own courses
    xlsx = xlsx_text(
        client.get(report_url("programme-fulfilment", format="xlsx", **params)).content
    )
    # 4 hours in the plan, 3 due, 3 held, 2 covered, lag 1, 1 overdue topic, 1 without topic
    assert "5А\tМатематика" in xlsx
    assert "\t4\t3\t3\t2\t1\t1\t1\t0" in xlsx
    assert "Часов отставания\t1" in xlsx
    pdf = pdf_text(client.get(report_url("programme-fulfilment", format="pdf", **params)).content)
    assert "Выполнение учебного плана" in pdf and "Часов отставания" in pdf
