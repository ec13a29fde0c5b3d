"""Create (or bring up to date) a school's lessons from its timetable for a date range."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ejournal.schedule import services
from ejournal.school.models import School


class Command(BaseCommand):
    help = "Создать уроки по расписанию за период (повторный запуск ничего не дублирует)."

    def add_arguments(self, parser):
        parser.add_argument("school", help="краткое название школы, например «СОШ №1»")
        parser.add_argument("start", type=dt.date.fromisoformat, help="ГГГГ-ММ-ДД")
        parser.add_argument("end", type=dt.date.fromisoformat, help="ГГГГ-ММ-ДД")

    def handle(self, *args, school, start, end, **options):
        found = School.objects.filter(short_name=school).first()
        if found is None:
            raise CommandError(f"Школа «{school}» не найдена.")
        try:
            result = services.lessons_materialise(school=found, start=start, end=end)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(result.summary)
        for line in result.problems + result.kept:
            self.stdout.write(f"  {line}")
