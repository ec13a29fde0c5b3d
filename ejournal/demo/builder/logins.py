"""The demo logins (password ``demo``): who each one is and what each one sees."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import transaction

from ejournal.accounts.models import Role, RoleAssignment, User
from ejournal.audit import services as audit
from ejournal.audit.models import AuditEvent
from ejournal.demo.builder.context import DEMO_PASSWORD, DemoBuild
from ejournal.school.models import School


@dataclass(frozen=True)
class DemoLogin:
    login: str
    role: str
    who: str
    sees: str


LOGINS = [
    DemoLogin(
        "admin",
        Role.ADMIN,
        "администратор электронного журнала",
        "структуру школы: учебный год, периоды, классы, предметы, учебный план, группы, "
        "нагрузку и список проблем структуры",
    ),
    DemoLogin("director", Role.DIRECTOR, "директор", "обзор школы: классы, численность, проблемы"),
    DemoLogin(
        "deputy",
        Role.DEPUTY,
        "заместитель директора по УВР",
        "контроль учебного процесса: классы, численность, проблемы структуры",
    ),
    DemoLogin(
        "teacher",
        Role.TEACHER,
        "учитель математики, классный руководитель",
        "уроки на сегодня, свой класс, свои группы и нагрузку",
    ),
    DemoLogin("student", Role.STUDENT, "ученик", "свой дневник"),
    DemoLogin("parent", Role.PARENT, "родитель двоих детей", "своих детей и их классы"),
    DemoLogin(
        "operator", Role.OPERATOR, "оператор контингента", "классы, их численность и руководителей"
    ),
    DemoLogin("hr", Role.HR, "специалист по кадрам", "раздел «Персонал»: сотрудники и должности"),
]


def _new_demo_user(login: str, profile) -> User:
    user = User(
        username=login,
        first_name=profile.first_name,
        last_name=profile.last_name,
        patronymic=profile.patronymic,
        email=getattr(profile, "email", ""),
    )
    # Set directly: demo passwords are deliberately weak and are not to be changed.
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def create_demo_logins(build: DemoBuild) -> None:
    assert build.school is not None
    facts = {}
    for spec in LOGINS:
        profile = build.demo_profiles[spec.login]
        profile.user = _new_demo_user(build.options.login_prefix + spec.login, profile)
        profile.save(update_fields=["user"])
        RoleAssignment.objects.create(user=profile.user, role=spec.role, school=build.school)
        facts[spec.login] = {"model": profile._meta.label_lower, "id": profile.pk}
    # Kept in the "demo.seeded" audit event so that a later run can restore a login.
    build.facts["logins"] = facts


@transaction.atomic
def ensure_demo_logins(*, school: School) -> list[str]:
    """Make sure every demo login signs in with ``demo`` and holds its role in the
    school. Returns what had to be restored (empty when all was in place)."""
    seeded = AuditEvent.objects.filter(school=school, action="demo.seeded").order_by("-seq").first()
    profiles = (seeded.after or {}).get("logins", {}) if seeded else {}
    restored: list[str] = []
    for spec in LOGINS:
        user = User.objects.filter(username=spec.login).first()
        if user is None:
            ref = profiles.get(spec.login) or {}
            model = apps.get_model(ref["model"]) if ref else None
            profile = model.objects.filter(pk=ref["id"], school=school).first() if model else None
            if profile is None:
                restored.append(f"{spec.login}: профиль не найден, вход не восстановлен")
                continue
            user = _new_demo_user(spec.login, profile)
            profile.user = user
            profile.save(update_fields=["user"])
            restored.append(f"{spec.login}: учётная запись создана заново")
        else:
            fields = []
            if not user.is_active:
                user.is_active = True
                fields.append("is_active")
            if user.must_change_password:
                user.must_change_password = False
                fields.append("must_change_password")
            if not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                fields.append("password")
            if fields:
                user.save(update_fields=fields)
                restored.append(f"{spec.login}: восстановлено ({', '.join(fields)})")
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user, role=spec.role, school=school, municipality=None
        )
        if created or not assignment.active:
            assignment.active = True
            assignment.save(update_fields=["active"])
            restored.append(f"{spec.login}: роль «{Role(spec.role).label}» восстановлена")
    if restored:
        audit.record(action="demo.logins_restored", school=school, after={"restored": restored})
    return restored
