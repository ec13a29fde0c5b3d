"""Academic years, grade bands, study periods, holidays and the default calendar."""

import datetime as dt

import pytest
from django.urls import reverse

from ejournal.audit.models import AuditEvent
from ejournal.school import services
from ejournal.school.models import AcademicYear, DayOff, GradeBand, PeriodKind, StudyPeriod
from ejournal.school.tests.structure_helpers import audit_actions, db_state
from ejournal.testing import factories as f


@pytest.fixture
def deputy(client_for):
    return client_for("deputy")


def _band(world):
    return GradeBand.objects.get(year=world.year)


def _post_rejected(client, url, data, message):
    """POST bad input: the page answers 200 with the Russian message; nothing changes."""
    state = db_state()
    response = client.post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert db_state() == state


# --- academic years -------------------------------------------------------------------


def test_deputy_creates_a_year_and_it_is_audited(deputy, world):
    response = deputy.post(
        reverse("school:year_create"),
        {"name": "2027/2028", "start": "2027-09-01", "end": "2028-05-31"},
    )
    year = AcademicYear.objects.get(school=world.school, name="2027/2028")
    assert response.status_code == 302
    assert response.url == reverse("school:year_calendar", args=[year.pk])
    event = AuditEvent.objects.get(action="academic_year.created")
    assert event.school_id == world.school.pk
    assert event.actor_id == world.users["deputy"].pk
    assert event.after == {"name": "2027/2028", "start": "2027-09-01", "end": "2028-05-31"}


def test_year_ending_before_it_starts_is_refused(deputy, world):
    _post_rejected(
        deputy,
        reverse("school:year_create"),
        {"name": "2027/2028", "start": "2028-05-31", "end": "2027-09-01"},
        "Дата окончания должна быть позже даты начала (учебный год).",
    )


def test_overlapping_years_of_one_school_are_refused(deputy, world):
    _post_rejected(
        deputy,
        reverse("school:year_create"),
        {"name": "2027", "start": "2027-05-01", "end": "2027-12-31"},
        "Даты пересекаются с учебным годом 2026/2027 (01.09.2026 — 31.05.2027).",
    )


def test_years_of_different_schools_may_overlap(world):
    year = services.academic_year_create(
        school=world.other_school,
        name="2026/2027",
        start=dt.date(2026, 9, 1),
        end=dt.date(2027, 5, 31),
        actor=None,
    )
    assert year.pk


def test_year_edit_records_only_changed_fields(deputy, world):
    deputy.post(
        reverse("school:year_edit", args=[world.year.pk]),
        {"name": "2026/2027", "start": "2026-09-01", "end": "2027-06-20"},
    )
    world.year.refresh_from_db()
    assert world.year.end == dt.date(2027, 6, 20)
    event = AuditEvent.objects.get(action="academic_year.updated")
    assert event.before == {"end": "2027-05-31"}
    assert event.after == {"end": "2027-06-20"}


def test_year_cannot_shrink_below_its_periods(deputy, world):
    _post_rejected(
        deputy,
        reverse("school:year_edit", args=[world.year.pk]),
        {"name": "2026/2027", "start": "2026-09-01", "end": "2027-05-01"},
        "Новые даты не вмещают уже заданные периоды и каникулы: период «4 четверть».",
    )


# --- grade bands ---------------------------------------------------------------------


def test_band_with_twelfth_grade_is_refused(deputy, world):
    _post_rejected(
        deputy,
        reverse("school:band_create", args=[world.year.pk]),
        {
            "name": "10–12",
            "grade_from": "10",
            "grade_to": "12",
            "period_kind": PeriodKind.HALF_YEAR,
            "days_per_week": "6",
        },
        "Конечная параллель: класс 12 не существует — в школе классы с 1 по 11.",
    )


