from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ejournal.archive import services
from ejournal.archive.models import ArchiveRecord


class Command(BaseCommand):
    help = (
        "Удаляет архивные записи и резервные копии с истёкшим сроком хранения. "
        "Ничего не удаляется раньше срока."
    )

    def add_arguments(self, parser):
        parser.add_argument("--record", type=int, help="удалить одну архивную запись (id)")

    def handle(self, *args, record=None, **options):
        today = timezone.localdate()
        try:
            if record:
                item = ArchiveRecord.objects.filter(pk=record).first()
                if item is None:
                    raise CommandError("Архивная запись не найдена.")
                services.record_purge(actor=None, record=item, today=today)
                self.stdout.write(f"Удалена архивная запись {record}.")
                return
            records, copies = services.purge_expired(actor=None, today=today)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Удалено архивных записей: {records}, резервных копий: {copies}.")
