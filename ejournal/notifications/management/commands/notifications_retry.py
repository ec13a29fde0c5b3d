from django.core.management.base import BaseCommand

from ejournal.notifications import services


class Command(BaseCommand):
    help = "Повторить доставку уведомлений, срок повтора которых наступил (запускать раз в минуту)."

    def handle(self, *args, **options):
        count = services.deliveries_retry_due()
        self.stdout.write(f"Повторных попыток: {count}")
