from django.core.management.base import BaseCommand, CommandError

from ejournal.archive import services
from ejournal.archive.models import ArchiveRecord


class Command(BaseCommand):
    help = "Проверяет контрольные суммы всех архивных записей (PDF и данных) и звенья аудита."

    def add_arguments(self, parser):
        parser.add_argument("--school", type=int, help="только записи этой школы (id)")

    def handle(self, *args, school=None, **options):
        records = ArchiveRecord.objects.select_related("school").order_by("pk")
        if school:
            records = records.filter(school_id=school)
        results = services.archive_verify(records=records)
        broken = [r for r in results if not r.ok]
        for result in broken:
            for problem in result.problems:
                self.stdout.write(f"[{result.record.pk}] {result.record.title}: {problem}")
        if broken:
            raise CommandError(
                f"Проверено записей: {len(results)}, с расхождениями: {len(broken)}."
            )
        self.stdout.write(f"Проверено записей: {len(results)}, расхождений нет.")
