"""A small server-rendered SVG of the running average, with a text alternative."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ejournal.attestation.averages import display_average

WIDTH, HEIGHT, PAD = 320, 90, 14


def _x(day: dt.date, start: dt.date, end: dt.date) -> float:
    span = max((end - start).days, 1)
    return PAD + (WIDTH - 2 * PAD) * min(max((day - start).days, 0), span) / span


def _y(value) -> float:
    # 1 at the bottom, 5 at the top.
    return HEIGHT - PAD - (HEIGHT - 2 * PAD) * (float(value) - 1) / 4


def describe(points: Sequence) -> str:
    if not points:
        return "Пока нет отметок, средний балл не рассчитан."
    first, last = points[0], points[-1]
    low = min(points, key=lambda p: p.average)
    high = max(points, key=lambda p: p.average)
    return (
        f"Средний балл с {first.date:%d.%m} по {last.date:%d.%m}: "
        f"сначала {display_average(first.average)}, сейчас {display_average(last.average)}; "
        f"наименьший {display_average(low.average)}, наибольший {display_average(high.average)}."
    )


def trend_svg(points: Sequence, start: dt.date, end: dt.date, subject: str) -> SafeString:
    """An inline SVG (role="img") whose <title> and <desc> say what the line shows."""
    title = escape(f"Динамика среднего балла: {subject}")
    desc = escape(describe(points))
    grid = "".join(
        f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{_y(v):.1f}" y2="{_y(v):.1f}" class="grid"/>'
        f'<text x="2" y="{_y(v) + 3:.1f}" class="axis">{v}</text>'
        for v in (2, 3, 4, 5)
    )
    coords = [(_x(p.date, start, end), _y(p.average)) for p in points]
    line = ""
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        line = f'<polyline points="{path}" class="trend"/>'
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" class="dot"/>' for x, y in coords)
    svg = (
        f'<svg class="trend-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{title}. {desc}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{title}</title><desc>{desc}</desc>{grid}{line}{dots}</svg>"
    )
    return mark_safe(svg)  # noqa: S308 - every interpolated text is escaped above
