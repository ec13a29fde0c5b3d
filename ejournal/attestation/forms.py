"""Forms that parse attestation pages' input; the rules live in services."""

from __future__ import annotations

from django import forms

from ejournal.attestation.models import CouncilDecision, CouncilDecisionKind
from ejournal.core.widgets import DateInput


class EntryForm(forms.Form):
    """The entry page: per student a mark, a comment and the version the teacher saw."""

    def __init__(self, *args, student_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.student_ids = student_ids
        for sid in student_ids:
            self.fields[f"mark_{sid}"] = forms.CharField(required=False, max_length=10)
            self.fields[f"comment_{sid}"] = forms.CharField(
                required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 1})
            )
            self.fields[f"version_{sid}"] = forms.IntegerField(
                required=False, min_value=0, widget=forms.HiddenInput
            )

    def entries(self) -> list[tuple[int, str, str, int | None]]:
        data = self.cleaned_data
        return [
            (sid, data[f"mark_{sid}"], data[f"comment_{sid}"], data[f"version_{sid}"])
            for sid in self.student_ids
        ]


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Причина повторного открытия",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label="Решение", choices=CouncilDecisionKind.choices)
    date = forms.DateField(label="Дата протокола", widget=DateInput())
    protocol_number = forms.CharField(label="Номер протокола", max_length=20)
    text = forms.CharField(
        label="Формулировка",
        max_length=300,
        required=False,
        help_text="если пусто — по решению, например «переведён в 6 класс»",
    )

    @staticmethod
    def initial_for(decision: CouncilDecision | None) -> dict:
        """The decision already recorded, so that the form shows it rather than blanks."""
        if decision is None:
            return {}
        return {
            "kind": decision.kind,
            "date": decision.date,
            "protocol_number": decision.protocol_number,
            "text": decision.text,
        }


class SettingsForm(forms.Form):
    threshold_5 = forms.DecimalField(
        label="«5» при среднем балле от", max_digits=3, decimal_places=2
    )
    threshold_4 = forms.DecimalField(
        label="«4» при среднем балле от", max_digits=3, decimal_places=2
    )
    threshold_3 = forms.DecimalField(
        label="«3» при среднем балле от", max_digits=3, decimal_places=2
    )
    min_marks_1h = forms.IntegerField(label="Минимум отметок при 1 ч в неделю", min_value=1)
    min_marks_2h = forms.IntegerField(label="Минимум отметок при 2 ч в неделю", min_value=1)
    min_marks_3h = forms.IntegerField(label="Минимум отметок при 3 ч и более", min_value=1)
    entry_window_days = forms.IntegerField(
        label="Отметки за период выставляются в последние, дней", min_value=1
    )
    closing_grace_days = forms.IntegerField(
        label="Дней после окончания периода до закрытия", min_value=0
    )
    require_written_work = forms.BooleanField(
        label="Нужна письменная / практическая работа (если они были)", required=False
    )


class CorrectionForm(forms.Form):
    value = forms.CharField(label="Новая отметка", max_length=8)
    comment = forms.CharField(
        label="Обоснование отметки", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(
        label="Причина исправления", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class CorrectionDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "одобрить"), ("reject", "отклонить")])
    comment = forms.CharField(required=False, max_length=2000)
