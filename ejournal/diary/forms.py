from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from ejournal.core.formfields import model_choice_field
from ejournal.core.widgets import DateInput, with_default_dates
from ejournal.school import selectors as school_selectors


class PrintoutForm(forms.Form):
    school_class: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Класс",
        queryset=None,
        error_messages={"invalid_choice": "Выберите класс из списка."},
    )
    week = forms.DateField(
        label="Любой день недели",
        widget=DateInput(),
        error_messages={"invalid": "Укажите дату в виде ГГГГ-ММ-ДД."},
    )

    def __init__(self, data, *, classes, request):
        today = school_selectors.school_today(request.ctx.school)
        # No day picked: the current week of the school's own calendar.
        super().__init__(with_default_dates(data, {"week": today}), initial={"week": today})
        model_choice_field(self, "school_class").queryset = classes.order_by("grade", "letter")
        self.members: list = []
        self.selected: list = []

    def clean(self):
        super().clean()
        data = self.cleaned_data
        school_class, day = data.get("school_class"), data.get("week")
        if school_class is None or day is None:
            return data
        members = list(school_selectors.students_of_class_on(school_class=school_class, day=day))
        if not members:
            raise ValidationError("В этом классе на выбранную неделю нет учеников.")
        wanted = self.data.getlist("student") if hasattr(self.data, "getlist") else []
        self.members = members
        self.selected = members
        if wanted:
            by_id = {str(s.pk): s for s in members}
            if any(w not in by_id for w in wanted):
                raise ValidationError("Выбраны ученики не из этого класса.")
            self.selected = [by_id[w] for w in wanted]
        return data

    def selected_students(self):
        return self.selected
