"""The hub and the calendar: overview, academic years, bands, periods, days off."""

from __future__ import annotations

from django.urls import reverse
from django.views.decorators.http import require_POST

from ejournal.accounts.permissions import (
    STRUCTURE_EDITORS,
    STRUCTURE_READERS,
    get_in_school_or_404,
    roles_required,
)
from ejournal.school import forms, selectors, services
from ejournal.school.http import AuthedRequest
from ejournal.school.models import (
    AcademicYear,
    DayOff,
    GradeBand,
    StudyPeriod,
)
from ejournal.school.views._common import (
    current_year,
    field_values,
    form_page,
    post_action,
    render_page,
    year_or_404,
)

# --- overview (the hub) ------------------------------------------------------------

# Where each kind of problem is fixed.
_PROBLEM_PAGES = {
    "periods": "school:year_calendar",
    "homeroom": "school:class_list",
    "group_member": "school:group_list",
    "load": "school:load_list",
}


@roles_required(STRUCTURE_READERS)
def overview(request: AuthedRequest):
    school = request.ctx.school_or_404()
    today = selectors.school_today(school)
    year: AcademicYear | None
    if request.GET.get("year", "").isdigit():
        year = year_or_404(request, int(request.GET["year"]))
    else:
        year = selectors.year_on(school=school, day=today)
    problems = []
    if year:
        for problem in selectors.structure_problems(year=year, day=today):
            fix_page = _PROBLEM_PAGES.get(problem.kind)
            url = problem.url or (reverse(fix_page, args=[year.pk]) if fix_page else "")
            problems.append({"message": problem.message, "url": url})
    return render_page(
        request,
        "school/overview.html",
        tab="overview",
        year=year,
        today=today,
        problems=problems,
        years=selectors.years_of_school(school=school),
    )


# --- academic years, bands, periods, days off ----------------------------------------


@roles_required(STRUCTURE_READERS)
def year_list(request: AuthedRequest):
    return render_page(
        request,
        "school/year_list.html",
        tab="calendar",
        year=current_year(request),
        years=selectors.years_of_school(school=request.ctx.school_or_404()),
    )


@roles_required(STRUCTURE_EDITORS)
def year_create(request: AuthedRequest):
    form = forms.AcademicYearForm(request.POST or None)
    return form_page(
        request,
        form,
        write=lambda data: services.academic_year_create(
            school=request.ctx.school_or_404(), actor=request.user, **data
        ),
        success_url=lambda year: reverse("school:year_calendar", args=[year.pk]),
        success_message="Учебный год создан.",
        title="Новый учебный год",
        tab="calendar",
        year=current_year(request),
        cancel_url=reverse("school:year_list"),
    )


@roles_required(STRUCTURE_EDITORS)
def year_edit(request: AuthedRequest, year_id: int):
    year = year_or_404(request, year_id)
    form = forms.AcademicYearForm(
        request.POST or None, initial=field_values(year, ["name", "start", "end"])
    )
    url = reverse("school:year_calendar", args=[year.pk])
    return form_page(
        request,
        form,
        write=lambda data: services.academic_year_update(year=year, actor=request.user, **data),
        success_url=url,
        success_message="Учебный год изменён.",
        title=f"Учебный год {year}",
        tab="calendar",
        year=year,
        cancel_url=url,
    )


@roles_required(STRUCTURE_READERS)
def year_calendar(request: AuthedRequest, year_id: int):
    year = year_or_404(request, year_id)
    return render_page(
        request,
        "school/year_calendar.html",
        tab="calendar",
        year=year,
        **selectors.year_calendar(year=year),
    )


@roles_required(STRUCTURE_EDITORS)
@require_POST
def year_fill_defaults(request: AuthedRequest, year_id: int):
    year = year_or_404(request, year_id)
    return post_action(
        request,
        lambda: services.academic_year_fill_defaults(year=year, actor=request.user),
        success_message="Ступени, учебные периоды и каникулы заполнены по умолчанию.",
        url=reverse("school:year_calendar", args=[year.pk]),
    )


@roles_required(STRUCTURE_EDITORS)
def band_create(request: AuthedRequest, year_id: int):
    year = year_or_404(request, year_id)
    form = forms.GradeBandForm(request.POST or None, initial={"days_per_week": 5})
    url = reverse("school:year_calendar", args=[year.pk])
    return form_page(
        request,
        form,
        write=lambda data: services.grade_band_create(year=year, actor=request.user, **data),
        success_url=url,
        success_message="Ступень добавлена.",
        title=f"Новая ступень, {year}",
        tab="calendar",
        year=year,
        cancel_url=url,
    )


