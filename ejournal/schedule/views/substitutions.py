"""Substitutions: cancel one, replace a teacher's whole day, the substitution log."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ejournal.accounts.permissions import (
    STRUCTURE_READERS,
    get_in_school_or_404,
    roles_required,
)
from ejournal.schedule import forms, selectors, services
from ejournal.schedule.models import Substitution
from ejournal.schedule.permissions import (
    TIMETABLE_EDITORS,
    can_edit_timetable,
)
from ejournal.schedule.views._common import _errors, _form_errors, _today_and_year
from ejournal.school.http import AuthedRequest


@require_POST
@roles_required(TIMETABLE_EDITORS)
def substitution_cancel(request: AuthedRequest, pk: int):
    substitution = get_in_school_or_404(
        Substitution.objects.select_related("lesson"), request, pk=pk
    )
    try:
        services.substitution_cancel(
            school=request.ctx.school_or_404(), substitution=substitution, actor=request.user
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "Замена отменена.")
    return redirect("schedule:lesson", pk=substitution.lesson_id)


@roles_required(TIMETABLE_EDITORS)
def substitute_day(request: AuthedRequest):
    school = request.ctx.school_or_404()
    today, _ = _today_and_year(request)
    absence = forms.AbsenceForm(request.GET or None, school=school, initial={"date": today})
    lessons, form = [], None
    if absence.is_valid():
        teacher = absence.cleaned_data["teacher"]
        day = absence.cleaned_data["date"]
        lessons = list(
            selectors.lesson_queryset()
            .filter(
                school=school,
                date=day,
                planned_teacher=teacher,
                status__in=selectors.ACTIVE_STATUSES,
            )
            .order_by("start_time")
        )
        form = forms.DaySubstitutionForm(
            request.POST if request.method == "POST" else None, school=school, lessons=lessons
        )
        if request.method == "POST" and form.is_valid():
            try:
                done = services.substitutions_assign_day(
                    school=school,
                    absent_teacher=teacher,
                    day=day,
                    assignments=form.assignments(),
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, f"Назначено замен: {len(done)}.")
                return redirect(
                    reverse("schedule:substitutions") + f"?start={day:%Y-%m-%d}&end={day:%Y-%m-%d}"
                )
    return render(
        request,
        "schedule/substitute_day.html",
        {"absence": absence, "lessons": lessons, "form": form},
    )


@roles_required(STRUCTURE_READERS)
def substitutions(request: AuthedRequest):
    today, _ = _today_and_year(request)
    form = forms.RangeForm(request.GET or None)
    start, end = today - dt.timedelta(days=30), today + dt.timedelta(days=7)
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    elif not request.GET:
        form = forms.RangeForm(initial={"start": start, "end": end})
    if (end - start).days > 400:
        start = end - dt.timedelta(days=400)
    return render(
        request,
        "schedule/substitutions.html",
        {
            "form": form,
            "rows": selectors.substitution_log(
                school=request.ctx.school_or_404(), start=start, end=end
            ),
            "start": start,
            "end": end,
            "can_edit": can_edit_timetable(request.ctx),
        },
    )
