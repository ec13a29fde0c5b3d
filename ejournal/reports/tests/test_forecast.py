from decimal import Decimal

import pytest
import time_machine

from ejournal.journal.averages import DEFAULT_POLICY
from ejournal.reports.builders.forecast import forecast_report
from ejournal.reports.forecast import expected_remaining, forecast
from ejournal.reports.tests.conftest import assert_page_roles, d, page_roles
from ejournal.reports.tests.helpers import pdf_text, report_url, xlsx_text
from ejournal.schedule.models import LessonStatus

ONE = Decimal("1")


def test_all_fives_stay_five():
    result = forecast([("5", ONE), ("5", ONE)], 3, DEFAULT_POLICY)
    assert result.probabilities[5] == pytest.approx(1.0)
    assert result.expected == 5 and result.exact


def test_one_more_mark_is_counted_exactly():
    # 4 and 3 so far; one more mark: a «4» gives 3.67 → «4», a «3» gives 3.33 → «3».
    result = forecast([("4", ONE), ("3", ONE)], 1, DEFAULT_POLICY)
    assert result.probabilities[4] == pytest.approx(0.5)
    assert result.probabilities[3] == pytest.approx(0.5)
    assert result.expected == 4  # ties go to the higher mark


def test_weights_count_in_the_outcome():
    # So far a «2» for a test (weight 2) and a «5» answer (weight 1): Σ = 9, weights 3.
    # Two more marks drawn from these: «5»+«5» (p ¼) → 19/5 = 3.8 → «4»;
    # «5»+«2»(×2) (p ½) → 18/6 = 3.0 → «3»; «2»(×2)+«2»(×2) (p ¼) → 17/7 ≈ 2.43 → «2».
    result = forecast([("2", Decimal("2")), ("5", ONE)], 2, DEFAULT_POLICY)
    assert result.probabilities[5] == pytest.approx(0.0)
    assert result.probabilities[4] == pytest.approx(0.25)
    assert result.probabilities[3] == pytest.approx(0.5)
    assert result.probabilities[2] == pytest.approx(0.25)
    assert result.expected == 3


def test_many_remaining_marks_use_the_normal_approximation():
    marks = [(v, ONE) for v in "5435243543"]
    result = forecast(marks, 30, DEFAULT_POLICY)
    assert not result.exact
    assert sum(result.probabilities.values()) == pytest.approx(1.0)
    # Average so far 3.8: «4» is by far the most likely.
    assert result.expected == 4 and result.probabilities[4] > 0.9


def test_expected_remaining_uses_the_students_rate():
    assert expected_remaining(marks=4, lessons_so_far=8, lessons_left=5) == 3
    assert expected_remaining(marks=0, lessons_so_far=8, lessons_left=5) == 0


@pytest.fixture
def forecast_world(rw):
    """Q2 as of 11.11: lessons 10.11 and 11.11 held with a mark each, one lesson left (12.11).
    Ученик00 «5», «5»; Ученик01 «5», «3»; Ученик02 «4», «3». Q1 for the back-test (cut at
    07.09, the same 6 days in): Ученик00 «5» (02.09) then «4» and a period mark «4» —
    a miss; Ученик01 «4», «4» — a hit."""
    w = rw.w
    s0, s1, s2 = w.students
    for student, values in ((s0, "55"), (s1, "53"), (s2, "43")):
        rw.mark(student, d(11, 10), values[0])
        rw.mark(student, d(11, 11), values[1])
    rw.lesson(d(11, 12))
    rw.mark(s0, d(9, 2), "5")
    rw.mark(s0, d(9, 10), "4")
    rw.mark(s1, d(9, 2), "4")
    rw.mark(s1, d(9, 10), "4")
    rw.lesson(d(9, 15))
    rw.lesson(d(9, 20), status=LessonStatus.CANCELLED)
    rw.period_mark(s0, w.subject, "4")
    return rw


def test_forecast_report_students_class_and_backtest(forecast_world):
    w = forecast_world.w
    s0, s1, s2 = w.students
    report = forecast_report(school=w.school, year=w.year, day=d(11, 11))
    by_student = {r.student.pk: r for r in report.students}
    assert by_student[s0.pk].result.expected == 5
    assert by_student[s1.pk].result.probabilities[4] == pytest.approx(1.0)
    assert by_student[s2.pk].result.probabilities[3] == pytest.approx(0.5)
    assert all(r.result.remaining == 1 for r in report.students)
    [klass] = report.classes
    assert klass.students == 3
    assert klass.expected[4] == pytest.approx(1.5)
    assert str(klass.quality) == "83.3" and str(klass.success) == "100.0"
    assert report.backtest.forecasts == 2 and report.backtest.hits == 1
    assert str(report.backtest.hit_rate) == "50.0"
    assert report.label == "2 четверть"


PAGE_ROLES = page_roles(teacher=200, homeroom=200)


@pytest.mark.parametrize("role,status", PAGE_ROLES.items())
def test_forecast_page_roles(client_for, forecast_world, role, status):
    assert_page_roles(client_for, "forecast", role, status)


def test_forecast_runs_in_the_background_and_offers_files(
    client_for, forecast_world, immediate_tasks, django_capture_on_commit_callbacks
):
    from ejournal.reports.models import ReportRun, RunStatus

    with time_machine.travel("2026-11-11 10:00 +0300", tick=False):
        client = client_for("homeroom")
        page = client.get(report_url("forecast")).content.decode()
        assert "Сформировать" in page
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/reports/forecast/run/", {"year": "2026/2027", "date": "2026-11-11"})
        run = ReportRun.objects.get()
        assert run.status == RunStatus.DONE
        detail = client.get(f"/reports/runs/{run.pk}/").content.decode()
        assert "Прогноз по ученикам" in detail and "Метод прогноза" in detail
        assert "83,3" in detail and "50,0" in detail
        xlsx = xlsx_text(client.get(f"/reports/runs/{run.pk}/file.xlsx").content)
        assert "83.3" in xlsx and "50" in xlsx
        pdf = pdf_text(client.get(f"/reports/runs/{run.pk}/file.pdf").content)
        assert "Прогноз успеваемости" in pdf and "83,3" in pdf and "50,0" in pdf
