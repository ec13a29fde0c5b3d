"""Who may do what in the archive. Missing and forbidden both answer 404.

- Reading (the archive, its verification, printed copies, the backup register and the
  usage log): the school's administrator, director and deputy (001 §4.3–4.7).
- Archiving a closed period: the deputy.
- Taking and checking backups of the whole deployment: its administrator only (a Django
  superuser, ``backups.is_deployment_admin``), on a page of its own; no school role.
- The backup register (without server paths) and the usage log: the readers, the HR
  specialist and the operator (001 §3.3).
- «Выгрузка данных школы», the school's own data: its administrator and director.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError

from ejournal.accounts.permissions import deny
from ejournal.archive.backups import is_deployment_admin
from ejournal.archive.models import ArchiveRecord, Backup, PrintJob, SchoolExport
from ejournal.archive.school_export import EXPORTERS
from ejournal.archive.services import ARCHIVISTS, PRINTERS, REGISTER_KEEPERS
from ejournal.school.models import SchoolClass, StudyPeriod

READERS = PRINTERS
REGISTER_READERS = REGISTER_KEEPERS


def class_in_school(ctx, class_id) -> SchoolClass:
    school_class = (
        SchoolClass.objects.filter(school=ctx.school, pk=class_id)
        .select_related("school", "year", "homeroom_teacher")
        .first()
        if ctx.school is not None and str(class_id).isdigit()
        else None
    )
    if school_class is None:
        raise deny()
    return school_class


def period_of_class(school_class: SchoolClass, slug: str) -> StudyPeriod | None:
    """``p<id>`` for a period of the class's year and grade, ``year`` for the year."""
    if slug == "year":
        return None
    if slug.startswith("p") and slug[1:].isdigit():
        period = (
            StudyPeriod.objects.filter(pk=int(slug[1:]), band__year=school_class.year)
            .select_related("band")
            .first()
        )
        if period is not None:
            if not period.band.covers(school_class.grade):
                raise ValidationError(
                    f"Период «{period.name}» не относится к параллели {school_class.grade} класса."
                )
            return period
    raise deny()


def record_in_school(ctx, record_id: int) -> ArchiveRecord:
    record = (
        ArchiveRecord.objects.filter(school=ctx.school, pk=record_id)
        .select_related(
            "school", "school_class__year", "school_class__school", "period", "created_by"
        )
        .first()
    )
    if record is None:
        raise deny()
    return record


def backups_visible(ctx):
    from django.db.models import Q

    if ctx.school is None:
        return Backup.objects.none()
    return Backup.objects.filter(Q(school=ctx.school) | Q(school__isnull=True))


def backup_in_school(ctx, backup_id: int) -> Backup:
    backup = backups_visible(ctx).filter(pk=backup_id).first()
    if backup is None:
        raise deny()
    return backup


def job_in_school(ctx, job_id: int) -> PrintJob:
    job = PrintJob.objects.filter(school=ctx.school, pk=job_id).first()
    if job is None:
        raise deny()
    return job


def export_in_school(ctx, export_id: int) -> SchoolExport:
    export = (
        SchoolExport.objects.filter(school=ctx.school, pk=export_id)
        .select_related("school")
        .first()
        if ctx.school is not None
        else None
    )
    if export is None:
        raise deny()
    return export


def deployment_admin_required(view):
    """View decorator: the deployment's administrator; anyone else signed in gets 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if not is_deployment_admin(request.user):
            raise deny()
        return view(request, *args, **kwargs)

    return wrapper


__all__ = ["ARCHIVISTS", "EXPORTERS", "READERS", "REGISTER_READERS"]
