"""Parsing of journal input. Choices are limited to the lesson or school at hand, so an id
from elsewhere is just an invalid choice."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError

from ejournal.accounts.models import Student
from ejournal.core.widgets import DateInput
from ejournal.journal.models import (
    CorrectionKind,
    Homework,
    Work,
    WorkCategory,
    WorkType,
)

DATE_WIDGET = DateInput()


class StudentChoices(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.short_name


class LessonRecordForm(forms.Form):
    topic = forms.CharField(label="Тема урока", max_length=500, required=False)
    comment = forms.CharField(
        label="Комментарий к уроку",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class HomeworkForm(forms.Form):
    text = forms.CharField(
        label="Задание",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Страницы, номера упражнений, ссылки на материалы.",
    )
    due_date = forms.DateField(
        label="К дате",
        required=False,
        widget=DATE_WIDGET,
        help_text="Пусто — к следующему уроку.",
    )
    students = StudentChoices(
        label="Индивидуальное — только для учеников",
        queryset=Student.objects.none(),
        required=False,
        help_text="Никого не выбрано — задание для всей группы.",
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, members: list[Student], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["students"]
        field.queryset = Student.objects.filter(pk__in=[s.pk for s in members])  # type: ignore[attr-defined]

    @classmethod
    def for_homework(cls, homework: Homework, members: list[Student]) -> HomeworkForm:
        return cls(
            initial={
                "text": homework.text,
                "due_date": homework.due_date,
                "students": list(homework.students.all()),
                "version": homework.version,
            },
            members=members,
        )


class AttachmentForm(forms.Form):
    file = forms.FileField(label="Файл")


class WorkTypeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} (вес {obj.weight:g})"


class WorkForm(forms.Form):
    work_type = WorkTypeChoice(label="Вид работы", queryset=WorkType.objects.none())
    title = forms.CharField(label="Описание", max_length=300, required=False)

    def __init__(self, *args, work_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_type"].queryset = work_types  # type: ignore[attr-defined]


class CorrectionForm(forms.Form):
    kind = forms.ChoiceField(label="Что исправить", choices=CorrectionKind.choices)
    work = forms.ModelChoiceField(label="Работа", queryset=Work.objects.none(), required=False)
    student = forms.ModelChoiceField(
        label="Ученик", queryset=Student.objects.none(), required=False
    )
    value = forms.CharField(
        label="Новое значение",
        max_length=5000,
        required=False,
        help_text="Отметка (1–5, н/а, осв, зач, незач, «.» — долг), посещаемость (Н, Б, УП, "
        "ОП10; пусто — присутствовал), тема или текст задания.",
    )
    reason = forms.CharField(label="Причина", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, works, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work"].queryset = works  # type: ignore[attr-defined]
        self.fields["work"].label_from_instance = (  # type: ignore[attr-defined]
            lambda w: f"{w.work_type.name}{': ' + w.title if w.title else ''}"
        )
        self.fields["student"].queryset = members  # type: ignore[attr-defined]
        self.fields["student"].label_from_instance = lambda s: s.short_name  # type: ignore[attr-defined]

    def new_value(self) -> dict:
        kind, value = self.cleaned_data["kind"], self.cleaned_data["value"]
        key = {"mark": "value", "attendance": "value", "topic": "topic"}.get(kind, "text")
        return {key: value}


class RejectForm(forms.Form):
    comment = forms.CharField(
        label="Почему отклонён", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class WorkTypeForm(forms.Form):
    name = forms.CharField(label="Название", max_length=100)
    short_name = forms.CharField(label="Сокращение", max_length=12, required=False)
    category = forms.ChoiceField(label="Вид", choices=WorkCategory.choices)
    weight = forms.CharField(
        label="Вес", max_length=5, help_text="Например 1 или 1,5 (больше 0, не больше 10)."
    )
    mark_window_days = forms.IntegerField(
        label="Срок выставления отметок, дней",
        required=False,
        help_text="Пусто — обычный срок для класса (3 дня в 1–4, 7 дней в 5–11 классах).",
    )
    is_active = forms.BooleanField(label="Используется", required=False, initial=True)

    def clean_weight(self):
        raw = self.cleaned_data["weight"].strip().replace(",", ".")
        try:
            return str(float(raw))
        except ValueError:
            raise ValidationError("Вес должен быть числом, например 1 или 1,5.") from None


class ReasonForm(forms.Form):
    attendance = forms.IntegerField()
    value = forms.ChoiceField(choices=[("н", "Н"), ("б", "Б"), ("уп", "УП")])
    version = forms.IntegerField(required=False)


# --- The grid's batch of cells (JSON) ---------------------------------------------------


@dataclass(frozen=True)
class CellInput:
    kind: str
    lesson_id: int
    work_id: int | None
    student_id: int
    value: str
    version: int | None
    comment: str | None = None  # None keeps the mark's comment


MAX_CELLS = 500
# The rows' averages are recomputed for the dates the page shows: a period at most.
MAX_TOTALS_DAYS = 400


@dataclass(frozen=True)
class CellsInput:
    cells: list[CellInput]
    # The dates of the page's «Ср.» and «Долг» columns, to send them back updated.
    totals_range: tuple[dt.date, dt.date] | None = None


def parse_cells(body: bytes) -> CellsInput:
    """``{"cells": [{"k": "m"|"a", "l": lesson, "w": work|null, "s": student,
    "v": text, "ver": version|null, "c": mark comment (optional)}, ...],
    "totals": {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"} (optional)}`` → the cells and
    the dates of the page's totals; a Russian ValidationError otherwise."""
    try:
        data = json.loads(body.decode("utf-8"))
        totals_range = _totals_range(data.get("totals"))
        raw_cells = data["cells"]
        if not isinstance(raw_cells, list):
            raise TypeError
        if len(raw_cells) > MAX_CELLS:
            raise ValidationError(f"За один раз можно сохранить не больше {MAX_CELLS} ячеек.")
        cells = []
        for raw in raw_cells:
            kind = {"m": "mark", "a": "attendance"}[raw["k"]]
            value = raw.get("v") or ""
            comment = raw.get("c")
            if not isinstance(value, str) or len(value) > 20:
                raise TypeError
            if comment is not None and (not isinstance(comment, str) or len(comment) > 500):
                raise ValidationError("Комментарий к отметке — не длиннее 500 символов.")
            cells.append(
                CellInput(
                    kind=kind,
                    lesson_id=int(raw["l"]),
                    work_id=int(raw["w"]) if raw.get("w") not in (None, "") else None,
                    student_id=int(raw["s"]),
                    value=value,
                    version=int(raw["ver"]) if raw.get("ver") not in (None, "") else None,
                    comment=comment,
                )
            )
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise ValidationError("Не удалось разобрать запрос. Обновите страницу.") from None
    if not cells:
        raise ValidationError("Нет изменений для сохранения.")
    return CellsInput(cells, totals_range)


def _totals_range(raw) -> tuple[dt.date, dt.date] | None:
    if raw is None:
        return None
    start, end = dt.date.fromisoformat(raw["from"]), dt.date.fromisoformat(raw["to"])
    if not dt.timedelta(0) <= end - start <= dt.timedelta(days=MAX_TOTALS_DAYS):
        raise ValueError("totals range")
    return start, end
