"""Small builders shared by the schedule tests."""

import datetime as dt

from ejournal.schedule import services
from ejournal.schedule.models import BellSchedule, BellScheduleKind

REGULAR = [
    (1, dt.time(8, 30), dt.time(9, 15)),
    (2, dt.time(9, 25), dt.time(10, 10)),
    (3, dt.time(10, 30), dt.time(11, 15)),
    (4, dt.time(11, 35), dt.time(12, 20)),
    (5, dt.time(12, 30), dt.time(13, 15)),
    (6, dt.time(13, 25), dt.time(14, 10)),
    (7, dt.time(14, 20), dt.time(15, 5)),
]
SHORTENED = [
    (1, dt.time(8, 30), dt.time(9, 0)),
    (2, dt.time(9, 10), dt.time(9, 40)),
    (3, dt.time(9, 50), dt.time(10, 20)),
    (4, dt.time(10, 30), dt.time(11, 0)),
    (5, dt.time(11, 10), dt.time(11, 40)),
    (6, dt.time(11, 50), dt.time(12, 20)),
    (7, dt.time(12, 30), dt.time(13, 0)),
]


def bells(school, actor=None) -> BellSchedule:
    return services.bell_schedule_save(
        school=school,
        actor=actor,
        name="Основное",
        shift=1,
        kind=BellScheduleKind.REGULAR,
        is_default=True,
        slots=REGULAR,
    )


def shortened(school, actor=None) -> BellSchedule:
    return services.bell_schedule_save(
        school=school,
        actor=actor,
        name="Сокращённый день",
        shift=1,
        kind=BellScheduleKind.SHORTENED,
        is_default=False,
        slots=SHORTENED,
    )


def entry(world, weekday=1, number=1, group=None, subject=None, teacher=None, room="", **kw):
    created, _ = services.timetable_entry_create(
        school=world.school,
        actor=None,
        weekday=weekday,
        number=number,
        group=group or world.group,
        subject=subject or world.subject,
        teacher=teacher or world.staff["teacher"],
        room=room,
        valid_from=kw.pop("valid_from", world.year.start),
        **kw,
    )
    return created
