"""The subjects of the diary's marks page as HTML, built once in Python.

A period holds a hundred or more marks, each shown twice (the row and the table); through
the template language they cost more than all of the page's queries (``bench/limit.py
--profile "diary marks"``). Same markup as the template had, every value escaped.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.template.defaultfilters import floatformat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ejournal.diary.selectors import MarksPage, SubjectMarks


def _weight(value) -> str:
    return str(floatformat(value, "-1"))


def _subject(s: SubjectMarks, year_mark, chart: str) -> str:
    period_mark = escape(s.period_mark.get_value_display()) if s.period_mark else "—"
    year = (
        f"<span>Годовая: <strong>{escape(year_mark.get_value_display())}</strong></span>"
        if year_mark
        else ""
    )
    out = [
        f'<section class="panel subject">\n  <h2>{escape(s.subject)}</h2>\n'
        '  <div class="subject-stats">\n'
        f"    <span>Средний: <strong>{escape(s.average_display)}</strong></span>\n"
        f'    <span>Место в классе: <strong class="rating">{escape(s.rating.display)}</strong>'
        "</span>\n"
        f"    <span>За период: <strong>{period_mark}</strong></span>\n    {year}\n  </div>\n"
    ]
    if not s.marks:
        out.append('  <p class="muted">В этом периоде отметок нет.</p>\n</section>\n')
        return "".join(out)
    row, table = [], []
    for m in s.marks:
        weight = _weight(m.weight)
        comment = f": {escape(m.comment)}" if m.comment else ""
        row.append(
            f'<li><span class="mark mark-{escape(m.value)}" title="{escape(m.work_type)}, '
            f'вес {weight}{comment}">{escape(m.display)}</span>'
            f"<small>{m.date:%d.%m}</small></li>"
        )
        title = f" «{escape(m.title)}»" if m.title else ""
        table.append(
            f"<tr><td>{m.date:%d.%m.%Y}</td><td>{escape(m.display)}</td>"
            f'<td>{escape(m.work_type)}{title}</td><td class="num">{weight}</td>'
            f"<td>{escape(m.comment)}</td></tr>"
        )
    out.append(
        f'  <ol class="mark-row" aria-label="Отметки по датам">{"".join(row)}</ol>\n'
        f"  {chart}\n"
        "  <details><summary>Подробно</summary>\n"
        '    <div class="table-wrap"><table>\n'
        "      <thead><tr><th>Дата</th><th>Отметка</th><th>Работа</th>"
        '<th class="num">Вес</th><th>Комментарий</th></tr></thead>\n'
        f"      <tbody>{''.join(table)}</tbody>\n"
        "    </table></div>\n  </details>\n</section>\n"
    )
    return "".join(out)


def subjects_html(data: MarksPage, charts: Mapping[int, str]) -> SafeString:
    """Each subject's marks, average, place, period and year marks, with its chart."""
    if not data.subjects:
        return mark_safe('<p class="muted">В этом периоде отметок пока нет.</p>')
    return mark_safe(  # noqa: S308 - every value escaped above; charts are built escaped
        "".join(
            _subject(s, data.year_marks.get(s.subject_id), charts.get(s.subject_id, ""))
            for s in data.subjects
        )
    )
