from django.core.management.base import BaseCommand, CommandError

from ejournal.archive import backups


class Command(BaseCommand):
    help = (
        "Резервная копия базы данных и хранимых файлов в один архив с описью контрольных "
        "сумм; запись в реестр резервных копий."
    )

    def add_arguments(self, parser):
        parser.add_argument("--note", default="", help="примечание для реестра")
        parser.add_argument("--check", action="store_true", help="сразу проверить восстановлением")

    def handle(self, *args, note="", check=False, **options):
        try:
            backup = backups.backup_create(actor=None, note=note)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Резервная копия: {backup.path}\nРазмер: {backup.size} байт, "
            f"таблиц {backup.tables}, строк {backup.rows}, файлов {backup.files}\n"
            f"SHA-256: {backup.sha256}"
        )
        if check:
            report = backups.backup_check(backup=backup)
            if not report.ok:
                raise CommandError(
                    "Проверка восстановлением не пройдена: " + "; ".join(report.problems)
                )
            self.stdout.write("Проверка восстановлением пройдена.")
