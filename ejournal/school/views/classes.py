"""Classes, subjects and the curriculum pages."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

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
    CurriculumEntry,
    SchoolClass,
    Subject,
)
from ejournal.school.views._common import (
    current_year,
    field_values,
    form_page,
    post_action,
    render_page,
    year_or_404,
)

# --- classes ---------------------------------------------------------------------------


@roles_required(STRUCTURE_READERS)
def class_list(request: AuthedRequest, year_id: int):
    year = year_or_404(request, year_id)
    today = selectors.school_today(request.ctx.school_or_404())
    day = selectors.day_in_year(year=year, today=today)
    return render_page(
        request,
        "school/class_list.html",
        tab="classes",
        year=year,
        day=day,
        classes=selectors.classes_with_sizes(year=year, day=day),
    )


@roles_required(STRUCTURE_EDITORS)
def class_create(request: AuthedRequest, year_id: int):
    year = year_or_404(request, year_id)
    form = forms.SchoolClassForm(request.POST or None, school=request.ctx.school_or_404())
    url = reverse("school:class_list", args=[year.pk])
    return form_page(
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
def class_edit(request: AuthedRequest, class_id: int):
    school_class = get_in_school_or_404(
        SchoolClass.objects.select_related("year"), request, id=class_id
    )
    fields = ["grade", "letter", "homeroom_teacher", "room", "shift"]
    form = forms.SchoolClassForm(
        request.POST or None,
        initial=field_values(school_class, fields),
        school=request.ctx.school_or_404(),
    )
    url = reverse("school:class_list", args=[school_class.year_id])
    return form_page(
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
def subject_list(request: AuthedRequest):
    return render_page(
        request,
        "school/subject_list.html",
        tab="subjects",
        year=current_year(request),
        subjects=selectors.subjects_of_school(school=request.ctx.school_or_404()),
    )


@roles_required(STRUCTURE_EDITORS)
def subject_create(request: AuthedRequest):
    form = forms.SubjectForm(request.POST or None)
    url = reverse("school:subject_list")
    return form_page(
        request,
        form,
        write=lambda data: services.subject_create(
            school=request.ctx.school_or_404(), actor=request.user, **data
        ),
        success_url=url,
        success_message="Предмет добавлен.",
        title="Новый предмет",
        tab="subjects",
        year=current_year(request),
        cancel_url=url,
    )


@roles_required(STRUCTURE_EDITORS)
def subject_edit(request: AuthedRequest, subject_id: int):
    subject = get_in_school_or_404(Subject.objects.all(), request, id=subject_id)
    fields = ["name", "short_name", "is_no_mark", "is_physical_education"]
    form = forms.SubjectForm(request.POST or None, initial=field_values(subject, fields))
    url = reverse("school:subject_list")
    return form_page(
        request,
        form,
        write=lambda data: services.subject_update(subject=subject, actor=request.user, **data),
        success_url=url,
        success_message="Предмет изменён.",
        title=f"Предмет «{subject}»",
        tab="subjects",
        year=current_year(request),
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
def curriculum(request: AuthedRequest, year_id: int):
    year = year_or_404(request, year_id)
    entries = list(selectors.curriculum_of_year(year=year))
    return render_page(
        request, "school/curriculum.html", tab="curriculum", year=year, **_curriculum_grid(entries)
    )


@roles_required(STRUCTURE_EDITORS)
def curriculum_create(request: AuthedRequest, year_id: int):
    year = year_or_404(request, year_id)
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

    return form_page(
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


def _entry(request: AuthedRequest, entry_id: int) -> CurriculumEntry:
    return get_in_school_or_404(
        CurriculumEntry.objects.select_related("year", "subject", "school_class", "student"),
        request,
        "year__school",
        id=entry_id,
    )


@roles_required(STRUCTURE_EDITORS)
def curriculum_edit(request: AuthedRequest, entry_id: int):
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
    return form_page(
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
def curriculum_delete(request: AuthedRequest, entry_id: int):
    entry = _entry(request, entry_id)
    return post_action(
        request,
        lambda: services.curriculum_entry_delete(entry=entry, actor=request.user),
        success_message="Строка учебного плана удалена.",
        url=reverse("school:curriculum", args=[entry.year_id]),
    )
