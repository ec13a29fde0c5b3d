"""Forms parse input only; every rule lives in the services."""

from __future__ import annotations

import datetime as dt
import re

from django import forms

from ejournal.accounts.models import StaffMember
from ejournal.core.formfields import model_choice_field
from ejournal.core.widgets import DateInput
from ejournal.schedule.models import SHIFT_CHOICES, BellSchedule, BellScheduleKind, Weekday
from ejournal.schedule.selectors import substitute_choices
from ejournal.school.models import StudyGroup, Subject

DATE_WIDGET = DateInput()
SLOT_LINE = re.compile(
    r"^\s*(\d{1,2})\s*[.:)]?\s+(\d{1,2}[:.]\d{2})\s*[-–—]?\s*(\d{1,2}[:.]\d{2})\s*$"
)


def _time(text: str) -> dt.time:
    hours, minutes = re.split(r"[:.]", text)
    return dt.time(int(hours), int(minutes))


class BellScheduleForm(forms.Form):
    name = forms.CharField(label="Название", max_length=100)
    shift = forms.TypedChoiceField(label="Смена", choices=SHIFT_CHOICES, coerce=int)
    kind = forms.ChoiceField(label="Вид", choices=BellScheduleKind.choices)
    is_default = forms.BooleanField(label="Основное для смены", required=False)
    slots = forms.CharField(
        label="Звонки",
        widget=forms.Textarea(attrs={"rows": 9}),
        help_text="По строке на урок: номер, начало, окончание — например «1 08:30 09:15».",
    )

    def clean_slots(self):
        rows = []
        for n, line in enumerate(self.cleaned_data["slots"].splitlines(), start=1):
            if not line.strip():
                continue
            match = SLOT_LINE.match(line)
            if not match:
                raise forms.ValidationError(
                    f"Строка {n}: ожидается «номер начало окончание», например «1 08:30 09:15»."
                )
            try:
                rows.append((int(match[1]), _time(match[2]), _time(match[3])))
            except ValueError:
                raise forms.ValidationError(f"Строка {n}: неверное время.") from None
        return rows

    @staticmethod
    def initial_for(bell: BellSchedule) -> dict:
        return {
            "name": bell.name,
            "shift": bell.shift,
            "kind": bell.kind,
            "is_default": bell.is_default,
            "slots": "\n".join(
                f"{s.number} {s.start_time:%H:%M} {s.end_time:%H:%M}" for s in bell.slots.all()
            ),
        }


class BellDayForm(forms.Form):
    date = forms.DateField(label="Дата", widget=DATE_WIDGET)
    shift = forms.TypedChoiceField(label="Смена", choices=SHIFT_CHOICES, coerce=int)
    bell_schedule = forms.ModelChoiceField(
        label="Вариант звонков",
        queryset=BellSchedule.objects.none(),
        required=False,
        empty_label="основное расписание смены",
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "bell_schedule").queryset = BellSchedule.objects.filter(
            school=school
        )


def _staff_field(school, label="Учитель", required=True):
    return forms.ModelChoiceField(
        label=label,
        queryset=StaffMember.objects.filter(school=school, is_active=True).order_by(
            "last_name", "first_name"
        ),
        required=required,
    )


