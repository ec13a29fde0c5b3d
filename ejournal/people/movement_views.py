"""People index, enrollment of new students, transfers and leaving (operator, admin)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ejournal.accounts.models import HOMEROOM, Role, Sex, StudentMovement
from ejournal.accounts.permissions import roles_required
from ejournal.core.formfields import model_choice_field
from ejournal.core.widgets import DateInput
from ejournal.people import movement
from ejournal.people.views import ORDER_ROLES, _student
from ejournal.school import selectors as school_selectors
from ejournal.school.http import AuthedRequest
from ejournal.school.models import SchoolClass

DATE = DateInput()
INDEX_ROLES = (Role.ADMIN, Role.OPERATOR, Role.DEPUTY, Role.DIRECTOR, HOMEROOM)


class OrderFields(forms.Form):
    effective_date = forms.DateField(label="С даты", widget=DATE)
    order_number = forms.CharField(label="Номер приказа", max_length=50)
    order_date = forms.DateField(label="Дата приказа", widget=DATE)


class EnrollForm(OrderFields):
    last_name = forms.CharField(label="Фамилия", max_length=100)
    first_name = forms.CharField(label="Имя", max_length=100)
    patronymic = forms.CharField(label="Отчество", max_length=100, required=False)
    birth_date = forms.DateField(label="Дата рождения", widget=DATE)
    sex = forms.ChoiceField(label="Пол", choices=Sex.choices)
    school_class = forms.ModelChoiceField(label="Класс", queryset=SchoolClass.objects.none())
    from_place = forms.CharField(
        label="Прибыл из",
        max_length=300,
        required=False,
        help_text="Школа и населённый пункт, детский сад или «из семьи»",
    )

    field_order = [
        "last_name",
        "first_name",
        "patronymic",
        "birth_date",
        "sex",
        "school_class",
        "from_place",
    ]

    def __init__(self, *args, classes=None, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "school_class").queryset = classes


class TransferForm(OrderFields):
    to_class = forms.ModelChoiceField(label="В класс", queryset=SchoolClass.objects.none())

    def __init__(self, *args, classes=None, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "to_class").queryset = classes


class LeaveForm(OrderFields):
    to_place = forms.CharField(
        label="Выбыл в",
        max_length=300,
        help_text="Школа и населённый пункт, семейное образование, другой регион или страна",
    )


def _classes(request: AuthedRequest):
    return (
        SchoolClass.objects.filter(school=request.ctx.school)
        .select_related("year")
        .order_by("-year__start", "grade", "letter")
    )


def _errors(form) -> str:
    return "; ".join(
        f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}".lstrip(": ")
        for f, e in form.errors.items()
    )


@never_cache
@roles_required(*INDEX_ROLES)
def index(request: AuthedRequest):
    school = request.ctx.school_or_404()
    today = school_selectors.school_today(school)
    classes = _classes(request).filter(year__start__lte=today, year__end__gte=today)
    roles = request.ctx.roles
    if not roles & {Role.ADMIN, Role.OPERATOR, Role.DEPUTY, Role.DIRECTOR}:
        classes = classes.filter(homeroom_teacher=request.ctx.staff)
    return render(
        request,
        "people/index.html",
        {
            "classes": classes,
            "can_enroll": bool(roles & set(ORDER_ROLES)),
            "can_handle": bool(roles & {Role.ADMIN, Role.DIRECTOR}),
        },
    )


@never_cache
@roles_required(*ORDER_ROLES)
def enroll(request: AuthedRequest):
    form = EnrollForm(request.POST or None, classes=_classes(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = movement.student_enroll(actor=request.user, **data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, f"Ученик зачислен в {data['school_class']} класс.")
            return redirect("people:student_card", moved.student_id)
    return render(request, "people/enroll.html", {"form": form})


@require_POST
@roles_required(*ORDER_ROLES)
def transfer(request: AuthedRequest, student_id: int):
    student = _student(request, student_id)
    form = TransferForm(request.POST, classes=_classes(request))
    if not form.is_valid():
        messages.error(request, "Перевод не оформлен: " + _errors(form))
    else:
        try:
            result = movement.student_transfer(
                student=student, actor=request.user, **form.cleaned_data
            )
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            say = messages.warning if result.unplaced else messages.success
            say(request, result.summary)
    return redirect("people:student_card", student.pk)


@require_POST
@roles_required(*ORDER_ROLES)
def leave(request: AuthedRequest, student_id: int):
    student = _student(request, student_id)
    form = LeaveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Выбытие не оформлено: " + _errors(form))
    else:
        try:
            movement.student_leave(student=student, actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, "Выбытие оформлено.")
    return redirect("people:student_card", student.pk)


def history(student) -> list[StudentMovement]:
    return list(
        StudentMovement.objects.filter(student=student).select_related(
            "order", "from_class", "to_class"
        )
    )
