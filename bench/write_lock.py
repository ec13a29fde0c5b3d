"""The longest hold of the database's write lock by each long job (issue #21).

    .tools/bin/uv run python bench/write_lock.py [--classes-per-grade 1] [--students-per-class 25]

Seeds the demo school into a throw-away SQLite data directory (migrate + seed_demo, on
the school clock of Monday 16.11.2026), then runs each long job the way its background
task or page does, with the production password hasher (Argon2), and prints for each: the
time it took, the number of its write transactions and lone write statements, and the
longest time one of them held SQLite's write lock (from BEGIN IMMEDIATE, or the statement,
to COMMIT). While a job holds the lock every other save waits; after the busy timeout
(20 s) it fails with «database is locked». The data directory is removed at the end.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCHOOL_CLOCK = "2026-11-16 10:00 +0300"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--classes-per-grade", type=int, default=1)
    parser.add_argument("--students-per-class", type=int, default=25)
    parser.add_argument("--import-rows", type=int, default=200)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="ejournal-bench-lock-"))
    try:
        import time_machine

        with time_machine.travel(SCHOOL_CLOCK, tick=True):
            run(data_dir, args)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _setup(data_dir: Path) -> None:
    os.environ.pop("DATABASE_URL", None)
    os.environ["EJOURNAL_DATA_DIR"] = str(data_dir)
    (data_dir / "static").mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["AXES_ENABLED"] = "0"
    import django

    django.setup()


def _import_file(class_name: str, rows: int) -> bytes:
    from ejournal.people.contingent_import import COLUMNS

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(COLUMNS)
    for i in range(rows):
        writer.writerow(
            [class_name, f"Новиков{i}", "Пётр", "Иванович", "01.03.2015", "м"]
            + [f"Новикова{i}", "Анна", "Петровна", "мать", "+79000000000", ""]
            + ["", "", ""]
        )
    return buffer.getvalue().encode("utf-8")


def run(data_dir: Path, args) -> None:
    _setup(data_dir)
    from django.core.management import call_command
    from django.db import connection

    from ejournal.accounts.models import Role, RoleAssignment, StaffMember, Student
    from ejournal.archive import backups
    from ejournal.archive import services as archive
    from ejournal.attestation.models import PeriodClosure
    from ejournal.demo.builder import DemoOptions, seed_demo
    from ejournal.diary import printout
    from ejournal.people import contingent_import, credentials
    from ejournal.reports import services as reports
    from ejournal.reports.forms import default_data
    from ejournal.reports.permissions import make_scope, roles_of
    from ejournal.reports.registry import get_report
    from ejournal.testing.write_lock import WriteLockTimer

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    build = seed_demo(
        options=DemoOptions(
            classes_per_grade=args.classes_per_grade,
            students_per_class=args.students_per_class,
            backup=False,
        ),
        today=dt.date(2026, 11, 16),
    )
    school, year = build.school, build.year
    print(f"demo school built in {time.perf_counter() - started:.0f} s")
    one = build.class_named("5А") or build.classes[0]
    deputy = RoleAssignment.objects.filter(school=school, role=Role.DEPUTY).first().user
    admin = RoleAssignment.objects.filter(school=school, role=Role.ADMIN).first().user
    operator = RoleAssignment.objects.filter(school=school, role=Role.OPERATOR).first().user
    roster = list(Student.objects.filter(enrollments__school_class=one).distinct())
    closure = (
        PeriodClosure.objects.filter(
            is_closed=True,
            period__band__year=year,
            period__band__grade_from__lte=one.grade,
            period__band__grade_to__gte=one.grade,
        )
        .select_related("period")
        .first()
    )

    def letters():
        job = credentials.letters_job_start(actor=admin, school_class=one, students=roster)
        credentials.letters_job_run(job_id=job.pk)
        job.refresh_from_db()
        return f"{job.letters} letters"

    def printed_copy():
        pdf = archive.copy_print(actor=deputy, school_class=one, period=None, purpose="проверка")
        return f"{len(pdf) // 1024} KB"

    def school_printout():
        job = archive.print_job_start(actor=deputy, school=school, year=year, period=None)
        job = archive.print_job_run(job_id=job.pk)
        return f"{job.total} classes, {job.status}"

    def archive_record():
        if closure is None:
            return "no closed period"
        records = archive.archive_create(actor=deputy, school_class=one, period=closure.period)
        return f"{len(records)} records"

    def weekly_printout():
        pdf = printout.weekly_pdf(
            actor=deputy, school_class=one, students=roster, day=dt.date(2026, 11, 16)
        )
        return f"{len(roster)} sheets, {len(pdf) // 1024} KB"

    def report():
        chosen = get_report("class-results")
        roles, _ = roles_of(user=deputy, school=school, municipality=None)
        scope = make_scope(
            user=deputy,
            roles=roles,
            school=school,
            municipality=None,
            staff=StaffMember.objects.filter(school=school, user=deputy).first(),
            report=chosen,
        )
        first = scope.classes.order_by("grade", "letter").first()
        data = {**default_data(report=chosen, scope=scope), "school_class": str(first.pk)}
        run = reports.run_start(report=chosen, scope=scope, data=data, actor=deputy)
        return reports.run_execute(run_id=run.pk)

    def contingent():
        result = contingent_import.apply(
            school=school,
            year=year,
            name="bench.csv",
            content=_import_file(str(one), args.import_rows),
            enroll_from=dt.date(2026, 11, 16),
            actor=operator,
            order_number="77-к",
            order_date=dt.date(2026, 11, 16),
        )
        return f"{result.created_students} students" + (
            f", errors: {result.errors[:1]}" if result.errors else ""
        )

    state = {}

    def backup():
        state["backup"] = backups.backup_create(actor=admin, school=school, note="bench")
        return f"{state['backup'].size // 1024} KB"

    def backup_check():
        report = backups.backup_check(backup=state["backup"], actor=admin)
        return "ok" if report.ok else "; ".join(report.problems)

    jobs = [
        ("class letters (5А)", letters),
        ("printed copy (5А, year)", printed_copy),
        ("school printout (year)", school_printout),
        ("archive record (5А, closed period)", archive_record),
        ("weekly diary printout (5А)", weekly_printout),
        ("report run (class results)", report),
        (f"contingent import ({args.import_rows} rows)", contingent),
        ("backup", backup),
        ("backup restore check", backup_check),
    ]
    print(f"{'job':<38} {'total, s':>9} {'writes':>7} {'longest hold, s':>16}  result")
    for name, job in jobs:
        timer = WriteLockTimer()
        t0 = time.perf_counter()
        with timer.watch(connection):
            result = job()
        total = time.perf_counter() - t0
        print(f"{name:<38} {total:>9.2f} {len(timer.holds):>7} {timer.longest:>16.3f}  {result}")


if __name__ == "__main__":
    main()