def test_bands_of_one_year_may_not_share_grades(deputy, world):
    _post_rejected(
        deputy,
        reverse("school:band_create", args=[world.year.pk]),
        {
            "name": "9–11",
            "grade_from": "9",
            "grade_to": "11",
            "period_kind": PeriodKind.HALF_YEAR,
            "days_per_week": "5",
        },
        "Параллели 9–11 пересекаются со ступенью «1–9» (1–9).",
    )


def test_deputy_adds_senior_band_with_six_day_week(deputy, world):
    deputy.post(
        reverse("school:band_create", args=[world.year.pk]),
        {
            "name": "10–11 классы",
            "grade_from": "10",
            "grade_to": "11",
            "period_kind": PeriodKind.HALF_YEAR,
            "days_per_week": "6",
        },
    )
    band = GradeBand.objects.get(year=world.year, grade_from=10)
    assert (band.period_kind, band.days_per_week) == (PeriodKind.HALF_YEAR, 6)
    assert audit_actions() == ["grade_band.created"]


# --- study periods -------------------------------------------------------------------


def test_overlapping_periods_within_a_band_are_refused(deputy, world):
    _post_rejected(
        deputy,
        reverse("school:period_create", args=[_band(world).pk]),
        {"number": "5", "name": "Лишняя", "start": "2026-10-20", "end": "2026-11-10"},
        "Период «Лишняя» пересекается с периодом «1 четверть» (01.09.2026 — 25.10.2026).",
    )


def test_period_ending_before_it_starts_is_refused(deputy, world):
    _post_rejected(
        deputy,
        reverse("school:period_edit", args=[StudyPeriod.objects.get(number=1).pk]),
        {"number": "1", "name": "1 четверть", "start": "2026-10-25", "end": "2026-09-01"},
        "Дата окончания должна быть позже даты начала (учебный период).",
    )


def test_period_outside_the_year_is_refused(deputy, world):
    _post_rejected(
        deputy,
        reverse("school:period_edit", args=[StudyPeriod.objects.get(number=4).pk]),
        {"number": "4", "name": "4 четверть", "start": "2027-03-30", "end": "2027-06-30"},
        "Период «4 четверть» выходит за границы учебного года 2026/2027 (01.09.2026 — 31.05.2027).",
    )


def test_periods_of_different_bands_may_overlap(world):
    band = services.grade_band_create(
        year=world.year,
        name="10–11",
        grade_from=10,
        grade_to=11,
        period_kind=PeriodKind.HALF_YEAR,
        days_per_week=5,
        actor=None,
    )
    period = services.study_period_create(
        band=band,
        number=1,
        name="1 полугодие",
        start=dt.date(2026, 9, 1),
        end=dt.date(2026, 12, 28),
        actor=None,
    )
    assert period.pk


def test_period_edit_is_audited_with_before_and_after(deputy, world):
    period = StudyPeriod.objects.get(number=1)
    deputy.post(
        reverse("school:period_edit", args=[period.pk]),
        {"number": "1", "name": "1 четверть", "start": "2026-09-01", "end": "2026-10-24"},
    )
    event = AuditEvent.objects.get(action="study_period.updated")
    assert event.before == {"end": "2026-10-25"}
    assert event.after == {"end": "2026-10-24"}
    assert event.object_id == str(period.pk)


def test_period_delete_is_audited(deputy, world):
    period = StudyPeriod.objects.get(number=4)
    deputy.post(reverse("school:period_delete", args=[period.pk]))
    assert not StudyPeriod.objects.filter(pk=period.pk).exists()
    event = AuditEvent.objects.get(action="study_period.deleted")
    assert event.before["name"] == "4 четверть"


def test_period_delete_needs_post(deputy, world):
    period = StudyPeriod.objects.get(number=4)
    assert deputy.get(reverse("school:period_delete", args=[period.pk])).status_code == 405
    assert StudyPeriod.objects.filter(pk=period.pk).exists()


# --- holidays and non-working days -----------------------------------------------------


