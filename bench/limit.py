"""How close each page is to the database's own limit: page time ÷ raw SQL time.

    uv run --group bench python bench/limit.py [--database ejournal_region] [--requests 30]
        [--out bench/results] [--profile PAGE] [--queries PAGE]

On the database built by ``bench/seed_region.py``, with the actors ``bench/load.py``
prepares, for each page of the load scenarios it measures in the same run

- the page: the median server time of N requests through Django's full stack
  (middleware, session, authentication, permissions, selectors, template or JSON), with
  production settings (DEBUG off), signed in as the teacher or the parent;
- the limit: the median time to fetch exactly the data that page shows — and, for a
  save, to make exactly its writes with its audit row — with hand-written SQL through
  psycopg on one connection (including the session and user lookups every page needs),
  with psycopg's prepared statements (the figure the ratio is judged by) and planned
  every time ("plain", as Django sends its statements);

and prints both, their ratios and the page's query count, and writes
``<out>/limit.json`` and ``<out>/limit.md``. ``--profile PAGE`` prints where a page's
time goes (cProfile); ``--queries PAGE`` prints each of its statements with its time.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from seed_region import DEFAULT_DATABASE, PG_SERVER, setup_django  # noqa: E402

AUTH_SQL = [
    """SELECT session_data FROM django_session
       WHERE session_key = %(session)s AND expire_date > now()""",
    """SELECT id, username, first_name, last_name, patronymic, is_active, session_epoch
       FROM accounts_user WHERE id = %(user)s""",
    """SELECT r.role, r.school_id, s.short_name, s.time_zone FROM accounts_roleassignment r
       JOIN school_school s ON s.id = r.school_id WHERE r.user_id = %(user)s AND r.active""",
]

LESSON_IDS = """
    SELECT id FROM schedule_lesson
    WHERE group_id = %(group)s AND subject_id = %(subject)s
      AND date BETWEEN %(start)s AND %(end)s AND status IN ('planned', 'held')
