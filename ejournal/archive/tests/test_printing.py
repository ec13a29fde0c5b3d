"""The printed journal copy: every student, mark, topic and period mark of a hand-built
class is in the PDF's text; pseudonymised students appear by code; constant queries."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ejournal.archive import printing
from ejournal.archive.tests.conftest import ArchiveWorld, pdf_text
from ejournal.journal.models import LessonRecord, Mark, Work
from ejournal.testing import factories as f

MARK_SHOWN = {"na": "н/а"}


def _copy(arw, period="q2"):
    scope = printing.scope_for(
        school_class=arw.school_class, period=arw.q2 if period == "q2" else None
    )
    data = printing.journal_copy_data(scope=scope, printed=dt.date(2027, 1, 5))
    return data, printing.render_copy(data)


def _is_subsequence(expected: list[str], tokens: list[str]) -> bool:
    it = iter(tokens)
    return all(any(token == item for token in it) for item in expected)


def test_printed_copy_contains_every_student_mark_topic_and_period_mark(arw):
    data, pdf = _copy(arw)
    pages = [page for page in pdf_text(pdf).split("Лист ") if page]
    text = "\n".join(pages)
    for topic in arw.topics:
        assert topic in text
    for student in arw.students:
        assert student.full_name in text
    assert arw.real_name_of_coded not in text
    assert "Ученик-К7: кодовое имя присвоено, приказ № 17-у от 01.10.2026" in text
    assert "Задачи стр. 40" in text and "Задачи стр. 41" in text
    assert "замена (по расписанию" in " ".join(text.split())
    for subject in (arw.w.subject, arw.russian):
        page = next(p for p in pages if f"{subject.name} Учитель" in p and "Отметки" in p)
        for student in arw.students:
            line = next(ln for ln in page.splitlines() if student.full_name in ln)
            tokens = line.split(student.full_name, 1)[1].split()
            marks = [
                MARK_SHOWN.get(value, value)
                for s, subj, value in arw.marks
                if s == student and subj == subject
            ]
            final = [v for s, subj, v in arw.period_marks if s == student and subj == subject]
            assert _is_subsequence(marks + final, tokens), (subject.name, line, marks, final)
    # Student 1 was ill at the control work: «б» in the grid and one absence.
    math_page = next(p for p in pages if "Математика Учитель" in p and "Отметки" in p)
    ill_line = next(ln for ln in math_page.splitlines() if arw.students[1].full_name in ln)
    assert " б " in f" {ill_line} "
    # The title page and the signature blocks.
    assert "5А класс" in text and "2 четверть" in text
    assert "Классный руководитель" in text and "Заместитель директора" in text
    assert "М.П." in text
    assert "Сводная ведомость учёта успеваемости" in text


def test_year_copy_has_a_column_per_period_and_the_year(arw):
    data, pdf = _copy(arw, period="year")
    columns = data["sections"][0]["mark_columns"]
    assert columns == ["1 четверть", "2 четверть", "3 четверть", "4 четверть", "Год"]
    text = pdf_text(pdf)
    assert "2026/2027 учебный год" in text or f"{arw.w.year} учебный год" in text
    for topic in arw.topics:
        assert topic in text


def test_pages_are_numbered_and_subjects_start_on_left_pages(arw):
    from io import BytesIO

    from pypdf import PdfReader

    _, pdf = _copy(arw)
    reader = PdfReader(BytesIO(pdf))
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Лист {number} из {total}" in text
        if "Отметки и посещаемость" in text:
            assert number % 2 == 0  # a left page; its facing page follows
            following = reader.pages[number].extract_text()
            assert "Содержание уроков" in following
        width, height = page.mediabox.width, page.mediabox.height
        assert width > height  # landscape


def _grow(arw: ArchiveWorld, students: int, lessons: int):
    for i in range(students):
        student = f.StudentFactory(school=arw.w.school, last_name=f"Ещё{i:02d}")
        f.enroll(student, arw.school_class)
    group = f.GroupFactory(school_class=arw.school_class, name="5А-англ", kind="subgroup")
    english = f.SubjectFactory(school=arw.w.school, name="Английский язык")
    f.load(group, english, arw.teacher)
    f.add_member(arw.students[0], group)
    for i in range(lessons):
        lesson = f.make_lesson(arw.w.group, arw.w.subject, arw.teacher, dt.date(2026, 12, 1 + i), 3)
        LessonRecord.objects.create(lesson=lesson, topic=f"Тема {i}")
        work = Work.objects.create(lesson=lesson, work_type=arw.types["Ответ на уроке"])
        Mark.objects.create(work=work, student=arw.students[0], value="5", numeric=5)
        f.make_lesson(group, english, arw.teacher, dt.date(2026, 12, 1 + i), 4)


def test_copy_data_takes_a_constant_number_of_queries(arw, django_assert_num_queries):
    scope = printing.scope_for(school_class=arw.school_class, period=arw.q2)
    with CaptureQueriesContext(connection) as small:
        printing.journal_copy_data(scope=scope)
    _grow(arw, students=25, lessons=12)
    with django_assert_num_queries(len(small.captured_queries)):
        data = printing.journal_copy_data(scope=scope)
    assert len(data["students"]) == 28
    english = next(s for s in data["sections"] if s["subject"] == "Английский язык")
    assert english["group"] == "5А-англ"
    assert [r["id"] for r in english["rows"]] == [arw.students[0].pk]
