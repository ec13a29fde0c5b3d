import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from ejournal.audit.checkpoints import checkpoint_write
from ejournal.notifications import scheduler, services
from ejournal.notifications.models import Mode


class Command(BaseCommand):
    help = (
        "Периодические задачи уведомлений: повтор неудачных отправок, "
        "ежедневные и еженедельные сводки; контрольные точки журнала аудита."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="выполнить один проход и выйти")

    def handle(self, *args, once=False, **options):
        # The state file keeps a restart from sending the same day's digest twice.
        state_path = settings.DATA_DIR / "scheduler.json"
        while True:
            now = timezone.localtime()
            state = scheduler.load_state(state_path)
            jobs = scheduler.due_jobs(now=now, last=state)
            for job in jobs:
                if job == "retry":
                    services.deliveries_retry_due()
                elif job == "daily":
                    services.digests_send(mode=Mode.DAILY)
                elif job == "weekly":
                    services.digests_send(mode=Mode.WEEKLY)
                elif job == "audit_checkpoint":
                    checkpoint_write()
            if jobs:
                scheduler.save_state(state_path, scheduler.mark_done(state, jobs, now))
            if once:
                return
            time.sleep(30)
