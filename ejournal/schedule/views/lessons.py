"""Dated lessons: a day, a teacher's week, a lesson and its changes, an extra lesson."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ejournal.accounts.permissions import (
    STRUCTURE_READERS,
    deny,
    get_in_school_or_404,
    roles_required,
)
from ejournal.schedule import forms, selectors, services
from ejournal.schedule.models import Lesson
from ejournal.schedule.permissions import (
    TIMETABLE_EDITORS,
    TIMETABLE_READERS,
    can_edit_lesson,
    can_edit_timetable,
    lesson_for_view,
)
from ejournal.schedule.views._common import (
    TEACHERS,
    _day_param,
    _errors,
    _form_errors,
    _today_and_year,
)
from ejournal.school.http import AuthedRequest


@roles_required(STRUCTURE_READERS)
def day(request: AuthedRequest):
    school = request.ctx.school_or_404()
    today, _ = _today_and_year(request)
    day = _day_param(request, today)
    return render(
        request,
        "schedule/day.html",
        {
            "day": day,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "grid": selectors.day_grid(school=school, day=day),
            "changes": selectors.recent_changes(school=school, limit=20),
            "can_edit": can_edit_timetable(request.ctx),
        },
    )


@roles_required(TEACHERS)
def my_week(request: AuthedRequest):
    today, _ = _today_and_year(request)
    day = _day_param(request, today)
    monday = day - dt.timedelta(days=day.weekday())
    staff = request.ctx.staff
    lessons = (
        selectors.lessons_of_teacher(
            staff=staff, start=monday, end=monday + dt.timedelta(days=6), active_only=False
        )
        if staff
        else []
    )
    return render(
        request,
        "schedule/my_week.html",
        {
            "monday": monday,
            "previous": monday - dt.timedelta(days=7),
            "next": monday + dt.timedelta(days=7),
            "lessons": lessons,
            "staff": staff,
        },
    )


@roles_required(TIMETABLE_READERS)
def lesson(request: AuthedRequest, pk: int):
    lesson = lesson_for_view(request.ctx, pk)
    school = request.ctx.school
    can_edit = can_edit_timetable(request.ctx)
    return render(
        request,
        "schedule/lesson.html",
        {
            "lesson": lesson,
            "today": _today_and_year(request)[0],
            "changes": lesson.changes.select_related("created_by", "new_lesson").order_by(
                "created_at"
            ),
            "can_edit": can_edit,
            "can_keep_journal": can_edit_lesson(request.ctx, lesson),
            "cancel_form": forms.ReasonForm(prefix="cancel"),
            "move_form": forms.MoveForm(
                prefix="move",
                initial={"date": lesson.date, "number": lesson.number, "room": lesson.room},
            ),
            "room_form": forms.RoomForm(prefix="room"),
            "substitute_form": forms.SubstituteForm(prefix="sub", school=school, lesson=lesson),
        },
    )


def _lesson_for_change(request: AuthedRequest, pk: int) -> Lesson:
    return get_in_school_or_404(
        Lesson.objects.select_related("group", "group__school_class", "subject", "planned_teacher"),
        request,
        pk=pk,
    )


@require_POST
@roles_required(TIMETABLE_EDITORS)
def lesson_change(request: AuthedRequest, pk: int, kind: str):
    lesson = _lesson_for_change(request, pk)
    school = request.ctx.school_or_404()
    builders = {
        "cancel": lambda: forms.ReasonForm(request.POST, prefix="cancel"),
        "move": lambda: forms.MoveForm(request.POST, prefix="move"),
        "room": lambda: forms.RoomForm(request.POST, prefix="room"),
        "substitute": lambda: forms.SubstituteForm(
            request.POST, prefix="sub", school=school, lesson=lesson
        ),
    }
    if kind not in builders:
        raise deny()
    form = builders[kind]()
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))
        return redirect("schedule:lesson", pk=pk)
    data = form.cleaned_data
    target = lesson
    try:
        if kind == "cancel":
            services.schedule_change_cancel(
                school=school, lesson=lesson, actor=request.user, reason=data["reason"]
            )
            messages.success(request, "Урок отменён.")
        elif kind == "move":
            change = services.schedule_change_move(
                school=school,
                lesson=lesson,
                actor=request.user,
                day=data["date"],
                number=data["number"],
                room=data["room"],
                reason=data["reason"],
            )
            target = change.new_lesson or lesson
            messages.success(request, "Урок перенесён.")
        elif kind == "room":
            services.schedule_change_room(
                school=school,
                lesson=lesson,
                actor=request.user,
                room=data["room"],
                reason=data["reason"],
            )
            messages.success(request, "Кабинет изменён.")
        else:
            services.substitution_assign(
                school=school,
                lesson=lesson,
                substitute=data["substitute"],
                reason=data["reason"],
                actor=request.user,
            )
            messages.success(request, "Замена назначена.")
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("schedule:lesson", pk=target.pk)


@roles_required(TIMETABLE_EDITORS)
def extra_lesson(request: AuthedRequest):
    school = request.ctx.school_or_404()
    today, year = _today_and_year(request)
    if year is None:
        raise deny()
    if request.method == "POST":
        form = forms.ExtraLessonForm(request.POST, school=school, year=year)
        if form.is_valid():
            data = form.cleaned_data
            try:
                change = services.schedule_change_extra(
                    school=school,
                    actor=request.user,
                    group=data["group"],
                    subject=data["subject"],
                    teacher=data["teacher"],
                    day=data["date"],
                    number=data["number"],
                    room=data["room"],
                    reason=data["reason"],
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, "Дополнительный урок назначен.")
                return redirect("schedule:lesson", pk=change.lesson_id)
    else:
        form = forms.ExtraLessonForm(school=school, year=year, initial={"date": today})
    return render(request, "schedule/extra.html", {"form": form})
