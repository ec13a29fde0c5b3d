"""Time the materialisation of a full school year of lessons for the demo school.

    uv run python bench/materialise_year.py [--classes-per-grade 2]

Builds the demo school (seed_demo: 11 grades × 2 classes = 22 classes) in a throw-away
SQLite database (or the database in DATABASE_URL, if set — then use an empty one), places a
conflict-free timetable from its teaching load, and times ``lessons_materialise`` for the
whole year, then a second, idempotent run. Target: under 10 s.

Measured 23.11.2026 on the shared development machine (load average ≈ 24): 21 825 lessons,
SQLite 5.4 s (re-run 0.5 s), PostgreSQL 15 2.7 s (re-run 0.2 s).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--classes-per-grade", type=int, default=2)
    parser.add_argument("--students-per-class", type=int, default=25)
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL"):
        os.environ["EJOURNAL_DATA_DIR"] = tempfile.mkdtemp(prefix="ejournal-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("AXES_ENABLED", "0")

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from ejournal.demo.builder import STEPS, DemoBuild, DemoOptions, demo_school
    from ejournal.demo.builder.schedule import build_timetable, create_bells
    from ejournal.schedule import services
    from ejournal.school import selectors as school_selectors
    from ejournal.school.models import School

    started = time.perf_counter()
    if demo_school() is not None:
        sys.exit("Демо-школа уже есть в этой базе: нужна пустая база.")
    # The demo school up to (not including) its schedule step; later steps need lessons.
    build = DemoBuild(
        options=DemoOptions(
            classes_per_grade=args.classes_per_grade,
            students_per_class=args.students_per_class,
        ),
        today=school_selectors.school_today(School(time_zone="Europe/Moscow")),
        rng=random.Random(1),
    )
    for step in STEPS:
        if step.__module__ == "ejournal.demo.builder.schedule":
            break
        step(build)
    school = build.school
    year = build.year
    assert school is not None and year is not None
    create_bells(school=school)
    entries = build_timetable(school=school, year=year)
    print(f"demo school and timetable built in {time.perf_counter() - started:.1f} s")
    print(
        f"classes: {school.classes.filter(year=year).count()}, timetable entries: "
        f"{len(entries)} (≈{len(entries) / max(school.classes.filter(year=year).count(), 1):.0f}"
        " lessons a week per class)"
    )

    before_year = year.start - __import__("datetime").timedelta(days=1)
    t0 = time.perf_counter()
    result = services.lessons_materialise(
        school=school, start=year.start, end=year.end, today=before_year
    )
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = services.lessons_materialise(
        school=school, start=year.start, end=year.end, today=before_year
    )
    second = time.perf_counter() - t0
    print(f"year {year}: {year.start} – {year.end}")
    print(f"materialise full year: {result.created} lessons in {first:.2f} s (target < 10 s)")
    print(
        f"idempotent re-run: created {again.created}, updated {again.updated}, "
        f"deleted {again.deleted} in {second:.2f} s"
    )
    if result.problems:
        print("problems:", *result.problems, sep="\n  ")
    sys.exit(0 if first < 10 else 1)


if __name__ == "__main__":
    main()
