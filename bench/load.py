"""The load benchmark: the production server under the 8:00 and 20:00 peaks.

    uv run --group bench python bench/load.py [--database ejournal_region] [--users 50]
        [--spawn-rate 1] [--think 3,10] [--duration 180] [--workers <cores>]
        [--out bench/results]

Against the database built by ``bench/seed_region.py`` it

1. prepares the actors (bench-only rows, made again on every run): teachers of today's
   lessons with a fresh work to mark and a homework to edit, parents of pupils with a
   password, a REST API token and an app password for /webapi;
2. starts the production server: gunicorn with the project's settings (DEBUG off,
   connection pool), ``--workers`` = cores, static files by WhiteNoise after
   collectstatic, exactly as ``scripts/serve`` does;
3. drives it from a separate process on loopback with locust (headless): morning
   teachers (lesson page → journal page → attendance → five marks → homework), evening
   families (sign in → diary week → marks → homework), REST API and /webapi diary clients;
4. prints per page: requests, errors, p50/p95/p99 latency and throughput, and writes
   them to ``<out>/load.json`` and ``<out>/load.md``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from seed_region import DEFAULT_DATABASE, PG_SERVER, setup_django  # noqa: E402

BENCH_PASSWORD = "bench-Пароль-2026"
TARGETS_MS = {"diary week": 100, "journal page": 250, "mark save": 100}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(*, teachers: int, families: int) -> dict:
    """Bench actors in the first schools of the region; returns the locust fixture."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction

    from ejournal.accounts.models import Guardian, Role, RoleAssignment, StaffMember, User
    from ejournal.journal.models import Attendance, Homework, Work, WorkType
    from ejournal.schedule.models import Lesson, LessonStatus
    from ejournal.school import selectors
    from ejournal.school.models import GroupMembership, School, StudyPeriod

    password = make_password(BENCH_PASSWORD)  # one hash for all: argon2 is slow on purpose
    schools = list(School.objects.order_by("pk"))
    today = selectors.school_today(schools[0])
    day = (
        Lesson.objects.filter(school=schools[0], date__lte=today)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    assert day is not None, "no lessons: run bench/seed_region.py first"
    fixture: dict = {"password": BENCH_PASSWORD, "teachers": [], "families": []}
    week_start = day - dt.timedelta(days=day.weekday())
    fixture["week_start"] = f"{week_start:%Y-%m-%d}T00:00:00"
    fixture["week_end"] = f"{week_start + dt.timedelta(days=6):%Y-%m-%d}T00:00:00"

    with transaction.atomic():
        Work.objects.filter(title="bench").delete()
        Homework.objects.filter(text__startswith="bench:").delete()
        seen_teachers: set[int] = set()
        lessons = (
            Lesson.objects.filter(date=day, group__school_class__grade__gte=2)
            .exclude(status=LessonStatus.CANCELLED)
            .exclude(subject__is_no_mark=True)
            .select_related("group__school_class", "subject", "school")
            .order_by("school_id", "number", "pk")
        )
        for lesson in lessons:
            teacher = lesson.actual_teacher_id or lesson.planned_teacher_id
            if teacher in seen_teachers or len(fixture["teachers"]) >= teachers:
                continue
            staff = StaffMember.objects.select_related("user").get(pk=teacher)
            if staff.user is None:
                continue
            seen_teachers.add(teacher)
            members = list(
                GroupMembership.objects.filter(group=lesson.group, date_from__lte=day)
                .exclude(date_to__lt=day)
                .values_list("student_id", flat=True)
                .order_by("student_id")
            )
            absent_now = set(
                Attendance.objects.filter(lesson=lesson).values_list("student_id", flat=True)
            )
            present = [s for s in members if s not in absent_now]
            if len(present) < 8:
                continue
            work = Work.objects.create(
                lesson=lesson,
                work_type=WorkType.objects.get(school=lesson.school, name="Ответ на уроке"),
                title="bench",
                position=9,
            )
            homework = Homework.objects.create(lesson=lesson, text="bench: § 1")
            period = StudyPeriod.objects.get(
                band__year=lesson.group.year,
                band__grade_from__lte=lesson.group.school_class.grade,
                band__grade_to__gte=lesson.group.school_class.grade,
                start__lte=day,
                end__gte=day,
            )
            User.objects.filter(pk=staff.user_id).update(password=password, is_active=True)
            fixture["teachers"].append(
                {
                    "login": staff.user.username,
                    "lesson": lesson.pk,
                    "work": work.pk,
                    "homework": homework.pk,
                    "journal_url": (
                        f"/journal/group/{lesson.group_id}/subject/{lesson.subject_id}"
                        f"/period/{period.pk}/"
                    ),
                    "marked_students": present[:5],
                    "absent_students": present[5:7],
                }
            )

        guardians = (
            Guardian.objects.filter(school__in=schools[:2], students__isnull=False)
            .exclude(consent__status__in=["refused", "revoked"])
            .select_related("school")
            .order_by("pk")
            .distinct()[:families]
        )
        for guardian in guardians:
            login = f"bench-parent-{guardian.pk}"
            user, _ = User.objects.update_or_create(
                username=login,
                defaults={
                    "last_name": guardian.last_name,
                    "first_name": guardian.first_name,
                    "password": password,
                    "is_active": True,
                    "must_change_password": False,
                },
            )
            RoleAssignment.objects.get_or_create(
                user=user, role=Role.PARENT, school=guardian.school
            )
            Guardian.objects.filter(pk=guardian.pk).update(user=user)
            fixture["families"].append(
                {
                    "login": login,
                    "school_id": guardian.school_id,
                    "student": guardian.students.order_by("pk").values_list("pk", flat=True)[0],
                }
            )
    from ejournal.api.services import tokens_revoke_all

    for family in fixture["families"]:
        # Each run issues fresh secrets; the previous run's tokens would hit the per-user cap.
        tokens_revoke_all(user=User.objects.get(username=family["login"]), reason="bench")
        family["token"] = _issued(call_command, "issue_token", family["login"])
        family["app_password"] = _issued(call_command, "issue_app_password", family["login"])
    print(
        f"prepared {len(fixture['teachers'])} teachers (lessons of {day:%d.%m.%Y}) and "
        f"{len(fixture['families'])} families"
    )
    return fixture


def _issued(call_command, command: str, login: str) -> str:
    """The secret a management command prints (its last non-empty word)."""
    out = StringIO()
    call_command(command, login, stdout=out)
    return out.getvalue().split()[-1]


def start_server(database_url: str, data_dir: Path, port: int, workers: int, threads: int = 1):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "EJOURNAL_DATA_DIR": str(data_dir),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # The bench signs in hundreds of times from one address.
        "AXES_ENABLED": "0",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "config.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
            "--forwarded-allow-ips", "127.0.0.1", "--log-level", "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )  # fmt: skip
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)  # noqa: S310
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the server did not start")


