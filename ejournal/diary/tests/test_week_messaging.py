"""Events of the week in the diary: each student sees only events they take part in,
with their own result and never anyone else's."""

import datetime as dt
import zoneinfo

from ejournal.messaging.models import EventKind, EventParticipant, SchoolEvent

from .conftest import MONDAY
from .test_week import week_url


def test_event_results_show_only_in_the_participants_diary(dw, world, client_for, today):
    starts = dt.datetime.combine(
        MONDAY + dt.timedelta(days=2), dt.time(14), tzinfo=zoneinfo.ZoneInfo("Europe/Moscow")
    )
    event = SchoolEvent.objects.create(
        school=world.school,
        kind=EventKind.OLYMPIAD,
        title="Школьный тур олимпиады по математике",
        starts_at=starts,
        place="каб. 201",
    )
    EventParticipant.objects.create(
        event=event, student=world.child, place="1", diploma="победитель"
    )
    EventParticipant.objects.create(
        event=event, student=world.students[1], place="3", diploma="призёр"
    )
    mine = client_for("parent").get(week_url(world.child)).content.decode()
    assert "Школьный тур олимпиады по математике" in mine
    assert "победитель" in mine
    assert "призёр" not in mine  # a classmate's result is never shown
    other = client_for("other_parent").get(week_url(world.other_child)).content.decode()
    assert "Школьный тур олимпиады" not in other


def test_events_are_placed_in_the_week_by_the_schools_local_time(dw, world, client_for, today):
    """Sunday 23:30 in Moscow is still this week (20:30 UTC); Monday 00:30 is the next
    one (Sunday 21:30 UTC) — whichever database stores the times."""
    moscow = zoneinfo.ZoneInfo("Europe/Moscow")
    sunday = MONDAY + dt.timedelta(days=6)
    for title, day, time in [
        ("Концерт в воскресенье вечером", sunday, dt.time(23, 30)),
        ("Линейка в следующий понедельник", sunday + dt.timedelta(days=1), dt.time(0, 30)),
    ]:
        event = SchoolEvent.objects.create(
            school=world.school,
            kind=EventKind.OLYMPIAD,
            title=title,
            starts_at=dt.datetime.combine(day, time, tzinfo=moscow),
        )
        event.classes.add(world.school_class)
    html = client_for("parent").get(week_url(world.child)).content.decode()
    assert "<strong>Концерт в воскресенье вечером</strong> — 22.11.2026 23:30" in html
    assert "Линейка в следующий понедельник" not in html
