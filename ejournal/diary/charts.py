"""The diary's chart: a student's running average per subject, drawn by core.charts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString

from ejournal.core import charts
from ejournal.journal.averages import display_average


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
    """An inline SVG (role="img") whose <title> and <desc> say what the line shows, followed
    by the same numbers as a table under «Данные графика» for screen readers and print."""
    span = max((end - start).days, 1)
    svg = charts.line_chart(
        title=f"Динамика среднего балла: {subject}",
        description=describe(points),
        points=[(min(max((p.date - start).days, 0), span) / span, p.average) for p in points],
        y_min=1,
        y_max=5,
        y_ticks=(2, 3, 4, 5),
        css_class="trend-chart",
    )
    if not points:
        return svg
    table = charts.data_table(
        caption=f"Средний балл по дням: {subject}",
        headers=["Дата", "Средний балл"],
        rows=[(f"{p.date:%d.%m.%Y}", display_average(p.average)) for p in points],
    )
    return format_html(
        '<figure class="chart-figure">{}<details class="chart-details no-print">'
        "<summary>Данные графика</summary>{}</details></figure>",
        svg,
        table,
    )
