"""Structure pages for the administrator and the deputy (the director reads them).

Each view parses a form, calls one service or selector and renders; every object is
fetched within the current school, so another school's id answers 404.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ejournal.accounts.models import Role
from ejournal.accounts.permissions import (
    STRUCTURE_EDITORS,
    STRUCTURE_READERS,
    can_edit_structure,
    get_in_school_or_404,
    roles_required,
)
from ejournal.school import forms, selectors, services
from ejournal.school.models import (
    AcademicYear,
    CurriculumEntry,
    DayOff,
    GradeBand,
    GroupKind,
    GroupMembership,
    SchoolClass,
    StudyGroup,
    StudyPeriod,
    Subject,
    TeachingLoad,
)

# --- helpers ------------------------------------------------------------------------


def _year(request, year_id: int) -> AcademicYear:
    return get_in_school_or_404(AcademicYear.objects.select_related("school"), request, id=year_id)


def _current_year(request) -> AcademicYear | None:
    school = request.ctx.school
    return selectors.year_on(school=school, day=selectors.school_today(school))


def _page(request, template: str, *, tab: str, year: AcademicYear | None, **context):
    """Render a structure page with the tab bar of ``year``."""
    context.update(
        {
            "tab": tab,
            "year": year,
            "can_edit": can_edit_structure(request),
            "is_admin": Role.ADMIN in request.ctx.roles,
        }
    )
    return render(request, template, context)


def _form_page(
    request,
    form: Form,
    *,
    write: Callable[[dict], Any],
    success_url: str | Callable[[Any], str],
    success_message: str,
    title: str,
    tab: str,
    year: AcademicYear | None,
    cancel_url: str,
) -> HttpResponse:
    """GET shows the form; a valid POST calls ``write`` (one service) and redirects.
    A service's ValidationError is shown above the form and nothing is saved.
    ``success_url`` may be a function of the written object."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = write(form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, success_message)
            return redirect(success_url(obj) if callable(success_url) else success_url)
    return _page(
        request,
        "school/form.html",
        tab=tab,
        year=year,
        form=form,
        title=title,
        cancel_url=cancel_url,
    )


def _post_action(request, action: Callable[[], object], *, success_message: str, url: str):
    try:
        action()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success_message)
    return redirect(url)


def _fields(obj, names: list[str]) -> dict:
    return {name: getattr(obj, name) for name in names}


# --- overview (the hub) ------------------------------------------------------------

# Where each kind of problem is fixed.
_PROBLEM_PAGES = {
    "periods": "school:year_calendar",
    "homeroom": "school:class_list",
    "group_member": "school:group_list",
    "load": "school:load_list",
}


