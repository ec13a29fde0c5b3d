"""The report framework: catalogue, permissions, filters, downloads and background runs."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import time_machine

from ejournal.accounts.models import Sex
from ejournal.audit.models import AuditEvent
from ejournal.reports import registry
from ejournal.reports.models import ReportRun, RunStatus
from ejournal.reports.registry import Column, Figure, Group, ReportResult, Table, cell_text
from ejournal.reports.tests.helpers import pdf_text, report_url, xlsx_text
from ejournal.testing import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 10, 5, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen(immediate_tasks):
    with time_machine.travel(TODAY, tick=False):
        yield


def test_catalogue_discovers_builders_ordered_by_number():
    reports = registry.all_reports()
    assert reports, "no report discovered"
    numbers = [r.number for r in reports]
    assert numbers == sorted(numbers)
    assert registry.get_report("class-sizes").title == "Наполняемость классов"
    assert registry.get_report("missing") is None


def test_result_survives_json_round_trip():
    from decimal import Decimal

    result = ReportResult(
        subtitle="5А",
        tables=[
            Table(
                columns=[Column("Ученик"), Column("Средний", "decimal"), Column("Дата", "date")],
                rows=[["Иванов И.", Decimal("4.25"), dt.date(2026, 9, 1)]],
                groups=[
                    Group("Группа", [["Петров П.", None, None]], ["Итого", Decimal("1"), None])
                ],
                totals=["Всего", Decimal("4.25"), None],
            )
        ],
        headline=[Figure("Качество", Decimal("75.0"), "percent")],
        notes=["Примечание"],
        signatures=["Директор"],
    )
    again = ReportResult.from_json(result.to_json())
    assert again == result


def test_cell_text_speaks_russian():
    from decimal import Decimal

    assert cell_text(Decimal("4.5"), "decimal") == "4,50"
    assert cell_text(Decimal("66.67"), "percent") == "66,7"
    assert cell_text(None, "percent") == "—"
    assert cell_text(dt.date(2026, 9, 1)) == "01.09.2026"


INDEX_ROLES = {
    "admin": 200,
    "director": 200,
    "deputy": 200,
    "homeroom": 200,
    "teacher": 200,  # homeroom of 6Б in the test world
    "inspector": 200,
    "operator": 404,
    "hr": 404,
    "student": 404,
    "parent": 404,
    "other_parent": 404,
    "outsider": 200,  # administrator of another school sees their own school's reports
    "anonymous": 302,
}


@pytest.mark.parametrize("role,status", INDEX_ROLES.items())
def test_index_roles(client_for, role, status):
    response = client_for(role).get("/reports/")
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/login/")


def test_index_lists_only_reports_the_user_may_open(client_for):
    deputy = client_for("deputy").get("/reports/").content.decode()
    assert "Наполняемость классов" in deputy
    inspector = client_for("inspector").get("/reports/").content.decode()
    assert "Наполняемость классов" not in inspector


@pytest.fixture
def sizes(world):
    """5А: 3 students (sex from the factory) + a girl; 6Б: the other child + a boy who left."""
    girl = f.StudentFactory(school=world.school, sex=Sex.FEMALE)
    f.enroll(girl, world.school_class)
    boy = f.StudentFactory(school=world.school, sex=Sex.MALE)
    f.enroll(boy, world.other_class, date_to=dt.date(2026, 9, 30))
    return world


def test_class_sizes_homeroom_sees_only_own_class(client_for, sizes):
    page = client_for("homeroom").get(report_url("class-sizes")).content.decode()
    assert "5А" in page and "6Б" not in page
    deputy = client_for("deputy").get(report_url("class-sizes")).content.decode()
    assert "5А" in deputy and "6Б" in deputy


def test_bad_date_is_a_russian_message(client_for, world):
    response = client_for("deputy").get(report_url("class-sizes", date="31.02.2026"))
    assert response.status_code == 200
    assert "Введите правильную дату" in response.content.decode()


def test_unknown_format_is_404(client_for, world):
    assert client_for("deputy").get(report_url("class-sizes", format="doc")).status_code == 404


def test_downloads_carry_school_title_and_date(client_for, sizes):
    client = client_for("deputy")
    xlsx = client.get(report_url("class-sizes", format="xlsx"))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    text = xlsx_text(xlsx.content)
    assert "МБОУ «СОШ №1»" in text
    assert "Наполняемость классов" in text
    assert "Дата формирования: 05.10.2026" in text
    pdf = client.get(report_url("class-sizes", format="pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "Наполняемость классов" in text and "05.10.2026" in text
    assert "Директор" in text
    assert AuditEvent.objects.filter(action="report.exported").count() == 2


@pytest.fixture
def background(monkeypatch):
    """Class sizes, made a background report for the test."""
    catalogue = registry._discovered()
    report = dataclasses.replace(catalogue["class-sizes"], background=True)
    monkeypatch.setitem(catalogue, "class-sizes", report)
    return report


def test_background_run_forms_the_report_and_offers_files(
    client_for, sizes, background, django_capture_on_commit_callbacks
):
    client = client_for("deputy")
    page = client.get(report_url("class-sizes")).content.decode()
    assert "Сформировать" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/reports/class-sizes/run/", {"year": "2026/2027", "date": "2026-10-05"}
        )
    run = ReportRun.objects.get()
    assert response["Location"] == f"/reports/runs/{run.pk}/"
    assert run.status == RunStatus.DONE and run.progress == 100
    detail = client.get(f"/reports/runs/{run.pk}/").content.decode()
    assert "Отчёт готов" in detail and "5А" in detail
    partial = client.get(f"/reports/runs/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "Отчёт готов" in partial
    xlsx = client.get(f"/reports/runs/{run.pk}/file.xlsx")
    assert "Обучающихся\t5" in xlsx_text(xlsx.content)
    pdf = client.get(f"/reports/runs/{run.pk}/file.pdf")
    assert "Наполняемость классов" in pdf_text(pdf.content)
    assert AuditEvent.objects.filter(action="report.run_started").count() == 1


def test_pending_run_shows_progress_bar(client_for, world, background):
    run = ReportRun.objects.create(
        slug="class-sizes", user=world.users["deputy"], school=world.school, progress=40
    )
    partial = client_for("deputy").get(f"/reports/runs/{run.pk}/", HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    assert 'hx-trigger="every 1s"' in text and 'value="40"' in text


def test_bad_filters_start_no_run(client_for, world, background):
    response = client_for("deputy").post(
        "/reports/class-sizes/run/", {"year": "2026/2027", "date": "x"}
    )
    assert response.status_code == 302
    assert not ReportRun.objects.exists()


@pytest.mark.parametrize("role", ["director", "homeroom", "outsider", "student", "anonymous"])
def test_someone_elses_run_is_404(client_for, world, background, role):
    run = ReportRun.objects.create(
        slug="class-sizes",
        user=world.users["deputy"],
        school=world.school,
        status=RunStatus.DONE,
        result=ReportResult(tables=[]).to_json(),
    )
    response = client_for(role).get(f"/reports/runs/{run.pk}/")
    assert response.status_code == (302 if role == "anonymous" else 404)
    response = client_for(role).get(f"/reports/runs/{run.pk}/file.pdf")
    assert response.status_code == (302 if role == "anonymous" else 404)


def test_run_of_a_user_who_lost_the_role_fails_without_data(world, background):
    from ejournal.accounts.models import RoleAssignment
    from ejournal.reports import services

    run = ReportRun.objects.create(
        slug="class-sizes",
        user=world.users["deputy"],
        school=world.school,
        params={"year": "2026/2027", "date": "2026-10-05"},
    )
    RoleAssignment.objects.filter(user=world.users["deputy"]).update(active=False)
    assert services.run_execute(run_id=run.pk) == RunStatus.FAILED
    run.refresh_from_db()
    assert run.result is None and run.error == "Нет доступа к этому отчёту."


def test_period_of_another_grade_band_is_refused(client_for, world):
    from ejournal.school.models import GradeBand, StudyPeriod

    band = GradeBand.objects.create(year=world.year, name="10–11", grade_from=10, grade_to=11)
    semester = StudyPeriod.objects.create(
        band=band,
        number=1,
        name="1 полугодие",
        start=dt.date(2026, 9, 1),
        end=dt.date(2026, 12, 28),
    )
    response = client_for("deputy").get(
        report_url("class-results", school_class=world.school_class.pk, period=f"p{semester.pk}")
    )
    text = response.content.decode()
    assert "Период «1 полугодие» не относится к 5 классам." in text
    assert "Скачать" not in text


def test_homeroom_form_offers_only_own_class_and_no_grades(client_for, world):
    text = client_for("homeroom").get(report_url("class-results")).content.decode()
    assert 'name="grade"' not in text
    assert ">5А<" in text and ">6Б<" not in text
    assert 'name="grade"' in client_for("deputy").get(report_url("class-results")).content.decode()


def test_the_same_period_of_another_grade_band_becomes_the_class_bands(client_for, world):
    """The picker opens on «2 четверть (1–4 классы)»; asked for a grade 5 class, the
    report takes the class band's «2 четверть» instead of failing."""
    from ejournal.school.models import GradeBand, StudyPeriod

    primary = GradeBand.objects.create(year=world.year, name="1–4", grade_from=1, grade_to=4)
    own = (
        StudyPeriod.objects.filter(band__year=world.year, band__grade_from__lte=5)
        .exclude(band=primary)
        .first()
    )
    other = StudyPeriod.objects.create(
        band=primary, number=own.number, name=own.name, start=own.start, end=own.end
    )
    response = client_for("deputy").get(
        report_url("class-results", school_class=world.school_class.pk, period=f"p{other.pk}")
    )
    text = response.content.decode()
    assert "не относится к" not in text and response.status_code == 200
    assert "Скачать" in text
