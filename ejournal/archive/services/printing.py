"""Printed copies of the journal (logged) and background print jobs."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from ejournal.archive import printing
from ejournal.archive.backups import without_paths
from ejournal.archive.models import (
    PrintJob,
    PrintJobStatus,
    UsageKind,
)
from ejournal.archive.services._common import PRINTERS, _ensure, _log_use, _name_of, logger
from ejournal.audit import services as audit
from ejournal.school.models import SchoolClass, StudyPeriod


def copy_print(
    *, actor, school_class: SchoolClass, period: StudyPeriod | None, purpose: str
) -> bytes:
    """A paper copy of a class journal; who printed it and why goes to the usage log."""
    purpose = (purpose or "").strip()
    if not purpose:
        raise ValidationError("Укажите цель печати: она записывается в журнал пользования копиями.")
    school = school_class.school
    _ensure(actor, school, PRINTERS, "печать бумажной копии журнала")
    scope = printing.scope_for(school_class=school_class, period=period)
    data = printing.journal_copy_data(scope=scope)
    pdf = printing.render_copy(data)
    item = f"Классный журнал {school_class}, {scope.label}"
    with transaction.atomic():
        _log_use(
            actor=actor,
            school=school,
            kind=UsageKind.PAPER,
            item=item,
            taken_by=_name_of(actor),
            purpose=purpose,
        )
        audit.record(
            action="archive.copy_printed",
            actor=actor,
            school=school,
            obj=school_class,
            after={"copy": item, "purpose": purpose},
        )
    return pdf


def print_job_start(*, actor, school, year, period: StudyPeriod | None) -> PrintJob:
    _ensure(actor, school, PRINTERS, "печать журналов школы")
    classes = len(_classes_to_print(school, year, period))
    with transaction.atomic():
        job = PrintJob.objects.create(
            school=school, year=year, period=period, created_by=actor, total=classes
        )
        audit.record(
            action="archive.school_print_started",
            actor=actor,
            school=school,
            obj=job,
            after={"period": period.name if period else str(year), "classes": classes},
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from ejournal.archive import tasks

    tasks.print_school.enqueue(job_id)


def print_job_run(*, job_id: int) -> PrintJob:
    """Print every class of the job's school one by one, saving progress after each."""
    job = PrintJob.objects.select_related("school", "year", "period").get(pk=job_id)
    job.status = PrintJobStatus.RUNNING
    job.save(update_fields=["status"])
    try:
        classes = _classes_to_print(job.school, job.year, job.period)
        job.total = len(classes)
        copies = []
        for school_class in classes:
            scope = printing.scope_for(school_class=school_class, period=job.period)
            copies.append(printing.journal_copy_data(scope=scope))
            job.done += 1
            job.save(update_fields=["done", "total"])
        pdf = printing.render_school(copies)
        job.file.save(f"school-{job.pk}.pdf", ContentFile(pdf), save=False)
        job.status = PrintJobStatus.DONE
    except Exception as exc:  # the page shows the failure instead of a stuck job
        logger.exception("school print job %s failed", job.pk)
        job.status = PrintJobStatus.FAILED
        job.error = without_paths(str(exc))[:2000]
    job.finished_at = timezone.now()
    job.save()
    return job


def _classes_to_print(school, year, period: StudyPeriod | None) -> list[SchoolClass]:
    """The year's classes; for a period, those of the grades its band covers."""
    classes = (
        SchoolClass.objects.filter(school=school, year=year)
        .select_related("school", "year", "homeroom_teacher")
        .order_by("grade", "letter")
    )
    if period is not None:
        classes = classes.filter(grade__gte=period.band.grade_from, grade__lte=period.band.grade_to)
    return list(classes)
