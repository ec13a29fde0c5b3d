import pytest

from ejournal.reports.academic import ResultGroup
from ejournal.reports.builders.student_groups import student_groups
from ejournal.reports.tests.conftest import assert_page_roles, d, page_roles
from ejournal.reports.tests.helpers import pdf_text, report_url, xlsx_text
from ejournal.testing import factories as f


@pytest.fixture
def groups_world(rw):
    """5А in the second quarter. Ученик00: «5» and one «4» (potential excellent), his
    journal average fell from 5.00 (Q1) to 4.00 (Q2). Ученик01: «4» and one «3», average
    4.00 → 3.67. Ученик02: a «2» — the risk group."""
    w = rw.w
    russian = f.SubjectFactory(school=w.school, name="Русский язык")
    history = f.SubjectFactory(school=w.school, name="История")
    s0, s1, s2 = w.students
    plan = {
        s0: {w.subject: "5", russian: "4", history: "5"},
        s1: {w.subject: "4", russian: "3", history: "4"},
        s2: {w.subject: "2", russian: "3", history: "3"},
    }
    for student, marks in plan.items():
        for subject, value in marks.items():
            rw.period_mark(student, subject, value, period=rw.q2)
    for day, value in ((1, "5"), (2, "5")):
        rw.mark(s0, d(10, day), value)
    for day, value in ((10, "4"), (11, "4")):
        rw.mark(s0, d(11, day), value)
    rw.mark(s1, d(10, 1), "4")
    for day, value in ((10, "4"), (11, "4"), (12, "3")):
        rw.mark(s1, d(11, day), value)
    return rw


def test_student_groups_sort_students_and_find_negative_dynamics(groups_world):
    w = groups_world.w
    s0, s1, s2 = w.students
    report = student_groups(school=w.school, year=w.year, day=d(12, 20))
    by_student = {
        line.student.pk: line for line in report.lines if line.school_class == w.school_class
    }
    assert by_student[s0.pk].group == ResultGroup.GOOD
    assert by_student[s0.pk].one_four is True
    assert by_student[s0.pk].subjects == ["Русский язык"]
    assert by_student[s1.pk].group == ResultGroup.ONE_THREE
    assert by_student[s1.pk].subjects == ["Русский язык"]
    assert by_student[s2.pk].group == ResultGroup.FAILING
    assert by_student[s2.pk].subjects == ["Математика"]
    assert str(by_student[s0.pk].drop) == "1.00"
    assert str(by_student[s1.pk].drop) == "0.33"
    assert [line.student for line in report.declining] == [s0]
    counts = report.counts()
    assert counts[ResultGroup.GOOD] == 1
    assert counts["one_four"] == 1
    assert counts[ResultGroup.FAILING] == 1
    assert counts["declining"] == 1
    assert report.label == "2 четверть"
    assert report.previous_label == "1 четверть"


def test_student_groups_for_one_class(groups_world, django_assert_num_queries):
    w = groups_world.w
    student_groups(school=w.school, year=w.year, day=d(12, 20))
    with django_assert_num_queries(7):
        report = student_groups(
            school=w.school, year=w.year, day=d(12, 20), school_class=w.school_class
        )
    assert {line.school_class for line in report.lines} == {w.school_class}


PAGE_ROLES = page_roles(teacher=200, homeroom=200)


@pytest.mark.parametrize("role,status", PAGE_ROLES.items())
def test_student_groups_page_roles(client_for, groups_world, role, status):
    assert_page_roles(client_for, "student-groups", role, status)


def test_student_groups_page_lists_pseudonyms_and_downloads(client_for, groups_world):
    w = groups_world.w
    s0 = w.students[0]
    s0.pseudonym = "Ученик 7"
    s0.save()
    params = {"year": "2026/2027", "period": f"p{groups_world.q2.pk}"}
    homeroom = client_for("homeroom").get(report_url("student-groups", **params)).content.decode()
    assert "Ученик 7" in homeroom and "Ученик00" not in homeroom
    assert "Отрицательная динамика" in homeroom
    # The homeroom teacher of 6Б does not see 5А.
    other = client_for("teacher").get(report_url("student-groups", **params)).content.decode()
    assert "Ученик 7" not in other
    client = client_for("deputy")
    xlsx = xlsx_text(client.get(report_url("student-groups", format="xlsx", **params)).content)
    assert "С отрицательной динамикой\t1" in xlsx
    assert "Ученик 7" in xlsx
    pdf = pdf_text(client.get(report_url("student-groups", format="pdf", **params)).content)
    assert "Группы учащихся" in pdf and "Ученик 7" in pdf
