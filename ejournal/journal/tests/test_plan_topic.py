"""The lesson page pre-fills the topic from the next uncovered КТП item."""

import datetime as dt

import time_machine
from django.urls import reverse

from ejournal.journal.models import LessonRecord
from ejournal.planning import services as planning


def test_lesson_page_suggests_the_next_plan_topic(jw, world, client_for):
    plan = planning.thematic_plan_create(
        actor=None,
        year=world.year,
        subject=world.subject,
        group=world.group,
        grade=None,
        owner=jw.teacher,
    )
    planning.plan_item_add(actor=None, plan=plan, section="Дроби", topic="Понятие дроби", hours=1)
    planning.plan_item_add(
        actor=None, plan=plan, section="Дроби", topic="Сравнение дробей", hours=2
    )
    # The first lesson is already documented, so the next one takes plan item 2.
    LessonRecord.objects.create(lesson=jw.lesson, topic="Понятие дроби")
    jw.lesson.status = "held"
    jw.lesson.save()
    nxt = jw.lesson_on(dt.date(2026, 11, 17))
    with time_machine.travel("2026-11-17 10:00 +0300", tick=False):
        body = client_for("teacher").get(reverse("journal:lesson", args=[nxt.pk])).content.decode()
    assert 'value="Сравнение дробей"' in body
    assert "Тема предложена по КТП: пункт 2" in body
