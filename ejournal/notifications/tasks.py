"""Background tasks (django-tasks). Each only translates arguments into one service call."""

from __future__ import annotations

from collections.abc import Callable

from django_tasks import task

from ejournal.notifications import journal_events, services


@task()
def deliver(delivery_id: int) -> str:
    delivery = services.delivery_attempt(delivery_id=delivery_id)
    return delivery.status if delivery else "missing"


@task()
def retry_due() -> int:
    return services.deliveries_retry_due()


@task()
def send_digests(mode: str) -> int:
    return len(services.digests_send(mode=mode))


@task()
def on_mark_changed(**payload) -> int:
    return journal_events.mark_changed(**payload)


@task()
def on_attendance_changed(**payload) -> int:
    return journal_events.attendance_changed(**payload)


@task()
def on_homework_changed(**payload) -> int:
    return journal_events.homework_changed(**payload)


@task()
def on_period_mark_changed(**payload) -> int:
    return journal_events.period_mark_changed(**payload)


@task()
def on_correction_decided(**payload) -> int:
    return journal_events.correction_decided(**payload)


@task()
def on_lesson_changed(**payload) -> int:
    return journal_events.lesson_changed(**payload)


# The journal's batched events (one save of many cells): the same handlers, one task.
MANY: dict[str, Callable[..., int]] = {
    "on_mark_changed": journal_events.mark_changed,
    "on_attendance_changed": journal_events.attendance_changed,
    "on_homework_changed": journal_events.homework_changed,
    "on_period_mark_changed": journal_events.period_mark_changed,
    "on_correction_decided": journal_events.correction_decided,
    "on_lesson_changed": journal_events.lesson_changed,
}


@task()
def run_many(task_name: str, payloads: list) -> int:
    handler = MANY[task_name]
    return sum(handler(**payload) for payload in payloads)
