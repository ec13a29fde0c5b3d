"""Journal records for every elapsed lesson of the demo school: topics, works, marks,
attendance and homework, with realistic distributions.

Most students are strong or good (4–5), a few are weak; about 6% of student-lessons are
missed (illness comes in runs of days); a control work every eight lessons or so, with
debt dots for those who missed it. Rows are written in bulk: the seed is one
``demo.seeded`` audit event, not hundreds of thousands.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from ejournal.core.bulk import insert_rows, reserve_ids
from ejournal.demo.builder.context import DemoBuild
from ejournal.journal.models import (
    NUMERIC_MARKS,
    Attendance,
    Homework,
    LessonRecord,
    Mark,
    Work,
    WorkType,
)
from ejournal.journal.services import work_types_ensure_defaults
from ejournal.schedule.models import Lesson, LessonStatus
from ejournal.school.models import ClassEnrollment, GroupKind, GroupMembership

# Student level → weights of marks 5, 4, 3, 2.
LEVELS = {
    "strong": (0.62, 0.32, 0.06, 0.0),
    "good": (0.30, 0.52, 0.17, 0.01),
    "average": (0.07, 0.33, 0.50, 0.10),
    "weak": (0.02, 0.14, 0.52, 0.32),
}
LEVEL_SHARE = (("strong", 0.33), ("good", 0.42), ("average", 0.20), ("weak", 0.05))

MARK_COMMENTS = {
    "5": ["Отличная работа!", "Молодец, подробный ответ", "Работа выполнена без ошибок"],
    "4": ["Есть небольшие неточности", "Хороший ответ"],
    "3": ["Не выучено правило", "Много ошибок в вычислениях", "Задание выполнено не полностью"],
    "2": ["Работа не выполнена", "Не готов к уроку", "Нужно переписать работу"],
}

TOPICS = {
    "Математика": [
        "Натуральные числа и шкалы",
        "Сложение и вычитание натуральных чисел",
        "Умножение и деление натуральных чисел",
        "Упрощение выражений",
        "Степень числа",
        "Площади и объёмы",
        "Обыкновенные дроби",
        "Сравнение дробей",
        "Сложение и вычитание дробей с одинаковыми знаменателями",
        "Смешанные числа",
        "Десятичные дроби",
        "Округление чисел",
        "Решение текстовых задач",
    ],
    "Русский язык": [
        "Повторение изученного в начальных классах",
        "Орфограмма. Правописание корней",
        "Синтаксис и пунктуация",
        "Словосочетание",
        "Простое предложение",
        "Главные члены предложения",
        "Второстепенные члены предложения",
        "Однородные члены предложения",
        "Обращение",
        "Сложное предложение",
        "Прямая речь. Диалог",
        "Фонетика. Звуки речи",
        "Лексика. Слово и его значение",
    ],
    "Литература": [
        "Устное народное творчество",
        "Русские народные сказки",
        "Басни И. А. Крылова",
        "А. С. Пушкин. «Сказка о мёртвой царевне»",
        "М. Ю. Лермонтов. «Бородино»",
        "Н. В. Гоголь. «Ночь перед Рождеством»",
        "И. С. Тургенев. «Муму»",
        "Н. А. Некрасов. «Мороз, Красный нос»",
        "Л. Н. Толстой. «Кавказский пленник»",
    ],
    "Иностранный язык (английский)": [
        "Present Simple",
        "My family",
        "School subjects",
        "Present Continuous",
        "My day",
        "Food and drinks",
        "Past Simple",
        "Holidays",
        "Animals",
    ],
    "История": [
        "Что изучает история",
        "Первобытные люди",
        "Древний Египет",
        "Древняя Месопотамия",
        "Финикия и Палестина",
        "Древняя Индия",
        "Древний Китай",
        "Древняя Греция",
    ],
    "Биология": [
        "Биология — наука о живой природе",
        "Методы изучения живой природы",
        "Клетка — основа строения",
        "Ткани организмов",
        "Бактерии",
        "Грибы",
        "Растения",
    ],
    "Физика": [
        "Физические величины",
        "Строение вещества",
        "Механическое движение",
        "Плотность вещества",
        "Сила тяжести",
        "Давление твёрдых тел",
        "Работа и мощность",
    ],
}

HOMEWORK = [
    "§ {p}, ответить на вопросы 1–{q}",
    "№ {n}, {n2}, {n3}",
    "Упр. {n}, выучить правило на с. {page}",
    "Повторить § {p}, подготовиться к самостоятельной работе",
    "Прочитать с. {page}–{page2}, пересказ",
    "Рабочая тетрадь: задания {q}–{q2}",
]

DAILY_ILLNESS_START = 0.011
RANDOM_ABSENCE = 0.012
RANDOM_EXCUSED = 0.004
RANDOM_LATE = 0.005


def create_journal_records(build: DemoBuild) -> None:  # noqa: C901 - demo builder, split when it moves to ejournal/demo
    school = build.school
    assert school is not None
    rng = build.rng
    work_types_ensure_defaults(school=school)
    types = {wt.name: wt for wt in WorkType.objects.filter(school=school)}
    lessons = list(
        Lesson.objects.filter(school=school, date__lte=build.today)
        .exclude(status=LessonStatus.CANCELLED)
        .select_related("group__school_class", "subject")
        .order_by("date", "number")
    )
    if not lessons:
        return
    members = _members_by_group(school, lessons)
    students = {s for ss in members.values() for (s, _, _) in ss}
    level = {s: _pick_level(rng) for s in sorted(students)}
    ill_days = _illness(rng, sorted(students), lessons[0].date, build.today)
    teacher_users = _teacher_users(lessons)

    # Plain tuples, not model instances: a region of schools has millions of rows.
    records: list[list] = []  # [lesson id, topic, updated_by id]
    works: list[tuple[int, int, int]] = []  # (lesson id, work type id, position)
    homework: list[tuple[int, str]] = []  # (lesson id, text)
    marks_plan: list[tuple[int, int, str, str]] = []  # (work index, student, value, comment)
    absences: list[tuple[int, int, str, int | None]] = []  # (lesson, student, code, minutes)
    per_group_subject_count: dict[tuple[int, int], int] = defaultdict(int)
    answer_type = types["Ответ на уроке"].pk
    control_type = types["Контрольная работа"].pk
    self_study_type = types["Самостоятельная работа"].pk
    for lesson in lessons:
        key = (lesson.group_id, lesson.subject_id)
        per_group_subject_count[key] += 1
        n = per_group_subject_count[key]
        school_class = lesson.group.school_class
        grade = school_class.grade if school_class is not None else 5
        topic = _topic(lesson.subject.name, n)
        records.append([lesson.pk, topic, teacher_users.get(lesson.pk)])
        present = []
        everyone = []
        for student, start, end in members.get(lesson.group_id, []):
            if not (start <= lesson.date and (end is None or lesson.date <= end)):
                continue
            everyone.append(student)
            code, minutes = _attendance(rng, student, lesson, ill_days)
            if code:
                absences.append((lesson.pk, student, code, minutes))
            if code in (None, "op"):
                present.append(student)
        if grade > 1 and rng.random() < 0.82:
            homework.append((lesson.pk, _homework_text(rng)))
        if grade == 1:
            continue
        is_control = n % 8 == 0
        works.append((lesson.pk, control_type if is_control else answer_type, 0))
        work_index = len(works) - 1
        if is_control:
            records[-1][1] = f"Контрольная работа: {topic}"
            for student in everyone:
                if student in present:
                    marks_plan.append((work_index, student, _mark(rng, level[student]), ""))
                elif rng.random() < 0.6:
                    marks_plan.append((work_index, student, "dot", "Работа не написана"))
        else:
            answered = rng.sample(present, k=min(len(present), rng.randint(4, 9)))
            for student in answered:
                value = _mark(rng, level[student])
                comment = rng.choice(MARK_COMMENTS[value]) if rng.random() < 0.08 else ""
                marks_plan.append((work_index, student, value, comment))
            if rng.random() < 0.3:
                works.append((lesson.pk, self_study_type, 1))
                idx = len(works) - 1
                for student in present:
                    if rng.random() < 0.5:
                        marks_plan.append((idx, student, _mark(rng, level[student]), ""))

    now = timezone.now()
    insert_rows(
        LessonRecord,
        ["lesson_id", "topic", "comment", "version", "updated_by_id", "updated_at"],
        ((lesson, topic, "", 1, by, now) for lesson, topic, by in records),
    )
    Lesson.objects.filter(school=school, date__lte=build.today).exclude(
        status=LessonStatus.CANCELLED
    ).update(status=LessonStatus.HELD)
    insert_rows(
        Homework,
        [
            "lesson_id",
            "text",
            "is_individual",
            "version",
            "created_by_id",
            "created_at",
            "updated_at",
        ],
        (
            (lesson, text, False, 1, teacher_users.get(lesson), now, now)
            for lesson, text in homework
        ),
    )
    insert_rows(
        Attendance,
        ["lesson_id", "student_id", "code", "late_minutes", "note", "version", "updated_at"],
        (
            (lesson, student, code, minutes, "", 1, now)
            for lesson, student, code, minutes in absences
        ),
    )
    work_ids = reserve_ids(Work, len(works))
    insert_rows(
        Work,
        ["id", "lesson_id", "work_type_id", "title", "position", "created_by_id", "created_at"],
        (
            (work_id, lesson, work_type, "", position, teacher_users.get(lesson), now)
            for work_id, (lesson, work_type, position) in zip(work_ids, works, strict=True)
        ),
    )
    absent_pairs = {(lesson, student) for lesson, student, code, _ in absences if code != "op"}
    mark_count = insert_rows(
        Mark,
        [
            "work_id", "student_id", "value", "numeric", "comment", "is_makeup", "version",
            "created_by_id", "updated_by_id", "created_at", "updated_at",
        ],
        (
            (
                work_ids[idx], student, value, NUMERIC_MARKS.get(value), comment,
                (works[idx][0], student) in absent_pairs, 1,
                teacher_users.get(works[idx][0]), teacher_users.get(works[idx][0]),
                now, now,
            )
            for idx, student, value, comment in marks_plan
        ),
    )  # fmt: skip
    build.facts["journal"] = {
        "lessons": len(lessons),
        "marks": mark_count,
        "absences": len(absences),
        "homework": len(homework),
    }


def _members_by_group(school, lessons) -> dict[int, list[tuple[int, dt.date, dt.date | None]]]:
    """(student, from, to) per group, for every group that has lessons (two queries)."""
    groups = {lesson.group_id: lesson.group for lesson in lessons}
    by_class: dict[int, list] = defaultdict(list)
    for student, cls, start, end in ClassEnrollment.objects.filter(
        school_class__school=school
    ).values_list("student_id", "school_class_id", "date_from", "date_to"):
        by_class[cls].append((student, start, end))
    by_group: dict[int, list] = defaultdict(list)
    for student, group, start, end in GroupMembership.objects.filter(
        group__school=school
    ).values_list("student_id", "group_id", "date_from", "date_to"):
        by_group[group].append((student, start, end))
    result = {}
    for group_id, group in groups.items():
        if group.kind == GroupKind.WHOLE_CLASS:
            result[group_id] = by_class.get(group.school_class_id, [])
        else:
            result[group_id] = by_group.get(group_id, [])
    return result


def _teacher_users(lessons) -> dict[int, int | None]:
    from ejournal.accounts.models import StaffMember

    staff_ids = {lesson.actual_teacher_id or lesson.planned_teacher_id for lesson in lessons}
    users = dict(StaffMember.objects.filter(pk__in=staff_ids).values_list("pk", "user_id"))
    return {
        lesson.pk: users.get(lesson.actual_teacher_id or lesson.planned_teacher_id)
        for lesson in lessons
    }


def _pick_level(rng) -> str:
    roll = rng.random()
    for name, share in LEVEL_SHARE:
        if roll < share:
            return name
        roll -= share
    return "good"


def _mark(rng, level: str) -> str:
    return rng.choices(["5", "4", "3", "2"], weights=LEVELS[level])[0]


def _illness(rng, students, start: dt.date, end: dt.date) -> set[tuple[int, dt.date]]:
    days: set[tuple[int, dt.date]] = set()
    for student in students:
        day = start
        while day <= end:
            if rng.random() < DAILY_ILLNESS_START:
                for offset in range(rng.randint(3, 6)):
                    days.add((student, day + dt.timedelta(days=offset)))
                day += dt.timedelta(days=7)
            day += dt.timedelta(days=1)
    return days


def _attendance(rng, student, lesson, ill_days) -> tuple[str | None, int | None]:
    if (student, lesson.date) in ill_days:
        return "b", None
    roll = rng.random()
    if roll < RANDOM_ABSENCE:
        return "n", None
    roll -= RANDOM_ABSENCE
    if roll < RANDOM_EXCUSED:
        return "up", None
    roll -= RANDOM_EXCUSED
    if lesson.number == 1 and roll < RANDOM_LATE * 3:
        return "op", rng.choice([3, 5, 7, 10, 15])
    return None, None


def _topic(subject: str, n: int) -> str:
    bank = TOPICS.get(subject)
    if not bank:
        return f"{subject}: урок {n}"
    # Each topic takes two or three lessons, as in a real plan.
    index = (n - 1) // 3
    part = (n - 1) % 3 + 1
    if index >= len(bank):
        return f"Повторение: {bank[index % len(bank)]}"
    return bank[index] if part == 1 else f"{bank[index]} (урок {part})"


def _homework_text(rng) -> str:
    template = rng.choice(HOMEWORK)
    n = rng.randint(100, 900)
    page = rng.randint(10, 180)
    q = rng.randint(2, 6)
    return template.format(
        p=rng.randint(1, 40),
        q=q,
        q2=q + rng.randint(1, 4),
        n=n,
        n2=n + 2,
        n3=n + 5,
        page=page,
        page2=page + rng.randint(2, 8),
    )
