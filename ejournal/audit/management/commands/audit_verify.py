import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ejournal.audit.checkpoints import checkpoint_file, checkpoint_problems
from ejournal.audit.models import AuditChainHead
from ejournal.audit.services import chain_for, chain_verify, events_naming, link_find


class Command(BaseCommand):
    help = "Проверяет целостность цепочки журнала аудита школы (или всех цепочек)."

    def add_arguments(self, parser):
        parser.add_argument("--school", type=int, help="id школы; без него — все цепочки")
        parser.add_argument(
            "--link",
            action="append",
            default=[],
            metavar="ЦЕПОЧКА:№:HMAC",
            help="звено, напечатанное на архивной копии (например school:1:42:1a2b3c4d5e6f7a8b)",
        )
        parser.add_argument(
            "--pdf",
            action="append",
            default=[],
            type=Path,
            metavar="ФАЙЛ",
            help="архивный PDF: его SHA-256 должна быть записана в цепочке",
        )

    def handle(self, *args, school=None, link=(), pdf=(), **options):
        failed = [self._link(value) for value in link] + [self._pdf(path) for path in pdf]
        if school:
            chains = [chain_for(school)]
        else:
            chains = list(AuditChainHead.objects.order_by("chain").values_list("chain", flat=True))
        broken = 0
        problems = checkpoint_problems()
        for problem in problems:
            self.stdout.write(f"Контрольные точки ({checkpoint_file()}): {problem}")
        for chain in chains:
            report = chain_verify(chain=chain)
            if report.ok:
                self.stdout.write(f"{chain}: в порядке, проверено событий: {report.checked}")
            else:
                broken += 1
                self.stdout.write(
                    f"{chain}: НАРУШЕНА с события №{report.first_broken_seq}: {report.problem}"
                )
        if broken or problems or any(failed):
            raise CommandError(
                f"Нарушенных цепочек: {broken}; поддельных контрольных точек: {len(problems)}; "
                f"не подтверждено звеньев и файлов: {sum(failed)}"
            )

    def _link(self, value: str) -> bool:
        """Report a printed link; True when the chain does not hold it."""
        chain, _, rest = value.rpartition(":")
        chain, _, seq = chain.rpartition(":")
        event = link_find(chain=chain, seq=int(seq), hash_prefix=rest) if seq.isdigit() else None
        if event is None:
            self.stdout.write(f"Звено {value}: НЕ НАЙДЕНО в цепочке (или изменено)")
            return True
        self.stdout.write(
            f"Звено {value}: есть в цепочке, событие от {event.created_at:%d.%m.%Y %H:%M}"
        )
        return False

    def _pdf(self, path: Path) -> bool:
        """Report whether the chain vouches for a file; True when it does not."""
        if not path.is_file():
            self.stdout.write(f"Файл {path.name}: не найден")
            return True
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        events = events_naming(digest=digest)
        if not events:
            self.stdout.write(
                f"Файл {path.name} (SHA-256 {digest[:16]}…): НЕ ЗАПИСАН в цепочке аудита — "
                "это не архивная копия или она изменена"
            )
            return True
        for event in events:
            self.stdout.write(
                f"Файл {path.name} (SHA-256 {digest[:16]}…): записан в цепочке {event.chain}, "
                f"событие №{event.seq} «{event.action}» от {event.created_at:%d.%m.%Y %H:%M}"
            )
        return False
