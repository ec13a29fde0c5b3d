"""Health sheet (special category, audited views) and guardian data pages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from ejournal.accounts.models import (
    HOMEROOM,
    ConsentStatus,
    HealthGroup,
    PEGroup,
    Relation,
    Role,
    Student,
)
from ejournal.accounts.permissions import deny, get_in_school_or_404, roles_required
from ejournal.people import health
from ejournal.people import services as people_services
from ejournal.people.views import _student
from ejournal.school import selectors as school_selectors
from ejournal.school.http import AuthedRequest


class HealthForm(forms.Form):
    health_group = forms.ChoiceField(label="Группа здоровья", choices=HealthGroup.choices)
    pe_group = forms.ChoiceField(label="Группа по физкультуре", choices=PEGroup.choices)
    notes = forms.CharField(
        label="Рекомендации медицинского работника", widget=forms.Textarea, required=False
    )


class GuardianForm(forms.Form):
    last_name = forms.CharField(label="Фамилия", max_length=100)
    first_name = forms.CharField(label="Имя", max_length=100)
    patronymic = forms.CharField(label="Отчество", max_length=100, required=False)
    relation = forms.ChoiceField(label="Кем приходится", choices=Relation.choices)
    phone = forms.CharField(label="Телефон", max_length=50, required=False)
    email = forms.EmailField(label="E-mail", required=False)
    address = forms.CharField(label="Адрес", max_length=300, required=False)
    workplace = forms.CharField(label="Место работы", max_length=300, required=False)
    checked = forms.BooleanField(label="Данные сверены с родителем", required=False, initial=True)

    def __init__(self, *args, locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if locked:
            # Without consent only the name and relation are kept (001 §6.2.2).
            for name in people_services.GUARDIAN_OPTIONAL_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = "Не хранится: согласие не дано."


@never_cache
@roles_required(Role.ADMIN, Role.DEPUTY, Role.DIRECTOR, Role.TEACHER, HOMEROOM)
def health_sheet(request: AuthedRequest, student_id: int):
    student = get_in_school_or_404(Student.objects.all(), request, id=student_id)
    today = school_selectors.school_today(request.ctx.school_or_404())
    can_read, can_edit = health.health_access(
        roles=request.ctx.roles, staff=request.ctx.staff, student=student, day=today
    )
    if not can_read:
        raise deny()
    form = None
    if can_edit:
        form = HealthForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                health.health_sheet_save(student=student, actor=request.user, **form.cleaned_data)
            except ValidationError as e:
                form.add_error(None, e)
            else:
                messages.success(request, "Лист здоровья сохранён.")
                return redirect("people:health_sheet", student.pk)
    elif request.method == "POST":
        raise deny()
    sheet = health.health_sheet_view(student=student, actor=request.user)
    if form is not None and sheet and not form.is_bound:
        form = HealthForm(
            initial={
                "health_group": sheet.health_group,
                "pe_group": sheet.pe_group,
                "notes": sheet.notes,
            }
        )
    return render(
        request, "people/health_sheet.html", {"student": student, "sheet": sheet, "form": form}
    )


GUARDIAN_ROLES = (Role.ADMIN, Role.OPERATOR, Role.DEPUTY, HOMEROOM)


def _save_guardian(request: AuthedRequest, student, form, save) -> bool:
    """Run ``save(**data)`` with the form's data, then the monthly check mark."""
    data = dict(form.cleaned_data)
    checked = data.pop("checked")
    try:
        guardian = save(**data)
        if checked:
            health.guardian_confirm_checked(
                guardian=guardian,
                today=school_selectors.school_today(request.ctx.school_or_404()),
                actor=request.user,
            )
    except ValidationError as e:
        form.add_error(None, e)
        return False
    return True


def _excluded(request, student):
    messages.error(
        request,
        "Ученику присвоено кодовое имя: персональные данные его родителей исключены из "
        "системы, не показываются и не изменяются.",
    )
    return redirect("people:student_card", student.pk)


@never_cache
@roles_required(*GUARDIAN_ROLES)
def guardian_edit(request: AuthedRequest, student_id: int, guardian_id: int):
    student = _student(request, student_id)
    link = next((g for g in student.guardian_links.all() if g.guardian_id == guardian_id), None)
    if link is None:
        raise deny()
    guardian = link.guardian
    if student.pseudonym or guardian.pseudonym:
        # The form would show the real name the code stands for (001 §6.3).
        return _excluded(request, student)
    locked = people_services.consent_status(guardian) in (
        ConsentStatus.REFUSED,
        ConsentStatus.REVOKED,
    )
    fields = ("last_name", "first_name", "patronymic", *people_services.GUARDIAN_OPTIONAL_FIELDS)
    form = GuardianForm(
        request.POST or None,
        locked=locked,
        # «Данные сверены» is ticked by whoever just checked them with the parent: on an
        # edit it starts unticked, so that re-saving the form confirms nothing.
        initial={
            **{f: getattr(guardian, f) for f in fields},
            "relation": link.relation,
            "checked": False,
        },
    )
    if request.method == "POST" and form.is_valid():

        def save(**data):
            if locked:
                for name in people_services.GUARDIAN_OPTIONAL_FIELDS:
                    data.pop(name)
            return people_services.guardian_update(link=link, actor=request.user, **data)

        if _save_guardian(request, student, form, save):
            messages.success(request, "Данные родителя сохранены.")
            return redirect("people:student_card", student.pk)
    return render(
        request,
        "people/guardian_form.html",
        {"student": student, "guardian": guardian, "form": form, "locked": locked},
    )


@never_cache
@roles_required(*GUARDIAN_ROLES)
def guardian_add(request: AuthedRequest, student_id: int):
    student = _student(request, student_id)
    if student.pseudonym:
        return _excluded(request, student)
    form = GuardianForm(request.POST or None, initial={"checked": True})
    if request.method == "POST" and form.is_valid():

        def save(**data):
            return people_services.guardian_add(student=student, actor=request.user, **data)

        if _save_guardian(request, student, form, save):
            messages.success(request, "Родитель добавлен.")
            return redirect("people:student_card", student.pk)
    return render(
        request, "people/guardian_form.html", {"student": student, "guardian": None, "form": form}
    )
