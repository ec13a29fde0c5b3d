"""Time every report of the catalogue for a school of about 1,500 students.

    uv run python bench/reports.py [--classes-per-grade 5] [--students-per-class 27]

Creates a throw-away PostgreSQL database (on the server in BENCH_PG, default
postgres://postgres@127.0.0.1:5432), migrates it and builds the demo school with
``seed_demo`` (11 grades × 5 classes × 27 students = 1,485 students, a year of lessons up
to today, marks, absences, КТП, period marks). Then each report is formed the way its page
forms it — the filters it shows by default (current year, current period, today, the
whole school), as the deputy director (the municipal summary as an inspector) — twice:
the first (cold) and second (warm: connection, settings rows, the forecast's cache of
outcomes per marks profile) times and the number of queries are printed. The database is dropped
at the end.
"""

from __future__ import annotations

import argparse
import os
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
    parser.add_argument("--classes-per-grade", type=int, default=5)
    parser.add_argument("--students-per-class", type=int, default=27)
    args = parser.parse_args()
    name = f"ejournal_bench_reports_{os.getpid()}"
    pg_command("createdb", name)
    try:
        run(f"{PG_SERVER}/{name}", args)
    finally:
        from django.db import connections

        connections.close_all()
        pg_command("dropdb", "--force", name)


def run(database_url: str, args) -> None:
    os.environ["DATABASE_URL"] = database_url
    data_dir = Path(tempfile.mkdtemp(prefix="ejournal-bench-"))
    (data_dir / "static").mkdir()
    os.environ["EJOURNAL_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["AXES_ENABLED"] = "0"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ejournal.accounts.models import Role, RoleAssignment, StaffMember, Student
    from ejournal.demo.builder import DemoOptions, seed_demo
    from ejournal.reports import services
    from ejournal.reports.forms import default_data
    from ejournal.reports.permissions import make_scope, roles_of
    from ejournal.reports.registry import all_reports
    from ejournal.school import selectors as school_selectors
    from ejournal.school.models import School
    from ejournal.testing import factories as f

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    today = school_selectors.school_today(School(time_zone="Europe/Moscow"))
    build = seed_demo(
        options=DemoOptions(
            classes_per_grade=args.classes_per_grade,
            students_per_class=args.students_per_class,
        ),
        today=today,
    )
    school = build.school
    students = Student.objects.filter(school=school).count()
    print(
        f"demo school: {students} students, {len(build.classes)} classes, "
        f"built in {time.perf_counter() - started:.0f} s; today {today:%d.%m.%Y}"
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    deputy = RoleAssignment.objects.filter(school=school, role=Role.DEPUTY).first().user
    inspector = f.UserFactory(username="bench-inspector")
    f.grant(inspector, Role.INSPECTOR, municipality=school.municipality)

    print(f"{'№':>3}  {'report':<52} {'cold, s':>8} {'warm, s':>8} {'queries':>8}")
    for report in all_reports():
        if Role.INSPECTOR in report.roles and not report.roles & {Role.DEPUTY}:
            user, at, municipality = inspector, None, school.municipality
        else:
            user, at, municipality = deputy, school, None
        roles, _ = roles_of(user=user, school=at, municipality=municipality)
        scope = make_scope(
            user=user,
            roles=roles,
            school=at,
            municipality=municipality,
            staff=StaffMember.objects.filter(school=at, user=user).first() if at else None,
            report=report,
        )
        data = default_data(report=report, scope=scope)
        first_class = scope.classes.order_by("grade", "letter").first()
        if "school_class" in report.required and first_class is not None:
            # Reports of one class: the school's first class (1А, ~27 students).
            data["school_class"] = str(first_class.pk)
        times = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                try:
                    services.report_build(report=report, scope=scope, data=data)
                except services.ReportRefused as refused:
                    print(f"{report.number:>3}  {report.title[:52]:<52} refused: {refused}")
                    break
                times.append(time.perf_counter() - t0)
        if times:
            print(
                f"{report.number:>3}  {report.title[:52]:<52} {times[0]:>8.2f} "
                f"{times[-1]:>8.2f} {len(queries.captured_queries):>8}"
            )


if __name__ == "__main__":
    main()
