"""Subscriptions to journal events. ``journal.events.publish`` already calls these after
commit; they only put a task on the queue, so the teacher's save never waits for (or
fails because of) a notification."""

from __future__ import annotations

import logging

from ejournal.journal import events

logger = logging.getLogger(__name__)


def _enqueue(task_name: str):
    def handler(**payload) -> None:
        from ejournal.notifications import tasks

        try:
            getattr(tasks, task_name).enqueue(**payload)
        except Exception:
            logger.exception("Не удалось поставить уведомление в очередь (%s)", task_name)

    def many(payloads: list[dict]) -> None:
        from ejournal.notifications import tasks

        try:
            tasks.run_many.enqueue(task_name=task_name, payloads=payloads)
        except Exception:
            logger.exception("Не удалось поставить уведомления в очередь (%s)", task_name)

    handler.__name__ = f"notify_{task_name}"
    handler.many = many  # type: ignore[attr-defined]
    return handler


HANDLERS = {
    events.MARK_CHANGED: _enqueue("on_mark_changed"),
    events.ATTENDANCE_CHANGED: _enqueue("on_attendance_changed"),
    events.HOMEWORK_CHANGED: _enqueue("on_homework_changed"),
    "attestation.period_mark_changed": _enqueue("on_period_mark_changed"),
    events.CORRECTION_DECIDED: _enqueue("on_correction_decided"),
}


def register() -> None:
    for event, handler in HANDLERS.items():
        events.subscribe(event, handler)