"""
JOURNAL_SQL = [
    *AUTH_SQL,
    """SELECT id FROM accounts_staffmember WHERE user_id = %(user)s AND school_id = %(school)s""",
    """SELECT g.name, c.grade, c.letter, sub.name, p.name, p.start, p.end
       FROM school_studygroup g LEFT JOIN school_schoolclass c ON c.id = g.school_class_id,
            school_subject sub, school_studyperiod p
       WHERE g.id = %(group)s AND sub.id = %(subject)s AND p.id = %(period)s""",
    """SELECT l.id, l.date, l.number, l.status, l.planned_teacher_id, l.actual_teacher_id,
              r.topic
       FROM schedule_lesson l LEFT JOIN journal_lessonrecord r ON r.lesson_id = l.id
       WHERE l.group_id = %(group)s AND l.subject_id = %(subject)s
         AND l.date BETWEEN %(start)s AND %(end)s AND l.status IN ('planned', 'held')
       ORDER BY l.date, l.number""",
    f"""SELECT w.id, w.lesson_id, w.title, t.short_name, t.weight, t.category,
               t.mark_window_days
        FROM journal_work w JOIN journal_worktype t ON t.id = w.work_type_id
        WHERE w.lesson_id IN ({LESSON_IDS}) ORDER BY w.position, w.id""",
    f"""SELECT m.work_id, m.student_id, m.value, m.numeric, m.version, m.comment, m.is_makeup
        FROM journal_mark m JOIN journal_work w ON w.id = m.work_id
        WHERE w.lesson_id IN ({LESSON_IDS})""",
    f"""SELECT lesson_id, student_id, code, late_minutes, version, note
        FROM journal_attendance WHERE lesson_id IN ({LESSON_IDS})""",
    """SELECT m.student_id, m.date_from, m.date_to, s.last_name, s.first_name, s.patronymic,
              s.pseudonym
       FROM school_groupmembership m JOIN accounts_student s ON s.id = m.student_id
       WHERE m.group_id = %(group)s AND (m.date_to IS NULL OR m.date_to >= %(start)s)
         AND m.date_from <= %(end)s
       ORDER BY s.last_name, s.first_name, s.patronymic""",
    """SELECT student_id, value, kind FROM attestation_periodmark
       WHERE period_id = %(period)s AND subject_id = %(subject)s AND student_id IN (
           SELECT student_id FROM school_groupmembership WHERE group_id = %(group)s)""",
]

LESSON_SQL = [
    *AUTH_SQL,
    """SELECT id FROM accounts_staffmember WHERE user_id = %(user)s AND school_id = %(school)s""",
    """SELECT l.id, l.date, l.number, l.status, l.start_time, l.end_time, l.room,
              g.name, c.grade, c.letter, sub.name, sub.is_no_mark, r.topic, r.comment, r.version
       FROM schedule_lesson l JOIN school_studygroup g ON g.id = l.group_id
       LEFT JOIN school_schoolclass c ON c.id = g.school_class_id
       JOIN school_subject sub ON sub.id = l.subject_id
       LEFT JOIN journal_lessonrecord r ON r.lesson_id = l.id
       WHERE l.id = %(lesson)s""",
    """SELECT w.id, w.title, w.position, t.name, t.short_name, t.weight, t.category
       FROM journal_work w JOIN journal_worktype t ON t.id = w.work_type_id
       WHERE w.lesson_id = %(lesson)s ORDER BY w.position, w.id""",
    """SELECT m.work_id, m.student_id, m.value, m.version, m.comment
       FROM journal_mark m JOIN journal_work w ON w.id = m.work_id
       WHERE w.lesson_id = %(lesson)s""",
    """SELECT student_id, code, late_minutes, version FROM journal_attendance
       WHERE lesson_id = %(lesson)s""",
    """SELECT m.student_id, s.last_name, s.first_name, s.patronymic, s.pseudonym
       FROM school_groupmembership m JOIN accounts_student s ON s.id = m.student_id
       WHERE m.group_id = %(group)s AND m.date_from <= %(day)s
         AND (m.date_to IS NULL OR m.date_to >= %(day)s)
       ORDER BY s.last_name, s.first_name, s.patronymic""",
    """SELECT h.id, h.text, h.due_date, h.is_individual, h.version, hs.student_id, a.id,
              a.original_name
       FROM journal_homework h
       LEFT JOIN journal_homework_students hs ON hs.homework_id = h.id
       LEFT JOIN journal_homeworkattachment a ON a.homework_id = h.id
       WHERE h.lesson_id = %(lesson)s ORDER BY h.id""",
    """SELECT id, name, short_name FROM journal_worktype WHERE school_id = %(school)s
       ORDER BY name""",
]

# The student's lessons of the week through their dated class and group memberships.
WEEK_LESSONS = """
    SELECT l.id FROM schedule_lesson l
    WHERE l.date BETWEEN %(week_start)s AND %(week_end)s AND l.group_id IN (
        SELECT group_id FROM school_groupmembership
        WHERE student_id = %(student)s AND date_from <= %(week_end)s
          AND (date_to IS NULL OR date_to >= %(week_start)s))
