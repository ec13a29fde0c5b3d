"""The diary's only writes: a visit log row per page view and the calendar feed token."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ejournal.audit import services as audit
from ejournal.core import rawsql
from ejournal.diary.models import CalendarFeed, new_token

VISIT_SQL = """
INSERT INTO diary_diaryvisit (user_id, student_id, school_id, page, visited_at)
VALUES (%s, %s, %s, %s, %s)
"""


def visit_record(*, user, student, page: str) -> None:
    """One insert written by hand, no transaction of its own: it must cost a page view
    next to nothing."""
    now = rawsql.datetime_param(timezone.now())
    rawsql.execute(VISIT_SQL, [user.pk, student.pk, student.school_id, page, now])


@transaction.atomic
def calendar_feed_renew(*, user) -> CalendarFeed:
    """Create the private feed address, or replace it (the old address stops working)."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is None:
        feed = CalendarFeed.objects.create(user=user)
        action = "calendar_feed.created"
    else:
        feed.token = new_token()
        feed.save(update_fields=["token"])
        action = "calendar_feed.renewed"
    audit.record(action=action, actor=user, object_type="diary.calendarfeed", object_id=feed.pk)
    return feed


@transaction.atomic
def calendar_feed_revoke(*, user, actor=None, reason: str = "") -> bool:
    """The feed address stops working for good: a new one is a new token."""
    deleted, _ = CalendarFeed.objects.filter(user=user).delete()
    if deleted:
        audit.record(
            action="calendar_feed.revoked",
            actor=actor or user,
            object_type="diary.calendarfeed",
            after={"user": user.pk},
            reason=reason,
        )
    return bool(deleted)


def revoke_for_account(user, *, actor, reason: str) -> None:
    """For ``registry.ACCESS_REVOKERS``: the hour-by-hour timetable of a child
    must not stay readable by whoever held a compromised or replaced password."""
    calendar_feed_revoke(user=user, actor=actor, reason=reason)
