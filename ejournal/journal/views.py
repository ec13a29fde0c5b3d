"""Journal pages: the lists of journals, the grid, the lesson page (also the phone view),
correction requests, the homeroom teacher's attendance week and the work types.

Views only translate: read through ``permissions``/``selectors`` (404 for anything the
user may not see), write through one ``services`` call, render or answer JSON.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ejournal.accounts.models import Role, Student
from ejournal.accounts.permissions import deny, get_in_school_or_404, roles_required
from ejournal.journal import forms, rules, selectors, services
from ejournal.journal.models import (
    CorrectionRequest,
    CorrectionStatus,
    Homework,
    HomeworkAttachment,
    Work,
    WorkType,
)
from ejournal.journal.permissions import can_write_lesson, group_for_read, lesson_for_write
from ejournal.school import selectors as school_selectors
from ejournal.school.models import SchoolClass

# Everyone who may have a journal to read; finer checks are per group, subject, lesson.
JOURNAL_ROLES = frozenset({Role.ADMIN, Role.DIRECTOR, Role.DEPUTY, Role.TEACHER})
CORRECTION_DECIDERS = frozenset({Role.DEPUTY, Role.DIRECTOR})
WORK_TYPE_EDITORS = frozenset({Role.ADMIN, Role.DEPUTY})


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _today(request) -> dt.date:
    return school_selectors.school_today(request.ctx.school)


def _lesson_url(lesson_id: int, anchor: str = "") -> str:
    return reverse("journal:lesson", args=[lesson_id]) + (f"#{anchor}" if anchor else "")


def grid_url(group_id: int, subject_id: int, period_id: int | None = None) -> str:
    if period_id is None:
        return reverse("journal:grid", args=[group_id, subject_id])
    return reverse("journal:grid_period", args=[group_id, subject_id, period_id])


# --- Lists ----------------------------------------------------------------------------------


@roles_required(JOURNAL_ROLES)
def index(request):
    school = request.ctx.school
    year = school_selectors.year_on(school=school, day=_today(request))
    journals = selectors.journals_of(request.ctx, year=year)
    return render(
        request,
        "journal/index.html",
        {
            "year": year,
            "journals": journals,
            "homeroom_classes": selectors.homeroom_classes(request.ctx.staff, year),
            "can_decide": bool(request.ctx.roles & CORRECTION_DECIDERS),
            "can_edit_types": bool(request.ctx.roles & WORK_TYPE_EDITORS),
        },
    )


# --- The grid -------------------------------------------------------------------------------


@roles_required(JOURNAL_ROLES)
def grid(request, group_id: int, subject_id: int, period_id: int | None = None):
    group = group_for_read(request.ctx, group_id)
    subject = selectors.subject_readable(request.ctx, group, subject_id)
    periods = selectors.periods_of_group(group)
    period = selectors.period_pick(periods, period_id, _today(request))
    journal = selectors.journal_grid(
        group=group, subject=subject, start=period.start, end=period.end, staff=request.ctx.staff
    )
    return render(
        request,
        "journal/grid.html",
        {
            "grid": journal,
            "periods": periods,
            "period": period,
            "cells_url": reverse("journal:cells_save"),
        },
    )


@roles_required(JOURNAL_ROLES)
@require_POST
def cells_save(request):
    """Save one or several grid cells all-or-nothing; answers JSON.

    200 with the saved cells; 422 with the Russian refusal (nothing saved); 409 with the
    current value when someone else changed a cell since the page was loaded.
    """
    ctx = request.ctx
    try:
        cells = forms.parse_cells(request.body)
    except ValidationError as exc:
        return JsonResponse({"error": _errors(exc)}, status=400)
    lessons = {lid: lesson_for_write(ctx, lid) for lid in {c.lesson_id for c in cells}}
    work_ids = {c.work_id for c in cells if c.work_id is not None}
    works = {
        w.pk: w
        for w in Work.objects.filter(pk__in=work_ids, lesson_id__in=list(lessons)).select_related(
            "work_type"
        )
    }
    students = {
        s.pk: s
        for s in Student.objects.filter(school=ctx.school, pk__in={c.student_id for c in cells})
    }
    if work_ids - set(works) or {c.student_id for c in cells} - set(students):
        raise deny()
    for work in works.values():
        work.lesson = lessons[work.lesson_id]
    changes = [
        services.CellChange(
            kind=c.kind,
            lesson=lessons[c.lesson_id],
            student=students[c.student_id],
            work=works.get(c.work_id) if c.work_id else None,
            value=c.value,
            expected_version=c.version,
        )
        for c in cells
    ]
    try:
        saved = services.journal_cells_save(actor=request.user, staff=ctx.staff, changes=changes)
    except services.CellError as failure:
        error = failure.error
        if isinstance(error, services.JournalConflict):
            return JsonResponse(
                {
                    "error": str(error),
                    "index": failure.index,
                    "current": _cell_json(cells[failure.index].kind, error.current),
                },
                status=409,
            )
        assert isinstance(error, ValidationError)
        return JsonResponse(
            {
                "error": _errors(error),
                "index": failure.index,
                "correctable": getattr(error, "correctable", False),
            },
            status=422,
        )
    except ValidationError as exc:
        return JsonResponse({"error": _errors(exc)}, status=422)
    return JsonResponse(
        {
            "cells": [
                {**_cell_json(s.change.kind, s.snapshot), "w": s.work.pk if s.work else None}
                for s in saved
            ]
        }
    )


def _cell_json(kind: str, snapshot) -> dict:
    if not snapshot:
        return {"text": "", "ver": None}
    if kind == "attendance":
        text = selectors.attendance_text(snapshot["code"], snapshot["late_minutes"])
    else:
        text = selectors.MARK_TEXT[snapshot["value"]]
    return {"text": text, "ver": snapshot["version"]}


# --- The lesson page (and the phone view) ---------------------------------------------------


def _lesson_page(request, lesson, *, status: int = 200, **forms_in_progress):
    staff = request.ctx.staff
    writable = can_write_lesson(staff, lesson)
    journal = selectors.journal_grid(
        group=lesson.group,
        subject=lesson.subject,
        start=lesson.date,
        end=lesson.date,
        staff=staff,
        lesson_id=lesson.pk,
    )
    members = selectors.members_on(lesson.group, lesson.date)
    record = getattr(lesson, "record", None)
    homework = selectors.homework_of_lesson(lesson)
    context = {
        "lesson": lesson,
        "grid": journal,
        "head": journal.heads[0] if journal.heads else None,
        "record": record,
        "homework": homework,
        "writable": writable,
        "cells_url": reverse("journal:cells_save"),
        "grid_url": grid_url(lesson.group_id, lesson.subject_id),
    }
    if writable:
        settings = rules.settings_for(lesson.school)
        now = rules.school_now(lesson.school)
        grade = services.lesson_grade(lesson)
        closed = rules.closed_ranges(school_id=lesson.school_id, grade=grade)
        context["topic_lock"] = rules.topic_refusal(
            lesson=lesson, grade=grade, settings=settings, now=now, closed=closed
        )
        context["homework_lock"] = rules.homework_refusal(
            lesson=lesson, settings=settings, now=now, closed=closed
        )
        context["record_form"] = forms_in_progress.get("record_form") or forms.LessonRecordForm(
            initial={
                "topic": record.topic if record else "",
                "comment": record.comment if record else "",
                "version": record.version if record else None,
            }
        )
        context["homework_form"] = forms_in_progress.get("homework_form") or forms.HomeworkForm(
            members=members
        )
        context["work_form"] = forms_in_progress.get("work_form") or forms.WorkForm(
            work_types=selectors.work_types_of(lesson.school)
        )
        context["attachment_form"] = forms.AttachmentForm()
        context["works"] = list(
            Work.objects.filter(lesson=lesson).select_related("work_type").order_by("position")
        )
    return render(request, "journal/lesson.html", context, status=status)


@roles_required(JOURNAL_ROLES)
def lesson_page(request, lesson_id: int):
    lesson = selectors.lesson_readable(request.ctx, lesson_id)
    return _lesson_page(request, lesson)


def _writable_lesson(request, lesson_id: int):
    lesson_for_write(request.ctx, lesson_id)
    # The lesson page needs the related rows too; one query instead of several lazy ones.
    return selectors.lesson_readable(request.ctx, lesson_id)


@roles_required(JOURNAL_ROLES)
@require_POST
def lesson_record_save(request, lesson_id: int):
    lesson = _writable_lesson(request, lesson_id)
    form = forms.LessonRecordForm(request.POST)
    if form.is_valid():
        try:
            services.lesson_record_save(
                actor=request.user,
                staff=request.ctx.staff,
                lesson=lesson,
                topic=form.cleaned_data["topic"],
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["version"],
            )
        except services.JournalConflict as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Тема урока сохранена.")
            return redirect(_lesson_url(lesson.pk, "topic"))
    return _lesson_page(request, lesson, status=422, record_form=form)


@roles_required(JOURNAL_ROLES)
@require_POST
def homework_create(request, lesson_id: int):
    lesson = _writable_lesson(request, lesson_id)
    members = selectors.members_on(lesson.group, lesson.date)
    form = forms.HomeworkForm(request.POST, members=members)
    if form.is_valid():
        try:
            services.homework_save(
                actor=request.user,
                staff=request.ctx.staff,
                lesson=lesson,
                homework=None,
                text=form.cleaned_data["text"],
                due_date=form.cleaned_data["due_date"],
                student_ids=[s.pk for s in form.cleaned_data["students"]],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Домашнее задание сохранено.")
            return redirect(_lesson_url(lesson.pk, "homework"))
    return _lesson_page(request, lesson, status=422, homework_form=form)


def _homework_for_write(request, homework_id: int) -> Homework:
    homework = get_in_school_or_404(
        Homework.objects.all(), request, field="lesson__school", id=homework_id
    )
    homework.lesson = _writable_lesson(request, homework.lesson_id)
    return homework


@roles_required(JOURNAL_ROLES)
def homework_edit(request, homework_id: int):
    homework = _homework_for_write(request, homework_id)
    lesson = homework.lesson
    members = selectors.members_on(lesson.group, lesson.date)
    if request.method != "POST":
        form = forms.HomeworkForm.for_homework(homework, members)
    else:
        form = forms.HomeworkForm(request.POST, members=members)
        if form.is_valid():
            try:
                services.homework_save(
                    actor=request.user,
                    staff=request.ctx.staff,
                    lesson=lesson,
                    homework=homework,
                    text=form.cleaned_data["text"],
                    due_date=form.cleaned_data["due_date"],
                    student_ids=[s.pk for s in form.cleaned_data["students"]],
                    expected_version=form.cleaned_data["version"],
                )
            except services.JournalConflict as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Домашнее задание изменено.")
                return redirect(_lesson_url(lesson.pk, "homework"))
    return render(
        request,
        "journal/form.html",
        {
            "form": form,
            "title": "Домашнее задание",
            "lesson": lesson,
            "cancel_url": _lesson_url(lesson.pk, "homework"),
        },
        status=422 if form.errors else 200,
    )


@roles_required(JOURNAL_ROLES)
@require_POST
def homework_delete(request, homework_id: int):
    homework = _homework_for_write(request, homework_id)
    try:
        services.homework_delete(actor=request.user, staff=request.ctx.staff, homework=homework)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, "Домашнее задание удалено.")
    return redirect(_lesson_url(homework.lesson_id, "homework"))


@roles_required(JOURNAL_ROLES)
@require_POST
def homework_attach(request, homework_id: int):
    homework = _homework_for_write(request, homework_id)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Выберите файл.")
    else:
        try:
            services.homework_attach(
                actor=request.user,
                staff=request.ctx.staff,
                homework=homework,
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, "Файл приложен.")
    return redirect(_lesson_url(homework.lesson_id, "homework"))


@roles_required(JOURNAL_ROLES)
def attachment_download(request, attachment_id: int):
    """Files are served only through here, after the permission check, as a download."""
    attachment = get_in_school_or_404(
        HomeworkAttachment.objects.select_related("homework"),
        request,
        field="homework__lesson__school",
        id=attachment_id,
    )
    selectors.lesson_readable(request.ctx, attachment.homework.lesson_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@roles_required(JOURNAL_ROLES)
@require_POST
def work_create(request, lesson_id: int):
    lesson = _writable_lesson(request, lesson_id)
    form = forms.WorkForm(request.POST, work_types=selectors.work_types_of(lesson.school))
    if form.is_valid():
        try:
            services.work_create(
                actor=request.user,
                staff=request.ctx.staff,
                lesson=lesson,
                work_type=form.cleaned_data["work_type"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Работа добавлена.")
            return redirect(_lesson_url(lesson.pk, "works"))
    return _lesson_page(request, lesson, status=422, work_form=form)


def _work_for_write(request, work_id: int) -> Work:
    work = get_in_school_or_404(
        Work.objects.select_related("work_type"), request, field="lesson__school", id=work_id
    )
    work.lesson = _writable_lesson(request, work.lesson_id)
    return work


@roles_required(JOURNAL_ROLES)
def work_edit(request, work_id: int):
    work = _work_for_write(request, work_id)
    types = selectors.work_types_of(work.lesson.school)
    if request.method != "POST":
        form = forms.WorkForm(
            initial={"work_type": work.work_type_id, "title": work.title}, work_types=types
        )
    else:
        form = forms.WorkForm(request.POST, work_types=types)
        if form.is_valid():
            try:
                services.work_update(
                    actor=request.user,
                    staff=request.ctx.staff,
                    work=work,
                    work_type=form.cleaned_data["work_type"],
                    title=form.cleaned_data["title"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Работа изменена.")
                return redirect(_lesson_url(work.lesson_id, "works"))
    return render(
        request,
        "journal/form.html",
        {
            "form": form,
            "title": "Работа на уроке",
            "lesson": work.lesson,
            "cancel_url": _lesson_url(work.lesson_id, "works"),
        },
        status=422 if form.errors else 200,
    )


@roles_required(JOURNAL_ROLES)
@require_POST
def work_delete(request, work_id: int):
    work = _work_for_write(request, work_id)
    try:
        services.work_delete(actor=request.user, staff=request.ctx.staff, work=work)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, "Работа удалена.")
    return redirect(_lesson_url(work.lesson_id, "works"))


# --- Correction requests --------------------------------------------------------------------


@roles_required(JOURNAL_ROLES)
def correction_create(request, lesson_id: int):
    lesson = _writable_lesson(request, lesson_id)
    works = Work.objects.filter(lesson=lesson).select_related("work_type")
    members = Student.objects.filter(
        pk__in=[s.pk for s in selectors.members_on(lesson.group, lesson.date)]
    )
    if request.method != "POST":
        initial = {
            key: request.GET[key] for key in ("kind", "work", "student") if request.GET.get(key)
        }
        form = forms.CorrectionForm(initial=initial, works=works, members=members)
    else:
        form = forms.CorrectionForm(request.POST, works=works, members=members)
        if form.is_valid():
            try:
                services.correction_request_create(
                    actor=request.user,
                    staff=request.ctx.staff,
                    lesson=lesson,
                    kind=form.cleaned_data["kind"],
                    new_value=form.new_value(),
                    reason=form.cleaned_data["reason"],
                    work=form.cleaned_data["work"],
                    student=form.cleaned_data["student"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Запрос на исправление отправлен заместителю директора.")
                return redirect("journal:corrections")
    return render(
        request,
        "journal/form.html",
        {
            "form": form,
            "title": "Запрос на исправление",
            "lesson": lesson,
            "cancel_url": _lesson_url(lesson.pk),
            "submit": "Отправить запрос",
        },
        status=422 if form.errors else 200,
    )


def _correction_rows(rows):
    return [
        (
            r,
            selectors.correction_value_text(r.kind, r.old_value),
            selectors.correction_value_text(r.kind, r.new_value),
        )
        for r in rows
    ]


@roles_required(JOURNAL_ROLES)
def corrections(request):
    school = request.ctx.school
    can_decide = bool(request.ctx.roles & CORRECTION_DECIDERS)
    context = {
        "mine": _correction_rows(selectors.corrections_requested_by(request.user, school)[:100]),
        "can_decide": can_decide,
        "reject_form": forms.RejectForm(),
    }
    if can_decide:
        context["pending"] = _correction_rows(
            selectors.corrections_of_school(school, pending_only=True)
        )
        context["decided"] = _correction_rows(
            selectors.corrections_of_school(school, pending_only=False).exclude(
                status=CorrectionStatus.PENDING
            )[:50]
        )
    return render(request, "journal/corrections.html", context)


def _correction_for_decision(request, request_id: int) -> CorrectionRequest:
    return get_in_school_or_404(
        CorrectionRequest.objects.select_related(
            "lesson__school", "lesson__group__school_class", "lesson__subject", "work__work_type"
        ),
        request,
        id=request_id,
    )


@roles_required(CORRECTION_DECIDERS)
@require_POST
def correction_approve(request, request_id: int):
    req = _correction_for_decision(request, request_id)
    try:
        services.correction_request_approve(actor=request.user, request_obj=req)
    except services.JournalConflict as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, f"Запрос №{req.pk} одобрен, исправление внесено в журнал.")
    return redirect("journal:corrections")


@roles_required(CORRECTION_DECIDERS)
@require_POST
def correction_reject(request, request_id: int):
    req = _correction_for_decision(request, request_id)
    form = forms.RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Укажите, почему запрос отклонён.")
        return redirect("journal:corrections")
    try:
        services.correction_request_reject(
            actor=request.user, request_obj=req, comment=form.cleaned_data["comment"]
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, f"Запрос №{req.pk} отклонён.")
    return redirect("journal:corrections")


# --- Homeroom teacher: the week's attendance ---------------------------------------------------


def _homeroom_class(request, class_id: int) -> SchoolClass:
    staff = request.ctx.staff
    school_class = SchoolClass.objects.filter(
        pk=class_id, school=request.ctx.school, homeroom_teacher=staff
    ).first()
    if staff is None or school_class is None:
        raise deny()
    return school_class


def _week_start(raw: str | None, today: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(raw) if raw else today
    except ValueError:
        day = today
    return day - dt.timedelta(days=day.weekday())


@roles_required(Role.TEACHER)
def attendance_classes(request):
    year = school_selectors.year_on(school=request.ctx.school, day=_today(request))
    classes = selectors.homeroom_classes(request.ctx.staff, year)
    if len(classes) == 1:
        return redirect("journal:attendance_week", classes[0].pk)
    if not classes:
        raise deny()
    return render(request, "journal/attendance_classes.html", {"classes": classes})


@roles_required(Role.TEACHER)
def attendance_week(request, class_id: int):
    school_class = _homeroom_class(request, class_id)
    week_start = _week_start(request.GET.get("week"), _today(request))
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
def attendance_reason(request, class_id: int):
    from ejournal.journal.models import Attendance

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
        messages.error(request, _errors(exc))
    else:
        messages.success(request, f"Причина пропуска сохранена: {row.student.short_name}.")
    return redirect(back)


@roles_required(Role.TEACHER)
@require_POST
def attendance_verify(request, class_id: int):
    school_class = _homeroom_class(request, class_id)
    week_start = _week_start(request.POST.get("week"), _today(request))
    try:
        count = services.attendance_verify_week(
            actor=request.user,
            staff=request.ctx.staff,
            school_class=school_class,
            week_start=week_start,
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, f"Посещаемость за неделю подтверждена (записей: {count}).")
    url = reverse("journal:attendance_week", args=[school_class.pk])
    return redirect(f"{url}?week={week_start.isoformat()}")


# --- Work types (school settings) ----------------------------------------------------------


@roles_required(WORK_TYPE_EDITORS)
def work_types(request):
    services.work_types_ensure_defaults(school=request.ctx.school)
    types = selectors.work_types_of(request.ctx.school, active_only=False)
    return render(request, "journal/work_types.html", {"types": types})


@roles_required(WORK_TYPE_EDITORS)
def work_type_edit(request, type_id: int | None = None):
    school = request.ctx.school
    work_type = None
    if type_id is not None:
        work_type = get_in_school_or_404(WorkType.objects.all(), request, id=type_id)
    if request.method != "POST":
        initial = {"is_active": True}
        if work_type is not None:
            initial = {
                "name": work_type.name,
                "short_name": work_type.short_name,
                "category": work_type.category,
                "weight": f"{work_type.weight:g}",
                "mark_window_days": work_type.mark_window_days,
                "is_active": work_type.is_active,
            }
        form = forms.WorkTypeForm(initial=initial)
    else:
        form = forms.WorkTypeForm(request.POST)
        if form.is_valid():
            try:
                services.work_type_save(
                    actor=request.user, school=school, work_type=work_type, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Вид работы сохранён.")
                return redirect("journal:work_types")
    return render(
        request,
        "journal/form.html",
        {
            "form": form,
            "title": "Вид работы" if work_type else "Новый вид работы",
            "cancel_url": reverse("journal:work_types"),
        },
        status=422 if form.errors else 200,
    )
