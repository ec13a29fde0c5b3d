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

from ejournal.accounts.models import (
    STAFF_ROLES,
    CompromiseReport,
    Role,
    User,
)
from ejournal.accounts.permissions import (
    ACCOUNT_BEYOND_SCHOOL,
    account_within,
    get_in_school_or_404,
    roles_required,
)
from ejournal.core.widgets import DateTimeInput
from ejournal.people import compromise, credentials
from ejournal.school.http import AuthedRequest
from ejournal.school.selectors import school_today

SCHOOL_MEMBERS = (*STAFF_ROLES, Role.STUDENT, Role.PARENT, "homeroom")
HANDLERS = (Role.ADMIN, Role.DIRECTOR)


class SelfReportForm(forms.Form):
    since = forms.DateTimeField(
        label="Когда доступ стал известен другим",
        widget=DateTimeInput(),
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
def report_own(request: AuthedRequest):
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
def report_list(request: AuthedRequest):
    form = StaffReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        school = request.ctx.school
        user = User.objects.filter(
            username__iexact=form.cleaned_data["login"].strip(),
            role_assignments__school=school,
        ).first()
        if user is None:
            form.add_error("login", "В школе нет учётной записи с таким логином.")
        elif not account_within(user=user, school=school, holding=False):
            form.add_error("login", ACCOUNT_BEYOND_SCHOOL)
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


def _report(request: AuthedRequest, report_id: int) -> CompromiseReport:
    return get_in_school_or_404(
        CompromiseReport.objects.select_related("user", "reported_by", "school"),
        request,
        id=report_id,
    )


@never_cache
@roles_required(*HANDLERS)
def report_detail(request: AuthedRequest, report_id: int):
    report = _report(request, report_id)
    return render(
        request,
        "people/compromise_detail.html",
        {
            "report": report,
            "can_reissue": account_within(user=report.user, school=report.school),
            "changes": compromise.compromise_changes(report),
            "others": compromise.compromise_other_operations(report),
        },
    )


@never_cache
@roles_required(*HANDLERS)
def report_act(request: AuthedRequest, report_id: int):
    report = _report(request, report_id)
    pdf = compromise.compromise_act_pdf(report, compromise.compromise_changes(report))
    return _pdf(pdf, f"act-{report.pk}.pdf")


@require_POST
@roles_required(Role.ADMIN)
def report_revert(request: AuthedRequest, report_id: int):
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
def report_reissue(request: AuthedRequest, report_id: int):
    report = _report(request, report_id)
    try:
        password = compromise.compromise_reissue(report=report, actor=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("people:compromise_detail", report.pk)
    return _letter(report.user, password, school=report.school)


def _letter(user: User, password: str, *, school) -> HttpResponse:
    letter = credentials.staff_letter(user=user, password=password, person=str(user))
    today = school_today(school) if school is not None else timezone.localdate()
    pdf = credentials.credentials_pdf(letters=[letter], school=school, date=today)
    return _pdf(pdf, f"credentials-{user.pk}.pdf")


# --- The municipality's support service: accounts of several schools ---------------------


class LoginForm(forms.Form):
    login = forms.CharField(label="Логин учётной записи", max_length=150)


NO_SUPPORT_ACCOUNT = "В школах муниципалитета нет действующей учётной записи с таким логином."


def _support_account(request: AuthedRequest, login: str) -> User | None:
    """An account whose active roles all lie in the support service's municipality."""
    user = User.objects.filter(username__iexact=login.strip()).first()
    if user is None or not account_within(user=user, municipality=request.ctx.municipality):
        return None
    return user


@never_cache
@roles_required(Role.SUPPORT)
def support_accounts(request: AuthedRequest):
    """Blocks (an act for each school where the account is active) and reissues accounts
    that no single school may touch because they are active in several schools."""
    municipality = request.ctx.municipality
    form = StaffReportForm(request.POST or None, prefix="report")
    if request.method == "POST" and form.is_valid():
        user = _support_account(request, form.cleaned_data["login"])
        if user is None:
            form.add_error("login", NO_SUPPORT_ACCOUNT)
        else:
            try:
                reports = compromise.compromise_report_by_support(
                    user=user,
                    municipality=municipality,
                    since=form.cleaned_data["since"],
                    reported_by=request.user,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as e:
                form.add_error("since", e)
            else:
                messages.success(
                    request,
                    "Учётная запись заблокирована, сеансы завершены. Акты: "
                    + ", ".join(f"№ {r.pk} ({r.school})" for r in reports)
                    + ".",
                )
                return redirect("people:support_accounts")
    blocked = (
        CompromiseReport.objects.filter(school__municipality=municipality, user__is_active=False)
        .select_related("user", "school", "reported_by")
        .order_by("-created_at")[:100]
    )
    return render(
        request,
        "people/support_accounts.html",
        {"form": form, "reissue_form": LoginForm(prefix="reissue"), "blocked": blocked},
    )


@require_POST
@roles_required(Role.SUPPORT)
def support_reissue(request: AuthedRequest):
    form = LoginForm(request.POST, prefix="reissue")
    user = _support_account(request, form.cleaned_data["login"]) if form.is_valid() else None
    if user is None:
        messages.error(request, NO_SUPPORT_ACCOUNT)
        return redirect("people:support_accounts")
    try:
        password, school = compromise.account_reissue_by_support(
            user=user, municipality=request.ctx.municipality, actor=request.user
        )
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("people:support_accounts")
    return _letter(user, password, school=school)
