"""Forms of the КТП pages: parsing only; the rules live in services."""

from __future__ import annotations

from django import forms

from ejournal.accounts.models import StaffMember
from ejournal.core.formfields import choice_field, model_choice_field
from ejournal.core.widgets import DateInput
from ejournal.planning.io import MAX_FILE_BYTES, MAX_HOURS
from ejournal.planning.models import PlanItemKind


class PlanCreateForm(forms.Form):
    target = forms.ChoiceField(label="Для кого")
    owner = forms.ModelChoiceField(
        label="Учитель",
        queryset=StaffMember.objects.none(),
        required=False,
        help_text="Ответственный за план; по умолчанию — учитель группы.",
    )

    def __init__(self, *args, groups, grades, staff_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— выберите —")]
        choices += [
            (f"g:{group.pk}:{subject.pk}", f"{group} — {subject}") for group, subject in groups
        ]
        choices += [
            (f"p:{grade}:{subject.pk}", f"{grade} параллель — {subject} (общий для классов)")
            for grade, subject in grades
        ]
        choice_field(self, "target").choices = choices
        if staff_choices is None:
            del self.fields["owner"]
        else:
            model_choice_field(self, "owner").queryset = staff_choices

    def clean_target(self) -> tuple[str, int, int]:
        kind, first, subject_id = self.cleaned_data["target"].split(":")
        return kind, int(first), int(subject_id)


class PlanItemForm(forms.Form):
    section = forms.CharField(label="Раздел", max_length=300, required=False)
    topic = forms.CharField(label="Тема", max_length=500, required=False)
    hours = forms.IntegerField(label="Часы", min_value=1, max_value=MAX_HOURS, initial=1)
    kind = forms.ChoiceField(label="Вид", choices=PlanItemKind.choices, initial="lesson")
    planned_date = forms.DateField(
        label="Дата по плану",
        required=False,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
    )


class PlanItemAddForm(PlanItemForm):
    position = forms.IntegerField(
        label="Вставить на место №",
        min_value=1,
        required=False,
        help_text="Пусто — в конец плана.",
    )


class MoveForm(forms.Form):
    position = forms.IntegerField(min_value=1)


class ImportForm(forms.Form):
    file = forms.FileField(label="Файл CSV или XLSX")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError("Файл больше 2 МБ — это не похоже на КТП.")
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError("Нужен файл .csv или .xlsx.")
        return upload


class CopyForm(forms.Form):
    source = forms.TypedChoiceField(
        label="Скопировать темы из", coerce=int, widget=forms.RadioSelect
    )

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "source").choices = [
            (
                plan.pk,
                f"{plan.year}: {plan.target_label} — {plan.item_count} тем, "
                f"{plan.total_hours or 0} ч"
                + (f" ({plan.owner.short_name})" if plan.owner else ""),
            )
            for plan in sources
        ]


class OwnerForm(forms.Form):
    owner = forms.ModelChoiceField(
        label="Учитель", queryset=StaffMember.objects.none(), required=False
    )

    def __init__(self, *args, staff_choices, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "owner").queryset = staff_choices