class EntryForm(forms.Form):
    weekday = forms.TypedChoiceField(label="День недели", choices=Weekday.choices, coerce=int)
    number = forms.IntegerField(label="Номер урока", min_value=1, max_value=12)
    group = forms.ModelChoiceField(label="Класс / группа", queryset=StudyGroup.objects.none())
    subject = forms.ModelChoiceField(label="Предмет", queryset=Subject.objects.none())
    room = forms.CharField(label="Кабинет", max_length=20, required=False)
    valid_from = forms.DateField(label="Действует с", widget=DATE_WIDGET)
    valid_to = forms.DateField(label="Действует по", widget=DATE_WIDGET, required=False)
    allow_conflicts = forms.BooleanField(
        label="Сохранить, несмотря на накладки",
        required=False,
        help_text="Например, для уроков, которые действительно идут вместе.",
    )

    def __init__(self, *args, school, year, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"] = _staff_field(school)
        self.order_fields(["weekday", "number", "group", "subject", "teacher", "room"])
        self.fields["group"].queryset = StudyGroup.objects.filter(  # type: ignore[attr-defined]
            school=school, year=year
        ).select_related("school_class")
        self.fields["subject"].queryset = Subject.objects.filter(  # type: ignore[attr-defined]
            school=school
        )
        if editing:
            del self.fields["group"]
            self.fields["valid_from"].label = "Изменение действует с"
            self.fields[
                "valid_from"
            ].help_text = "Уроки до этой даты останутся как были; с этой даты — по-новому."


class EntryEndForm(forms.Form):
    last_day = forms.DateField(
        label="Последний день",
        widget=DATE_WIDGET,
        required=False,
        help_text="Пусто — удалить урок расписания совсем (если по нему ещё не было уроков).",
    )


class RangeForm(forms.Form):
    start = forms.DateField(label="С", widget=DATE_WIDGET)
    end = forms.DateField(label="По", widget=DATE_WIDGET)


class DayForm(forms.Form):
    date = forms.DateField(label="Дата", widget=DATE_WIDGET, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Причина", max_length=300)


class MoveForm(ReasonForm):
    date = forms.DateField(label="Новая дата", widget=DATE_WIDGET)
    number = forms.IntegerField(label="Номер урока", min_value=1, max_value=12)
    room = forms.CharField(label="Кабинет", max_length=20, required=False)
    field_order = ["date", "number", "room", "reason"]


class RoomForm(ReasonForm):
    room = forms.CharField(label="Новый кабинет", max_length=20)
    field_order = ["room", "reason"]


class SubstituteField(forms.ModelChoiceField):
    """The staff, free teachers at the lesson first, each with what they teach."""

    def __init__(self, *, school, lesson, label: str, required: bool = True):
        choices = substitute_choices(school=school, lesson=lesson)
        self.labels = choices.labels
        super().__init__(label=label, queryset=choices.staff, required=required)

    def label_from_instance(self, obj) -> str:
        return self.labels.get(obj.pk) or str(obj)


def _substitute_field(school, lesson, label: str, required=True) -> SubstituteField:
    return SubstituteField(school=school, lesson=lesson, label=label, required=required)


class SubstituteForm(ReasonForm):
    field_order = ["substitute", "reason"]

    def __init__(self, *args, school, lesson=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["substitute"] = _substitute_field(school, lesson, "Заменяющий учитель")
        self.order_fields(self.field_order)


class ExtraLessonForm(ReasonForm):
    group = forms.ModelChoiceField(label="Класс / группа", queryset=StudyGroup.objects.none())
    subject = forms.ModelChoiceField(label="Предмет", queryset=Subject.objects.none())
    date = forms.DateField(label="Дата", widget=DATE_WIDGET)
    number = forms.IntegerField(label="Номер урока", min_value=1, max_value=12)
    room = forms.CharField(label="Кабинет", max_length=20, required=False)

    def __init__(self, *args, school, year, **kwargs):
        super().__init__(*args, **kwargs)
        model_choice_field(self, "group").queryset = StudyGroup.objects.filter(
            school=school, year=year
        )
        model_choice_field(self, "subject").queryset = Subject.objects.filter(school=school)
        self.fields["teacher"] = _staff_field(school)
        self.order_fields(["group", "subject", "teacher", "date", "number", "room", "reason"])


class AbsenceForm(forms.Form):
    date = forms.DateField(label="Дата", widget=DATE_WIDGET)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"] = _staff_field(school, "Отсутствующий учитель")
        self.order_fields(["teacher", "date"])


class DaySubstitutionForm(ReasonForm):
    """A substitute select per lesson of the absent teacher's day."""

    def __init__(self, *args, school, lessons, **kwargs):
        super().__init__(*args, **kwargs)
        self.lessons = lessons
        for lesson in lessons:
            field = _substitute_field(
                school, lesson, f"{lesson.number} урок, {lesson.group}, {lesson.subject}", False
            )
            field.empty_label = "без замены"
            if hasattr(lesson, "substitution"):
                field.initial = lesson.substitution.substitute_id
            self.fields[f"lesson_{lesson.id}"] = field
        self.order_fields([f"lesson_{lesson.id}" for lesson in lessons] + ["reason"])

    def assignments(self) -> dict[int, StaffMember]:
        return {
            lesson.id: self.cleaned_data[f"lesson_{lesson.id}"]
            for lesson in self.lessons
            if self.cleaned_data.get(f"lesson_{lesson.id}")
        }
