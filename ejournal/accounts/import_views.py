"""Contingent import page (/people/import/): check the file, then load it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from ejournal.accounts import contingent_import
from ejournal.accounts.models import Role
from ejournal.accounts.permissions import roles_required
from ejournal.school import selectors as school_selectors
from ejournal.school.models import AcademicYear

MAX_BYTES = 5 * 1024 * 1024


class ImportForm(forms.Form):
    year = forms.ModelChoiceField(label="Учебный год", queryset=AcademicYear.objects.none())
    file = forms.FileField(label="Файл CSV или XLSX")
    enroll_from = forms.DateField(
        label="Зачислить с", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, school=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].queryset = AcademicYear.objects.filter(school=school)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError("Файл больше 5 МБ.")
        return upload


@never_cache
@roles_required(Role.ADMIN, Role.OPERATOR)
def contingent_import_page(request):
    school = request.ctx.school
    form = ImportForm(request.POST or None, request.FILES or None, school=school)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        kwargs = {
            "school": school,
            "year": form.cleaned_data["year"],
            "name": upload.name,
            "content": content,
        }
        try:
            if request.POST.get("apply"):
                result = contingent_import.apply(
                    enroll_from=form.cleaned_data["enroll_from"], actor=request.user, **kwargs
                )
                if not result.errors:
                    messages.success(
                        request,
                        f"Загружено: новых учеников {result.created_students}, родителей "
                        f"{result.created_guardians}, зачислений {result.created_enrollments}.",
                    )
                    return redirect("people:contingent_import")
            else:
                result = contingent_import.parse(**kwargs)
        except ValidationError as e:
            form.add_error("file", e)
    return render(
        request,
        "people/import.html",
        {
            "form": form,
            "result": result,
            "columns": contingent_import.COLUMNS,
            "today": school_selectors.school_today(school),
        },
    )
