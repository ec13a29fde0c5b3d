from django.core.management.base import BaseCommand

from ejournal.audit.checkpoints import checkpoint_file, checkpoint_write


class Command(BaseCommand):
    help = (
        "Записывает вершины цепочек журнала аудита (с подписью) в файл контрольных точек "
        "вне базы данных."
    )

    def handle(self, *args, **options):
        written = checkpoint_write()
        for point in written:
            self.stdout.write(f"{point.chain}: событие №{point.seq}")
        self.stdout.write(f"Контрольных точек записано: {len(written)} ({checkpoint_file()})")
