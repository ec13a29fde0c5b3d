"""``{% jinja "journal/table.html" grid=grid %}``: a Jinja2 fragment inside a Django page
(``ejournal.core.jinja2``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from ejournal.core.jinja2 import render_fragment

register = template.Library()


@register.simple_tag
def jinja(name: str, **context: Any) -> SafeString:
    return render_fragment(name, **context)
