"""The staff section of the structure hub: employees, accounts, roles (administrator only).

Routed from ejournal/school/urls.py under /school/staff/.
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ejournal.accounts.models import Role, StaffMember
from ejournal.accounts.permissions import get_in_school_or_404, roles_required
from ejournal.people import selectors as people_selectors
from ejournal.people import staff_services
from ejournal.school import selectors as school_selectors
from ejournal.school.http import AuthedRequest

ROLE_CHOICES = [(r.value, r.label) for r in staff_services.STAFF_ASSIGNABLE_ROLES]


class StaffForm(forms.Form):
    last_name = forms.CharField(label="Фамилия", max_length=100)
    first_name = forms.CharField(label="Имя", max_length=100)
    patronymic = forms.CharField(label="Отчество", max_length=100, required=False)
    position = forms.CharField(label="Должность", max_length=150, required=False)
    phone = forms.CharField(label="Телефон", max_length=50, required=False)
    email = forms.EmailField(label="E-mail", required=False)


class StaffCreateForm(StaffForm):
    username = forms.CharField(
        label="Логин", max_length=150, help_text="буквы, цифры и символы @ . + - _"
    )
    roles = forms.MultipleChoiceField(
        label="Роли", choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple
    )


class StaffEditForm(StaffForm):
    is_active = forms.BooleanField(
        label="Работает в школе",
        required=False,
        help_text="снимите отметку при увольнении: все роли сотрудника в школе будут сняты",
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Роль", choices=ROLE_CHOICES)


def _staff(request: AuthedRequest, staff_id: int) -> StaffMember:
    return get_in_school_or_404(
        StaffMember.objects.select_related("user", "school"), request, id=staff_id
    )


def _page(request: AuthedRequest, template: str, **context):
    school = request.ctx.school_or_404()
    context.update(
        {
            "tab": "staff",
            "year": school_selectors.year_on(
                school=school, day=school_selectors.school_today(school)
            ),
            "can_edit": True,
            "is_admin": True,
        }
    )
    return render(request, template, context)


def _password_page(request: AuthedRequest, staff: StaffMember, password: str):
    # Shown once, in the response to the POST, and never stored or cached.
    response = _page(request, "accounts/staff_password.html", staff=staff, password=password)
    response["Cache-Control"] = "no-store"
    return response


@roles_required(Role.ADMIN)
def staff_list(request: AuthedRequest):
    return _page(
        request,
        "accounts/staff_list.html",
        staff=people_selectors.staff_with_roles(school=request.ctx.school_or_404()),
    )


@roles_required(Role.ADMIN)
@never_cache
def staff_create(request: AuthedRequest):
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff, password = staff_services.staff_member_create(
                school=request.ctx.school, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _password_page(request, staff, password)
    return _page(request, "accounts/staff_form.html", form=form, title="Новый сотрудник")


@roles_required(Role.ADMIN)
def staff_detail(request: AuthedRequest, staff_id: int):
    staff = _staff(request, staff_id)
    roles = list(
        staff.user.role_assignments.filter(school=request.ctx.school, active=True).order_by("role")
        if staff.user
        else []
    )
    held = {a.role for a in roles}
    grant_form = RoleForm()
    missing = [c for c in ROLE_CHOICES if c[0] not in held]
    cast(forms.ChoiceField, grant_form.fields["role"]).choices = missing
    return _page(
        request,
        "accounts/staff_detail.html",
        staff=staff,
        roles=roles,
        grant_form=grant_form if missing else None,
    )


@roles_required(Role.ADMIN)
def staff_edit(request: AuthedRequest, staff_id: int):
    staff = _staff(request, staff_id)
    fields = ["last_name", "first_name", "patronymic", "position", "phone", "email", "is_active"]
    form = StaffEditForm(
        request.POST or None, initial={name: getattr(staff, name) for name in fields}
    )
    if request.method == "POST" and form.is_valid():
        try:
            staff_services.staff_member_update(staff=staff, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Данные сотрудника сохранены.")
            return redirect("school:staff_detail", staff.pk)
    return _page(
        request,
        "accounts/staff_form.html",
        form=form,
        title=staff.full_name,
        staff=staff,
    )


def _role_action(request: AuthedRequest, staff_id: int, action, success: str):
    staff = _staff(request, staff_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Выберите роль из списка.")
    else:
        try:
            action(staff=staff, role=form.cleaned_data["role"], actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, success)
    return redirect("school:staff_detail", staff.pk)


@roles_required(Role.ADMIN)
@require_POST
def staff_role_grant(request: AuthedRequest, staff_id: int):
    return _role_action(request, staff_id, staff_services.staff_role_grant, "Роль выдана.")


@roles_required(Role.ADMIN)
@require_POST
def staff_role_revoke(request: AuthedRequest, staff_id: int):
    return _role_action(request, staff_id, staff_services.staff_role_revoke, "Роль снята.")


@roles_required(Role.ADMIN)
@require_POST
@never_cache
def staff_password(request: AuthedRequest, staff_id: int):
    staff = _staff(request, staff_id)
    try:
        password = staff_services.staff_password_issue(staff=staff, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("school:staff_detail", staff.pk)
    if request.POST.get("letter"):
        # The printable credentials letter (appendix 2) instead of the on-screen password.
        from django.http import HttpResponse

        from ejournal.people import credentials

        assert staff.user is not None  # the password was just issued to it
        letter = credentials.staff_letter(
            user=staff.user, password=password, person=staff.full_name
        )
        pdf = credentials.credentials_pdf(letters=[letter], school=request.ctx.school)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="credentials-{staff.pk}.pdf"'
        response["Cache-Control"] = "no-store"
        return response
    return _password_page(request, staff, password)
