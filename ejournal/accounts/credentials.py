"""Issuing family credentials and the printable letters (appendix 2 of the regulation)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.db import transaction
from django.utils import timezone

from ejournal.accounts import people_services
from ejournal.accounts import services as account_services
from ejournal.accounts.models import (
    ConsentStatus,
    Guardian,
    Role,
    RoleAssignment,
    Student,
    User,
)
from ejournal.accounts.permissions import accounts_beyond
from ejournal.core.pdf import render_typst

NO_ACCOUNT_CONSENT = (ConsentStatus.REFUSED, ConsentStatus.REVOKED)


@dataclass
class Letter:
    person: str
    login: str
    password: str
    student: str
    class_name: str
    note: str = ""


def _free_username(base: str) -> str:
    username, n = base, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


def _account_for(profile, *, prefix: str, role: str, actor) -> User:
    if profile.user_id:
        return profile.user
    user = User.objects.create_user(
        username=_free_username(f"{prefix}{profile.school_id}-{profile.pk}"),
        last_name=profile.full_name if getattr(profile, "pseudonym", "") else profile.last_name,
        first_name="" if getattr(profile, "pseudonym", "") else profile.first_name,
        patronymic="" if getattr(profile, "pseudonym", "") else profile.patronymic,
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    profile.user = user
    profile.save(update_fields=["user"])
    account_services.role_grant(user=user, role=role, school=profile.school, actor=actor)
    return user


@transaction.atomic
def credentials_issue(
    *,
    students: list[Student],
    class_name: str,
    actor: User,
    guardians: bool = True,
    student_too: bool = True,
    guardian_id: int | None = None,
) -> list[Letter]:
    """New one-time passwords for the students (and their guardians); old ones stop working.

    For one person: ``guardians=False`` issues the student's only; ``student_too=False``
    with ``guardian_id`` issues that one guardian's only. Guardians who refused or revoked
    consent get no account (001 §6.2.1).
    """
    letters: list[Letter] = []
    # Accounts active in another school too are not the school's to reissue.
    beyond = credentials_beyond(students=students)
    for student in students:
        if student_too and student.user_id not in beyond:
            user = _account_for(student, prefix="u", role=Role.STUDENT, actor=actor)
            if user.is_active:
                password = account_services.user_issue_password(
                    user=user, actor=actor, school=student.school
                )
                note = people_services.order_note(student)
                letters.append(
                    Letter(
                        student.full_name,
                        user.username,
                        password,
                        student.full_name,
                        class_name,
                        note,
                    )
                )
        if not guardians:
            continue
        family = student.guardians.select_related("consent", "user").order_by("pk")
        if guardian_id is not None:
            family = family.filter(pk=guardian_id)
        for guardian in family:
            if people_services.consent_status(guardian) in NO_ACCOUNT_CONSENT:
                continue
            if guardian.user_id in beyond:
                continue
            g_user = _account_for(guardian, prefix="p", role=Role.PARENT, actor=actor)
            if not g_user.is_active:
                continue
            password = account_services.user_issue_password(
                user=g_user, actor=actor, school=student.school
            )
            letters.append(
                Letter(guardian.full_name, g_user.username, password, student.full_name, class_name)
            )
    return letters


def credentials_beyond(*, students: list[Student]) -> set[int]:
    """Accounts of these students and their guardians that are active in another school
    too: letters skip them (only the support service reissues them)."""
    if not students:
        return set()
    ids = {s.user_id for s in students} | set(
        Guardian.objects.filter(student_links__student__in=students).values_list(
            "user_id", flat=True
        )
    )
    return accounts_beyond(user_ids=ids, school=students[0].school_id)


def credentials_pdf(*, letters: list[Letter], school, date: dt.date | None = None) -> bytes:
    director = (
        RoleAssignment.objects.filter(school=school, role=Role.DIRECTOR, active=True)
        .select_related("user")
        .first()
    )
    return render_typst(
        "accounts/credentials.typ",
        {
            "school": school.name,
            "date": f"{(date or timezone.localdate()):%d.%m.%Y}",
            "director": str(director.user) if director else "",
            "letters": [asdict(letter) for letter in letters],
        },
    )


def staff_letter(*, user: User, password: str, person: str) -> Letter:
    return Letter(person, user.username, password, "", "")
