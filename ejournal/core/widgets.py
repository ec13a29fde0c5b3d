"""The form renderer: Django's standard widgets built in Python.

Django renders every widget through its templates, and every option of a select or a
checkbox list through one more: the lesson page's three forms (a class's thirty pupils
as checkboxes, a dozen work types) cost it more than all of its queries. For Django's own
widget templates this renderer builds the same markup directly — values escaped exactly as
the templates do (``stringformat`` values always, labels unless already safe) — and hands
any other template to Django.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, escape

WIDGETS = "django/forms/widgets/"


def _attrs(attrs: dict) -> str:
    """widgets/attrs.html: ``True`` as a bare name, ``False`` left out."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    """widgets/input.html."""
    value = widget["value"]
    value_attr = f' value="{escape(value)}"' if value is not None else ""
    name = conditional_escape(widget["name"])
    return f'<input type="{conditional_escape(widget["type"])}" name="{name}"{value_attr}' + (
        f"{_attrs(widget['attrs'])}>"
    )


def _input_option(option: dict) -> str:
    """widgets/input_option.html (a checkbox or radio button of a list)."""
    field = _input(option)
    if not option.get("wrap_label"):
        return field
    attrs = option["attrs"]
    label_for = f' for="{conditional_escape(attrs["id"])}"' if attrs.get("id") else ""
    return f"<label{label_for}>{field} {conditional_escape(option['label'])}</label>"


def _multiple_input(widget: dict) -> str | None:
    """widgets/multiple_input.html (checkbox lists, radio buttons)."""
    own = widget["attrs"]
    out = ["<div"]
    if own.get("id"):
        out.append(f' id="{conditional_escape(own["id"])}"')
    if own.get("class"):
        out.append(f' class="{conditional_escape(own["class"])}"')
    out.append(">")
    for group, options, _index in widget["optgroups"]:
        if group:
            out.append(f"\n  <div><label>{conditional_escape(group)}</label>")
        for option in options:
            if option["template_name"] not in OPTION_TEMPLATES:
                return None
            out.append(f"<div>\n    {_input_option(option)}</div>")
        if group:
            out.append("\n  </div>")
    out.append("\n</div>")
    return "".join(out)


def _select(widget: dict) -> str | None:
    """widgets/select.html with its select_option.html."""
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group, options, _index in widget["optgroups"]:
        if group:
            out.append(f'\n  <optgroup label="{conditional_escape(group)}">')
        for option in options:
            if option["template_name"] != WIDGETS + "select_option.html":
                return None
            out.append(
                f'\n  <option value="{escape(option["value"])}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>"
            )
        if group:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _textarea(widget: dict) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    name = conditional_escape(widget["name"])
    return f'<textarea name="{name}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


INPUTS = [
    "checkbox",
    "color",
    "date",
    "datetime",
    "email",
    "file",
    "hidden",
    "input",
    "number",
    "password",
    "search",
    "tel",
    "text",
    "time",
    "url",
]
OPTION_TEMPLATES = {WIDGETS + "checkbox_option.html", WIDGETS + "radio_option.html"}
BUILDERS: dict[str, Callable[[dict], str | None]] = {
    **{f"{WIDGETS}{name}.html": _input for name in INPUTS},
    WIDGETS + "textarea.html": _textarea,
    WIDGETS + "select.html": _select,
    WIDGETS + "checkbox_select.html": _multiple_input,
    WIDGETS + "radio.html": _multiple_input,
}


class FormRenderer(DjangoTemplates):
    """Django's template form renderer, with its standard widgets built in Python."""

    def render(self, template_name, context, request=None):
        build = BUILDERS.get(template_name)
        html = build(context["widget"]) if build is not None and "widget" in context else None
        if html is None:
            return super().render(template_name, context, request=request)
        return html.strip()


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
