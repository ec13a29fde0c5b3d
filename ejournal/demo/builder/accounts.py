"""Accounts for demo people: users with unusable passwords (credentials are issued the
ordinary way later) and their roles, created in bulk."""

from __future__ import annotations

import random
from collections.abc import Sequence

from django.contrib.auth.hashers import make_password

from ejournal.accounts.models import RoleAssignment, User
from ejournal.demo.builder.names import transliterate
from ejournal.school.models import School

STAFF_MAIL_DOMAIN = "sosh1.example"
FAMILY_MAIL_DOMAINS = ("mail.example", "post.example", "inbox.example")


def login_slug(last_name: str, first_name: str, patronymic: str) -> str:
    """ivanova.mp for Иванова Мария Петровна."""
    initials = "".join(transliterate(p[0]) for p in (first_name, patronymic) if p)
    return f"{transliterate(last_name)}.{initials}"


def phone(rng: random.Random) -> str:
    return (
        f"+7 (9{rng.randint(0, 99):02d}) {rng.randint(100, 999)}-"
        f"{rng.randint(0, 99):02d}-{rng.randint(0, 99):02d}"
    )


def unique_usernames(wanted: Sequence[str]) -> list[str]:
    """The wanted logins, numbered where they clash with each other or with existing ones."""
    taken = set(User.objects.values_list("username", flat=True))
    result = []
    for name in wanted:
        candidate, n = name, 1
        while candidate in taken:
            n += 1
            candidate = f"{name}{n}"
        taken.add(candidate)
        result.append(candidate)
    return result


def create_users_with_roles(
    people: Sequence[tuple[object, str]], *, school: School, prefix: str = ""
) -> list[User]:
    """A user for each unsaved profile (with ``last_name``, ``first_name``, ``patronymic``,
    optional ``email``) holding ``role`` in ``school``; sets ``profile.user``."""
    slugs = [prefix + login_slug(p.last_name, p.first_name, p.patronymic) for p, _ in people]  # type: ignore[attr-defined]
    users = [
        User(
            username=username,
            first_name=profile.first_name,  # type: ignore[attr-defined]
            last_name=profile.last_name,  # type: ignore[attr-defined]
            patronymic=profile.patronymic,  # type: ignore[attr-defined]
            email=getattr(profile, "email", ""),
            password=make_password(None),
        )
        for username, (profile, _) in zip(unique_usernames(slugs), people, strict=True)
    ]
    users = User.objects.bulk_create(users)
    for user, (profile, _) in zip(users, people, strict=True):
        profile.user = user  # type: ignore[attr-defined]
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=user, role=role, school=school)
        for user, (_, role) in zip(users, people, strict=True)
    )
    return users
