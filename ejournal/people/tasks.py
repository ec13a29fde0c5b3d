"""Background tasks (django-tasks). Each only translates arguments into one service call."""

from __future__ import annotations

from django_tasks import task

from ejournal.people import credentials


@task()
def issue_class_letters(job_id: int) -> str:
    return credentials.letters_job_run(job_id=job_id)
