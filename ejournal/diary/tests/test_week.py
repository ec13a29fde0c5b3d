import datetime as dt

import pytest
from django.urls import reverse

from ejournal.journal.models import Attendance, Homework, LessonRecord
from ejournal.schedule.models import LessonStatus, ScheduleChange, ScheduleChangeKind, Substitution
from ejournal.testing import factories as f
from ejournal.testing.queries import exact_queries

from .conftest import MONDAY

pytestmark = pytest.mark.django_db


def week_url(student, day=MONDAY):
    return reverse("diary:week", args=[student.pk]) + f"?date={day}"


def test_week_shows_lessons_in_timetable_order_with_topic_marks_and_attendance(
    dw, client_for, today
):
    child = dw.w.child
    second = dw.lesson(MONDAY, 2)
    first = dw.lesson(MONDAY, 1, room="12")
    LessonRecord.objects.create(lesson=first, topic="Дроби: сложение")
    dw.mark(first, child, "5", category="control", comment="Отлично")
    Attendance.objects.create(lesson=second, student=child, code="b")

    html = client_for("parent").get(week_url(child)).content.decode()

    assert html.index("09:00") < html.index("10:00")
    assert "Дроби: сложение" in html
    assert "каб. 12" in html
    assert 'class="mark mark-5"' in html
    assert "Отлично" in html
    assert "вес 2" in html or "вес 1" in html
    assert ">Б<" in html


def test_a_mark_entered_by_the_teacher_appears_in_the_diary_at_once(dw, client_for, today):
    child = dw.w.child
    lesson = dw.lesson(MONDAY)
    client = client_for("student")
    assert "mark-4" not in client.get(week_url(child)).content.decode()

    dw.mark(lesson, child, "4")

    assert 'class="mark mark-4"' in client.get(week_url(child)).content.decode()


def test_week_marks_changes_and_substitutions(dw, client_for, today, world):
    child = dw.w.child
    cancelled = dw.lesson(MONDAY, 1, status=LessonStatus.CANCELLED)
    substituted = dw.lesson(MONDAY, 2)
    substitute = world.staff["homeroom"]
    substituted.actual_teacher = substitute
    substituted.save()
    Substitution.objects.create(
        school=world.school,
        lesson=substituted,
        absent_teacher=dw.teacher,
        substitute=substitute,
        reason="болезнь",
    )
    moved_room = dw.lesson(MONDAY, 3, room="21")
    ScheduleChange.objects.create(
        school=world.school,
        kind=ScheduleChangeKind.ROOM,
        lesson=moved_room,
        before={"room": "12"},
        after={"room": "21"},
    )
    html = client_for("parent").get(week_url(child)).content.decode()
    assert "Урок отменён" in html
    # No case to get wrong: «ведёт Петрова А. Б. (по расписанию — Тимофеева Ж. Р.)».
    assert (
        f"Замена: ведёт {substitute.short_name} (по расписанию — {dw.teacher.short_name})" in html
    )
    assert "Кабинет изменён: 21 вместо 12" in html
    assert cancelled.pk


def test_week_shows_general_and_own_individual_homework_but_not_others(dw, client_for, today):
    child, classmate = dw.w.students[0], dw.w.students[1]
    lesson = dw.lesson(MONDAY)
    Homework.objects.create(lesson=lesson, text="Общее: №15", due_date=MONDAY + dt.timedelta(2))
    mine = Homework.objects.create(lesson=lesson, text="Лично мне: №99", is_individual=True)
    mine.students.set([child])
    theirs = Homework.objects.create(lesson=lesson, text="Однокласснику: №77", is_individual=True)
    theirs.students.set([classmate])

    html = client_for("parent").get(week_url(child)).content.decode()

    assert "Общее: №15" in html
    assert "Лично мне: №99" in html
    assert "Однокласснику" not in html


def test_homework_due_shows_on_the_lesson_it_is_due_for(dw, client_for, today):
    child = dw.w.child
    monday = dw.lesson(MONDAY)
    dw.lesson(MONDAY + dt.timedelta(days=2))
    Homework.objects.create(
        lesson=monday, text="Выучить правило", due_date=MONDAY + dt.timedelta(2)
    )
    html = client_for("student").get(week_url(child)).content.decode()
    assert "Задание к уроку" in html
    assert html.count("Выучить правило") == 2  # where it was given and where it is due


