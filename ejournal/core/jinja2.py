"""Jinja2 for the hottest fragments: the journal grid, the diary week and the diary's marks.

Their hundreds of cells through Django's template language cost more than all of their
pages' queries; Jinja2 compiles a template to Python and renders them as fast as markup
built by hand (``bench/render_pages.py`` measures both). Everything else stays in Django
templates. The fragments live in ``<app>/jinja2/<app>/`` and are included from a Django
template with ``{% load fragments %}{% jinja "name" key=value %}``.

Autoescaping is on. A fragment may turn it off for a loop over values that are the
selector's own constants (mark texts, versions, class names), and then escapes with
``|e`` whatever a person typed.
"""

from __future__ import annotations

from typing import Any

from django.template import defaultfilters, engines
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe
from jinja2 import Environment

from ejournal.core.urls import url_template


def environment(**options: Any) -> Environment:
    env = Environment(**options)  # noqa: S701 - Django's backend passes autoescape=True
    env.globals.update(url_template=url_template, static=static)
    env.filters.update(
        # Django's own filters, so that a fragment writes values as the pages around it do.
        linebreaksbr=lambda value: defaultfilters.linebreaksbr(value, autoescape=True),
        filesizeformat=defaultfilters.filesizeformat,
        weight=lambda value: defaultfilters.floatformat(value, "-1"),
    )
    return env


def render_fragment(name: str, **context: Any) -> SafeString:
    """The fragment ``name`` rendered with ``context`` (no request, no context processors)."""
    env = engines["jinja2"].env  # type: ignore[attr-defined]
    return mark_safe(env.get_template(name).render(context))  # noqa: S308 - autoescaped
