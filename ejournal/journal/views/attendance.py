"""The homeroom teacher's week of absences: reasons (Б, УП) and the weekly confirmation."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ejournal.accounts.models import Role
from ejournal.accounts.permissions import deny, get_in_school_or_404, roles_required
from ejournal.core.dates import query_date
from ejournal.journal import forms, selectors, services
from ejournal.journal.models import Attendance
from ejournal.journal.views.common import (
    error_text,
    request_today,
)
from ejournal.school import selectors as school_selectors
from ejournal.school.http import AuthedRequest
from ejournal.school.models import SchoolClass


def _homeroom_class(request: AuthedRequest, class_id: int) -> SchoolClass:
    staff = request.ctx.staff
    school_class = SchoolClass.objects.filter(
        pk=class_id, school=request.ctx.school, homeroom_teacher=staff
    ).first()
    if staff is None or school_class is None:
        raise deny()
    return school_class


def _week_start(raw: str | None, today: dt.date) -> dt.date:
    day = query_date(raw) or today
    return day - dt.timedelta(days=day.weekday())


@roles_required(Role.TEACHER)
def attendance_classes(request: AuthedRequest):
    year = school_selectors.year_on(school=request.ctx.school_or_404(), day=request_today(request))
    classes = selectors.homeroom_classes(request.ctx.staff, year)
    if len(classes) == 1:
        return redirect("journal:attendance_week", classes[0].pk)
    if not classes:
        raise deny()
    return render(request, "journal/attendance_classes.html", {"classes": classes})


@roles_required(Role.TEACHER)
def attendance_week(request: AuthedRequest, class_id: int):
    school_class = _homeroom_class(request, class_id)
    week_start = _week_start(request.GET.get("week"), request_today(request))
    rows, members = selectors.absences_of_class_week(
        school_class=school_class, week_start=week_start
    )
    return render(
        request,
        "journal/attendance_week.html",
        {
            "school_class": school_class,
            "week_start": week_start,
            "week_end": week_start + dt.timedelta(days=6),
            "previous_week": week_start - dt.timedelta(days=7),
            "next_week": week_start + dt.timedelta(days=7),
            "rows": rows,
            "members": members,
            "unverified": sum(1 for r in rows if r.verified_at is None),
            "reason_choices": forms.ReasonForm.base_fields["value"].choices,  # type: ignore[attr-defined]
        },
    )


@roles_required(Role.TEACHER)
@require_POST
def attendance_reason(request: AuthedRequest, class_id: int):
    school_class = _homeroom_class(request, class_id)
    form = forms.ReasonForm(request.POST)
    week = request.POST.get("week", "")
    back = reverse("journal:attendance_week", args=[school_class.pk]) + f"?week={week}"
    if not form.is_valid():
        messages.error(request, "Выберите причину: Н, Б или УП.")
        return redirect(back)
    row = get_in_school_or_404(
        Attendance.objects.select_related("lesson__school", "lesson__group", "student"),
        request,
        field="lesson__school",
        id=form.cleaned_data["attendance"],
    )
    try:
        services.attendance_set_reason(
            actor=request.user,
            staff=request.ctx.staff,
            lesson=row.lesson,
            student=row.student,
            value=form.cleaned_data["value"],
            expected_version=form.cleaned_data["version"],
        )
    except services.JournalConflict as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Причина пропуска сохранена: {row.student.short_name}.")
    return redirect(back)


@roles_required(Role.TEACHER)
@require_POST
def attendance_verify(request: AuthedRequest, class_id: int):
    school_class = _homeroom_class(request, class_id)
    week_start = _week_start(request.POST.get("week"), request_today(request))
    try:
        count = services.attendance_verify_week(
            actor=request.user,
            staff=request.ctx.staff,
            school_class=school_class,
            week_start=week_start,
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Посещаемость за неделю подтверждена (записей: {count}).")
    url = reverse("journal:attendance_week", args=[school_class.pk])
    return redirect(f"{url}?week={week_start.isoformat()}")
