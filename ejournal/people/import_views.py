"""Contingent import page (/people/import/): check the file, then load it.

Three kinds of file: students with guardians, classes of a year, staff. The operator
loads students and classes; staff (with logins and roles) is the administrator's.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from ejournal.accounts.models import Role
from ejournal.accounts.permissions import roles_required
from ejournal.core.formfields import choice_field, model_choice_field
from ejournal.core.widgets import DateInput
from ejournal.people import contingent_import, import_classes_staff
from ejournal.school import selectors as school_selectors
from ejournal.school.http import AuthedRequest
from ejournal.school.models import AcademicYear

MAX_BYTES = 5 * 1024 * 1024

KIND_STUDENTS, KIND_CLASSES, KIND_STAFF = "students", "classes", "staff"
# Each kind: its title, its columns, its check and its load (same keyword arguments).
ImportStep = Callable[..., contingent_import.ImportResult]
KINDS: dict[str, tuple[str, list[str], ImportStep, ImportStep]] = {
    KIND_STUDENTS: (
        "Ученики и родители",
        contingent_import.COLUMNS,
        contingent_import.parse,
        contingent_import.apply,
    ),
    KIND_CLASSES: (
        "Классы",
        import_classes_staff.CLASS_COLUMNS,
        import_classes_staff.parse_classes,
        import_classes_staff.apply_classes,
    ),
    KIND_STAFF: (
        "Сотрудники",
        import_classes_staff.STAFF_COLUMNS,
        import_classes_staff.parse_staff,
        import_classes_staff.apply_staff,
    ),
}


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="Что загружается", initial=KIND_STUDENTS, required=False)
    year = forms.ModelChoiceField(label="Учебный год", queryset=AcademicYear.objects.none())
    file = forms.FileField(label="Файл CSV или XLSX")
    enroll_from = forms.DateField(
        label="Зачислить с (для учеников)",
        widget=DateInput(),
        required=False,
    )
    order_number = forms.CharField(
        label="Номер приказа о зачислении",
        max_length=50,
        required=False,
        help_text="Для строк файла без столбца «номер приказа»",
    )
    order_date = forms.DateField(
        label="Дата приказа о зачислении",
        widget=DateInput(),
        required=False,
    )

    def __init__(self, *args, school=None, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "year").queryset = AcademicYear.objects.filter(school=school)
        choice_field(self, "kind").choices = [(k, KINDS[k][0]) for k in kinds]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError("Файл больше 5 МБ.")
        return upload

    def clean(self):
        super().clean()
        data = self.cleaned_data
        data["kind"] = data.get("kind") or KIND_STUDENTS
        if data["kind"] == KIND_STUDENTS and not data.get("enroll_from"):
            self.add_error("enroll_from", "Укажите дату зачисления учеников.")
        return data


def _kinds(request: AuthedRequest) -> list[str]:
    kinds = [KIND_STUDENTS, KIND_CLASSES]
    if Role.ADMIN in request.ctx.roles:
        kinds.append(KIND_STAFF)
    return kinds


@never_cache
@roles_required(Role.ADMIN, Role.OPERATOR)
def contingent_import_page(request: AuthedRequest):
    school = request.ctx.school_or_404()
    kinds = _kinds(request)
    form = ImportForm(request.POST or None, request.FILES or None, school=school, kinds=kinds)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        _, _, check, load = KINDS[form.cleaned_data["kind"]]
        kwargs = {
            "school": school,
            "year": form.cleaned_data["year"],
            "name": upload.name,
            "content": upload.read(),
        }
        try:
            if request.POST.get("apply"):
                extra = {"actor": request.user}
                if form.cleaned_data["kind"] == KIND_STUDENTS:
                    for key in ("enroll_from", "order_number", "order_date"):
                        extra[key] = form.cleaned_data[key]
                result = load(**kwargs, **extra)
                if not result.errors:
                    messages.success(request, result.summary)
                    return redirect("people:contingent_import")
            else:
                result = check(**kwargs)
        except ValidationError as e:
            form.add_error("file", e)
    return render(
        request,
        "people/import.html",
        {
            "form": form,
            "result": result,
            "kinds": [(KINDS[k][0], KINDS[k][1]) for k in kinds],
            "today": school_selectors.school_today(school),
        },
    )
