from django.core.management.base import BaseCommand, CommandError

from ejournal.audit.checkpoints import checkpoint_file, checkpoint_problems
from ejournal.audit.models import AuditChainHead
from ejournal.audit.services import chain_for, chain_verify


class Command(BaseCommand):
    help = "Проверяет целостность цепочки журнала аудита школы (или всех цепочек)."

    def add_arguments(self, parser):
        parser.add_argument("--school", type=int, help="id школы; без него — все цепочки")

    def handle(self, *args, school=None, **options):
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
        if broken or problems:
            raise CommandError(
                f"Нарушенных цепочек: {broken}; поддельных контрольных точек: {len(problems)}"
            )
