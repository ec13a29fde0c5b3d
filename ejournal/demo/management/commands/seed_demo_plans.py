"""manage.py seed_demo_plans — КТП for the demo school (idempotent: courses that already
have a plan are left alone)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ejournal.demo.builder import demo_school
from ejournal.demo.builder.plans import seed_plans
from ejournal.school import selectors


class Command(BaseCommand):
    help = "Создать КТП для всех групп и предметов демо-школы (один класс отстаёт от плана)."

    def add_arguments(self, parser):
        parser.add_argument("--behind", default="", help="класс, который отстаёт (по умолчанию 6А)")

    def handle(self, *args, **options):
        school = demo_school()
        if school is None:
            raise CommandError("Демо-школы нет: сначала выполните seed_demo.")
        today = selectors.school_today(school)
        year = selectors.year_on(school=school, day=today)
        if year is None:
            raise CommandError("В демо-школе нет учебного года.")
        facts = seed_plans(school=school, year=year, today=today, behind_class=options["behind"])
        if not facts["plans"]:
            self.stdout.write("КТП уже есть у всех групп — ничего не изменено.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Создано КТП: {facts['plans']} (тем: {facts['items']}); "
                f"отстаёт от плана класс {facts['behind_class']}."
            )
        )
