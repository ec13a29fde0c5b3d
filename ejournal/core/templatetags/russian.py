"""``{{ day|by_day }}`` → «ко вторнику, 17 ноября» (``ejournal.core.russian``)."""

from __future__ import annotations

import datetime as dt

from django import template

from ejournal.core import russian

register = template.Library()


@register.filter
def by_day(day: dt.date | None) -> str:
    return russian.by_day(day) if day else ""
