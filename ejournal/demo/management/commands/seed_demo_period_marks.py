"""manage.py seed_demo_period_marks — period marks for every ended period of the demo
school (idempotent: periods that already have marks are left alone)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ejournal.audit.services import record
from ejournal.demo.builder import demo_school
from ejournal.demo.builder.period_marks import seed_period_marks
from ejournal.school import selectors


class Command(BaseCommand):
    help = "Выставить отметки за все завершённые периоды демо-школы и закрыть прошедшие."

    def handle(self, *args, **options):
        school = demo_school()
        if school is None:
            raise CommandError("Демо-школы нет: сначала выполните seed_demo.")
        today = selectors.school_today(school)
        year = selectors.year_on(school=school, day=today)
        if year is None:
            raise CommandError("В демо-школе нет учебного года.")
        with transaction.atomic():
            facts = seed_period_marks(school=school, year=year, today=today)
            if facts["period_marks"] or facts["closed"]:
                record(action="demo.period_marks_seeded", school=school, after=facts)
        self.stdout.write(
            self.style.SUCCESS(
                f"Отметок за период: {facts['period_marks']}, годовых: {facts['year_marks']}, "
                f"закрыто периодов: {facts['closed']}."
            )
        )
