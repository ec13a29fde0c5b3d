from django.core.management.base import BaseCommand

from ejournal.notifications import services
from ejournal.notifications.models import Mode


class Command(BaseCommand):
    help = "Отправить сводки уведомлений: daily — ежедневно вечером, weekly — раз в неделю."

    def add_arguments(self, parser):
        parser.add_argument("mode", choices=[Mode.DAILY, Mode.WEEKLY])

    def handle(self, *args, mode, **options):
        deliveries = services.digests_send(mode=mode)
        self.stdout.write(f"Сводок: {len(deliveries)}")
