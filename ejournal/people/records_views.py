"""Pages: a student's extracurricular activities; the HR section «Персонал»."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ejournal.accounts.models import (
    HOMEROOM,
    Activity,
    ActivityKind,
    QualificationCategory,
    Role,
    StaffMember,
)
from ejournal.accounts.permissions import deny, get_in_school_or_404, roles_required
from ejournal.core.widgets import DateInput
from ejournal.people import records
from ejournal.people.health import is_homeroom_of
from ejournal.people.views import CARD_READERS, _student
from ejournal.school.http import AuthedRequest
from ejournal.school.selectors import school_today

DATE = DateInput()


class ActivityForm(forms.Form):
    name = forms.CharField(label="Название", max_length=200)
    kind = forms.ChoiceField(label="Вид", choices=ActivityKind.choices)
    place = forms.CharField(label="Где занимается", max_length=200, required=False)
    hours_per_week = forms.DecimalField(label="Часов в неделю", max_digits=4, decimal_places=1)
    date_from = forms.DateField(label="С", widget=DATE)
    date_to = forms.DateField(label="По", widget=DATE, required=False)


class StaffRecordForm(forms.Form):
    education = forms.CharField(label="Образование", max_length=300, required=False)
    qualification = forms.ChoiceField(
        label="Квалификационная категория", choices=QualificationCategory.choices
    )
    qualification_date = forms.DateField(label="Дата присвоения", widget=DATE, required=False)
    hired_on = forms.DateField(label="Принят(а) на работу", widget=DATE, required=False)
    teaching_since = forms.DateField(label="Педагогический стаж с", widget=DATE, required=False)
    courses = forms.CharField(
        label="Курсы повышения квалификации", widget=forms.Textarea, required=False
    )


def _may_edit_activities(request: AuthedRequest, student) -> bool:
    return Role.ADMIN in request.ctx.roles or is_homeroom_of(
        request.ctx.staff, student, school_today(request.ctx.school_or_404())
    )


@never_cache
@roles_required(*CARD_READERS)
def activities(request: AuthedRequest, student_id: int):
    student = _student(request, student_id)
    can_edit = _may_edit_activities(request, student)
    form = ActivityForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        if form is None:
            raise deny()
        if form.is_valid():
            try:
                records.activity_add(student=student, actor=request.user, **form.cleaned_data)
            except ValidationError as e:
                form.add_error(None, e)
            else:
                messages.success(request, "Занятие добавлено.")
                return redirect("people:activities", student.pk)
    return render(
        request,
        "people/activities.html",
        {"student": student, "items": Activity.objects.filter(student=student), "form": form},
    )


@require_POST
@roles_required(Role.ADMIN, HOMEROOM)
def activity_delete(request: AuthedRequest, student_id: int, activity_id: int):
    student = _student(request, student_id)
    if not _may_edit_activities(request, student):
        raise deny()
    activity = Activity.objects.filter(student=student, pk=activity_id).first()
    if activity is None:
        raise deny()
    records.activity_delete(activity=activity, actor=request.user)
    messages.success(request, "Занятие удалено.")
    return redirect("people:activities", student.pk)


@never_cache
@roles_required(Role.HR, Role.ADMIN, Role.DIRECTOR)
def staff_records(request: AuthedRequest):
    staff = (
        StaffMember.objects.filter(school=request.ctx.school)
        .select_related("hr_record")
        .order_by("-is_active", "last_name", "first_name")
    )
    return render(
        request,
        "people/staff_records.html",
        {"staff": staff, "can_edit": Role.HR in request.ctx.roles},
    )


@never_cache
@roles_required(Role.HR)
def staff_record_edit(request: AuthedRequest, staff_id: int):
    staff = get_in_school_or_404(
        StaffMember.objects.select_related("hr_record"), request, id=staff_id
    )
    record = getattr(staff, "hr_record", None)
    initial = {f: getattr(record, f) for f in records.RECORD_FIELDS} if record else {}
    form = StaffRecordForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            records.staff_record_save(staff=staff, actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            form.add_error(None, e)
        else:
            messages.success(request, "Кадровая карточка сохранена.")
            return redirect("people:staff_records")
    return render(request, "people/staff_record_form.html", {"staff": staff, "form": form})
