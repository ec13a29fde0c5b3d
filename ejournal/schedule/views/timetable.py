"""Bell schedules and the timetable: the grids by class, teacher and room, and editing
entries."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ejournal.accounts.models import StaffMember
from ejournal.accounts.permissions import (
    deny,
    get_in_school_or_404,
    roles_required,
)
from ejournal.schedule import forms, selectors, services
from ejournal.schedule.models import BellSchedule, TimetableEntry
from ejournal.schedule.permissions import (
    TIMETABLE_EDITORS,
    TIMETABLE_READERS,
    can_edit_timetable,
)
from ejournal.schedule.views._common import _day_param, _errors, _form_errors, _today_and_year
from ejournal.school.http import AuthedRequest
from ejournal.school.models import SchoolClass


@roles_required(TIMETABLE_READERS)
def bells(request: AuthedRequest):
    school = request.ctx.school_or_404()
    today, _ = _today_and_year(request)
    day_form = forms.BellDayForm(school=school, initial={"date": today, "shift": 1})
    return render(
        request,
        "schedule/bells.html",
        {
            "schedules": selectors.bell_schedules(school=school),
            "days": selectors.bell_days(
                school=school, start=today, end=today + dt.timedelta(days=366)
            ),
            "day_form": day_form,
            "can_edit": can_edit_timetable(request.ctx),
        },
    )


@roles_required(TIMETABLE_EDITORS)
def bell_edit(request: AuthedRequest, pk: int | None = None):
    school = request.ctx.school_or_404()
    bell = get_in_school_or_404(BellSchedule.objects.all(), request, pk=pk) if pk else None
    if request.method == "POST":
        form = forms.BellScheduleForm(request.POST)
        if form.is_valid():
            try:
                services.bell_schedule_save(
                    school=school, actor=request.user, bell_schedule=bell, **form.cleaned_data
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, "Расписание звонков сохранено.")
                return redirect("schedule:bells")
    else:
        form = forms.BellScheduleForm(
            initial=forms.BellScheduleForm.initial_for(bell)
            if bell
            else {
                "shift": 1,
                "is_default": True,
            }
        )
    return render(request, "schedule/bell_edit.html", {"form": form, "bell": bell})


@require_POST
@roles_required(TIMETABLE_EDITORS)
def bell_day(request: AuthedRequest):
    school = request.ctx.school_or_404()
    form = forms.BellDayForm(request.POST, school=school)
    if form.is_valid():
        try:
            changed = services.bell_day_set(
                school=school,
                actor=request.user,
                day=form.cleaned_data["date"],
                shift=form.cleaned_data["shift"],
                bell_schedule=form.cleaned_data["bell_schedule"],
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(
                request, f"Вариант звонков сохранён; время уроков обновлено: {changed}."
            )
    else:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))  # an ErrorList yields its messages
    return redirect("schedule:bells")


@roles_required(TIMETABLE_READERS)
def timetable(request: AuthedRequest):
    school = request.ctx.school_or_404()
    today, year = _today_and_year(request)
    can_edit = can_edit_timetable(request.ctx)
    conflicts = []
    if year and (can_edit or "director" in request.ctx.roles):
        conflicts = selectors.timetable_conflicts(school=school, year=year)
    return render(
        request,
        "schedule/timetable.html",
        {
            "year": year,
            "classes": SchoolClass.objects.filter(year=year).order_by("grade", "letter")
            if year
            else [],
            "teachers": selectors.teachers_of(school=school),
            "rooms": selectors.rooms_of(school=school),
            "conflicts": conflicts,
            "can_edit": can_edit,
            "range_form": forms.RangeForm(
                initial={"start": today + dt.timedelta(days=1), "end": year.end if year else None}
            ),
        },
    )


def _grid_page(request: AuthedRequest, *, title: str, grid, back_params: str = "", group=None):
    day = _day_param(request, _today_and_year(request)[0])
    return render(
        request,
        "schedule/grid.html",
        {
            "title": title,
            "grid": grid,
            "day": day,
            "can_edit": can_edit_timetable(request.ctx),
            "new_params": back_params,
        },
    )


@roles_required(TIMETABLE_READERS)
def by_class(request: AuthedRequest, class_id: int):
    school_class = get_in_school_or_404(SchoolClass.objects.all(), request, pk=class_id)
    day = _day_param(request, _today_and_year(request)[0])
    band = next((b for b in school_class.year.bands.all() if b.covers(school_class.grade)), None)
    grid = selectors.timetable_grid(
        school=request.ctx.school_or_404(),
        day=day,
        group_ids=selectors.class_group_ids(school_class_id=school_class.id),
        days_per_week=band.days_per_week if band else 5,
    )
    whole = school_class.groups.filter(kind="class").values_list("id", flat=True).first()
    return _grid_page(
        request,
        title=f"Расписание {school_class} класса",
        grid=grid,
        back_params=f"&group={whole}" if whole else "",
    )


@roles_required(TIMETABLE_READERS)
def by_teacher(request: AuthedRequest, staff_id: int):
    teacher = get_in_school_or_404(StaffMember.objects.all(), request, pk=staff_id)
    day = _day_param(request, _today_and_year(request)[0])
    grid = selectors.timetable_grid(school=request.ctx.school_or_404(), day=day, teacher=teacher)
    return _grid_page(request, title=f"Расписание учителя {teacher.short_name}", grid=grid)


@roles_required(TIMETABLE_READERS)
def by_room(request: AuthedRequest, room: str):
    day = _day_param(request, _today_and_year(request)[0])
    grid = selectors.timetable_grid(school=request.ctx.school_or_404(), day=day, room=room)
    if not any(grid.cells.values()) and room not in selectors.rooms_of(
        school=request.ctx.school_or_404()
    ):
        raise deny()
    return _grid_page(request, title=f"Расписание кабинета {room}", grid=grid)


def _after_edit(request: AuthedRequest, from_day: dt.date, conflicts) -> None:
    for c in conflicts:
        messages.warning(request, c.message)
    result = services.materialise_after_edit(
        school=request.ctx.school_or_404(), actor=request.user, from_day=from_day
    )
    if result.created or result.updated or result.deleted or result.kept:
        messages.info(request, f"Уроки приведены в соответствие. {result.summary}")
    for line in result.kept:
        messages.warning(request, line)


@roles_required(TIMETABLE_EDITORS)
def entry_new(request: AuthedRequest):
    school = request.ctx.school_or_404()
    today, year = _today_and_year(request)
    if year is None:
        raise deny()
    if request.method == "POST":
        form = forms.EntryForm(request.POST, school=school, year=year)
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry, conflicts = services.timetable_entry_create(
                    school=school, actor=request.user, **data
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, f"Урок добавлен в расписание: {entry}.")
                _after_edit(request, entry.valid_from, conflicts)
                return redirect("schedule:timetable")
    else:
        initial = {"valid_from": max(today, year.start)}
        for key in ("weekday", "number", "group"):
            if request.GET.get(key, "").isdigit():
                initial[key] = int(request.GET[key])
        form = forms.EntryForm(school=school, year=year, initial=initial)
    return render(request, "schedule/entry_form.html", {"form": form, "entry": None})


@roles_required(TIMETABLE_EDITORS)
def entry_edit(request: AuthedRequest, pk: int):
    school = request.ctx.school
    entry = get_in_school_or_404(
        TimetableEntry.objects.select_related("group", "group__year", "subject", "teacher"),
        request,
        pk=pk,
    )
    today, _ = _today_and_year(request)
    if request.method == "POST":
        form = forms.EntryForm(request.POST, school=school, year=entry.group.year, editing=True)
        if form.is_valid():
            data = form.cleaned_data
            try:
                new, conflicts = services.timetable_entry_update(
                    entry=entry,
                    actor=request.user,
                    effective_from=data["valid_from"],
                    weekday=data["weekday"],
                    number=data["number"],
                    subject=data["subject"],
                    teacher=data["teacher"],
                    room=data["room"],
                    valid_to=data["valid_to"],
                    allow_conflicts=data["allow_conflicts"],
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, "Урок расписания изменён.")
                _after_edit(request, new.valid_from, conflicts)
                return redirect("schedule:timetable")
    else:
        form = forms.EntryForm(
            school=school,
            year=entry.group.year,
            editing=True,
            initial={
                "weekday": entry.weekday,
                "number": entry.number,
                "subject": entry.subject_id,
                "teacher": entry.teacher_id,
                "room": entry.room,
                "valid_from": max(entry.valid_from, today + dt.timedelta(days=1)),
                "valid_to": entry.valid_to,
            },
        )
    return render(
        request,
        "schedule/entry_form.html",
        {"form": form, "entry": entry, "end_form": forms.EntryEndForm()},
    )


@require_POST
@roles_required(TIMETABLE_EDITORS)
def entry_end(request: AuthedRequest, pk: int):
    entry = get_in_school_or_404(TimetableEntry.objects.select_related("group"), request, pk=pk)
    form = forms.EntryEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Неверная дата.")
        return redirect("schedule:entry_edit", pk=pk)
    last_day = form.cleaned_data["last_day"]
    try:
        services.timetable_entry_end(entry=entry, actor=request.user, last_day=last_day)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("schedule:entry_edit", pk=pk)
    messages.success(request, "Урок расписания удалён." if last_day is None else "Срок изменён.")
    if last_day is not None:
        _after_edit(request, last_day + dt.timedelta(days=1), [])
    return redirect("schedule:timetable")


@require_POST
@roles_required(TIMETABLE_EDITORS)
def materialise(request: AuthedRequest):
    form = forms.RangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Укажите даты начала и окончания.")
        return redirect("schedule:timetable")
    try:
        result = services.lessons_materialise(
            school=request.ctx.school_or_404(),
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            actor=request.user,
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, result.summary)
        for line in result.problems + result.kept:
            messages.warning(request, line)
    return redirect("schedule:timetable")