def run_locust(port: int, fixture_path: Path, args, out: Path) -> list:
    prefix = out / "locust"
    users, duration, think = args.users, args.duration, args.think
    subprocess.run(
        [
            sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
            "--headless", "--users", str(users), "--spawn-rate", str(args.spawn_rate),
            "--run-time", f"{duration}s", "--host", f"http://127.0.0.1:{port}",
            "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
        ],
        env={**os.environ, "BENCH_FIXTURE": str(fixture_path), "BENCH_THINK": think},
        check=False,
    )  # fmt: skip
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    results = []
    names = [row["Name"] for row in rows]
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "all"
        if names.count(row["Name"]) > 1:
            name = f"{name} ({row['Type']})"
        results.append(
            {
                "page": name,
                "method": row["Type"],
                "requests": int(row["Request Count"]),
                "errors": int(row["Failure Count"]),
                "p50_ms": float(row["50%"]),
                "p95_ms": float(row["95%"]),
                "p99_ms": float(row["99%"]),
                "rps": round(float(row["Requests/s"]), 1),
            }
        )
    return results


def markdown(results: list, meta: dict) -> str:
    lines = [
        f"Load: {meta['users']} concurrent users (arriving {meta['spawn_rate']:g} a second, "
        f"each signing in) pausing {meta['think_seconds']} s between rounds of pages, for "
        f"{meta['duration']} s; {meta['workers']} gunicorn workers × {meta['threads']} "
        f"threads, {meta['cpus']} "
        f"cores (load generator on the same machine); database {meta['database']} "
        f"({meta['marks']:_} marks).".replace("_", " "),
        "",
        "| page | requests | errors | p50 ms | p95 ms | p99 ms | req/s | target p95 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        target = TARGETS_MS.get(r["page"])
        mark = "" if target is None else f"≤ {target} {'✓' if r['p95_ms'] <= target else '✗'}"
        lines.append(
            f"| {r['page']} | {r['requests']} | {r['errors']} | {r['p50_ms']:.0f} | "
            f"{r['p95_ms']:.0f} | {r['p99_ms']:.0f} | {r['rps']} | {mark} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=180)
    parser.add_argument(
        "--spawn-rate",
        type=float,
        default=1.0,
        help="users arriving per second (each signs in on arrival; argon2 is costly by design)",
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker (1: sync workers)"
    )
    parser.add_argument(
        "--think",
        default="3,10",
        help="pause between a user's rounds of pages, min,max seconds",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()
    database_url = f"{PG_SERVER}/{args.database}"
    data_dir = Path(tempfile.mkdtemp(prefix="ejournal-load-"))
    os.environ["EJOURNAL_DATA_DIR"] = str(data_dir)
    setup_django(database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # the region may predate the newest migrations
    fixture = prepare(teachers=args.users, families=args.users)
    args.out.mkdir(parents=True, exist_ok=True)
    fixture_path = data_dir / "fixture.json"
    fixture_path.write_text(json.dumps(fixture, ensure_ascii=False), encoding="utf-8")
    from ejournal.journal.models import Mark

    meta = {
        "users": args.users,
        "duration": args.duration,
        "think_seconds": args.think,
        "spawn_rate": args.spawn_rate,
        "workers": args.workers,
        "threads": args.threads,
        "cpus": os.cpu_count(),
        "database": args.database,
        "marks": Mark.objects.count(),
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    from django.db import connections

    connections.close_all()
    port = free_port()
    server = start_server(database_url, data_dir, port, args.workers, args.threads)
    try:
        results = run_locust(port, fixture_path, args, data_dir)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)
    table = markdown(results, meta)
    print(table)
    (args.out / "load.json").write_text(
        json.dumps({"meta": meta, "pages": results}, ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8",
    )
    (args.out / "load.md").write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