"""
DIARY_WEEK_SQL = [
    *AUTH_SQL,
    """SELECT s.id, s.last_name, s.first_name, s.pseudonym FROM accounts_student s
       JOIN accounts_studentguardian sg ON sg.student_id = s.id
       JOIN accounts_guardian g ON g.id = sg.guardian_id
       WHERE g.user_id = %(user)s ORDER BY s.birth_date""",
    """SELECT c.grade, c.letter, e.date_from, e.date_to FROM school_classenrollment e
       JOIN school_schoolclass c ON c.id = e.school_class_id
       WHERE e.student_id = %(student)s AND e.date_from <= %(week_end)s
         AND (e.date_to IS NULL OR e.date_to >= %(week_start)s)""",
    f"""SELECT l.id, l.date, l.number, l.start_time, l.end_time, l.status, l.room,
               sub.name, t.last_name, t.first_name, t.patronymic, r.topic
        FROM schedule_lesson l JOIN school_subject sub ON sub.id = l.subject_id
        LEFT JOIN accounts_staffmember t
          ON t.id = COALESCE(l.actual_teacher_id, l.planned_teacher_id)
        LEFT JOIN journal_lessonrecord r ON r.lesson_id = l.id
        WHERE l.id IN ({WEEK_LESSONS}) ORDER BY l.date, l.number""",
    f"""SELECT w.lesson_id, t.short_name, t.weight, m.value, m.comment, m.is_makeup
        FROM journal_mark m JOIN journal_work w ON w.id = m.work_id
        JOIN journal_worktype t ON t.id = w.work_type_id
        WHERE m.student_id = %(student)s AND w.lesson_id IN ({WEEK_LESSONS})""",
    f"""SELECT lesson_id, code, late_minutes FROM journal_attendance
        WHERE student_id = %(student)s AND lesson_id IN ({WEEK_LESSONS})""",
    f"""SELECT h.lesson_id, h.text, h.due_date, a.id, a.original_name FROM journal_homework h
        LEFT JOIN journal_homeworkattachment a ON a.homework_id = h.id
        WHERE h.lesson_id IN ({WEEK_LESSONS}) AND (NOT h.is_individual OR EXISTS (
            SELECT 1 FROM journal_homework_students hs
            WHERE hs.homework_id = h.id AND hs.student_id = %(student)s))""",
    """SELECT title, body, publish_from FROM messaging_announcement
       WHERE school_id = %(school)s AND publish_from <= now()
         AND (publish_until IS NULL OR publish_until >= now())
       ORDER BY publish_from DESC LIMIT 5""",
    """SELECT title, starts_at, ends_at, place FROM messaging_schoolevent
       WHERE school_id = %(school)s AND starts_at::date BETWEEN %(week_start)s AND %(week_end)s""",
]

DIARY_MARKS_SQL = [
    *AUTH_SQL,
    DIARY_WEEK_SQL[3],
    """SELECT p.id, p.name, p.start, p.end FROM school_studyperiod p
       JOIN school_gradeband b ON b.id = p.band_id
       WHERE b.year_id = %(year)s AND %(grade)s BETWEEN b.grade_from AND b.grade_to
       ORDER BY p.number""",
    """SELECT sub.name, l.date, t.short_name, t.weight, m.value, m.comment
       FROM journal_mark m JOIN journal_work w ON w.id = m.work_id
       JOIN journal_worktype t ON t.id = w.work_type_id
       JOIN schedule_lesson l ON l.id = w.lesson_id
       JOIN school_subject sub ON sub.id = l.subject_id
       WHERE m.student_id = %(student)s AND l.date BETWEEN %(start)s AND %(end)s
       ORDER BY sub.name, l.date""",
    """SELECT subject_id, value FROM attestation_periodmark
       WHERE student_id = %(student)s AND period_id = %(period)s""",
    # The classmates' averages by subject, for the student's place in the class: the
    # class's groups, then the marks through their lessons of the period.
    """SELECT id FROM school_studygroup WHERE school_class_id = %(class)s""",
    """SELECT m.student_id, l.subject_id, SUM(m.numeric * t.weight), SUM(t.weight)
       FROM journal_mark m JOIN journal_work w ON w.id = m.work_id
       JOIN journal_worktype t ON t.id = w.work_type_id
       JOIN schedule_lesson l ON l.id = w.lesson_id
       WHERE l.group_id = ANY(%(groups)s)
         AND l.date BETWEEN %(start)s AND %(end)s AND l.status <> 'cancelled'
         AND m.numeric IS NOT NULL AND m.student_id IN (
             SELECT student_id FROM school_classenrollment WHERE school_class_id = %(class)s
               AND date_from <= %(day)s AND (date_to IS NULL OR date_to >= %(day)s))
       GROUP BY m.student_id, l.subject_id""",
]

DIARY_HOMEWORK_SQL = [
    *AUTH_SQL,
    DIARY_WEEK_SQL[3],
    """SELECT l.date, sub.name, h.text, h.due_date FROM journal_homework h
       JOIN schedule_lesson l ON l.id = h.lesson_id
       JOIN school_subject sub ON sub.id = l.subject_id
       WHERE l.group_id IN (
           SELECT group_id FROM school_groupmembership
           WHERE student_id = %(student)s AND date_from <= %(hw_end)s
             AND (date_to IS NULL OR date_to >= %(hw_start)s))
         AND COALESCE(h.due_date, l.date) BETWEEN %(hw_start)s AND %(hw_end)s
         AND (NOT h.is_individual OR EXISTS (
             SELECT 1 FROM journal_homework_students hs
             WHERE hs.homework_id = h.id AND hs.student_id = %(student)s))
       ORDER BY COALESCE(h.due_date, l.date)""",
]

# One save of five marks: check the lesson, lock and update the rows, one audit row each.
MARK_SAVE_SQL = [
    *AUTH_SQL,
    """SELECT id FROM accounts_staffmember WHERE user_id = %(user)s AND school_id = %(school)s""",
    """SELECT l.id, l.date, l.status, g.id, c.grade, sub.is_no_mark, w.id, t.category,
              t.mark_window_days
       FROM schedule_lesson l JOIN school_studygroup g ON g.id = l.group_id
       LEFT JOIN school_schoolclass c ON c.id = g.school_class_id
       JOIN school_subject sub ON sub.id = l.subject_id
       JOIN journal_work w ON w.lesson_id = l.id JOIN journal_worktype t ON t.id = w.work_type_id
       WHERE l.id = %(lesson)s AND w.id = %(work)s""",
    """SELECT student_id FROM school_groupmembership
       WHERE group_id = %(group)s AND student_id = ANY(%(students)s)""",
    """SELECT id, student_id, value, version FROM journal_mark
       WHERE work_id = %(work)s AND student_id = ANY(%(students)s) FOR UPDATE""",
    """UPDATE journal_mark SET value = %(value)s, numeric = %(numeric)s, version = version + 1,
              updated_at = now()
       WHERE work_id = %(work)s AND student_id = ANY(%(students)s)""",
    """UPDATE audit_auditchainhead SET last_seq = last_seq + 5, last_hash = md5('x')
       WHERE chain = %(chain)s RETURNING last_seq, last_hash""",
    """INSERT INTO audit_auditevent (chain, seq, school_id, actor_id, actor_role, action,
              object_type, object_id, before, after, reason, ip, user_agent, created_at,
              prev_hash, hash, key_version)
       SELECT h.chain, h.last_seq - 5 + n, %(school)s, %(user)s, 'teacher', 'mark.changed',
              'journal.mark', n::text, '{"value": "5"}', '{"value": "4"}', '', NULL, '', now(),
              md5(n::text), md5((n + 1)::text), 1
       FROM audit_auditchainhead h, generate_series(1, 5) AS n WHERE h.chain = %(chain)s""",
]


@contextlib.contextmanager
def counting_queries():
    """The statements Django sends while inside (the test client's request_started
    clears ``connection.queries``, so count with an execute wrapper instead)."""
    from django.db import connection

    executed: list[str] = []

    def wrapper(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield executed


def median_ms(fn, n: int) -> float:
    for _ in range(3):
        fn()
    times = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def show_queries(fn) -> None:
    """Each statement of one request (after a warm-up): its time and its SQL."""
    from django.db import connection

    fn()
    timed: list[tuple[float, str]] = []

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            shown = params if isinstance(params, dict) else tuple(params or ())
            timed.append((time.perf_counter() - started, sql % shown))

    with connection.execute_wrapper(wrapper):
        fn()
    for seconds, sql in timed:
        print(f"{seconds * 1000:7.2f} ms  {sql[:1500]}\n")
    print(f"{sum(t for t, _ in timed) * 1000:7.2f} ms in {len(timed)} statements")


def profile(fn, n: int) -> None:
    """Where a page's time goes: cProfile over N requests, by own and by cumulative time."""
    import cProfile
    import pstats

    for _ in range(3):
        fn()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        fn()
    profiler.disable()
    profiler.dump_stats(Path(tempfile.gettempdir()) / "limit.prof")
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(45)


