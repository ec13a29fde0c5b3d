"""The days of the diary week as HTML, built once in Python.

The week is the page families open most at the 20:00 peak; rendered through the template
language its ~30 lessons with their marks, homework and changes cost more than all of the
page's queries. This builds the same markup directly, escaping every value.
"""

from __future__ import annotations

from django.template.defaultfilters import filesizeformat, floatformat, linebreaksbr
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ejournal.core.urls import url_template
from ejournal.diary.selectors import DiaryDay, DiaryHomework, DiaryLesson, Week


def _homework(item: DiaryHomework, *, show_due: bool, attachment_url: str) -> str:
    individual = item.individual
    parts = [f'<li class="hw{" hw-individual" if individual else ""}">']
    if individual:
        parts.append('<span class="badge badge-info">индивидуально</span> ')
    parts.append(linebreaksbr(item.text, autoescape=True))
    if show_due and item.due_date:
        parts.append(f' <span class="muted">(к {item.due_date:%d.%m})</span>')
    if item.attachments:
        parts.append('\n  <ul class="attachments">')
        for a in item.attachments:
            parts.append(
                f'<li><a href="{attachment_url.format(a.pk)}" download>📎 '
                f"{escape(a.original_name)}</a> "
                f'<span class="muted">{filesizeformat(a.size)}</span></li>'
            )
        parts.append("</ul>")
    parts.append("\n</li>")
    return "".join(parts)


def _homework_list(items: list[DiaryHomework], *, show_due: bool, attachment_url: str) -> str:
    return "".join(_homework(i, show_due=show_due, attachment_url=attachment_url) for i in items)


def _weight(value) -> str:
    return str(floatformat(value, "-1"))


def _lesson(item: DiaryLesson, attachment_url: str) -> str:  # noqa: C901 - one cell of the hottest page, kept inline for speed
    lesson = item.lesson
    classes = "lesson"
    if item.changed:
        classes += " changed"
    if item.cancelled:
        classes += " cancelled"
    out = [
        f'<li class="{classes}">\n      <div class="lesson-head">\n'
        f'        <span class="lesson-no">{lesson.number}</span>\n'
        f'        <span class="lesson-time">{lesson.start_time:%H:%M}–{lesson.end_time:%H:%M}'
        "</span>\n"
        f'        <strong class="lesson-subject">{escape(lesson.subject.name)}</strong>\n'
    ]
    if item.attendance:
        out.append(
            f'        <span class="badge badge-absent" title="Посещаемость">'
            f"{escape(item.attendance)}</span>\n"
        )
    for m in item.marks:
        comment = f": {escape(m.comment)}" if m.comment else ""
        out.append(
            f'<span class="mark mark-{escape(m.value)}" title="{escape(m.work_type)}, '
            f'вес {_weight(m.weight)}{comment}">{escape(m.display)}</span>'
        )
    room = f"каб. {escape(lesson.room)}" if lesson.room else ""
    teacher = f" · {escape(item.teacher)}" if item.teacher else ""
    out.append(f'      </div>\n      <div class="lesson-meta muted">{room}{teacher}</div>\n')
    if item.changed:
        changes = []
        if item.cancelled:
            changes.append('<li class="change">Урок отменён</li>')
        if item.moved_to:
            changes.append(f'<li class="change">Урок перенесён на {item.moved_to:%d.%m.%Y}</li>')
        if item.moved_from:
            changes.append(f'<li class="change">Перенесён с {item.moved_from:%d.%m.%Y}</li>')
        if item.extra:
            changes.append('<li class="change">Дополнительный урок</li>')
        if item.substituted:
            changes.append(
                f'<li class="change">Замена: ведёт {escape(item.teacher)} вместо '
                f"{escape(item.planned_teacher)}</li>"
            )
        if item.room_changed_from:
            changes.append(
                f'<li class="change">Кабинет изменён: {escape(lesson.room or "—")} вместо '
                f"{escape(item.room_changed_from)}</li>"
            )
        out.append(f'      <ul class="changes">{"".join(changes)}</ul>\n')
    if item.topic:
        out.append(
            '      <div class="topic"><span class="label">Тема:</span> '
            f"{escape(item.topic)}</div>\n"
        )
    if item.due:
        out.append(
            '      <div><span class="label">Задание к уроку:</span><ul class="hw-list">'
            f"{_homework_list(item.due, show_due=False, attachment_url=attachment_url)}"
            "</ul></div>\n"
        )
    if item.assigned:
        out.append(
            '      <div><span class="label">Задано:</span><ul class="hw-list">'
            f"{_homework_list(item.assigned, show_due=True, attachment_url=attachment_url)}"
            "</ul></div>\n"
        )
    if item.marks:
        details = []
        for m in item.marks:
            title = f" «{escape(m.title)}»" if m.title else ""
            makeup = ", отработка пропуска" if m.is_makeup else ""
            comment = f" — <em>{escape(m.comment)}</em>" if m.comment else ""
            details.append(
                f'<li><span class="mark mark-{escape(m.value)}">{escape(m.display)}</span> '
                f"{escape(m.work_type)}{title}, вес {_weight(m.weight)}{makeup}{comment}</li>"
            )
        out.append(f'      <ul class="mark-details">{"".join(details)}</ul>\n')
    out.append("    </li>\n")
    return "".join(out)


def _day(day: DiaryDay, attachment_url: str) -> str:
    today = day.is_today
    current = ' aria-current="date"' if today else ""
    badge = ' <span class="badge badge-today">сегодня</span>' if today else ""
    out = [
        f'<section class="panel day{" today" if today else ""}"{current} '
        f'id="d{day.date:%Y%m%d}">\n  <h2>{escape(day.title)}{badge}</h2>\n'
    ]
    if day.lessons:
        out.append('  <ol class="lessons">\n')
        out.extend(_lesson(item, attachment_url) for item in day.lessons)
        out.append("  </ol>\n")
    else:
        out.append('  <p class="muted">Уроков нет.</p>\n')
    if day.due_without_lesson:
        items = "".join(
            f'<li class="hw-subject"><strong>{escape(i.homework.lesson.subject.name)}</strong>'
            f'<ul class="hw-list">{_homework(i, show_due=False, attachment_url=attachment_url)}'
            "</ul></li>"
            for i in day.due_without_lesson
        )
        out.append(
            '  <div class="due-day"><span class="label">Задания к этому дню:</span>'
            f'<ul class="hw-list">{items}</ul></div>\n'
        )
    out.append("</section>\n")
    return "".join(out)


def days_html(week: Week, student_id: int) -> SafeString:
    attachment_url = url_template("diary:attachment", student_id)
    return mark_safe("".join(_day(day, attachment_url) for day in week.days))  # noqa: S308 - values escaped above
