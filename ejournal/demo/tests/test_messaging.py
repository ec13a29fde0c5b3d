import datetime as dt

import pytest

from ejournal.demo.builder import DemoOptions, seed_demo
from ejournal.messaging.models import Announcement, Conversation, EventParticipant, SchoolEvent

# Slow (builds the demo school): `make test` runs it, `make test-fast` does not.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_demo_has_conversations_announcements_and_events_with_results():
    build = seed_demo(
        options=DemoOptions(classes_per_grade=1, students_per_class=6),
        today=dt.date(2026, 11, 23),
    )
    teacher = build.demo_profiles["teacher"].user
    parent = build.demo_profiles["parent"].user
    talks = Conversation.objects.filter(participants__user=teacher).filter(
        participants__user=parent
    )
    assert talks.count() == 2
    assert Announcement.objects.filter(school=build.school).count() == 3
    assert SchoolEvent.objects.filter(school=build.school).count() == 2
    assert EventParticipant.objects.exclude(place="").count() == 3
