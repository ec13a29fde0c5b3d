"""manage.py seed_demo — the demo school «СОШ №1» with demo logins (password ``demo``).

Idempotent: when the school already exists nothing is rebuilt; only the demo logins are
checked (and restored if someone disabled one or changed its password).
"""

from __future__ import annotations

import os
import time

from django.core.management.base import BaseCommand, CommandError

from ejournal.accounts.models import Guardian, StaffMember, Student
from ejournal.demo.builder import DemoOptions, demo_school, seed_demo
from ejournal.demo.builder.context import DEMO_PASSWORD
from ejournal.demo.builder.logins import LOGINS, ensure_demo_logins
from ejournal.demo.builder.two_factor import DEMO_TOTP_SECRET, DEMO_TWO_FACTOR_LOGINS
from ejournal.school import selectors
from ejournal.school.models import School


class Command(BaseCommand):
    help = "Создать демонстрационную школу «СОШ №1» с демо-входами (пароль demo)."

    def add_arguments(self, parser):
        parser.add_argument("--classes-per-grade", type=int, default=2)
        parser.add_argument("--students-per-class", type=int, default=25)
        parser.add_argument("--seed", type=int, default=1, help="зерно случайных данных")

    def handle(self, *args, **options):
        if not 1 <= options["classes_per_grade"] <= 5:
            raise CommandError("--classes-per-grade: от 1 до 5.")
        if not 1 <= options["students_per_class"] <= 40:
            raise CommandError("--students-per-class: от 1 до 40.")
        school = demo_school()
        if school is not None:
            restored = ensure_demo_logins(school=school)
            self.stdout.write(f"Демо-школа «{school}» уже есть — данные не изменены.")
            for line in restored:
                self.stdout.write(f"  {line}")
        else:
            started = time.monotonic()
            opts = DemoOptions(
                classes_per_grade=options["classes_per_grade"],
                students_per_class=options["students_per_class"],
                seed=options["seed"],
            )
            build = seed_demo(
                options=opts,
                today=selectors.school_today(School(time_zone="Europe/Moscow")),
                on_step=lambda name: (
                    self.stdout.write(f"  {name}…") if options["verbosity"] > 1 else None
                ),
            )
            school = build.school
            assert school is not None
            self.stdout.write(
                self.style.SUCCESS(
                    f"Демо-школа «{school.name}» создана за {time.monotonic() - started:.1f} с: "
                    f"{Student.objects.filter(school=school).count()} учеников, "
                    f"{StaffMember.objects.filter(school=school).count()} сотрудников, "
                    f"{Guardian.objects.filter(school=school).count()} родителей."
                )
            )
        self._print_logins(school)

    def _print_logins(self, school: School) -> None:
        port = os.environ.get("PORT", "8000")
        self.stdout.write("")
        self.stdout.write(
            f"Адрес: http://127.0.0.1:{port}/   Пароль у всех демо-входов: {DEMO_PASSWORD}"
        )
        rows = [(spec.login, _who(school, spec), spec.sees) for spec in LOGINS]
        width = [max(len(r[i]) for r in rows) for i in range(2)]
        self.stdout.write(f"{'Логин':<{width[0]}}  {'Кто это':<{width[1]}}  Что видит")
        for login, who, sees in rows:
            self.stdout.write(f"{login:<{width[0]}}  {who:<{width[1]}}  {sees}")
        self.stdout.write("")
        self.stdout.write(
            f"{', '.join(DEMO_TWO_FACTOR_LOGINS)} входят с кодом подтверждения: "
            f"`uv run python manage.py demo_code` покажет текущий код, или добавьте ключ "
            f"{DEMO_TOTP_SECRET} в приложение-аутентификатор."
        )
        self.stdout.write("")


def _who(school: School, spec) -> str:
    """The role description with the classes it concerns (5А, 8Б …)."""
    today = selectors.school_today(school)
    if spec.login == "teacher":
        classes = [
            str(c)
            for c in school.classes.filter(homeroom_teacher__user__username=spec.login).order_by(
                "grade"
            )
        ]
        return f"{spec.who} {', '.join(classes)}".strip()
    if spec.login == "student":
        student = Student.objects.filter(school=school, user__username=spec.login).first()
        cls = student and selectors.class_of_student_on(student=student, day=today)
        return f"{spec.who}, {cls} класс" if cls else spec.who
    if spec.login == "parent":
        guardian = Guardian.objects.filter(school=school, user__username=spec.login).first()
        if guardian:
            classes = [
                str(selectors.class_of_student_on(student=s, day=today) or "—")
                for s in guardian.students.order_by("birth_date")
            ]
            return f"{spec.who} ({', '.join(classes)})"
    return spec.who