@roles_required(STRUCTURE_READERS)
def overview(request):
    school = request.ctx.school
    today = selectors.school_today(school)
    if request.GET.get("year", "").isdigit():
        year = _year(request, int(request.GET["year"]))
    else:
        year = selectors.year_on(school=school, day=today)
    problems = []
    if year:
        for problem in selectors.structure_problems(year=year, day=today):
            page = _PROBLEM_PAGES.get(problem.kind)
            url = problem.url or (reverse(page, args=[year.pk]) if page else "")
            problems.append({"message": problem.message, "url": url})
    return _page(
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
def year_list(request):
    return _page(
        request,
        "school/year_list.html",
        tab="calendar",
        year=_current_year(request),
        years=selectors.years_of_school(school=request.ctx.school),
    )


@roles_required(STRUCTURE_EDITORS)
def year_create(request):
    form = forms.AcademicYearForm(request.POST or None)
    return _form_page(
        request,
        form,
        write=lambda data: services.academic_year_create(
            school=request.ctx.school, actor=request.user, **data
        ),
        success_url=lambda year: reverse("school:year_calendar", args=[year.pk]),
        success_message="Учебный год создан.",
        title="Новый учебный год",
        tab="calendar",
        year=_current_year(request),
        cancel_url=reverse("school:year_list"),
    )


@roles_required(STRUCTURE_EDITORS)
def year_edit(request, year_id: int):
    year = _year(request, year_id)
    form = forms.AcademicYearForm(
        request.POST or None, initial=_fields(year, ["name", "start", "end"])
    )
    url = reverse("school:year_calendar", args=[year.pk])
    return _form_page(
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
def year_calendar(request, year_id: int):
    year = _year(request, year_id)
    return _page(
        request,
        "school/year_calendar.html",
        tab="calendar",
        year=year,
        **selectors.year_calendar(year=year),
    )


@roles_required(STRUCTURE_EDITORS)
@require_POST
def year_fill_defaults(request, year_id: int):
    year = _year(request, year_id)
    return _post_action(
        request,
        lambda: services.academic_year_fill_defaults(year=year, actor=request.user),
        success_message="Ступени, учебные периоды и каникулы заполнены по умолчанию.",
        url=reverse("school:year_calendar", args=[year.pk]),
    )


@roles_required(STRUCTURE_EDITORS)
def band_create(request, year_id: int):
    year = _year(request, year_id)
    form = forms.GradeBandForm(request.POST or None, initial={"days_per_week": 5})
    url = reverse("school:year_calendar", args=[year.pk])
    return _form_page(
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
def band_edit(request, band_id: int):
    band = get_in_school_or_404(
        GradeBand.objects.select_related("year"), request, "year__school", id=band_id
    )
    fields = ["name", "grade_from", "grade_to", "period_kind", "days_per_week"]
    form = forms.GradeBandForm(request.POST or None, initial=_fields(band, fields))
    url = reverse("school:year_calendar", args=[band.year_id])
    return _form_page(
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
def period_create(request, band_id: int):
    band = get_in_school_or_404(
        GradeBand.objects.select_related("year"), request, "year__school", id=band_id
    )
    next_number = band.periods.count() + 1
    form = forms.StudyPeriodForm(request.POST or None, initial={"number": next_number})
    url = reverse("school:year_calendar", args=[band.year_id])
    return _form_page(
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


def _period(request, period_id: int) -> StudyPeriod:
    return get_in_school_or_404(
        StudyPeriod.objects.select_related("band__year"),
        request,
        "band__year__school",
        id=period_id,
    )


@roles_required(STRUCTURE_EDITORS)
def period_edit(request, period_id: int):
    period = _period(request, period_id)
    form = forms.StudyPeriodForm(
        request.POST or None, initial=_fields(period, ["number", "name", "start", "end"])
    )
    url = reverse("school:year_calendar", args=[period.band.year_id])
    return _form_page(
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
def period_delete(request, period_id: int):
    period = _period(request, period_id)
    return _post_action(
        request,
        lambda: services.study_period_delete(period=period, actor=request.user),
        success_message="Учебный период удалён.",
        url=reverse("school:year_calendar", args=[period.band.year_id]),
    )


@roles_required(STRUCTURE_EDITORS)
def day_off_create(request, year_id: int):
    year = _year(request, year_id)
    form = forms.DayOffForm(request.POST or None)
    url = reverse("school:year_calendar", args=[year.pk])
    return _form_page(
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


def _day_off(request, day_off_id: int) -> DayOff:
    return get_in_school_or_404(
        DayOff.objects.select_related("year"), request, "year__school", id=day_off_id
    )


@roles_required(STRUCTURE_EDITORS)
def day_off_edit(request, day_off_id: int):
    day_off = _day_off(request, day_off_id)
    fields = ["kind", "name", "start", "end", "grade_from", "grade_to"]
    form = forms.DayOffForm(request.POST or None, initial=_fields(day_off, fields))
    url = reverse("school:year_calendar", args=[day_off.year_id])
    return _form_page(
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
def day_off_delete(request, day_off_id: int):
    day_off = _day_off(request, day_off_id)
    return _post_action(
        request,
        lambda: services.day_off_delete(day_off=day_off, actor=request.user),
        success_message="Запись удалена.",
        url=reverse("school:year_calendar", args=[day_off.year_id]),
    )


# --- classes ---------------------------------------------------------------------------


@roles_required(STRUCTURE_READERS)
def class_list(request, year_id: int):
    year = _year(request, year_id)
    today = selectors.school_today(request.ctx.school)
    day = min(max(today, year.start), year.end)
    return _page(
        request,
        "school/class_list.html",
        tab="classes",
        year=year,
        day=day,
        classes=selectors.classes_with_sizes(year=year, day=day),
    )


@roles_required(STRUCTURE_EDITORS)
def class_create(request, year_id: int):
    year = _year(request, year_id)
    form = forms.SchoolClassForm(request.POST or None, school=request.ctx.school)
    url = reverse("school:class_list", args=[year.pk])
    return _form_page(
        request,
        form,
        write=lambda data: services.school_class_create(year=year, actor=request.user, **data),
        success_url=url,
        success_message="Класс создан.",
        title=f"Новый класс, {year}",
        tab="classes",
        year=year,
        cancel_url=url,
    )


@roles_required(STRUCTURE_EDITORS)
def class_edit(request, class_id: int):
    school_class = get_in_school_or_404(
        SchoolClass.objects.select_related("year"), request, id=class_id
    )
    fields = ["grade", "letter", "homeroom_teacher", "room", "shift"]
    form = forms.SchoolClassForm(
        request.POST or None, initial=_fields(school_class, fields), school=request.ctx.school
    )
    url = reverse("school:class_list", args=[school_class.year_id])
    return _form_page(
        request,
        form,
        write=lambda data: services.school_class_update(
            school_class=school_class, actor=request.user, **data
        ),
        success_url=url,
        success_message="Класс изменён.",
        title=f"Класс {school_class}",
        tab="classes",
        year=school_class.year,
        cancel_url=url,
    )


# --- subjects -------------------------------------------------------------------------


@roles_required(STRUCTURE_READERS)
def subject_list(request):
    return _page(
        request,
        "school/subject_list.html",
        tab="subjects",
        year=_current_year(request),
        subjects=selectors.subjects_of_school(school=request.ctx.school),
    )


@roles_required(STRUCTURE_EDITORS)
def subject_create(request):
    form = forms.SubjectForm(request.POST or None)
    url = reverse("school:subject_list")
    return _form_page(
        request,
        form,
        write=lambda data: services.subject_create(
            school=request.ctx.school, actor=request.user, **data
        ),
        success_url=url,
        success_message="Предмет добавлен.",
        title="Новый предмет",
        tab="subjects",
        year=_current_year(request),
        cancel_url=url,
    )


@roles_required(STRUCTURE_EDITORS)
def subject_edit(request, subject_id: int):
    subject = get_in_school_or_404(Subject.objects.all(), request, id=subject_id)
    fields = ["name", "short_name", "is_no_mark", "is_physical_education"]
    form = forms.SubjectForm(request.POST or None, initial=_fields(subject, fields))
    url = reverse("school:subject_list")
    return _form_page(
        request,
        form,
        write=lambda data: services.subject_update(subject=subject, actor=request.user, **data),
        success_url=url,
        success_message="Предмет изменён.",
        title=f"Предмет «{subject}»",
        tab="subjects",
        year=_current_year(request),
        cancel_url=url,
    )


# --- curriculum --------------------------------------------------------------------------

GRADES = list(range(1, 12))


def _curriculum_grid(entries: list[CurriculumEntry]) -> dict:
    """Grade lines as a subject × grade table, overrides as a list."""
    lines: dict[int, dict[int, CurriculumEntry]] = defaultdict(dict)
    subjects = {}
    totals: dict[int, Decimal] = defaultdict(Decimal)
    overrides = []
    for entry in entries:
        if entry.school_class_id or entry.student_id:
            overrides.append(entry)
            continue
        subjects[entry.subject_id] = entry.subject
        lines[entry.subject_id][entry.grade] = entry
        totals[entry.grade] += entry.hours_per_week
    rows = [
        {"subject": subject, "cells": [lines[subject.pk].get(g) for g in GRADES]}
        for subject in sorted(subjects.values(), key=lambda s: s.name)
    ]
    return {
        "grades": GRADES,
        "rows": rows,
        "totals": [totals.get(g) for g in GRADES],
        "overrides": overrides,
    }


@roles_required(STRUCTURE_READERS)
def curriculum(request, year_id: int):
    year = _year(request, year_id)
    entries = list(selectors.curriculum_of_year(year=year))
    return _page(
        request, "school/curriculum.html", tab="curriculum", year=year, **_curriculum_grid(entries)
    )


@roles_required(STRUCTURE_EDITORS)
def curriculum_create(request, year_id: int):
    year = _year(request, year_id)
    form = forms.CurriculumEntryForm(request.POST or None, year=year)
    url = reverse("school:curriculum", args=[year.pk])

    def write(data):
        return services.curriculum_entry_create(
            year=year,
            subject=data["subject"],
            grade=data["grade"],
            school_class=data["school_class"],
            student=data["student"],
            hours_per_week=data["hours_per_week"],
            actor=request.user,
        )

    return _form_page(
        request,
        form,
        write=write,
        success_url=url,
        success_message="Строка учебного плана добавлена.",
        title=f"Учебный план {year}: новая строка",
        tab="curriculum",
        year=year,
        cancel_url=url,
    )


def _entry(request, entry_id: int) -> CurriculumEntry:
    return get_in_school_or_404(
        CurriculumEntry.objects.select_related("year", "subject", "school_class", "student"),
        request,
        "year__school",
        id=entry_id,
    )


@roles_required(STRUCTURE_EDITORS)
def curriculum_edit(request, entry_id: int):
    entry = _entry(request, entry_id)
    form = forms.CurriculumHoursForm(
        request.POST or None, initial={"hours_per_week": entry.hours_per_week}
    )
    url = reverse("school:curriculum", args=[entry.year_id])
    target = (
        f"класс {entry.school_class}"
        if entry.school_class
        else f"ученик {entry.student.short_name}"
        if entry.student
        else f"{entry.grade} классы"
    )
    return _form_page(
        request,
        form,
        write=lambda data: services.curriculum_entry_update(
            entry=entry, actor=request.user, **data
        ),
        success_url=url,
        success_message="Часы изменены.",
        title=f"{entry.subject}, {target}",
        tab="curriculum",
        year=entry.year,
        cancel_url=url,
    )


@roles_required(STRUCTURE_EDITORS)
@require_POST
def curriculum_delete(request, entry_id: int):
    entry = _entry(request, entry_id)
    return _post_action(
        request,
        lambda: services.curriculum_entry_delete(entry=entry, actor=request.user),
        success_message="Строка учебного плана удалена.",
        url=reverse("school:curriculum", args=[entry.year_id]),
    )


# --- study groups and their members -----------------------------------------------------


@roles_required(STRUCTURE_READERS)
def group_list(request, year_id: int):
    year = _year(request, year_id)
    today = selectors.school_today(request.ctx.school)
    day = min(max(today, year.start), year.end)
    return _page(
        request,
        "school/group_list.html",
        tab="groups",
        year=year,
        day=day,
        groups=selectors.groups_of_year(year=year, day=day),
        whole_class=GroupKind.WHOLE_CLASS,
    )


@roles_required(STRUCTURE_EDITORS)
def group_create(request, year_id: int):
    year = _year(request, year_id)
    form = forms.StudyGroupForm(request.POST or None, year=year)
    return _form_page(
        request,
        form,
        write=lambda data: services.study_group_create(year=year, actor=request.user, **data),
        success_url=lambda group: reverse("school:group_detail", args=[group.pk]),
        success_message="Группа создана.",
        title=f"Новая учебная группа, {year}",
        tab="groups",
        year=year,
        cancel_url=reverse("school:group_list", args=[year.pk]),
    )


def _group(request, group_id: int) -> StudyGroup:
    return get_in_school_or_404(
        StudyGroup.objects.select_related("year", "school_class"), request, id=group_id
    )


@roles_required(STRUCTURE_READERS)
def group_detail(request, group_id: int):
    group = _group(request, group_id)
    add_form = None
    if group.kind != GroupKind.WHOLE_CLASS and can_edit_structure(request):
        add_form = forms.MembershipAddForm(group=group, initial={"date_from": group.year.start})
    return _page(
        request,
        "school/group_detail.html",
        tab="groups",
        year=group.year,
        group=group,
        memberships=selectors.memberships_of_group(group=group),
        add_form=add_form,
        whole_class=GroupKind.WHOLE_CLASS,
    )


@roles_required(STRUCTURE_EDITORS)
def group_edit(request, group_id: int):
    group = _group(request, group_id)
    form = forms.StudyGroupForm(
        request.POST or None,
        initial=_fields(group, ["name", "kind", "school_class"]),
        year=group.year,
    )
    url = reverse("school:group_detail", args=[group.pk])
    return _form_page(
        request,
        form,
        write=lambda data: services.study_group_update(group=group, actor=request.user, **data),
        success_url=url,
        success_message="Группа изменена.",
        title=f"Группа «{group}»",
        tab="groups",
        year=group.year,
        cancel_url=url,
    )


@roles_required(STRUCTURE_EDITORS)
def group_member_add(request, group_id: int):
    group = _group(request, group_id)
    form = forms.MembershipAddForm(
        request.POST or None, group=group, initial={"date_from": group.year.start}
    )
    url = reverse("school:group_detail", args=[group.pk])
    return _form_page(
        request,
        form,
        write=lambda data: services.group_membership_create(
            group=group, actor=request.user, **data
        ),
        success_url=url,
        success_message="Ученик добавлен в группу.",
        title=f"Добавить ученика в группу «{group}»",
        tab="groups",
        year=group.year,
        cancel_url=url,
    )


def _membership(request, membership_id: int) -> GroupMembership:
    return get_in_school_or_404(
        GroupMembership.objects.select_related(
            "group__year", "group__school_class", "group__school", "student"
        ),
        request,
        "group__school",
        id=membership_id,
    )


@roles_required(STRUCTURE_EDITORS)
def membership_edit(request, membership_id: int):
    membership = _membership(request, membership_id)
    form = forms.MembershipDatesForm(
        request.POST or None, initial=_fields(membership, ["date_from", "date_to"])
    )
    url = reverse("school:group_detail", args=[membership.group_id])
    return _form_page(
        request,
        form,
        write=lambda data: services.group_membership_update(
            membership=membership, actor=request.user, **data
        ),
        success_url=url,
        success_message="Даты членства изменены.",
        title=f"{membership.student.full_name} в группе «{membership.group}»",
        tab="groups",
        year=membership.group.year,
        cancel_url=url,
    )


@roles_required(STRUCTURE_EDITORS)
@require_POST
def membership_delete(request, membership_id: int):
    membership = _membership(request, membership_id)
    return _post_action(
        request,
        lambda: services.group_membership_delete(membership=membership, actor=request.user),
        success_message="Запись о членстве удалена.",
        url=reverse("school:group_detail", args=[membership.group_id]),
    )


# --- teaching load -----------------------------------------------------------------------


@roles_required(STRUCTURE_READERS)
def load_list(request, year_id: int):
    year = _year(request, year_id)
    loads = list(selectors.loads_of_year(year=year))
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for load in loads:
        totals[load.teacher_id] += load.hours_per_week
    for load in loads:
        load.teacher_total = totals[load.teacher_id]  # type: ignore[attr-defined]
    return _page(request, "school/load_list.html", tab="loads", year=year, loads=loads)


@roles_required(STRUCTURE_EDITORS)
def load_create(request, year_id: int):
    year = _year(request, year_id)
    form = forms.TeachingLoadForm(request.POST or None, year=year)
    url = reverse("school:load_list", args=[year.pk])
    return _form_page(
        request,
        form,
        write=lambda data: services.teaching_load_create(
            school=request.ctx.school, actor=request.user, **data
        ),
        success_url=url,
        success_message="Нагрузка добавлена.",
        title=f"Тарификация {year}: новая строка",
        tab="loads",
        year=year,
        cancel_url=url,
    )


def _load(request, load_id: int) -> TeachingLoad:
    return get_in_school_or_404(
        TeachingLoad.objects.select_related("group__year", "group__school"),
        request,
        "group__school",
        id=load_id,
    )


@roles_required(STRUCTURE_EDITORS)
def load_edit(request, load_id: int):
    load = _load(request, load_id)
    form = forms.TeachingLoadForm(
        request.POST or None,
        initial=_fields(load, ["teacher", "group", "subject", "hours_per_week"]),
        year=load.group.year,
    )
    url = reverse("school:load_list", args=[load.group.year_id])
    return _form_page(
        request,
        form,
        write=lambda data: services.teaching_load_update(load=load, actor=request.user, **data),
        success_url=url,
        success_message="Нагрузка изменена.",
        title="Строка тарификации",
        tab="loads",
        year=load.group.year,
        cancel_url=url,
    )


@roles_required(STRUCTURE_EDITORS)
@require_POST
def load_delete(request, load_id: int):
    load = _load(request, load_id)
    return _post_action(
        request,
        lambda: services.teaching_load_delete(load=load, actor=request.user),
        success_message="Строка тарификации удалена.",
        url=reverse("school:load_list", args=[load.group.year_id]),
    )
