"""The form renderer, and the date widgets every form of the product uses.

Django renders every widget through its templates, and every option of a select or a
checkbox list through one more: the lesson page's three forms (a class's thirty pupils
as checkboxes, a dozen work types) cost it more than all of its queries through the
template language. Django ships the same widget templates for Jinja2
(``django/forms/jinja2/``); this renderer takes Django's own widget templates from there
and everything else (the form layouts) from the template language.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from django import forms
from django.forms.renderers import DjangoTemplates, Jinja2

WIDGETS = "django/forms/widgets/"


class FormRenderer(DjangoTemplates):
    """Django's template form renderer, with its standard widgets rendered by Jinja2."""

    @cached_property
    def widgets(self) -> Jinja2:
        return Jinja2()

    def get_template(self, template_name):
        if template_name.startswith(WIDGETS):
            return self.widgets.get_template(template_name)
        return super().get_template(template_name)


class DateInput(forms.DateInput):
    """``<input type="date">`` whose value is always ISO (YYYY-MM-DD): the browser accepts
    nothing else, so a Russian «04.12.2026» showed an empty field — and posted back
    nothing, erasing the date on the next save. Every date field of the product uses it."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """``<input type="datetime-local">`` with the only value it accepts, YYYY-MM-DDTHH:MM
    (the Russian «04.12.2026 10:00:00» shows an empty field, like DateInput's)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def with_default_dates(data, defaults: dict[str, dt.date]):
    """A GET filter's data with its blank date fields set to their defaults, so that the
    page works before a date is picked and its form shows the dates it used."""
    if not data:
        return data
    data = data.copy()
    for name, day in defaults.items():
        if not data.get(name):
            data[name] = day.isoformat()
    return data
