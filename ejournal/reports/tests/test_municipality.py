import pytest
import time_machine

from ejournal.reports.models import ReportRun, RunStatus
from ejournal.reports.tests.conftest import assert_page_roles, d, page_roles
from ejournal.reports.tests.helpers import pdf_text, xlsx_text
from ejournal.testing import factories as f


@pytest.fixture(autouse=True)
def _frozen(immediate_tasks):
    with time_machine.travel("2026-11-10 10:00 +0300", tick=False):
        yield


@pytest.fixture
def municipality(rw):
    """СОШ №1, first quarter: 5А — «5» and «5», «5» and «4», «2» and «3»; a lesson without a
    topic on 12.10. СОШ №2 has no academic year and is listed with nothing."""
    w = rw.w
    russian = f.SubjectFactory(school=w.school, name="Русский язык")
    for student, (a, b) in zip(w.students, ("55", "54", "23"), strict=True):
        rw.period_mark(student, w.subject, a)
        rw.period_mark(student, russian, b)
    rw.lesson(d(10, 12))
    return rw


PAGE_ROLES = page_roles(teacher=404, homeroom=404, school_wide=404, inspector=200)


@pytest.mark.parametrize("role,status", PAGE_ROLES.items())
def test_municipality_page_roles(client_for, municipality, role, status):
    assert_page_roles(client_for, "municipality", role, status)


def test_municipality_run_aggregates_without_names(
    client_for, municipality, django_capture_on_commit_callbacks
):
    client = client_for("inspector")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/reports/municipality/run/", {"year": "2026/2027", "period": "n1 четверть"}
        )
    run = ReportRun.objects.get()
    assert response["Location"] == f"/reports/runs/{run.pk}/"
    assert run.status == RunStatus.DONE, run.error if hasattr(run, "error") else run
    xlsx = xlsx_text(client.get(f"/reports/runs/{run.pk}/file.xlsx").content)
    # 4 students (the child of 6Б has no marks): 1 excellent, 1 good (with one «4»),
    # 1 failing — quality and success 66.7 % of the 3 attested; 2 classes.
    assert "Качество знаний, %\t66.7" in xlsx
    assert "СОШ №1\t4\t1\t1\t1\t0\t0\t1\t1\t66.7\t66.7\t4" in xlsx
    assert "СОШ №1\t2\t4\t2" in xlsx
    assert "Математика\t2\t0\t0\t1" in xlsx  # «5», «5», «2»
    assert "Уроков без темы\t1" in xlsx
    for name in ("Ученик00", "Ученик01", municipality.teacher.last_name):
        assert name not in xlsx
    pdf = pdf_text(client.get(f"/reports/runs/{run.pk}/file.pdf").content)
    assert "Сводка по школам муниципалитета" in pdf and "66,7" in pdf
    assert "Ученик00" not in pdf
