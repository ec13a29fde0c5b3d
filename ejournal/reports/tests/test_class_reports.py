"""Reports 1–9 and 17 on a hand-built class: figures, permissions, files, query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ejournal.accounts.models import (
    HOMEROOM,
    Consent,
    ConsentStatus,
    Order,
    OrderKind,
    Role,
    Sex,
)
from ejournal.people import movement as movement_services
from ejournal.reports import services
from ejournal.reports.permissions import make_scope
from ejournal.reports.registry import get_report
from ejournal.reports.tests.class_data import build_class_data
from ejournal.reports.tests.helpers import pdf_text, report_url, xlsx_text
from ejournal.testing import factories as f

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 10, 20, 9, 0, tzinfo=dt.UTC)
MY_REPORTS = (
    "movement",
    "class-sizes",
    "student-totals",
    "monthly-attendance",
    "homeroom-report",
    "class-results",
    "marks-sheet",
    "attendance-sheet",
    "student-data",
    "oo1",
)


@pytest.fixture(autouse=True)
def _frozen(immediate_tasks):
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def data(world):
    return build_class_data(world)


def run(world, slug, role="deputy", **data):
    """Build a report as ``role`` through the same form the page uses."""
    report = get_report(slug)
    user = world.users[role]
    roles = {"deputy": {Role.DEPUTY}, "homeroom": {Role.TEACHER, HOMEROOM}}[role]
    scope = make_scope(
        user=user,
        roles=frozenset(roles),
        school=world.school,
        municipality=None,
        staff=world.staff[role],
        report=report,
    )
    return services.report_build(report=report, scope=scope, data={"year": "2026/2027", **data})


def figures(result) -> dict:
    return {f.label: f.value for f in result.headline}


def quarter(data) -> dict:
    return {"period": f"p{data.quarter.pk}", "school_class": str(data.world.school_class.pk)}


# --- Figures --------------------------------------------------------------------------


def test_class_results_counts_quality_success_average(data):
    result = run(data.world, "class-results", **quarter(data))
    group = result.tables[0].groups[0]
    assert group.title == "5А класс (учащихся: 3)"
    math = next(r for r in group.rows if r[0] == "Математика")
    rus = next(r for r in group.rows if r[0] == "Русский язык")
    # Предмет, Учитель, Отметок, 5, 4, 3, 2, н/а, Качество, Успеваемость, Средний
    assert math[2:] == [3, 1, 1, 0, 1, 0, Decimal("66.7"), Decimal("66.7"), Decimal("3.67")]
    assert rus[2:] == [3, 1, 1, 1, 0, 0, Decimal("66.7"), Decimal("100.0"), Decimal("4.00")]
    assert math[1] == data.world.staff["teacher"].short_name
    assert group.subtotal[2:] == [
        6,
        2,
        2,
        1,
        1,
        0,
        Decimal("66.7"),
        Decimal("83.3"),
        Decimal("3.83"),
    ]
    assert figures(result) == {
        "Учащихся": 3,
        "Качество знаний, %": Decimal("66.7"),
        "Успеваемость, %": Decimal("83.3"),
        "Средний балл": Decimal("3.83"),
    }


def test_class_results_school_wide_without_class(data):
    result = run(data.world, "class-results", period=f"p{data.quarter.pk}")
    titles = [g.title for g in result.tables[0].groups]
    assert titles == ["5А класс (учащихся: 3)", "6Б класс (учащихся: 1)"]


def test_marks_sheet_rows_and_footer(data):
    result = run(data.world, "marks-sheet", **quarter(data))
    table = result.tables[0]
    header = [c.title for c in table.columns]
    assert header[:4] == ["№", "Ученик", "Математика", "Русский язык"]
    first = table.rows[0]
    assert first[1:4] == [data.students[0].short_name, "5", "5"]
    # «5» «4» «3» «2» н/а, then absences: total, ill, excused
    assert first[4:12] == [2, 0, 0, 0, 0, 3, 2, 0]
    quality = next(r for r in table.groups[0].rows if r[1] == "Качество, %")
    assert quality[2:4] == [Decimal("66.7"), Decimal("66.7")] and quality[-1] == Decimal("66.7")
    assert figures(result)["Успеваемость, %"] == Decimal("83.3")


def test_monthly_attendance_by_month(data):
    result = run(
        data.world,
        "monthly-attendance",
        start="2026-09-01",
        end="2026-10-20",
        school_class=str(data.world.school_class.pk),
    )
    september, october = result.tables[0].groups
    assert september.title == "Сентябрь 2026" and october.title == "Октябрь 2026"
    s0, s1 = data.students[0].short_name, data.students[1].short_name
    rows = {r[0]: r[1:] for r in september.rows}
    # missed, ill, excused, unexcused, late
    assert rows[s0] == [2, 2, 0, 0, 0]
    assert rows[s1] == [1, 0, 1, 0, 0]
    rows = {r[0]: r[1:] for r in october.rows}
    assert rows[s0] == [1, 0, 0, 1, 0]
    assert rows[s1] == [0, 0, 0, 0, 1]
    assert result.tables[1].totals == ["Итого", 4, 2, 1, 1, 1]
    assert figures(result)["Пропущено уроков"] == 4


def test_attendance_sheet_by_period(data):
    result = run(data.world, "attendance-sheet", school_class=str(data.world.school_class.pk))
    table = result.tables[0]
    assert table.columns[2].title == "1 четверть: пропущено"
    first = table.rows[0]
    assert first[2:4] == [3, 2]  # first quarter: missed 3, of them ill 2
    assert first[-5:] == [3, 2, 0, 1, 0]
    assert table.totals[-5:] == [4, 2, 1, 1, 1]


def test_student_totals_marks_average_and_absences(data):
    result = run(data.world, "student-totals", **quarter(data))
    table = result.tables[0]
    assert table.title == "5А класс"
    rows = {r[1]: r[2:] for r in table.rows}
    assert rows[data.students[1].short_name] == ["4", "3", Decimal("3.50"), 1, 0]
    assert rows[data.students[0].short_name] == ["5", "5", Decimal("5.00"), 3, 2]
    assert figures(result)["Учащихся"] == 3


def test_homeroom_report_groups_and_attendance(data):
    result = run(data.world, "homeroom-report", role="homeroom", **quarter(data))
    f_ = figures(result)
    assert f_["Отличников"] == 1 and f_["Неуспевающих"] == 1
    assert f_["Качество знаний (по учащимся), %"] == Decimal("33.3")
    assert f_["Успеваемость (по учащимся), %"] == Decimal("66.7")
    assert f_["Пропущено уроков"] == 4
    groups = {g.title: g.rows for g in result.tables[1].groups}
    assert [r[0] for r in groups["Отличники: 1"]] == [data.students[0].short_name]
    assert "Математика — 2" in groups["Неуспевающие: 1"][0][2]
    assert result.signatures == ["Классный руководитель"]


def test_movement_counts_arrivals_departures_and_orders(data):
    world = data.world
    actor = world.users["deputy"]
    movement_services.student_transfer(
        student=world.other_child,
        to_class=world.school_class,
        effective_date=dt.date(2026, 10, 1),
        order_number="12-у",
        order_date=dt.date(2026, 9, 30),
        actor=actor,
    )
    movement_services.student_leave(
        student=world.students[2],
        effective_date=dt.date(2026, 10, 10),
        order_number="15-у",
        order_date=dt.date(2026, 10, 9),
        actor=actor,
        to_place="МБОУ СОШ №5, г. Рыбинск",
    )
    movement_services.student_enroll(
        school_class=world.other_class,
        effective_date=dt.date(2026, 10, 12),
        order_number="16-у",
        order_date=dt.date(2026, 10, 12),
        actor=actor,
        last_name="Новиков",
        first_name="Иван",
        birth_date=dt.date(2014, 5, 5),
        sex=Sex.MALE,
    )
    result = run(world, "movement", start="2026-09-01", end="2026-10-20")
    rows = {r[0]: r[1:] for r in result.tables[0].rows}
    assert rows["5А"] == [3, 1, 1, 3]
    assert rows["6Б"] == [1, 1, 1, 1]
    assert result.tables[0].totals == ["Итого", 4, 2, 2, 4]
    listed = result.tables[1].rows
    assert [r[2] for r in listed] == ["перевод", "выбытие", "зачисление"]
    assert listed[0][6] == "№ 12-у от 30.09.2026"
    assert listed[1][5] == "МБОУ СОШ №5, г. Рыбинск"
    f_ = figures(result)
    assert f_["Зачислено в школу"] == 1 and f_["Выбыло из школы"] == 1
    # The homeroom teacher of 5А sees only their class.
    mine = run(world, "movement", role="homeroom", start="2026-09-01", end="2026-10-20")
    assert [r[0] for r in mine.tables[0].rows] == ["5А"]


def test_class_sizes_by_sex_and_grade(data):
    world = data.world
    girl = f.StudentFactory(school=world.school, sex=Sex.FEMALE)
    f.enroll(girl, world.school_class)
    result = run(world, "class-sizes", date="2026-10-20")
    five, six = result.tables[0].groups
    assert five.rows[0][3:] == [4, 3, 1]
    assert five.subtotal[3:] == [4, 3, 1]
    assert result.tables[0].totals[3:] == [5, 4, 1]
    assert figures(result)["Средняя наполняемость"] == Decimal("2.5")


def test_student_data_respects_consent_and_pseudonyms(data):
    world = data.world
    s0, s1, s2 = world.students
    guardian = f.GuardianFactory(school=world.school, phone="+7 900 000-00-01")
    f.link_guardian(s1, guardian, relation="father")
    refused = f.GuardianFactory(school=world.school, phone="+7 900 000-00-02")
    f.link_guardian(s2, refused)
    Consent.objects.create(guardian=refused, status=ConsentStatus.REFUSED, date=dt.date(2026, 9, 1))
    s0.pseudonym = "Ученик 1"
    s0.pseudonym_order = Order.objects.create(
        school=world.school, number="7-к", date=dt.date(2026, 10, 1), kind=OrderKind.PSEUDONYM
    )
    s0.save()
    result = run(world, "student-data", date="2026-10-20", school_class=str(world.school_class.pk))
    rows = {r[0]: r for r in result.tables[0].groups[0].rows}
    assert rows["Ученик 1"][1:] == [None, None, "", "кодовое имя по приказу", ""]
    assert rows[s1.full_name][1:4] == [dt.date(2015, 3, 1), 11, "мужской"]
    assert (
        guardian.full_name in rows[s1.full_name][4] and "+7 900 000-00-01" in rows[s1.full_name][5]
    )
    assert rows[s2.full_name][4:] == ["согласие на обработку не дано", ""]
    text = str(result.to_json())
    assert "+7 900 000-00-02" not in text and refused.full_name not in text
    f_ = figures(result)
    assert "Ученик 1: кодовое имя присвоено, приказ № 7-к от 01.10.2026" in result.notes
    assert f_["С кодовым именем"] == 1 and f_["Без согласия на обработку данных"] == 1


def test_oo1_by_grade_age_shift_and_staff(data):
    world = data.world
    girl = f.StudentFactory(school=world.school, sex=Sex.FEMALE, birth_date=dt.date(2016, 1, 2))
    f.enroll(girl, world.other_class)
    world.staff["director"].position = "директор"
    world.staff["director"].save()
    result = run(world, "oo1", date="2026-10-20")
    grades, ages, shifts, staff = result.tables
    assert grades.rows == [["5 класс", 1, 3, 3, 0], ["6 класс", 1, 2, 1, 1]]
    assert grades.totals == ["Всего", 2, 5, 4, 1]
    # On 01.01.2027: born 01.03.2015 -> 11, born 02.01.2016 -> 10.
    assert ages.rows == [[10, 1, 0, 1], [11, 4, 4, 0]]
    assert shifts.rows == [["1 смена", 2, 5]]
    assert staff.rows == [["директор", 1], ["учитель", 6]]
    assert figures(result)["Работников"] == 7


def test_oo1_inspector_aggregates_the_municipality(client_for, data):
    page = client_for("inspector").get(report_url("oo1"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "все школы муниципалитета" in text
    assert "Ученик00" not in text


# --- Who may open them ----------------------------------------------------------------

SCHOOL_ROLES = ("admin", "director", "deputy")
NO_REPORTS = ("operator", "hr", "student", "parent", "other_parent")


def _url(world, slug):
    return report_url(slug, school_class=world.school_class.pk)


def _expected(role: str, slug: str) -> int:
    if role in NO_REPORTS:
        return 404
    if role == "inspector":  # aggregates only: the ОО-1 figures
        return 200 if slug == "oo1" else 404
    if role in ("homeroom", "teacher"):  # homeroom teachers (of 5А and of 6Б)
        return 404 if slug == "oo1" else 200
    return 200


@pytest.mark.parametrize(
    "role",
    [*SCHOOL_ROLES, "homeroom", "teacher", "outsider", "inspector", *NO_REPORTS, "anonymous"],
)
def test_who_may_open_each_report(client_for, data, role):
    world = data.world
    client = client_for(role)
    for slug in MY_REPORTS:
        response = client.get(_url(world, slug))
        if role == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith("/login/")
            continue
        expected = _expected(role, slug)
        assert response.status_code == expected, (slug, role)
        if expected == 404:
            continue
        text = response.content.decode()
        if role in ("teacher", "outsider", "inspector"):
            # 5А is not theirs: its students never show up.
            assert "Ученик00" not in text, (slug, role)


def test_homeroom_cannot_pick_another_class(client_for, data):
    response = client_for("homeroom").get(
        report_url("class-results", school_class=data.world.other_class.pk)
    )
    text = response.content.decode()
    assert "Такого класса нет среди доступных вам" in text
    assert "Чужой" not in text


# --- Files ------------------------------------------------------------------------------


def _download(client, world, slug, fmt, django_capture_on_commit_callbacks):
    from ejournal.reports.models import ReportRun

    if get_report(slug).background:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                f"/reports/{slug}/run/",
                {"year": "2026/2027", "period": "year", "school_class": world.school_class.pk},
            )
        run_ = ReportRun.objects.latest("pk")
        return client.get(f"/reports/runs/{run_.pk}/file.{fmt}").content
    return client.get(_url(world, slug) + f"&format={fmt}").content


@pytest.mark.parametrize("slug", MY_REPORTS)
def test_files_open_and_carry_the_headline(
    client_for, data, slug, django_capture_on_commit_callbacks
):
    from ejournal.reports.registry import cell_text

    world = data.world
    client = client_for("deputy")
    xlsx = xlsx_text(_download(client, world, slug, "xlsx", django_capture_on_commit_callbacks))
    pdf = " ".join(
        pdf_text(_download(client, world, slug, "pdf", django_capture_on_commit_callbacks)).split()
    )
    report = get_report(slug)
    assert report.title in xlsx and "Дата формирования: 20.10.2026" in xlsx
    assert report.title in pdf and "20.10.2026" in pdf and "МБОУ «СОШ №1»" in pdf
    from ejournal.reports.models import ReportRun

    if report.background:
        from ejournal.reports.registry import ReportResult

        result = ReportResult.from_json(ReportRun.objects.latest("pk").result)
    else:
        result = run(world, slug, **_filters(data, slug))
    assert result.headline
    for figure in result.headline:
        assert figure.label in xlsx, figure.label
        assert f"{figure.label}: {cell_text(figure.value, figure.kind)}" in pdf, figure.label


def _filters(data, slug) -> dict:
    report = get_report(slug)
    params = {}
    if "school_class" in report.filters:
        params["school_class"] = str(data.world.school_class.pk)
    if "period" in report.filters:
        params["period"] = "year" if report.background else f"p{data.quarter.pk}"
    if "date" in report.filters:
        params["date"] = "2026-10-20"
    if "date_range" in report.filters:
        params.update(start="2026-09-01", end="2026-10-20")
    return params


# --- Queries do not grow with the school ----------------------------------------------


def _grow(data):
    """Ten more students in 5А and a new class 7В with five students, all with marks."""
    from ejournal.journal.models import AttendanceCode
    from ejournal.reports.tests.class_data import absence, period_mark

    world = data.world
    seventh = f.ClassFactory(school=world.school, year=world.year, grade=7, letter="В")
    group = f.GroupFactory(school_class=seventh, name="7В")
    f.load(group, world.subject, world.staff["teacher"])
    lesson = f.make_lesson(group, world.subject, world.staff["teacher"], dt.date(2026, 10, 7))
    for index in range(15):
        school_class = world.school_class if index < 10 else seventh
        student = f.StudentFactory(school=world.school, sex=Sex.FEMALE)
        f.enroll(student, school_class)
        period_mark(world, student, world.subject, data.quarter, "4")
        period_mark(world, student, data.russian, data.quarter, "5")
        absence(lesson, student, AttendanceCode.ILL)
        guardian = f.GuardianFactory(school=world.school)
        f.link_guardian(student, guardian)


@pytest.mark.parametrize("slug", MY_REPORTS)
def test_queries_do_not_grow_with_data(data, slug):

    params = _filters(data, slug)
    if slug == "class-results":
        params.pop("school_class")  # the whole school
    with CaptureQueriesContext(connection) as small:
        run(data.world, slug, **params)
    _grow(data)
    with CaptureQueriesContext(connection) as large:
        result = run(data.world, slug, **params)
    assert len(large) == len(small), "\n".join(q["sql"] for q in large.captured_queries)
    if slug == "class-results":
        assert [g.title for g in result.tables[0].groups][-1] == "7В класс (учащихся: 5)"


def test_class_results_page_queries_constant(client_for, data, django_assert_max_num_queries):

    client = client_for("deputy")
    url = report_url("class-results", period=f"p{data.quarter.pk}")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(data)
    with CaptureQueriesContext(connection) as large:
        assert "7В класс" in client.get(url).content.decode()
    assert len(large) == len(small)


# --- Pseudonyms and the inspector -------------------------------------------------------


def test_pseudonymised_student_shows_code_in_files(client_for, data):
    world = data.world
    student = world.students[0]
    student.pseudonym = "Ученик 1"
    student.pseudonym_order = Order.objects.create(
        school=world.school, number="7-к", date=dt.date(2026, 10, 1), kind=OrderKind.PSEUDONYM
    )
    student.save()
    client = client_for("deputy")
    url = report_url(
        "marks-sheet", school_class=world.school_class.pk, period=f"p{data.quarter.pk}"
    )
    page = client.get(url).content.decode()
    pdf = " ".join(pdf_text(client.get(url + "&format=pdf").content).split())
    xlsx = xlsx_text(client.get(url + "&format=xlsx").content)
    for text in (page, pdf, xlsx):
        assert "Ученик 1" in text and "Ученик00" not in text
    assert "приказ № 7-к от 01.10.2026" in pdf


def test_oo1_inspector_picks_a_school_or_the_whole_municipality(client_for, data):
    world = data.world
    other_year = f.YearFactory(school=world.other_school)
    other_class = f.ClassFactory(school=world.other_school, year=other_year, grade=1, letter="А")
    for _ in range(2):
        f.enroll(f.StudentFactory(school=world.other_school), other_class)
    client = client_for("inspector")
    everyone = xlsx_text(client.get(report_url("oo1", date="2026-10-20", format="xlsx")).content)
    assert "Обучающихся\t6" in everyone  # 4 in СОШ №1, 2 in СОШ №2
    one = xlsx_text(
        client.get(
            report_url("oo1", date="2026-10-20", school=world.other_school.pk, format="xlsx")
        ).content
    )
    assert "Обучающихся\t2" in one and "1 класс" in one
    assert "Ученик" not in one.replace("Обучающиеся", "")


# --- Charts ---------------------------------------------------------------------------


def test_class_results_chart_of_averages_by_subject(data):
    result = run(data.world, "class-results", **quarter(data))
    (chart,) = result.charts
    assert chart.title == "Средний балл по предметам"
    assert dict(chart.bars) == {"Математика": pytest.approx(3.67), "Русский язык": 4.0}


def test_monthly_attendance_chart_of_missed_lessons(data):
    result = run(
        data.world,
        "monthly-attendance",
        start="2026-09-01",
        end="2026-10-20",
        school_class=str(data.world.school_class.pk),
    )
    (chart,) = result.charts
    assert chart.bars == [("Сентябрь 2026", 3.0), ("Октябрь 2026", 1.0)]


def test_report_page_draws_the_chart_as_accessible_svg(data, client_for):
    with time_machine.travel(NOW, tick=False):
        response = client_for("deputy").get(report_url("class-results", **quarter(data)))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<svg class="chart chart-bars"' in body and 'role="img"' in body
    assert "<title>Средний балл по предметам</title>" in body
    assert "Данные графика" in body and "3,67" in body
