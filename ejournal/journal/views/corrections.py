"""Correction requests: the teacher files one for a closed record, the deputy approves or
rejects it (``journal.corrections.correction_decide``, shared with period marks).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ejournal.accounts.models import Student
from ejournal.accounts.permissions import get_in_school_or_404, roles_required
from ejournal.journal import forms, selectors, services
from ejournal.journal.corrections import correction_decide
from ejournal.journal.models import (
    CorrectionRequest,
    CorrectionStatus,
    Work,
)
from ejournal.journal.views.common import (
    CORRECTION_DECIDERS,
    CORRECTION_READERS,
    JOURNAL_ROLES,
    error_text,
    lesson_url,
    writable_lesson,
)
from ejournal.school.http import AuthedRequest


@roles_required(JOURNAL_ROLES)
def correction_create(request: AuthedRequest, lesson_id: int):
    lesson = writable_lesson(request, lesson_id)
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
            "cancel_url": lesson_url(lesson.pk),
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
def corrections(request: AuthedRequest):
    school = request.ctx.school
    # The director reads the school's requests as the deputy does, and decides none.
    reads_all = bool(request.ctx.roles & CORRECTION_READERS)
    context = {
        "mine": _correction_rows(selectors.corrections_requested_by(request.user, school)[:100]),
        "reads_all": reads_all,
        "can_decide": bool(request.ctx.roles & CORRECTION_DECIDERS),
        "reject_form": forms.RejectForm(),
    }
    if reads_all:
        context["pending"] = _correction_rows(
            selectors.corrections_of_school(school, pending_only=True)
        )
        context["decided"] = _correction_rows(
            selectors.corrections_of_school(school, pending_only=False).exclude(
                status=CorrectionStatus.PENDING
            )[:50]
        )
    return render(request, "journal/corrections.html", context)


def _correction_for_decision(request: AuthedRequest, request_id: int) -> CorrectionRequest:
    return get_in_school_or_404(
        CorrectionRequest.objects.select_related(
            "lesson__school", "lesson__group__school_class", "lesson__subject", "work__work_type"
        ),
        request,
        id=request_id,
    )


@roles_required(CORRECTION_DECIDERS)
@require_POST
def correction_approve(request: AuthedRequest, request_id: int):
    req = _correction_for_decision(request, request_id)
    try:
        correction_decide(
            actor=request.user,
            correction=req,
            status=CorrectionStatus.APPROVED,
            apply=services.correction_request_apply,
        )
    except services.JournalConflict as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Запрос №{req.pk} одобрен, исправление внесено в журнал.")
    return redirect("journal:corrections")


@roles_required(CORRECTION_DECIDERS)
@require_POST
def correction_reject(request: AuthedRequest, request_id: int):
    req = _correction_for_decision(request, request_id)
    form = forms.RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Укажите, почему запрос отклонён.")
        return redirect("journal:corrections")
    try:
        correction_decide(
            actor=request.user,
            correction=req,
            status=CorrectionStatus.REJECTED,
            comment=form.cleaned_data["comment"],
            apply=services.correction_request_apply,
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"Запрос №{req.pk} отклонён.")
    return redirect("journal:corrections")
