"""Median server time of the journal page against fetching the same data with raw SQL.

    uv run python bench/journal_page.py [--students 30] [--requests 30]

Creates a throw-away PostgreSQL database (createdb -h 127.0.0.1 -U postgres, or the
server in BENCH_PG, e.g. postgres://postgres@127.0.0.1), migrates it, builds one group of
30 students with a full period of lessons (four a week, two works each, a mark for every
student and work, some absences and topics), then in the same run measures

- the journal page: N requests of the Django test client signed in as the teacher
  (middleware, permissions, the grid selector and template rendering, after warm-up);
- raw SQL: the same rows (lessons with topics, works with types, marks, attendance,
  membership spans, students) fetched with psycopg, N times;

and prints both medians and their ratio. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from seed_region import PG_SERVER, pg_command  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()

    name = f"ejournal_bench_{os.getpid()}"
    pg_command("createdb", name)
    try:
        run(f"{PG_SERVER}/{name}", args.students, args.requests)
    finally:
        from django.db import connections

        connections.close_all()
        # --force: the connection pool may still hold idle connections.
        pg_command("dropdb", "--force", name)


def run(database_url: str, n_students: int, n_requests: int) -> None:
    os.environ["DATABASE_URL"] = database_url
    data_dir = Path(tempfile.mkdtemp(prefix="ejournal-bench-"))
    (data_dir / "static").mkdir()  # whitenoise warns about a missing static root
    os.environ["EJOURNAL_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["AXES_ENABLED"] = "0"

    import django

    django.setup()
    from django.conf import settings

    # No collectstatic here: plain static URLs, as in the tests.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    import psycopg
    from django.test import Client
    from django.urls import reverse

    t0 = time.perf_counter()
    group, subject, period, teacher_user, lessons = build(n_students)
    print(
        f"data: {n_students} students, {lessons} lessons "
        f"({period.start:%d.%m}–{period.end:%d.%m.%Y}), built in {time.perf_counter() - t0:.1f} s"
    )

    client = Client()
    client.force_login(teacher_user)
    url = reverse("journal:grid_period", args=[group.pk, subject.pk, period.pk])
    for _ in range(3):  # warm-up: connections, templates, the school's journal settings
        response = client.get(url)
        assert response.status_code == 200, response.status_code
    page_times = []
    for _ in range(n_requests):
        started = time.perf_counter()
        response = client.get(url)
        page_times.append(time.perf_counter() - started)
        assert response.status_code == 200
    rows = response.content.count(b"<tr data-s=")
    size = len(response.content)

    params = {
        "group": group.pk,
        "subject": subject.pk,
        "start": period.start,
        "end": period.end,
        "class": group.school_class_id,
    }
    sql_times = []
    with psycopg.connect(database_url) as conn:
        for i in range(n_requests + 3):
            started = time.perf_counter()
            fetched = fetch_raw(conn, params)
            if i >= 3:
                sql_times.append(time.perf_counter() - started)

    page = statistics.median(page_times) * 1000
    raw = statistics.median(sql_times) * 1000
    print(f"journal page: {rows} rows, {size // 1024} KiB of HTML")
    print(f"raw SQL: {fetched} rows fetched in 6 queries")
    print(f"median journal page server time: {page:.1f} ms (N={n_requests})")
    print(f"median raw SQL fetch of the same data: {raw:.1f} ms (N={n_requests})")
    print(f"ratio page / raw SQL: {page / raw:.1f}×")


LESSONS_SQL = """
    SELECT l.id, l.date, l.number, l.status, l.planned_teacher_id, l.actual_teacher_id,
           r.topic
    FROM schedule_lesson l LEFT JOIN journal_lessonrecord r ON r.lesson_id = l.id
    WHERE l.group_id = %(group)s AND l.subject_id = %(subject)s
      AND l.date BETWEEN %(start)s AND %(end)s AND l.status IN ('planned', 'held')
    ORDER BY l.date, l.number
"""
LESSON_IDS = """
    SELECT id FROM schedule_lesson
    WHERE group_id = %(group)s AND subject_id = %(subject)s
      AND date BETWEEN %(start)s AND %(end)s AND status IN ('planned', 'held')
"""
RAW_QUERIES = [
    LESSONS_SQL,
    f"""SELECT w.id, w.lesson_id, w.title, t.short_name, t.weight, t.category, t.mark_window_days
        FROM journal_work w JOIN journal_worktype t ON t.id = w.work_type_id
        WHERE w.lesson_id IN ({LESSON_IDS}) ORDER BY w.position, w.id""",
    f"""SELECT m.work_id, m.student_id, m.value, m.numeric, m.version, m.comment, m.is_makeup
        FROM journal_mark m JOIN journal_work w ON w.id = m.work_id
        WHERE w.lesson_id IN ({LESSON_IDS})""",
    f"""SELECT lesson_id, student_id, code, late_minutes, version, note
        FROM journal_attendance WHERE lesson_id IN ({LESSON_IDS})""",
    """SELECT student_id, date_from, date_to FROM school_classenrollment
       WHERE school_class_id = %(class)s AND (date_to IS NULL OR date_to >= %(start)s)
         AND date_from <= %(end)s""",
    """SELECT s.id, s.last_name, s.first_name, s.patronymic FROM accounts_student s
       WHERE s.id IN (SELECT student_id FROM school_classenrollment
                      WHERE school_class_id = %(class)s)
       ORDER BY s.last_name, s.first_name, s.patronymic""",
]


def fetch_raw(conn, params) -> int:
    total = 0
    with conn.cursor() as cursor:
        for sql in RAW_QUERIES:
            cursor.execute(sql, params)
            total += len(cursor.fetchall())
    return total


def build(n_students: int):
    """One 5А group of ``n_students`` with a full second quarter of mathematics."""
    from ejournal.journal import services
    from ejournal.journal.models import Attendance, LessonRecord, Mark, Work, WorkType
    from ejournal.school.models import School, StudyPeriod
    from ejournal.testing import factories as f
    from ejournal.testing.world import build_world

    world = build_world(n_students)
    school: School = world.school  # type: ignore[assignment]
    teacher = world.staff["teacher"]
    services.work_types_ensure_defaults(school=school)
    types = {t.name: t for t in WorkType.objects.filter(school=school)}
    period = StudyPeriod.objects.get(band__year__school=school, number=2)
    day, number = period.start, 0
    marks, absences, records = [], [], []
    while day <= period.end:
        if day.weekday() < 4:
            number += 1
            lesson = f.make_lesson(world.group, world.subject, teacher, day, number=2)
            records.append(LessonRecord(lesson=lesson, topic=f"Тема {number}"))
            for kind in ("Ответ на уроке", "Самостоятельная работа"):
                work = Work.objects.create(lesson=lesson, work_type=types[kind])
                for i, student in enumerate(world.students):
                    value = "dot" if (i + number) % 23 == 0 else str(5 - (i * 7 + number) % 3)
                    marks.append(
                        Mark(
                            work=work,
                            student=student,
                            value=value,
                            numeric=None if value == "dot" else int(value),
                        )
                    )
            for student in world.students[number % 16 :: 16]:
                absences.append(Attendance(lesson=lesson, student=student, code="n"))
        day += dt.timedelta(days=1)
    Mark.objects.bulk_create(marks)
    Attendance.objects.bulk_create(absences)
    LessonRecord.objects.bulk_create(records)
    return world.group, world.subject, period, world.users["teacher"], number


if __name__ == "__main__":
    main()
