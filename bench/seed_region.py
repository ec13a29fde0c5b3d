"""A municipality of N schools with a full academic year of data, in PostgreSQL.

    uv run python bench/seed_region.py [--schools 20] [--students 1000] [--database ejournal_region]

Each school is the demo school built by the same steps as ``seed_demo`` (so the data has
the demo's distributions: timetable, lessons, topics, works, marks, absences, homework,
КТП, period marks, messages), numbered «СОШ №1» … «СОШ №N» in one municipality, with
"today" set to the last day of the year so that the whole year is filled. School 1 keeps
the demo logins (teacher, parent, …, password ``demo``); school n > 1 has them as
``s<n>-teacher`` and so on. Large tables are written with COPY (``ejournal.core.bulk``).

The database (on the server in BENCH_PG, default postgres://postgres@127.0.0.1:5432) is
dropped and created anew. It is left in place for ``bench/load.py`` and ``bench/limit.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DEFAULT_DATABASE = "ejournal_region"
PLANNER_SETTINGS = [
    "random_page_cost = 1.1",
    "effective_cache_size = '12GB'",
    "work_mem = '16MB'",
    # Compiling a query plan costs more than any query of these pages runs.
    "jit = off",
]


def pg_command(*command: str) -> None:
    host = PG_SERVER.split("@")[-1].split(":")[0]
    subprocess.run([*command, "-h", host, "-U", "postgres"], check=True)


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    data_dir = Path(os.environ.get("EJOURNAL_DATA_DIR") or tempfile.mkdtemp(prefix="ejr-"))
    (data_dir / "static").mkdir(parents=True, exist_ok=True)
    os.environ["EJOURNAL_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def class_layout(students: int) -> tuple[int, int]:
    """(classes per grade, students per class) for about ``students`` in grades 1–11."""
    per_grade = max(1, min(5, math.ceil(students / (11 * 28))))
    return per_grade, max(1, round(students / (11 * per_grade)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--students", type=int, default=1000, help="учеников в школе")
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="параллельных процессов"
    )
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        setup_django(f"{PG_SERVER}/{args.database}")
        seed_schools(args, range(args.worker + 1, args.schools + 1, args.jobs))
        return

    started = time.monotonic()
    pg_command("dropdb", "--if-exists", "--force", args.database)
    pg_command("createdb", args.database)
    # The planner settings the README's deployment guide gives for this size, kept with
    # the database (the server's shared_buffers is set there too: a quarter of RAM).
    for setting in PLANNER_SETTINGS:
        pg_command("psql", "-q", "-d", args.database, "-c",
                   f"ALTER DATABASE {args.database} SET {setting}")  # fmt: skip
    setup_django(f"{PG_SERVER}/{args.database}")

    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"migrated in {time.monotonic() - started:.0f} s", flush=True)
    from ejournal.demo.builder.structure import MUNICIPALITY, REGION
    from ejournal.school.models import Municipality, Region

    # Made once here so that the workers do not race to create them.
    region = Region.objects.create(name=REGION[0], code=REGION[1])
    Municipality.objects.create(region=region, name=MUNICIPALITY)
    # One process per core; each builds every jobs-th school in its own transactions.
    workers = [
        subprocess.Popen(
            [sys.executable, __file__, *sys.argv[1:], "--worker", str(k)],
            env={**os.environ, "EJOURNAL_DATA_DIR": os.environ["EJOURNAL_DATA_DIR"]},
        )
        for k in range(min(args.jobs, args.schools))
    ]
    failed = [w.args for w in workers if w.wait() != 0]
    if failed:
        raise SystemExit(f"a seeding worker failed: {failed}")
    from ejournal.attestation.models import PeriodClosure

    # The year is filled to its end, but the load runs today: the periods from today on
    # stay open, so that teachers can write today's lessons.
    PeriodClosure.objects.filter(period__end__gte=dt.date.today()).delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print_totals()
    print(f"total {time.monotonic() - started:.0f} s; database {args.database} kept")


def seed_schools(args, numbers) -> None:
    from django.db import connection

    from ejournal.demo.builder import DemoOptions, seed_demo
    from ejournal.demo.builder.structure import start_year_of

    per_grade, per_class = class_layout(args.students)
    year_end = dt.date(start_year_of(dt.date.today()) + 1, 5, 31)
    with connection.cursor() as cursor:
        # A bulk load: losing the last transactions on a crash only means re-running it.
        cursor.execute("SET synchronous_commit TO off")
        # …and, like pg_restore --disable-triggers, without the foreign-key triggers: each
        # school's million rows were checked again at its commit (half its seeding time,
        # growing with the region). The builder is the demo's, whose keys the test suite
        # checks on every run; the constraints stay and hold for everything written later.
        cursor.execute("SET session_replication_role TO replica")
    for n in numbers:
        t0 = time.monotonic()
        options = DemoOptions(
            classes_per_grade=per_grade,
            students_per_class=per_class,
            seed=n,
            school_number=n,
            login_prefix="" if n == 1 else f"s{n}-",
            # The demo's backup dumps the whole database: per school, the growing region
            # (it doubled each school's time by the tenth).
            backup=False,
        )
        steps: list[tuple[str, float]] = []

        def on_step(name: str, steps=steps) -> None:
            steps.append((name, time.monotonic()))

        build = seed_demo(options=options, today=year_end, on_step=on_step)
        done = time.monotonic()
        facts = build.facts.get("journal", {})
        ends = [at for _, at in steps[1:]] + [done]
        slowest = sorted(
            ((end - at, name) for (name, at), end in zip(steps, ends, strict=True)), reverse=True
        )[:3]
        print(
            f"school {n}/{args.schools} «{build.school}»: {facts.get('lessons', 0)} lessons, "
            f"{facts.get('marks', 0)} marks in {done - t0:.0f} s ("
            + ", ".join(f"{name} {seconds:.0f} s" for seconds, name in slowest)
            + ")",
            flush=True,
        )


def print_totals() -> None:
    from ejournal.accounts.models import Guardian, Student
    from ejournal.journal.models import Attendance, Homework, Mark
    from ejournal.schedule.models import Lesson
    from ejournal.school.models import School

    for label, model in [
        ("schools", School),
        ("students", Student),
        ("guardians", Guardian),
        ("lessons", Lesson),
        ("marks", Mark),
        ("attendance", Attendance),
        ("homework", Homework),
    ]:
        print(f"  {label:<11} {model.objects.count():>10,}".replace(",", " "))


if __name__ == "__main__":
    main()
