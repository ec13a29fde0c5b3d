"""Work types of the school (weights and marking windows): administrator and deputy; the
director reads them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from ejournal.accounts.permissions import get_in_school_or_404, roles_required
from ejournal.journal import forms, selectors, services
from ejournal.journal.models import (
    WorkType,
)
from ejournal.journal.views.common import (
    WORK_TYPE_EDITORS,
    WORK_TYPE_READERS,
)
from ejournal.school.http import AuthedRequest


@roles_required(WORK_TYPE_READERS)
def work_types(request: AuthedRequest):
    can_edit = bool(request.ctx.roles & WORK_TYPE_EDITORS)
    if can_edit:
        services.work_types_ensure_defaults(school=request.ctx.school)
    types = selectors.work_types_of(request.ctx.school, active_only=False)
    return render(request, "journal/work_types.html", {"types": types, "can_edit": can_edit})


@roles_required(WORK_TYPE_EDITORS)
def work_type_edit(request: AuthedRequest, type_id: int | None = None):
    school = request.ctx.school
    work_type = None
    if type_id is not None:
        work_type = get_in_school_or_404(WorkType.objects.all(), request, id=type_id)
    if request.method != "POST":
        initial: dict[str, object] = {"is_active": True}
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
