"""Administration and other staff who teach no lessons."""

from __future__ import annotations

from ejournal.accounts.models import Role, Sex, StaffMember
from ejournal.demo.builder.accounts import (
    STAFF_MAIL_DOMAIN,
    create_users_with_roles,
    login_slug,
    phone,
)
from ejournal.demo.builder.context import DemoBuild
from ejournal.demo.builder.names import SURNAMES, adult_name

# (demo login or "", position, role, share of women in such posts)
ADMINISTRATION = [
    ("director", "Директор", Role.DIRECTOR, 0.6),
    ("deputy", "Заместитель директора по учебно-воспитательной работе", Role.DEPUTY, 0.9),
    ("", "Заместитель директора по воспитательной работе", Role.DEPUTY, 0.9),
    ("admin", "Инженер-программист (администратор электронного журнала)", Role.ADMIN, 0.3),
    ("operator", "Секретарь учебной части", Role.OPERATOR, 1.0),
    ("hr", "Специалист по кадрам", Role.HR, 1.0),
]

# Pedagogical staff without lessons in the timetable; they have no accounts yet.
OTHER_PEDAGOGUES = [
    "Педагог-психолог",
    "Социальный педагог",
    "Учитель-логопед",
    "Педагог-библиотекарь",
    "Советник директора по воспитанию",
    "Педагог дополнительного образования",
    "Педагог дополнительного образования",
    "Тьютор",
]


def new_staff_member(build: DemoBuild, position: str, share_of_women: float) -> StaffMember:
    assert build.school is not None
    sex = Sex.FEMALE if build.rng.random() < share_of_women else Sex.MALE
    # Staff of one school rarely share a surname; keep them apart so lists read clearly.
    used: set[str] = build.facts.setdefault("staff_surnames", set())
    surname = build.rng.choice([s for s in SURNAMES if s not in used] or SURNAMES)
    used.add(surname)
    name = adult_name(build.rng, sex, surname)
    return StaffMember(
        school=build.school,
        last_name=name.last_name,
        first_name=name.first_name,
        patronymic=name.patronymic,
        position=position,
        phone=phone(build.rng),
        email=f"{login_slug(name.last_name, name.first_name, name.patronymic)}@{STAFF_MAIL_DOMAIN}",
    )


def create_administration(build: DemoBuild) -> None:
    assert build.school is not None
    rows, with_accounts = [], []
    for login, position, role, women in ADMINISTRATION:
        member = new_staff_member(build, position, women)
        rows.append(member)
        if login:
            # The demo login itself is made by the logins step.
            build.demo_profiles[login] = member
        else:
            with_accounts.append((member, role))
    rows += [new_staff_member(build, position, 0.9) for position in OTHER_PEDAGOGUES]
    create_users_with_roles(with_accounts, school=build.school, prefix=build.options.login_prefix)
    build.staff += StaffMember.objects.bulk_create(rows)
    director = build.demo_profiles["director"]
    build.school.director_name = director.full_name
    build.school.save(update_fields=["director_name"])
