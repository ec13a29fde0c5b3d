"""The shared SVG charts carry their text alternative and escape what they are given."""

import re

from ejournal.core import charts


def test_bar_chart_has_title_desc_and_a_bar_per_value():
    svg = charts.bar_chart(
        title="Средний балл по предметам",
        bars=[("Математика", 4.25), ("Русский <язык>", 3.5), ("История", None)],
        max_value=5,
        value_format=charts.decimal_ru,
    )
    assert 'role="img"' in svg
    assert "<title>Средний балл по предметам</title>" in svg
    assert "<desc>Математика: 4,25; Русский &lt;язык&gt;: 3,50; История: нет данных</desc>" in svg
    assert svg.count('class="bar"') == 2
    assert "нет данных" in svg
    assert "<язык>" not in svg
    widths = [float(w) for w in re.findall(r'class="bar"|width="([\d.]+)" height', svg) if w]
    assert widths[0] > widths[1]


def test_bar_chart_without_values_says_so():
    svg = charts.bar_chart(title="Посещаемость", bars=[])
    assert "<desc>Нет данных.</desc>" in svg


def test_line_chart_clamps_points_and_draws_a_line_only_for_two_or_more():
    one = charts.line_chart(
        title="Тренд", description="одна точка", points=[(0.5, 4)], y_min=1, y_max=5
    )
    assert "<polyline" not in one
    assert one.count("<circle") == 1
    two = charts.line_chart(
        title="Тренд",
        description="сначала 5, сейчас 4",
        points=[(-1, 9), (2, 4)],
        y_min=1,
        y_max=5,
        y_ticks=(2, 3, 4, 5),
        pad=10,
        width=100,
        height=50,
    )
    assert '<polyline points="10.0,10.0 90.0,17.5"' in two
    assert 'aria-label="Тренд. сначала 5, сейчас 4"' in two


def test_data_table_has_a_caption_and_row_headers():
    html = charts.data_table(
        caption="Посещаемость по месяцам",
        headers=["Месяц", "%"],
        rows=[("сентябрь", "97,5"), ("<b>", "1")],
    )
    assert "<caption>Посещаемость по месяцам</caption>" in html
    assert '<th scope="row">сентябрь</th><td class="num">97,5</td>' in html
    assert "&lt;b&gt;" in html


def test_diary_trend_has_its_numbers_in_a_table_under_the_chart():
    import datetime as dt
    from decimal import Decimal

    from ejournal.diary.charts import trend_svg
    from ejournal.diary.selectors import TrendPoint

    start, end = dt.date(2026, 9, 1), dt.date(2026, 10, 25)
    html = trend_svg(
        [TrendPoint(dt.date(2026, 9, 7), Decimal(5)), TrendPoint(dt.date(2026, 9, 14), Decimal(4))],
        start,
        end,
        "Математика",
    )
    assert html.startswith('<figure class="chart-figure"><svg class="trend-chart"')
    assert "<title>Динамика среднего балла: Математика</title>" in html
    assert "<caption>Средний балл по дням: Математика</caption>" in html
    assert '<th scope="row">07.09.2026</th><td class="num">5,00</td>' in html
    assert "<figure" not in trend_svg([], start, end, "История")