def test_today_is_highlighted(dw, client_for, today):
    html = client_for("student").get(reverse("diary:week", args=[dw.w.child.pk])).content.decode()
    assert 'aria-current="date" id="d20261118"' in html


def test_bad_date_shows_a_message_and_the_current_week(dw, client_for, today):
    response = client_for("student").get(reverse("diary:week", args=[dw.w.child.pk]) + "?date=x")
    assert response.status_code == 200
    assert "Неверная дата" in response.content.decode()
    assert response.context["week"].start == MONDAY


def test_previous_and_next_weeks(dw, client_for, today):
    response = client_for("student").get(week_url(dw.w.child, MONDAY + dt.timedelta(days=9)))
    week = response.context["week"]
    assert week.start == MONDAY + dt.timedelta(days=7)
    assert week.previous == MONDAY
    assert week.next == MONDAY + dt.timedelta(days=14)


def test_lessons_of_another_class_or_a_subgroup_the_child_is_not_in_are_not_shown(
    dw, client_for, today, world
):
    child = dw.w.child
    other_group = f.GroupFactory(school_class=world.other_class, name="6Б")
    dw.lesson(
        MONDAY, 1, group=other_group, subject=f.SubjectFactory(school=world.school, name="Химия")
    )
    subgroup = f.GroupFactory(school_class=world.school_class, kind="subgroup", name="5А англ 2")
    dw.lesson(
        MONDAY, 2, group=subgroup, subject=f.SubjectFactory(school=world.school, name="Английский")
    )
    html = client_for("parent").get(week_url(child)).content.decode()
    assert "Химия" not in html
    assert "Английский" not in html
    f.add_member(child, subgroup)
    assert "Английский" in client_for("parent").get(week_url(child)).content.decode()


