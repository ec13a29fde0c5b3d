"""Background tasks (django-tasks). Each only translates arguments into one service call."""

from __future__ import annotations

from django_tasks import task

from ejournal.archive import backups, services
from ejournal.archive import school_export as school_export_service


@task()
def print_school(job_id: int) -> str:
    return services.print_job_run(job_id=job_id).status


@task()
def backup_scheduled() -> int:
    return backups.backup_create(actor=None, scheduled=True).pk


@task()
def school_export(export_id: int) -> str:
    return school_export_service.school_export_run(export_id=export_id).status
