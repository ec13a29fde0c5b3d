"""Compromised-account pages (/people/compromise/): report, act, revert, new credentials."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ejournal.accounts import compromise, credentials
from ejournal.accounts.models import (
    STAFF_ROLES,
    CompromiseReport,
    Role,
    RoleAssignment,
    User,
)
from ejournal.accounts.permissions import deny, get_in_school_or_404, roles_required

SCHOOL_MEMBERS = (*STAFF_ROLES, Role.STUDENT, Role.PARENT, "homeroom")
HANDLERS = (Role.ADMIN, Role.DIRECTOR)


class SelfReportForm(forms.Form):
    since = forms.DateTimeField(
        label="Когда доступ стал известен другим",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"],
    )
    note = forms.CharField(label="Обстоятельства", widget=forms.Textarea, required=False)


class StaffReportForm(SelfReportForm):
    login = forms.CharField(label="Логин пострадавшей учётной записи", max_length=150)

    field_order = ["login", "since", "note"]


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@roles_required(*SCHOOL_MEMBERS)
def report_own(request):
    """Anyone reports their own account; the act comes back at once, the account is blocked."""
    form = SelfReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = compromise.compromise_report(
                user=request.user,
                school=request.ctx.school,
                since=form.cleaned_data["since"],
                reported_by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as e:
            form.add_error("since", e)
        else:
            changes = compromise.compromise_changes(report)
            return _pdf(compromise.compromise_act_pdf(report, changes), f"act-{report.pk}.pdf")
    return render(request, "people/compromise_own.html", {"form": form})


@never_cache
@roles_required(*HANDLERS)
def report_list(request):
    form = StaffReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        school = request.ctx.school
        user = User.objects.filter(
            username__iexact=form.cleaned_data["login"].strip(),
            role_assignments__school=school,
        ).first()
        if user is None:
            form.add_error("login", "В школе нет учётной записи с таким логином.")
        else:
            try:
                report = compromise.compromise_report(
                    user=user,
                    school=school,
                    since=form.cleaned_data["since"],
                    reported_by=request.user,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as e:
                form.add_error("since", e)
            else:
                messages.success(request, "Учётная запись заблокирована, сеансы завершены.")
                return redirect("people:compromise_detail", report.pk)
    reports = CompromiseReport.objects.filter(school=request.ctx.school).select_related(
        "user", "reported_by"
    )[:100]
    return render(request, "people/compromise_list.html", {"form": form, "reports": reports})


def _report(request, report_id: int) -> CompromiseReport:
    return get_in_school_or_404(
        CompromiseReport.objects.select_related("user", "reported_by", "school"),
        request,
        id=report_id,
    )


@never_cache
@roles_required(*HANDLERS)
def report_detail(request, report_id: int):
    report = _report(request, report_id)
    return render(
        request,
        "people/compromise_detail.html",
        {
            "report": report,
            "changes": compromise.compromise_changes(report),
            "others": compromise.compromise_other_operations(report),
        },
    )


@never_cache
@roles_required(*HANDLERS)
def report_act(request, report_id: int):
    report = _report(request, report_id)
    pdf = compromise.compromise_act_pdf(report, compromise.compromise_changes(report))
    return _pdf(pdf, f"act-{report.pk}.pdf")


@require_POST
@roles_required(Role.ADMIN)
def report_revert(request, report_id: int):
    report = _report(request, report_id)
    try:
        reverted, conflicts = compromise.compromise_revert(report=report, actor=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        text = f"Отменено операций: {reverted}."
        if conflicts:
            text += (
                f" Не тронуты из-за более поздних изменений других пользователей: {len(conflicts)}."
            )
        messages.success(request, text)
    return redirect("people:compromise_detail", report.pk)


@require_POST
@roles_required(Role.ADMIN)
def report_reissue(request, report_id: int):
    report = _report(request, report_id)
    if not RoleAssignment.objects.filter(user=report.user, school=report.school).exists():
        raise deny()
    password = compromise.compromise_reissue(report=report, actor=request.user)
    letter = credentials.staff_letter(user=report.user, password=password, person=str(report.user))
    pdf = credentials.credentials_pdf(
        letters=[letter], school=report.school, date=timezone.localdate()
    )
    return _pdf(pdf, f"credentials-{report.user.pk}.pdf")
