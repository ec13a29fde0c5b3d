"""Time to print the journal copy of one class's quarter (all subjects) and of the whole
demo school.

    .venv/bin/python bench/print_journal.py [--repeat 3]

Seeds the demo school into a throw-away SQLite data directory (migrate + seed_demo), then
measures, for the first quarter:

- one class (5А): building the copy's data (queries counted) and compiling its PDF;
- the whole school: every class's data and one combined PDF, as the background print does.

Prints the best of ``--repeat`` runs of each and the PDFs' page counts. The data directory
is removed at the end.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="ejournal-bench-print-"))
    try:
        run(data_dir, args.repeat)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _best(repeat: int, fn):
    best, result = None, None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def _pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def run(data_dir: Path, repeat: int) -> None:
    os.environ.pop("DATABASE_URL", None)
    os.environ["EJOURNAL_DATA_DIR"] = str(data_dir)
    (data_dir / "static").mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["AXES_ENABLED"] = "0"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    print(f"Демо-школа подготовлена за {time.perf_counter() - started:.1f} с")

    from ejournal.archive import printing
    from ejournal.demo.builder import demo_school
    from ejournal.school.models import SchoolClass, StudyPeriod

    school = demo_school()
    classes = list(
        SchoolClass.objects.filter(school=school)
        .select_related("school", "year", "homeroom_teacher")
        .order_by("grade", "letter")
    )
    one = next(c for c in classes if str(c) == "5А")
    quarter = StudyPeriod.objects.get(
        band__year=one.year, band__grade_from__lte=5, band__grade_to__gte=5, number=1
    )

    def one_class():
        scope = printing.scope_for(school_class=one, period=quarter)
        with CaptureQueriesContext(connection) as queries:
            data = printing.journal_copy_data(scope=scope)
        return data, len(queries.captured_queries), printing.render_copy(data)

    def one_class_data():
        return printing.journal_copy_data(
            scope=printing.scope_for(school_class=one, period=quarter)
        )

    data_time, _ = _best(repeat, one_class_data)
    total_time, (data, queries, pdf) = _best(repeat, one_class)
    lessons = sum(len(s["lessons"]) for s in data["sections"])
    print(
        f"Один класс ({one}, {quarter.name}): {total_time:.2f} с всего "
        f"(данные {data_time:.2f} с, {queries} запросов; PDF {total_time - data_time:.2f} с), "
        f"{len(data['sections'])} предметов, {lessons} уроков, {len(data['students'])} учеников, "
        f"{_pages(pdf)} листов, {len(pdf) // 1024} КБ"
    )

    def school_copy():
        copies = []
        for school_class in classes:
            period = StudyPeriod.objects.filter(
                band__year=school_class.year,
                band__grade_from__lte=school_class.grade,
                band__grade_to__gte=school_class.grade,
                number=1,
            ).first()
            scope = printing.scope_for(school_class=school_class, period=period)
            copies.append(printing.journal_copy_data(scope=scope))
        return printing.render_school(copies)

    school_time, school_pdf = _best(max(1, repeat // 2), school_copy)
    print(
        f"Вся школа ({len(classes)} классов, первый период): {school_time:.1f} с, "
        f"{_pages(school_pdf)} листов, {len(school_pdf) // 1024} КБ"
    )


if __name__ == "__main__":
    main()
