"""Background tasks (django-tasks). Each only translates arguments into one service call."""

from __future__ import annotations

from django_tasks import task

from ejournal.reports import services


@task()
def form_report(run_id: int) -> str:
    return services.run_execute(run_id=run_id)
