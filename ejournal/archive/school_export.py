"""«Выгрузка данных школы»: one school's own data as a ZIP of CSV files (issue #22).

The deployment's backups hold every school and belong to its administrator; a school
takes its own data through this export instead. It is built by a background task, kind
by kind, outside any write transaction (only the progress is written, one short update
per kind); at most ``EXPORTS_PER_HOUR`` are started per school in an hour; only the
school's administrator and director start, follow and download it, and each start and
download is in the audit trail.

Every query below is filtered by the school *and* by the school of the pupil it names,
so a row that wrongly points across schools still stays out of the file. A pupil known by
a code (001 §6.3) is exported by the code, without the birth date.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import secrets
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from ejournal.accounts.models import Role, Student
from ejournal.archive.backups import without_paths
from ejournal.archive.models import SchoolExport, SchoolExportStatus
from ejournal.attestation.models import PeriodMark
from ejournal.attestation.permissions import user_holds
from ejournal.audit import services as audit
from ejournal.core.spreadsheet import csv_text
from ejournal.journal.models import Attendance, Homework, Mark
from ejournal.schedule.models import Lesson
from ejournal.school.models import ClassEnrollment, SchoolClass

logger = logging.getLogger(__name__)

EXPORTERS = frozenset({Role.ADMIN, Role.DIRECTOR})
EXPORTS_PER_HOUR = 3
CHUNK = 2000

Rows = Iterator[Iterable[object]]


def _date(value: dt.date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def _classes(school) -> Rows:
    rows = (
        SchoolClass.objects.filter(school=school)
        .select_related("year", "homeroom_teacher")
        .order_by("year__start", "grade", "letter")
    )
    for c in rows.iterator(chunk_size=CHUNK):
        teacher = c.homeroom_teacher.short_name if c.homeroom_teacher else ""
        yield c.pk, str(c.year), c.grade, c.letter, str(c), teacher, c.room, c.shift


def _pupils(school) -> Rows:
    for s in Student.objects.filter(school=school).order_by("pk").iterator(chunk_size=CHUNK):
        coded = bool(s.pseudonym)
        birth = "" if coded else _date(s.birth_date)
        yield s.pk, s.full_name, birth, s.get_sex_display(), "да" if coded else "нет"


def _enrollments(school) -> Rows:
    rows = (
        ClassEnrollment.objects.filter(school_class__school=school, student__school=school)
        .select_related("school_class", "student")
        .order_by("school_class_id", "date_from", "pk")
    )
    for e in rows.iterator(chunk_size=CHUNK):
        yield (
            e.student_id,
            e.student.full_name,
            e.school_class_id,
            str(e.school_class),
            _date(e.date_from),
            _date(e.date_to),
        )


def _lessons(school) -> Rows:
    rows = (
        Lesson.objects.filter(school=school)
        .select_related("group", "subject", "planned_teacher", "actual_teacher", "record")
        .order_by("date", "number", "pk")
    )
    for lesson in rows.iterator(chunk_size=CHUNK):
        teacher = lesson.actual_teacher or lesson.planned_teacher
        record = getattr(lesson, "record", None)
        yield (
            lesson.pk,
            _date(lesson.date),
            lesson.number,
            lesson.group.name,
            lesson.subject.name,
            teacher.short_name,
            lesson.get_status_display(),
            record.topic if record else "",
        )


def _marks(school) -> Rows:
    rows = (
        Mark.objects.filter(work__lesson__school=school, student__school=school)
        .select_related("work__lesson__subject", "work__work_type", "student")
        .order_by("work__lesson__date", "work_id", "pk")
    )
    for m in rows.iterator(chunk_size=CHUNK):
        lesson = m.work.lesson
        yield (
            lesson.pk,
            _date(lesson.date),
            lesson.subject.name,
            m.work.work_type.name,
            m.work.title,
            m.student_id,
            m.student.full_name,
            m.value,
            m.comment,
        )


def _attendance(school) -> Rows:
    rows = (
        Attendance.objects.filter(lesson__school=school, student__school=school)
        .select_related("lesson__subject", "student")
        .order_by("lesson__date", "lesson__number", "pk")
    )
    for a in rows.iterator(chunk_size=CHUNK):
        yield (
            a.lesson_id,
            _date(a.lesson.date),
            a.lesson.number,
            a.lesson.subject.name,
            a.student_id,
            a.student.full_name,
            a.get_code_display(),
            a.late_minutes or "",
            a.note,
        )


def _period_marks(school) -> Rows:
    rows = (
        PeriodMark.objects.filter(school=school, student__school=school)
        .select_related("year", "subject", "period", "student")
        .order_by("year__start", "student_id", "subject__name", "pk")
    )
    for p in rows.iterator(chunk_size=CHUNK):
        yield (
            str(p.year),
            p.student_id,
            p.student.full_name,
            p.subject.name,
            p.get_kind_display(),
            p.period.name if p.period else "",
            p.value,
            p.comment,
        )


def _homework(school) -> Rows:
    rows = (
        Homework.objects.filter(lesson__school=school)
        .select_related("lesson__group", "lesson__subject")
        .order_by("lesson__date", "pk")
    )
    for h in rows.iterator(chunk_size=CHUNK):
        yield (
            h.lesson_id,
            _date(h.lesson.date),
            h.lesson.group.name,
            h.lesson.subject.name,
            h.text,
            _date(h.due_date),
            "да" if h.is_individual else "нет",
        )


# (file name, header, rows): one CSV file per kind of data, in this order.
KINDS: tuple[tuple[str, tuple[str, ...], Callable[[object], Rows]], ...] = (
    (
        "classes.csv",
        (
            "id",
            "учебный год",
            "параллель",
            "литера",
            "класс",
            "классный руководитель",
            "кабинет",
            "смена",
        ),
        _classes,
    ),
    ("pupils.csv", ("id", "ФИО", "дата рождения", "пол", "кодовое имя"), _pupils),
    (
        "class_enrollments.csv",
        ("id ученика", "ФИО", "id класса", "класс", "с", "по"),
        _enrollments,
    ),
    (
        "lessons.csv",
        ("id", "дата", "урок", "группа", "предмет", "учитель", "состояние", "тема"),
        _lessons,
    ),
    (
        "marks.csv",
        (
            "id урока",
            "дата",
            "предмет",
            "вид работы",
            "работа",
            "id ученика",
            "ФИО",
            "отметка",
            "комментарий",
        ),
        _marks,
    ),
    (
        "attendance.csv",
        (
            "id урока",
            "дата",
            "урок",
            "предмет",
            "id ученика",
            "ФИО",
            "отметка",
            "опоздание, минут",
            "примечание",
        ),
        _attendance,
    ),
    (
        "period_marks.csv",
        ("учебный год", "id ученика", "ФИО", "предмет", "вид", "период", "отметка", "комментарий"),
        _period_marks,
    ),
    (
        "homework.csv",
        ("id урока", "дата", "группа", "предмет", "задание", "к дате", "индивидуальное"),
        _homework,
    ),
)


def _csv_bytes(header: Iterable[str], rows: Rows) -> tuple[bytes, int]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([csv_text(value) for value in row])
        count += 1
    # With a byte order mark, spreadsheet programs open the Cyrillic text as UTF-8.
    return buffer.getvalue().encode("utf-8-sig"), count


# --- Services --------------------------------------------------------------------------------


def next_allowed_at(*, school, now: dt.datetime) -> dt.datetime | None:
    """When the school may start its next export, or None when it may now."""
    recent = list(
        SchoolExport.objects.filter(school=school, created_at__gt=now - dt.timedelta(hours=1))
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:EXPORTS_PER_HOUR]
    )
    if len(recent) < EXPORTS_PER_HOUR:
        return None
    return recent[-1] + dt.timedelta(hours=1)


def school_export_start(*, actor, school) -> SchoolExport:
    if not user_holds(actor, school, EXPORTERS):
        raise ValidationError("Выгрузку данных школы делают администратор и директор школы.")
    now = timezone.now()
    with transaction.atomic():
        wait_until = next_allowed_at(school=school, now=now)
        if wait_until is not None:
            when = timezone.localtime(wait_until).strftime("%H:%M")
            raise ValidationError(
                f"Выгрузка данных школы делается не чаще {EXPORTS_PER_HOUR} раз в час. "
                f"Следующую можно начать в {when}."
            )
        export = SchoolExport.objects.create(
            school=school, created_by=actor, created_at=now, total=len(KINDS)
        )
        audit.record(action="archive.school_export_started", actor=actor, school=school, obj=export)
        transaction.on_commit(lambda: _enqueue(export.pk))
    return export


def _enqueue(export_id: int) -> None:
    from ejournal.archive import tasks

    tasks.school_export.enqueue(export_id)


def school_export_run(*, export_id: int) -> SchoolExport:
    """Write the ZIP kind by kind; only the progress is written to the database."""
    export = SchoolExport.objects.select_related("school").get(pk=export_id)
    if export.status == SchoolExportStatus.DONE:  # run again by a retried task
        return export
    _progress(export, status=SchoolExportStatus.RUNNING)
    try:
        with tempfile.TemporaryDirectory(prefix="ejournal-export-") as tmp:
            path = Path(tmp) / "export.zip"
            rows = 0
            with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for done, (name, header, kind_rows) in enumerate(KINDS, start=1):
                    content, count = _csv_bytes(header, kind_rows(export.school))
                    archive.writestr(name, content)
                    rows += count
                    _progress(export, done=done)
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            with path.open("rb") as handle:
                name = f"export-{export.pk}-{secrets.token_hex(8)}.zip"
                export.file.save(name, File(handle), save=False)
            export.size, export.sha256, export.rows = path.stat().st_size, digest, rows
            export.status = SchoolExportStatus.DONE
    except Exception as exc:  # the page shows the failure instead of a stuck job
        logger.exception("school export %s failed", export.pk)
        export.status = SchoolExportStatus.FAILED
        export.error = without_paths(str(exc))[:2000]
    export.finished_at = timezone.now()
    export.save()
    return export


def _progress(export: SchoolExport, **fields) -> None:
    for name, value in fields.items():
        setattr(export, name, value)
    SchoolExport.objects.filter(pk=export.pk).update(**fields)


def school_export_take(*, export: SchoolExport, actor) -> File:
    """The finished file for the school's administrator or director; the download is
    audited."""
    if not user_holds(actor, export.school, EXPORTERS):
        raise ValidationError("Выгрузку данных школы скачивают администратор и директор школы.")
    if export.status != SchoolExportStatus.DONE or not export.file:
        raise ValidationError("Выгрузка ещё не готова.")
    with transaction.atomic():
        audit.record(
            action="archive.school_export_downloaded",
            actor=actor,
            school=export.school_id,
            obj=export,
            after={"sha256": export.sha256, "size": export.size},
        )
    return export.file.open("rb")
