"""Putting back journal entries an account changed after its compromise (§3.15–3.16).

``people.compromise`` finds the account's changes in the audit trail and asks each app,
through ``core.registry.ENTRY_REVERTERS``, to put back the ones it owns. The journal puts
its cells back through its own appliers, so a revert is audited and notifies like any
change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ejournal.accounts.models import Student, User
from ejournal.audit import services as audit
from ejournal.journal import services as journal
from ejournal.journal.models import Homework, Work
from ejournal.people.compromise import JOURNAL_TYPES
from ejournal.schedule.models import Lesson


def revert_entry(
    *, object_type: str, object_id: str, old: dict[str, Any] | None, actor: User, reason: str
) -> bool:
    """Put one journal object back to ``old`` (None: it did not exist). False when the
    object type is not the journal's."""
    if object_type not in JOURNAL_TYPES:
        return False
    before = old or {}
    if object_type == "journal.mark":
        work_id, student_id = object_id.split(":")
        journal._apply_mark(
            actor=actor,
            work=Work.objects.select_related("lesson").get(pk=work_id),
            student=Student.objects.get(pk=student_id),
            value=before.get("value"),
            comment=before.get("comment", ""),
            expected_version=journal.ANY_VERSION,
            reason=reason,
        )
    elif object_type == "journal.attendance":
        lesson_id, student_id = object_id.split(":")
        journal._apply_attendance(
            actor=actor,
            lesson=Lesson.objects.get(pk=lesson_id),
            student=Student.objects.get(pk=student_id),
            code=before.get("code"),
            late_minutes=before.get("late_minutes"),
            expected_version=journal.ANY_VERSION,
            reason=reason,
        )
    elif object_type == "schedule.lesson":
        journal._apply_record(
            actor=actor,
            lesson=Lesson.objects.get(pk=object_id),
            topic=before.get("topic", ""),
            comment=before.get("comment", ""),
            expected_version=journal.ANY_VERSION,
            reason=reason,
        )
    else:
        _revert_homework(object_id=object_id, old=old, actor=actor, reason=reason)
    return True


def _revert_homework(
    *, object_id: str, old: dict[str, Any] | None, actor: User, reason: str
) -> None:
    homework = Homework.objects.select_related("lesson").filter(pk=object_id).first()
    if homework is None:
        return
    if old is None:
        audit.record(
            action="homework.deleted",
            actor=actor,
            school=homework.lesson.school_id,
            obj=homework,
            before={"text": homework.text, "lesson": homework.lesson_id},
            reason=reason,
        )
        homework.delete()
        return
    journal._apply_homework(
        actor=actor,
        lesson=homework.lesson,
        homework=homework,
        text=old["text"],
        due_date=dt.date.fromisoformat(old["due_date"]) if old.get("due_date") else None,
        student_ids=old.get("students", []),
        expected_version=journal.ANY_VERSION,
        reason=reason,
    )
