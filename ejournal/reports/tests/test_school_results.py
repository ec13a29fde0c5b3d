import pytest

from ejournal.reports.academic import ResultGroup
from ejournal.reports.builders.school_results import school_results
from ejournal.reports.tests.conftest import assert_page_roles, d, page_roles
from ejournal.reports.tests.helpers import pdf_text, report_url, xlsx_text
from ejournal.testing import factories as f


@pytest.fixture
def results_world(rw):
    """5А, first quarter: Ученик00 all «5», Ученик01 «5» and «4», Ученик02 a «2».
    6Б (the other child) has no period marks, only journal marks averaging 3.67."""
    w = rw.w
    russian = f.SubjectFactory(school=w.school, name="Русский язык")
    s0, s1, s2 = w.students
    for student, values in ((s0, ("5", "5")), (s1, ("5", "4")), (s2, ("3", "2"))):
        rw.period_mark(student, w.subject, values[0])
        rw.period_mark(student, russian, values[1])
    other_group = f.GroupFactory(school_class=w.other_class, name="6Б")
    for day, value in ((1, "4"), (2, "4"), (3, "3")):
        rw.mark(w.other_child, d(10, day), value, group=other_group)
    return rw


def test_school_results_count_groups_quality_and_success(results_world):
    w = results_world.w
    report = school_results(school=w.school, year=w.year, day=d(10, 20))
    rows = {str(r.school_class): r.counts for r in report.classes}
    five_a = rows["5А"]
    assert five_a.students == 3
    assert five_a.count(ResultGroup.EXCELLENT) == 1
    assert five_a.count(ResultGroup.GOOD) == 1
    assert five_a.count(ResultGroup.FAILING) == 1
    assert five_a.one_four == 1
    assert str(five_a.quality) == "66.7"
    assert str(five_a.success) == "66.7"
    # (5+5+5+4+3+2) / 6
    assert str(five_a.average) == "4.00"
    # 6Б: the average 3.67 rounds to «4» by the default policy.
    six_b = rows["6Б"]
    assert six_b.count(ResultGroup.GOOD) == 1
    assert report.from_average == 1
    assert report.total.students == 4
    assert str(report.total.quality) == "75.0"
    assert [g.grade for g in report.grades] == [5, 6]
    assert report.label == "1 четверть"


def test_school_results_run_in_constant_queries(results_world, django_assert_num_queries):
    w = results_world.w
    school_results(school=w.school, year=w.year, day=d(10, 20))  # settings row created
    with django_assert_num_queries(5):
        school_results(school=w.school, year=w.year, day=d(10, 20))
    for i in range(10):
        student = f.StudentFactory(school=w.school)
        f.enroll(student, w.school_class)
        results_world.period_mark(student, w.subject, "4")
        results_world.mark(student, d(10, 5 + i), "5")
    with django_assert_num_queries(5):
        school_results(school=w.school, year=w.year, day=d(10, 20))


# --- The page ---------------------------------------------------------------------------

PAGE_ROLES = page_roles(teacher=404, homeroom=404)


@pytest.mark.parametrize("role,status", PAGE_ROLES.items())
def test_school_results_page_roles(client_for, results_world, role, status):
    assert_page_roles(client_for, "school-results", role, status)


def test_school_results_downloads_carry_the_figures(client_for, results_world):
    w = results_world.w
    params = {"year": "2026/2027", "period": f"p{results_world.q1.pk}"}
    client = client_for("deputy")
    page = client.get(report_url("school-results", **params)).content.decode()
    assert "66,7" in page and "75,0" in page
    xlsx = xlsx_text(client.get(report_url("school-results", format="xlsx", **params)).content)
    assert "Качество знаний, %\t75" in xlsx or "75,0" in xlsx
    assert "5А" in xlsx and "6Б" in xlsx
    pdf = pdf_text(client.get(report_url("school-results", format="pdf", **params)).content)
    assert "Сводный отчёт об успеваемости по школе" in pdf
    assert "75,0" in pdf and "66,7" in pdf
    assert w.school.name in pdf
