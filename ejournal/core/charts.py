"""Small server-rendered SVG charts with text alternatives, for pages and reports.

Schools may have no outside internet and old computers, so a chart is plain inline SVG:
no JavaScript, no fonts, styled by app.css (classes ``chart``, ``chart-line``,
``chart-bars``). Every chart is ``role="img"`` with a ``<title>`` and ``<desc>`` (and the
same text in ``aria-label``); for readers who want the numbers, ``data_table`` renders
the values as a table, usually inside ``<details>``.

Usage in a view or a report builder::

    from ejournal.core import charts

    svg = charts.bar_chart(
        title="Средний балл по предметам, 5А",
        bars=[("Математика", 4.2), ("Русский язык", 3.9), ("История", None)],
        max_value=5, value_format=charts.decimal_ru,
    )
    table = charts.data_table(
        caption="Средний балл по предметам", headers=["Предмет", "Средний балл"],
        rows=[("Математика", "4,20"), ("Русский язык", "3,90"), ("История", "—")],
    )

    # Attendance by month: percentages, a line or bars.
    svg = charts.bar_chart(
        title="Посещаемость по месяцам, %", bars=[("сен", 97.5), ("окт", 95.0)],
        max_value=100, value_format=lambda v: f"{v:.0f} %",
    )

    # A trend over dates: x is a fraction 0…1 of the span, y a value between y_min and y_max.
    svg = charts.line_chart(
        title="Динамика среднего балла: Математика", description="сначала 5,00, сейчас 4,00",
        points=[(0.0, 5.0), (0.5, 4.5), (1.0, 4.0)], y_min=1, y_max=5, y_ticks=[2, 3, 4, 5],
        css_class="trend-chart",
    )

Put ``{{ svg }}`` in a template (the values are already escaped). Printing keeps the
charts: they are vector and black-on-white friendly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

Number = float | int


def decimal_ru(value: Number) -> str:
    """4.5 -> «4,50» (Russian decimal comma, two digits, as averages are shown)."""
    return f"{float(value):.2f}".replace(".", ",")


def _svg(*, css_class: str, width: int, height: int, title: str, desc: str, body: str) -> str:
    title, desc = escape(title), escape(desc)
    return (
        f'<svg class="{escape(css_class)}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{title}. {desc}" xmlns="http://www.w3.org/2000/svg" '
        f'preserveAspectRatio="xMinYMin meet">'
        f"<title>{title}</title><desc>{desc}</desc>{body}</svg>"
    )


def line_chart(
    *,
    title: str,
    description: str,
    points: Sequence[tuple[Number, Number]],
    y_min: Number,
    y_max: Number,
    y_ticks: Iterable[Number] = (),
    css_class: str = "chart chart-line",
    width: int = 320,
    height: int = 90,
    pad: int = 14,
) -> SafeString:
    """A polyline with dots. ``points`` are (x, y): x a fraction 0…1 of the width (e.g. the
    day within a period), y a value clamped to [y_min, y_max]. ``description`` is the text
    alternative (what a sighted reader would take from the line)."""
    span = float(y_max - y_min) or 1.0

    def sx(x: Number) -> float:
        return pad + (width - 2 * pad) * min(max(float(x), 0.0), 1.0)

    def sy(y: Number) -> float:
        clamped = min(max(float(y), float(y_min)), float(y_max))
        return height - pad - (height - 2 * pad) * (clamped - float(y_min)) / span

    grid = "".join(
        f'<line x1="{pad}" x2="{width - pad}" y1="{sy(v):.1f}" y2="{sy(v):.1f}" class="grid"/>'
        f'<text x="2" y="{sy(v) + 3:.1f}" class="axis">{escape(v)}</text>'
        for v in y_ticks
    )
    coords = [(sx(x), sy(y)) for x, y in points]
    line = ""
    if len(coords) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        line = f'<polyline points="{path}" class="trend"/>'
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" class="dot"/>' for x, y in coords)
    svg = _svg(
        css_class=css_class,
        width=width,
        height=height,
        title=title,
        desc=description,
        body=grid + line + dots,
    )
    return mark_safe(svg)  # noqa: S308 - every interpolated text is escaped above


def bar_chart(
    *,
    title: str,
    bars: Sequence[tuple[str, Number | None]],
    max_value: Number | None = None,
    value_format: Callable[[Number], str] = lambda v: f"{v:g}",
    description: str | None = None,
    css_class: str = "chart chart-bars",
    width: int = 480,
    bar_height: int = 18,
    label_width: int = 150,
) -> SafeString:
    """Horizontal bars, one per (label, value); None is drawn as «нет данных». Labels and
    values are written next to the bars, so the chart reads well printed in grey."""
    values = [v for _, v in bars if v is not None]
    top = float(max_value if max_value is not None else max(values, default=0)) or 1.0
    gap = 6
    height = max(len(bars), 1) * (bar_height + gap) + gap
    room = width - label_width - 60
    rows = []
    for n, (label, value) in enumerate(bars):
        y = gap + n * (bar_height + gap)
        text_y = y + bar_height * 0.7
        short = label if len(label) <= 22 else label[:21] + "…"
        rows.append(
            f'<text x="{label_width - 6}" y="{text_y:.1f}" class="label" text-anchor="end">'
            f"{escape(short)}</text>"
        )
        if value is None:
            rows.append(
                f'<text x="{label_width + 4}" y="{text_y:.1f}" class="value muted">'
                "нет данных</text>"
            )
            continue
        length = room * min(max(float(value), 0.0), top) / top
        rows.append(
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" '
            f'class="bar"/>'
            f'<text x="{label_width + length + 4:.1f}" y="{text_y:.1f}" class="value">'
            f"{escape(value_format(value))}</text>"
        )
    if description is None:
        description = "; ".join(
            f"{label}: {'нет данных' if value is None else value_format(value)}"
            for label, value in bars
        )
        description = description or "Нет данных."
    svg = _svg(
        css_class=css_class,
        width=width,
        height=height,
        title=title,
        desc=description,
        body="".join(rows),
    )
    return mark_safe(svg)  # noqa: S308 - every interpolated text is escaped above


def data_table(
    *, caption: str, headers: Sequence[str], rows: Iterable[Sequence[object]]
) -> SafeString:
    """The chart's numbers as a plain table (first column a row header)."""
    head = format_html_join("", '<th scope="col">{}</th>', ((h,) for h in headers))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        (
            (
                format_html(
                    '<th scope="row">{}</th>{}',
                    row[0],
                    format_html_join("", '<td class="num">{}</td>', ((c,) for c in row[1:])),
                ),
            )
            for row in rows
        ),
    )
    return format_html(
        '<table class="chart-data"><caption>{}</caption><thead><tr>{}</tr></thead>'
        "<tbody>{}</tbody></table>",
        caption,
        head,
        body,
    )