def _fill_week(dw, n_lessons):
    students = dw.w.students
    for i in range(n_lessons):
        day = MONDAY + dt.timedelta(days=i % 6)
        lesson = dw.lesson(day, i // 6 + 1)
        LessonRecord.objects.create(lesson=lesson, topic=f"Тема {i}")
        dw.mark(lesson, students[0], "5")
        Homework.objects.create(lesson=lesson, text=f"Задание {i}")
        Attendance.objects.create(lesson=lesson, student=students[0], code="op", late_minutes=5)


@pytest.mark.parametrize("n_lessons", [3, 30])
def test_week_page_uses_a_constant_number_of_queries(
    dw, client_for, today, n_lessons, django_assert_max_num_queries
):
    _fill_week(dw, n_lessons)
    client = client_for("parent")
    # 14 for the week itself, 5 for its announcements, events and teacher comments.
    with django_assert_max_num_queries(19):
        response = client.get(week_url(dw.w.child))
    assert response.status_code == 200
    lessons = sum(len(d.lessons) for d in response.context["week"].days)
    assert lessons == n_lessons


# Queries of one open of the diary week by a parent (session, roles, school context, the
# week's selectors, its announcements, events and comments). A change is a change in cost.
WEEK_QUERIES = 11


def test_week_query_count_is_the_same_for_3_and_30_lessons(dw, client_for, today):
    _fill_week(dw, 3)
    client = client_for("parent")
    client.get(week_url(dw.w.child))  # warm the session
    # The exact cost (the SQL is printed on failure), the same for 30 lessons.
    with exact_queries(WEEK_QUERIES):
        assert client.get(week_url(dw.w.child)).status_code == 200
    _fill_week(dw, 27)
    with exact_queries(WEEK_QUERIES):
        response = client.get(week_url(dw.w.child))
    assert sum(len(d.lessons) for d in response.context["week"].days) == 30


def test_homework_due_on_a_day_without_its_lesson_is_still_shown(dw, client_for, today):
    monday = dw.lesson(MONDAY)
    dw.lesson(MONDAY + dt.timedelta(days=2), status=LessonStatus.CANCELLED)
    Homework.objects.create(lesson=monday, text="Сделать проект", due_date=MONDAY + dt.timedelta(2))
    response = client_for("student").get(week_url(dw.w.child))
    wednesday = response.context["week"].days[2]
    assert [hw.text for hw in wednesday.due_without_lesson] == ["Сделать проект"]
    assert "Задания к этому дню" in response.content.decode()


def test_sunday_is_shown_only_when_it_has_lessons_or_is_today(dw):
    from ejournal.diary.selectors import student_week

    sunday = MONDAY + dt.timedelta(days=6)
    assert len(student_week(dw.w.child, MONDAY, MONDAY).days) == 6
    week = student_week(dw.w.child, MONDAY, sunday)
    assert len(week.days) == 7
    assert week.days[-1].is_today


def test_a_student_sees_only_own_marks_on_a_shared_lesson(dw, client_for, today):
    child, classmate = dw.w.students[0], dw.w.students[1]
    lesson = dw.lesson(MONDAY)
    work = dw.work(lesson, "control")
    dw.mark(lesson, child, "4", work=work)
    dw.mark(lesson, classmate, "2", comment="Списал у соседа", work=work)
    html = client_for("student").get(week_url(child)).content.decode()
    assert 'class="mark mark-4"' in html
    assert "mark-2" not in html
    assert "Списал у соседа" not in html
    assert classmate.last_name not in html


def test_week_escapes_what_teachers_typed_and_links_attachments(dw, client_for, today):
    from django.core.files.base import ContentFile

    from ejournal.journal.models import HomeworkAttachment

    child = dw.w.child
    lesson = dw.lesson(MONDAY, 1, room="<b>12</b>")
    LessonRecord.objects.create(lesson=lesson, topic="<script>alert(1)</script>")
    dw.mark(lesson, child, "5", comment='"><img src=x>')
    homework = Homework.objects.create(lesson=lesson, text="Строка 1\n<i>Строка 2</i>")
    attachment = HomeworkAttachment(
        homework=homework, original_name="<задание>.pdf", content_type="application/pdf", size=2048
    )
    attachment.file.save("task.pdf", ContentFile(b"%PDF-1.4"), save=True)

    html = client_for("parent").get(week_url(child)).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "каб. &lt;b&gt;12&lt;/b&gt;" in html
    assert '"><img src=x>' not in html
    assert "Строка 1<br>&lt;i&gt;Строка 2&lt;/i&gt;" in html
    url = reverse("diary:attachment", args=[child.pk, attachment.pk])
    assert f'<a href="{url}" download>📎 &lt;задание&gt;.pdf</a>' in html
    assert "2,0\xa0КБ" in html or "2.0\xa0KB" in html


def test_week_follows_the_students_class_and_group_spans_day_by_day(dw, world, today):
    """Moved to another class on Wednesday, in an English subgroup on Wednesday and
    Thursday only: each day shows the lessons of the groups the student was in that day."""
    from ejournal.diary.selectors import student_week
    from ejournal.school.models import ClassEnrollment, GroupKind

    child = world.child
    tuesday, wednesday = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)
    ClassEnrollment.objects.filter(student=child).update(date_to=tuesday)
    other_class = f.ClassFactory(school=world.school, year=world.year, grade=5, letter="В")
    other_group = f.GroupFactory(school_class=other_class)
    f.enroll(child, other_class, date_from=wednesday)
    english = f.GroupFactory(
        school_class=world.school_class, kind=GroupKind.SUBGROUP, name="5А английский, 1 гр."
    )
    f.add_member(child, english, date_from=wednesday, date_to=wednesday + dt.timedelta(days=1))
    # A stray membership row in the old class's whole-class group: the class enrollment
    # decides for whole-class lessons, not this.
    f.add_member(child, world.group, date_from=wednesday)
    subjects = {
        name: f.SubjectFactory(school=world.school, name=name)
        for name in ("Алгебра 5А", "Алгебра 5В", "Английский")
    }
    for offset in range(5):
        day = MONDAY + dt.timedelta(days=offset)
        dw.lesson(day, 1, subject=subjects["Алгебра 5А"])
        dw.lesson(day, 2, subject=subjects["Алгебра 5В"], group=other_group)
        dw.lesson(day, 3, subject=subjects["Английский"], group=english)

    week = student_week(child, MONDAY, MONDAY)
    shown = [(d.date.day, i.lesson.subject.name) for d in week.days for i in d.lessons]

    assert shown == [
        (16, "Алгебра 5А"),
        (17, "Алгебра 5А"),
        (18, "Алгебра 5В"),
        (18, "Английский"),
        (19, "Алгебра 5В"),
        (19, "Английский"),
        (20, "Алгебра 5В"),
    ]
