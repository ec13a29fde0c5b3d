from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ejournal.api import services
from ejournal.api.models import TokenScope


class Command(BaseCommand):
    help = "Выдать личный токен доступа к API пользователю и напечатать его."

    def add_arguments(self, parser):
        parser.add_argument("login")
        parser.add_argument("--write", action="store_true", help="доступ на запись")
        parser.add_argument("--days", type=int, default=services.DEFAULT_DAYS)
        parser.add_argument("--name", default="выдан командой issue_token")

    def handle(self, *args, login, write, days, name, **options):
        user = get_user_model().objects.filter(username=login).first()
        if user is None:
            raise CommandError(f"Пользователь «{login}» не найден.")
        try:
            _, raw = services.token_issue(
                user=user,
                actor=None,
                name=name,
                scope=TokenScope.WRITE if write else TokenScope.READ,
                days=days,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(raw)
