"""Print a new app password for a student or parent (replaces their active one)."""

from django.core.management.base import BaseCommand, CommandError

from ejournal.accounts.models import User
from ejournal.webapi import services


class Command(BaseCommand):
    help = "Создать пароль для сторонних приложений (/webapi) и напечатать его."

    def add_arguments(self, parser):
        parser.add_argument("login")

    def handle(self, *args, login: str, **options):
        user = User.objects.filter(username=login).first()
        if user is None:
            raise CommandError(f"Нет пользователя с логином «{login}».")
        try:
            _item, password = services.app_password_create(user=user)
        except PermissionError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(password)