def run_sql(conn, queries, params, *, write: bool = False) -> None:
    with conn.cursor() as cursor:
        for sql in queries:
            cursor.execute(sql, params)
            if cursor.description is not None:
                cursor.fetchall()
    if write:
        conn.rollback()  # the writes were timed; the bench rows are not kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument(
        "--profile", metavar="PAGE", help="профиль cProfile одной страницы (например, «diary week»)"
    )
    parser.add_argument(
        "--queries", metavar="PAGE", help="каждый запрос страницы: время и текст SQL"
    )
    args = parser.parse_args()
    database_url = f"{PG_SERVER}/{args.database}"
    os.environ.update({"DEBUG": "0", "AXES_ENABLED": "0"})
    os.environ["EJOURNAL_DATA_DIR"] = tempfile.mkdtemp(prefix="ejournal-limit-")
    setup_django(database_url)
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    import psycopg
    from django.core.management import call_command
    from django.test import Client

    from ejournal.accounts.models import Student, User
    from ejournal.schedule.models import Lesson
    from ejournal.school import selectors
    from ejournal.school.models import StudyPeriod

    call_command("migrate", verbosity=0)
    from load import prepare

    fixture = prepare(teachers=1, families=1)
    teacher, family = fixture["teachers"][0], fixture["families"][0]
    teacher_client, family_client = Client(), Client()
    teacher_user = User.objects.get(username=teacher["login"])
    family_user = User.objects.get(username=family["login"])
    teacher_client.force_login(teacher_user)
    family_client.force_login(family_user)
    lesson = Lesson.objects.select_related("group__school_class").get(pk=teacher["lesson"])
    student = Student.objects.get(pk=family["student"])
    day = lesson.date
    week_start = day - dt.timedelta(days=day.weekday())
    school_class = selectors.class_of_student_on(student=student, day=day)
    period = StudyPeriod.objects.get(pk=int(teacher["journal_url"].rstrip("/").split("/")[-1]))
    family_period = StudyPeriod.objects.get(
        band__year=school_class.year,
        band__grade_from__lte=school_class.grade,
        band__grade_to__gte=school_class.grade,
        start__lte=day,
        end__gte=day,
    )
    base = {"school": lesson.school_id, "day": day}
    teacher_params = {
        **base,
        "session": teacher_client.session.session_key,
        "user": teacher_user.pk,
        "group": lesson.group_id,
        "subject": lesson.subject_id,
        "period": period.pk,
        "start": period.start,
        "end": period.end,
        "lesson": lesson.pk,
        "work": teacher["work"],
        "students": teacher["marked_students"],
        "value": "4",
        "numeric": 4,
        "chain": f"school:{lesson.school_id}",
    }
    family_params = {
        **base,
        "school": student.school_id,
        "session": family_client.session.session_key,
        "user": family_user.pk,
        "student": student.pk,
        "week_start": week_start,
        "week_end": week_start + dt.timedelta(days=6),
        "year": school_class.year_id,
        "grade": school_class.grade,
        "class": school_class.pk,
        "groups": list(school_class.groups.values_list("pk", flat=True)),
        "period": family_period.pk,
        "start": family_period.start,
        "end": family_period.end,
        "hw_start": day,
        "hw_end": day + dt.timedelta(days=14),
    }
    marks_body = json.dumps(
        {
            "cells": [
                {"k": "m", "l": lesson.pk, "w": teacher["work"], "s": s, "v": "5", "ver": None}
                for s in teacher["marked_students"]
            ]
        }
    )
    # The first save creates the marks; the measured saves change them (as in the load).
    teacher_client.post("/journal/cells/", marks_body, content_type="application/json")

    def save_marks():
        cells = json.loads(marks_body)["cells"]
        current = {
            m.student_id: m.version
            for m in lesson.works.get(pk=teacher["work"]).marks.all()  # type: ignore[attr-defined]
        }
        for cell in cells:
            cell["ver"] = current[cell["s"]]
            cell["v"] = "4" if save_marks.n % 2 else "5"
        save_marks.n += 1
        body = json.dumps({"cells": cells})
        started = time.perf_counter()
        response = teacher_client.post("/journal/cells/", body, content_type="application/json")
        save_marks.elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.content[:300]

    save_marks.n = 0
    token = {"HTTP_AUTHORIZATION": f"Bearer {family['token']}"}
    pages = [
        # Not a page: the framework's floor (session, user, one query, a redirect).
        ("floor (redirect)", family_client, "/diary/", {}, AUTH_SQL, family_params),
        ("journal page", teacher_client, teacher["journal_url"], {}, JOURNAL_SQL, teacher_params),
        ("lesson page", teacher_client, f"/journal/lesson/{lesson.pk}/", {}, LESSON_SQL,
         teacher_params),
        ("diary week", family_client, f"/diary/{student.pk}/week/?date={day:%Y-%m-%d}", {},
         DIARY_WEEK_SQL, family_params),
        ("diary marks", family_client, f"/diary/{student.pk}/marks/", {}, DIARY_MARKS_SQL,
         family_params),
        ("diary homework", family_client, f"/diary/{student.pk}/homework/", {},
         DIARY_HOMEWORK_SQL, family_params),
        ("api diary week", Client(), f"/api/v1/students/{student.pk}/diary?date={day:%Y-%m-%d}",
         token, DIARY_WEEK_SQL, family_params),
    ]  # fmt: skip
    results = []
    # psycopg prepares a statement run five times (its default): after warming up, the
    # database neither parses nor plans it. The ORM's statements are planned every time
    # (Django turns preparing off), so the limit is also measured that way ("plain").
    with (
        psycopg.connect(database_url) as conn,
        psycopg.connect(database_url, prepare_threshold=None) as plain,
    ):
        for name, client, url, headers, queries, params in pages:
            if args.queries:
                if name == args.queries:
                    show_queries(lambda c=client, u=url, h=headers: c.get(u, **h))
                continue
            if args.profile:
                if name == args.profile:
                    profile(lambda c=client, u=url, h=headers: c.get(u, **h), args.requests)
                continue
            response = client.get(url, **headers)
            assert response.status_code in (200, 302), (name, response.status_code)
            with counting_queries() as captured:
                client.get(url, **headers)
            page = median_ms(lambda c=client, u=url, h=headers: c.get(u, **h), args.requests)
            raw = median_ms(lambda q=queries, p=params: run_sql(conn, q, p), args.requests)
            unprepared = median_ms(lambda q=queries, p=params: run_sql(plain, q, p), args.requests)
            results.append(_row(name, page, raw, unprepared, len(captured), len(queries)))
            print(_line(results[-1]), flush=True)
        if args.queries:
            if args.queries == "mark save":
                show_queries(save_marks)
            return
        if args.profile:
            if args.profile == "mark save":
                profile(save_marks, args.requests)
            return
        with counting_queries() as captured:
            save_marks()
        times = []
        for _ in range(args.requests):
            save_marks()
            times.append(save_marks.elapsed)
        page = statistics.median(times) * 1000
        raw = median_ms(
            lambda: run_sql(conn, MARK_SAVE_SQL, teacher_params, write=True), args.requests
        )
        unprepared = median_ms(
            lambda: run_sql(plain, MARK_SAVE_SQL, teacher_params, write=True), args.requests
        )
        results.append(_row("mark save", page, raw, unprepared, len(captured), len(MARK_SAVE_SQL)))
        print(_line(results[-1]), flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    meta = {
        "database": args.database,
        "requests": args.requests,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    (args.out / "limit.json").write_text(
        json.dumps({"meta": meta, "pages": results}, ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    lines = [
        f"Page ÷ raw SQL on {args.database}, medians of {args.requests} requests. Raw SQL "
        "prepared: psycopg's default (no parsing or planning once warm); plain: planned "
        "every time, as the ORM's statements are.",
        "",
        "| page | page ms | queries | raw SQL ms (prepared) | raw SQL ms (plain) | "
        "statements | ratio | ratio to plain |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {r['page']} | {r['page_ms']:.1f} | {r['queries']} | {r['sql_ms']:.1f} | "
            f"{r['sql_plain_ms']:.1f} | {r['sql_statements']} | {r['ratio']:.1f}× | "
            f"{r['ratio_plain']:.1f}× |"
            for r in results
        ),
    ]
    (args.out / "limit.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


def _row(name: str, page: float, raw: float, plain: float, queries: int, statements: int) -> dict:
    return {
        "page": name,
        "page_ms": round(page, 2),
        "queries": queries,
        "sql_ms": round(raw, 2),
        "sql_plain_ms": round(plain, 2),
        "sql_statements": statements,
        "ratio": round(page / raw, 2),
        "ratio_plain": round(page / plain, 2),
    }


def _line(r: dict) -> str:
    return (
        f"{r['page']:<16} page {r['page_ms']:7.1f} ms ({r['queries']} queries)   "
        f"raw SQL {r['sql_ms']:6.1f} ms (plain {r['sql_plain_ms']:.1f})   "
        f"ratio {r['ratio']:.1f}× (to plain {r['ratio_plain']:.1f}×)"
    )


if __name__ == "__main__":
    main()