@roles_required(STRUCTURE_EDITORS)
def band_edit(request: AuthedRequest, band_id: int):
    band = get_in_school_or_404(
        GradeBand.objects.select_related("year"), request, "year__school", id=band_id
    )
    fields = ["name", "grade_from", "grade_to", "period_kind", "days_per_week"]
    form = forms.GradeBandForm(request.POST or None, initial=field_values(band, fields))
    url = reverse("school:year_calendar", args=[band.year_id])
    return form_page(
        request,
        form,
        write=lambda data: services.grade_band_update(band=band, actor=request.user, **data),
        success_url=url,
        success_message="Ступень изменена.",
        title=f"Ступень «{band.name}»",
        tab="calendar",
        year=band.year,
        cancel_url=url,
    )


@roles_required(STRUCTURE_EDITORS)
def period_create(request: AuthedRequest, band_id: int):
    band = get_in_school_or_404(
        GradeBand.objects.select_related("year"), request, "year__school", id=band_id
    )
    next_number = band.periods.count() + 1
    form = forms.StudyPeriodForm(request.POST or None, initial={"number": next_number})
    url = reverse("school:year_calendar", args=[band.year_id])
    return form_page(
        request,
        form,
        write=lambda data: services.study_period_create(band=band, actor=request.user, **data),
        success_url=url,
        success_message="Учебный период добавлен.",
        title=f"Новый учебный период: {band.name}",
        tab="calendar",
        year=band.year,
        cancel_url=url,
    )


def _period(request: AuthedRequest, period_id: int) -> StudyPeriod:
    return get_in_school_or_404(
        StudyPeriod.objects.select_related("band__year"),
        request,
        "band__year__school",
        id=period_id,
    )


@roles_required(STRUCTURE_EDITORS)
def period_edit(request: AuthedRequest, period_id: int):
    period = _period(request, period_id)
    form = forms.StudyPeriodForm(
        request.POST or None, initial=field_values(period, ["number", "name", "start", "end"])
    )
    url = reverse("school:year_calendar", args=[period.band.year_id])
    return form_page(
        request,
        form,
        write=lambda data: services.study_period_update(period=period, actor=request.user, **data),
        success_url=url,
        success_message="Учебный период изменён.",
        title=f"{period.name}: {period.band.name}",
        tab="calendar",
        year=period.band.year,
        cancel_url=url,
    )


@roles_required(STRUCTURE_EDITORS)
@require_POST
def period_delete(request: AuthedRequest, period_id: int):
    period = _period(request, period_id)
    return post_action(
        request,
        lambda: services.study_period_delete(period=period, actor=request.user),
        success_message="Учебный период удалён.",
        url=reverse("school:year_calendar", args=[period.band.year_id]),
    )


@roles_required(STRUCTURE_EDITORS)
def day_off_create(request: AuthedRequest, year_id: int):
    year = year_or_404(request, year_id)
    form = forms.DayOffForm(request.POST or None)
    url = reverse("school:year_calendar", args=[year.pk])
    return form_page(
        request,
        form,
        write=lambda data: services.day_off_create(year=year, actor=request.user, **data),
        success_url=url,
        success_message="Каникулы / нерабочий день добавлены.",
        title=f"Каникулы или нерабочий день, {year}",
        tab="calendar",
        year=year,
        cancel_url=url,
    )


def _day_off(request: AuthedRequest, day_off_id: int) -> DayOff:
    return get_in_school_or_404(
        DayOff.objects.select_related("year"), request, "year__school", id=day_off_id
    )


@roles_required(STRUCTURE_EDITORS)
def day_off_edit(request: AuthedRequest, day_off_id: int):
    day_off = _day_off(request, day_off_id)
    fields = ["kind", "name", "start", "end", "grade_from", "grade_to"]
    form = forms.DayOffForm(request.POST or None, initial=field_values(day_off, fields))
    url = reverse("school:year_calendar", args=[day_off.year_id])
    return form_page(
        request,
        form,
        write=lambda data: services.day_off_update(day_off=day_off, actor=request.user, **data),
        success_url=url,
        success_message="Изменения сохранены.",
        title=day_off.name,
        tab="calendar",
        year=day_off.year,
        cancel_url=url,
    )


@roles_required(STRUCTURE_EDITORS)
@require_POST
def day_off_delete(request: AuthedRequest, day_off_id: int):
    day_off = _day_off(request, day_off_id)
    return post_action(
        request,
        lambda: services.day_off_delete(day_off=day_off, actor=request.user),
        success_message="Запись удалена.",
        url=reverse("school:year_calendar", args=[day_off.year_id]),
    )
