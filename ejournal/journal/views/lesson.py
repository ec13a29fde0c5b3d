"""The lesson page (also the phone view): topic, marks and attendance, works, homework
and its attachments.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ejournal.accounts.permissions import deny, get_in_school_or_404, roles_required
from ejournal.journal import forms, rules, selectors, services
from ejournal.journal.models import (
    Homework,
    HomeworkAttachment,
    Work,
)
from ejournal.journal.permissions import can_write_lesson, lesson_readable
from ejournal.journal.views.common import (
    JOURNAL_ROLES,
    error_text,
    grid_url,
    lesson_url,
    writable_lesson,
)
from ejournal.planning.selectors import suggested_topic
from ejournal.school.http import AuthedRequest


def _lesson_page(request: AuthedRequest, lesson, *, status: int = 200, **forms_in_progress):
    staff = request.ctx.staff
    writable = can_write_lesson(staff, lesson, roles=request.ctx.roles)
    journal = selectors.journal_grid(
        roles=request.ctx.roles,
        group=lesson.group,
        subject=lesson.subject,
        start=lesson.date,
        end=lesson.date,
        staff=staff,
        lesson=lesson,
    )
    # The grid's rows are the group's members on the lesson date, in the same order.
    members = [row.student for row in journal.rows]
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
        # The grid has read the settings, the closed periods and the works already.
        settings, now, grade, closed = journal.settings, journal.now, journal.grade, journal.closed
        context["topic_lock"] = rules.topic_refusal(
            lesson=lesson, grade=grade, settings=settings, now=now, closed=closed
        )
        context["homework_lock"] = rules.homework_refusal(
            lesson=lesson, settings=settings, now=now, closed=closed
        )
        # An undocumented lesson takes its topic from the next uncovered КТП item.
        plan_item = None if record and record.topic else suggested_topic(lesson)
        context["plan_item"] = plan_item
        context["record_form"] = forms_in_progress.get("record_form") or forms.LessonRecordForm(
            initial={
                "topic": record.topic
                if record and record.topic
                else (plan_item.topic if plan_item else ""),
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
        context["works"] = (
            journal.works
            if journal.heads
            else list(
                Work.objects.filter(lesson=lesson)
                .select_related("work_type")
                .order_by("position", "id")
            )
        )
    return render(request, "journal/lesson.html", context, status=status)


@roles_required(JOURNAL_ROLES)
def lesson_page(request: AuthedRequest, lesson_id: int):
    lesson = lesson_readable(request.ctx, lesson_id)
    return _lesson_page(request, lesson)


@roles_required(JOURNAL_ROLES)
@require_POST
def lesson_record_save(request: AuthedRequest, lesson_id: int):
    lesson = writable_lesson(request, lesson_id)
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
            return redirect(lesson_url(lesson.pk, "topic"))
    return _lesson_page(request, lesson, status=422, record_form=form)


@roles_required(JOURNAL_ROLES)
@require_POST
def homework_create(request: AuthedRequest, lesson_id: int):
    lesson = writable_lesson(request, lesson_id)
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
            return redirect(lesson_url(lesson.pk, "homework"))
    return _lesson_page(request, lesson, status=422, homework_form=form)


def _homework_for_write(request: AuthedRequest, homework_id: int) -> Homework:
    homework = get_in_school_or_404(
        Homework.objects.all(), request, field="lesson__school", id=homework_id
    )
    homework.lesson = writable_lesson(request, homework.lesson_id)
    return homework


@roles_required(JOURNAL_ROLES)
def homework_edit(request: AuthedRequest, homework_id: int):
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
                return redirect(lesson_url(lesson.pk, "homework"))
    return render(
        request,
        "journal/form.html",
        {
            "form": form,
            "title": "Домашнее задание",
            "lesson": lesson,
            "cancel_url": lesson_url(lesson.pk, "homework"),
        },
        status=422 if form.errors else 200,
    )


@roles_required(JOURNAL_ROLES)
@require_POST
def homework_delete(request: AuthedRequest, homework_id: int):
    homework = _homework_for_write(request, homework_id)
    try:
        services.homework_delete(actor=request.user, staff=request.ctx.staff, homework=homework)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "Домашнее задание удалено.")
    return redirect(lesson_url(homework.lesson_id, "homework"))


@roles_required(JOURNAL_ROLES)
@require_POST
def homework_attach(request: AuthedRequest, homework_id: int):
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
            messages.error(request, error_text(exc))
        else:
            messages.success(request, "Файл приложен.")
    return redirect(lesson_url(homework.lesson_id, "homework"))


@roles_required(JOURNAL_ROLES)
def attachment_download(request: AuthedRequest, attachment_id: int):
    """Files are served only through here, after the permission check, as a download."""
    attachment = get_in_school_or_404(
        HomeworkAttachment.objects.select_related("homework"),
        request,
        field="homework__lesson__school",
        id=attachment_id,
    )
    lesson_readable(request.ctx, attachment.homework.lesson_id)
    try:
        content = attachment.file.open("rb")
    except OSError:
        raise deny() from None  # the row outlived its file (storage restored from backup)
    response = FileResponse(
        content,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@roles_required(JOURNAL_ROLES)
@require_POST
def work_create(request: AuthedRequest, lesson_id: int):
    lesson = writable_lesson(request, lesson_id)
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
            return redirect(lesson_url(lesson.pk, "works"))
    return _lesson_page(request, lesson, status=422, work_form=form)


def _work_for_write(request: AuthedRequest, work_id: int) -> Work:
    work = get_in_school_or_404(
        Work.objects.select_related("work_type"), request, field="lesson__school", id=work_id
    )
    work.lesson = writable_lesson(request, work.lesson_id)
    return work


@roles_required(JOURNAL_ROLES)
def work_edit(request: AuthedRequest, work_id: int):
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
                return redirect(lesson_url(work.lesson_id, "works"))
    return render(
        request,
        "journal/form.html",
        {
            "form": form,
            "title": "Работа на уроке",
            "lesson": work.lesson,
            "cancel_url": lesson_url(work.lesson_id, "works"),
        },
        status=422 if form.errors else 200,
    )


@roles_required(JOURNAL_ROLES)
@require_POST
def work_delete(request: AuthedRequest, work_id: int):
    work = _work_for_write(request, work_id)
    try:
        services.work_delete(actor=request.user, staff=request.ctx.staff, work=work)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, "Работа удалена.")
    return redirect(lesson_url(work.lesson_id, "works"))
