"""Background tasks (django-tasks): each only translates arguments into one service call."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from ejournal.security import tamper


@task()
def check_mark_change(*, school_id: int, work_id: int, student_id: int) -> list[str]:
    return tamper.mark_change_check(school_id=school_id, work_id=work_id, student_id=student_id)


@task()
def check_mark_changes(*, changes: list) -> list[str]:
    """The marks of one batch of journal cells (one task instead of one per mark)."""
    kinds: list[str] = []
    for change in changes:
        kinds += tamper.mark_change_check(**change)
    return kinds


@task()
def check_messages_sent(*, school_id: int, sender_id: int, sent_at: str) -> bool:
    return tamper.messages_sent_check(
        school_id=school_id, sender_id=sender_id, sent_at=dt.datetime.fromisoformat(sent_at)
    )