def test_day_off_ending_before_it_starts_is_refused(deputy, world):
    _post_rejected(
        deputy,
        reverse("school:day_off_create", args=[world.year.pk]),
        {
            "kind": "holiday",
            "name": "Зимние каникулы",
            "start": "2027-01-08",
            "end": "2026-12-29",
            "grade_from": "1",
            "grade_to": "11",
        },
        "Дата окончания не может быть раньше даты начала (Зимние каникулы).",
    )


def test_day_off_for_twelfth_grade_is_refused(deputy, world):
    _post_rejected(
        deputy,
        reverse("school:day_off_create", args=[world.year.pk]),
        {
            "kind": "non_working",
            "name": "Выпускной",
            "start": "2027-05-20",
            "end": "2027-05-20",
            "grade_from": "11",
            "grade_to": "12",
        },
        "Конечная параллель: класс 12 не существует — в школе классы с 1 по 11.",
    )


def test_one_day_non_working_day_is_accepted_and_audited(deputy, world):
    deputy.post(
        reverse("school:day_off_create", args=[world.year.pk]),
        {
            "kind": "non_working",
            "name": "День Победы",
            "start": "2027-05-09",
            "end": "2027-05-09",
            "grade_from": "1",
            "grade_to": "11",
        },
    )
    assert DayOff.objects.filter(year=world.year, name="День Победы").exists()
    assert audit_actions() == ["day_off.created"]


# --- the default calendar --------------------------------------------------------------


def test_fill_defaults_creates_bands_periods_and_holidays(deputy, world):
    year = services.academic_year_create(
        school=world.school,
        name="2027/2028",
        start=dt.date(2027, 9, 1),
        end=dt.date(2028, 5, 31),
        actor=None,
    )
    response = deputy.post(reverse("school:year_fill_defaults", args=[year.pk]))
    assert response.status_code == 302
    bands = {b.grade_from: b for b in GradeBand.objects.filter(year=year)}
    assert (bands[1].grade_to, bands[1].period_kind) == (9, PeriodKind.QUARTER)
    assert (bands[10].grade_to, bands[10].period_kind) == (11, PeriodKind.HALF_YEAR)
    quarters = list(bands[1].periods.order_by("number"))
    assert [p.name for p in quarters] == [f"{n} четверть" for n in range(1, 5)]
    assert quarters[0].start == year.start and quarters[-1].end == year.end
    assert [p.name for p in bands[10].periods.order_by("number")] == [
        "1 полугодие",
        "2 полугодие",
    ]
    names = set(DayOff.objects.filter(year=year).values_list("name", flat=True))
    assert {"Осенние каникулы", "Зимние каникулы", "Весенние каникулы", "День Победы"} <= names
    first_graders = DayOff.objects.get(year=year, grade_to=1)
    assert first_graders.start.month == 2
    # Every holiday falls between periods of the quarter band.
    for holiday in DayOff.objects.filter(year=year, kind="holiday", grade_from=1, grade_to=11):
        assert not any(p.start <= holiday.end and holiday.start <= p.end for p in quarters)
    assert "study_period.created" in audit_actions()
    assert audit_actions().count("grade_band.created") == 2


def test_fill_defaults_refuses_a_year_that_has_bands(deputy, world):
    client = deputy
    state = db_state()
    response = client.post(reverse("school:year_fill_defaults", args=[world.year.pk]), follow=True)
    assert "ступени уже заданы" in response.content.decode()
    assert db_state() == state


def test_calendar_page_offers_defaults_for_an_empty_year(deputy, world):
    year = f.YearFactory(
        school=world.school, name="2027/2028", start=dt.date(2027, 9, 1), end=dt.date(2028, 5, 31)
    )
    body = deputy.get(reverse("school:year_calendar", args=[year.pk])).content.decode()
    assert "Заполнить по умолчанию" in body
    body = deputy.get(reverse("school:year_calendar", args=[world.year.pk])).content.decode()
    assert "Заполнить по умолчанию" not in body
    assert "1 четверть" in body and "Осенние каникулы" in body
