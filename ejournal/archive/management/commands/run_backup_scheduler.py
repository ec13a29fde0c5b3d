import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from ejournal.archive import backups, conf, scheduler
from ejournal.notifications.scheduler import load_state, save_state


class Command(BaseCommand):
    help = "Резервное копирование по расписанию (EJOURNAL_BACKUP_SCHEDULE: daily или weekly)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="один проход и выход")

    def handle(self, *args, once=False, **options):
        state_path = settings.DATA_DIR / "backup_scheduler.json"
        while True:
            now = timezone.localtime()
            state = load_state(state_path)
            if scheduler.backup_due(
                now=now,
                schedule=conf.backup_schedule(),
                at=conf.backup_time(),
                last=state.get("backup"),
            ):
                backup = backups.backup_create(actor=None, scheduled=True)
                backups.backup_check(backup=backup)
                save_state(state_path, {**state, "backup": now.date().isoformat()})
                self.stdout.write(f"Резервная копия: {backup.path}")
            if once:
                return
            time.sleep(60)
