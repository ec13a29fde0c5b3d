from django import forms

from ejournal.api.models import TokenScope
from ejournal.api.services import DEFAULT_DAYS, MAX_DAYS


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Название",
        max_length=100,
        help_text="Для чего токен, например «Таблица успеваемости».",
    )
    scope = forms.ChoiceField(
        label="Доступ",
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
    )
    days = forms.IntegerField(
        label="Срок действия, дней",
        min_value=1,
        max_value=MAX_DAYS,
        initial=DEFAULT_DAYS,
        error_messages={
            "min_value": "Срок действия — не меньше 1 дня.",
            "max_value": f"Срок действия — не больше {MAX_DAYS} дней.",
            "invalid": "Укажите число дней.",
        },
    )
