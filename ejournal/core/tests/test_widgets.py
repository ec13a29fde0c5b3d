"""The form renderer builds Django's own widget markup (up to whitespace)."""

import datetime as dt
import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from ejournal.core.widgets import FormRenderer

CHOICES = [(1, "Иванов А."), (2, 'О"Брайен <Б>'), ("x&y", mark_safe("<i>Третий</i>"))]
GROUPS = [("5А", [(1, "Один"), (2, "Два")]), ("5Б <x>", [(3, "Три")])]


def same(html: str) -> str:
    """The markup with runs of whitespace as one space and none between tags."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html)))


CASES = [
    (forms.TextInput(), 'a "b" <c> & d'),
    (forms.TextInput(attrs={"required": True, "disabled": False, "maxlength": 5}), None),
    (forms.NumberInput(), 5),
    (forms.EmailInput(), "x@example.org"),
    (forms.PasswordInput(), "secret"),
    (forms.HiddenInput(), 7),
    (forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), dt.date(2026, 11, 24)),
    (forms.TimeInput(), dt.time(8, 30)),
    (forms.CheckboxInput(), True),
    (forms.CheckboxInput(), False),
    (forms.FileInput(), None),
    (forms.Textarea(attrs={"rows": 3}), "строка 1\n<b>строка 2</b>"),
    (forms.Textarea(), ""),
    (forms.Select(choices=CHOICES), "x&y"),
    (forms.Select(choices=[("", "—"), *CHOICES]), None),
    (forms.Select(choices=GROUPS), 3),
    (forms.SelectMultiple(choices=CHOICES), [1, 2]),
    (forms.CheckboxSelectMultiple(choices=CHOICES), ["2", "x&y"]),
    (forms.CheckboxSelectMultiple(choices=CHOICES), None),
    (forms.CheckboxSelectMultiple(choices=GROUPS), [3]),
    (forms.RadioSelect(choices=CHOICES), 1),
    (forms.ClearableFileInput(), None),
]


@pytest.mark.parametrize(("widget", "value"), CASES)
@pytest.mark.parametrize("attrs", [None, {"id": "id_f"}, {"id": "f", "class": "c", "aria-x": "h"}])
def test_the_renderer_gives_djangos_markup(widget, value, attrs):
    ours = widget.render("f", value, attrs, renderer=FormRenderer())
    django = widget.render("f", value, attrs, renderer=DjangoTemplates())
    assert same(ours) == same(django)
    assert "<b>строка" not in ours and "<Б>" not in ours


def test_forms_use_the_renderer(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "ejournal.core.widgets.FormRenderer"
    assert isinstance(get_default_renderer(), FormRenderer)
