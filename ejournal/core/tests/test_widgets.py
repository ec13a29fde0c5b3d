"""The form renderer gives Django's own widget markup (up to whitespace, and quotes
escaped as Jinja2 writes them: ``&#34;`` for ``&quot;``, ``&#39;`` for ``&#x27;``)."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe

from ejournal.core.widgets import DateInput, DateTimeInput, FormRenderer

CHOICES = [(1, "Иванов А."), (2, 'О"Брайен <Б>'), ("x&y", mark_safe("<i>Третий</i>"))]
GROUPS = [("5А", [(1, "Один"), (2, "Два")]), ("5Б <x>", [(3, "Три")])]


def same(html: str) -> str:
    """The markup with runs of whitespace as one space and none between tags."""
    html = str(html).replace("&#34;", "&quot;").replace("&#39;", "&#x27;")
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html))


CASES = [
    (forms.TextInput(), 'a "b" <c> & d'),
    (forms.TextInput(attrs={"required": True, "disabled": False, "maxlength": 5}), None),
    (forms.NumberInput(), 5),
    (forms.EmailInput(), "x@example.org"),
    (forms.PasswordInput(), "secret"),
    (forms.HiddenInput(), 7),
    (DateInput(), dt.date(2026, 11, 24)),
    (DateTimeInput(), dt.datetime(2026, 11, 24, 8, 30)),
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


# --- dates: <input type="date"> takes nothing but ISO ------------------------------------


def _product_forms() -> list[type[forms.BaseForm]]:
    from django.urls import get_resolver

    get_resolver().url_patterns  # imports every view module, and so every form class
    found, queue = [], [forms.BaseForm]
    while queue:
        cls = queue.pop()
        queue.extend(cls.__subclasses__())
        if cls.__module__.startswith("ejournal.") and ".tests" not in cls.__module__:
            found.append(cls)
    return found


def test_every_date_field_of_the_product_uses_the_iso_widgets():
    """Django's own DateInput renders the Russian «04.12.2026», which <input type="date">
    shows as an empty field (and the next save posts back nothing)."""
    expected = {forms.DateField: DateInput, forms.DateTimeField: DateTimeInput}
    offenders = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in _product_forms()
        for name, field in cls.base_fields.items()
        for kind, widget in expected.items()
        if isinstance(field, kind) and not isinstance(field.widget, widget)
    ]
    assert len(_product_forms()) > 50
    assert not offenders, offenders


def test_no_date_widget_is_built_outside_the_core_widgets():
    """Fields added in a form's __init__ escape the class check: no Django date widget is
    built anywhere, and templates write their own date inputs' values as Y-m-d."""
    root = Path(__file__).resolve().parents[2]  # ejournal/
    offenders = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or path.name == "widgets.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"forms\.(DateInput|DateTimeInput|TimeInput)\(", text):
            offenders.append(str(path.relative_to(root)))
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r'<input[^>]*type="(?:date|datetime-local)"[^>]*>', text):
            value = re.search(r'value="([^"]*)"', tag)
            if value and "{{" in value.group(1) and "Y-m-d" not in value.group(1):
                offenders.append(f"{path.relative_to(root)}: {tag}")
    assert not offenders, offenders


@pytest.mark.parametrize("renderer", [FormRenderer(), DjangoTemplates()])
def test_dates_render_in_iso_in_russian(renderer):
    class Card(forms.Form):
        hired_on = forms.DateField(widget=DateInput())
        starts_at = forms.DateTimeField(widget=DateTimeInput())

    with translation.override("ru"):
        when = dt.datetime(2026, 12, 4, 10, 30, tzinfo=dt.UTC)
        form = Card(initial={"hired_on": dt.date(2026, 12, 4), "starts_at": when})
        form.renderer = renderer
        html = str(form)
        bound = Card({"hired_on": "2026-12-04", "starts_at": "2026-12-04T13:30"})
        assert bound.is_valid(), bound.errors
    assert 'type="date" name="hired_on" value="2026-12-04"' in html
    # The school's clock (Europe/Moscow in the settings) shows 10:30 UTC as 13:30.
    assert 'type="datetime-local" name="starts_at" value="2026-12-04T13:30"' in html
    assert bound.cleaned_data["hired_on"] == dt.date(2026, 12, 4)
    assert bound.cleaned_data["starts_at"] == when
