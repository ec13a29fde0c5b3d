"""Issuing family credentials and the printable letters (appendix 2 of the regulation)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ejournal.accounts import services as account_services
from ejournal.accounts.models import (
    ConsentStatus,
    Guardian,
    LettersJob,
    LettersJobStatus,
    Role,
    RoleAssignment,
    Student,
    User,
)
from ejournal.accounts.permissions import accounts_beyond
from ejournal.audit import services as audit
from ejournal.core.pdf import render_typst
from ejournal.people import services as people_services
from ejournal.school.models import SchoolClass

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
        # A guardian's card e-mail is the account's (notifications, password reset).
        email=getattr(profile, "email", "") or "",
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    profile.user = user
    profile.save(update_fields=["user"])
    account_services.role_grant(user=user, role=role, school=profile.school, actor=actor)
    return user


Progress = Callable[[int, int], None]


def _gets_letter(person: Student | Guardian, *, beyond: set[int]) -> bool:
    """Whether this person's account may get a new password now: not an account active in
    another school too (only the support service reissues those), not a guardian who
    refused or revoked consent (001 §6.2.1), not a blocked account."""
    if person.user_id in beyond:
        return False
    if isinstance(person, Guardian) and people_services.consent_status(person) in (
        NO_ACCOUNT_CONSENT
    ):
        return False
    return person.user is None or person.user.is_active


def _people_of(
    student: Student, *, student_too: bool, guardians: bool, guardian_id: int | None
) -> list[Student | Guardian]:
    people: list[Student | Guardian] = [student] if student_too else []
    if guardians:
        family = student.guardians.select_related("consent", "user").order_by("pk")
        if guardian_id is not None:
            family = family.filter(pk=guardian_id)
        people += list(family)
    return people


def credentials_issue(
    *,
    students: list[Student],
    class_name: str,
    actor: User,
    guardians: bool = True,
    student_too: bool = True,
    guardian_id: int | None = None,
    progress: Progress | None = None,
) -> list[Letter]:
    """New one-time passwords for the students (and their guardians); old ones stop working.

    For one person: ``guardians=False`` issues the student's only; ``student_too=False``
    with ``guardian_id`` issues that one guardian's only. Guardians who refused or revoked
    consent get no account (001 §6.2.1).

    The passwords are hashed first, outside any transaction (Argon2 takes about half a
    second each, and on SQLite a transaction holds the site's only write lock); then each
    family is written in a short transaction of its own, which checks again who may get a
    letter. ``progress(done, total)`` is called as the hashing goes."""
    beyond = credentials_beyond(students=students)
    plan = [
        (
            student,
            [
                person
                for person in _people_of(
                    student, student_too=student_too, guardians=guardians, guardian_id=guardian_id
                )
                if _gets_letter(person, beyond=beyond)
            ],
        )
        for student in students
    ]
    total = sum(len(people) for _, people in plan)
    prepared: dict[tuple[str, int], account_services.OneTimePassword] = {}
    for _, people in plan:
        for person in people:
            prepared[(type(person).__name__, person.pk)] = (
                account_services.one_time_password_prepare()
            )
            if progress is not None:
                progress(len(prepared), total)
    letters: list[Letter] = []
    for student, people in plan:
        if people:
            letters += _issue_family(
                student=student,
                people=people,
                prepared=prepared,
                class_name=class_name,
                actor=actor,
            )
    return letters


def _issue_family(*, student, people, prepared, class_name: str, actor: User) -> list[Letter]:
    letters = []
    with transaction.atomic():
        beyond = credentials_beyond(students=[student])
        for stale in people:
            person = type(stale).objects.select_related("user", "school").get(pk=stale.pk)
            if not _gets_letter(person, beyond=beyond):
                continue
            is_student = isinstance(person, Student)
            user = _account_for(
                person,
                prefix="u" if is_student else "p",
                role=Role.STUDENT if is_student else Role.PARENT,
                actor=actor,
            )
            password = account_services.user_issue_password(
                user=user,
                actor=actor,
                school=student.school,
                prepared=prepared[(type(person).__name__, person.pk)],
            )
            note = people_services.order_note(student) if is_student else ""
            letters.append(
                Letter(
                    person.full_name, user.username, password, student.full_name, class_name, note
                )
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
        "people/credentials.typ",
        {
            "school": school.name,
            "date": f"{(date or timezone.localdate()):%d.%m.%Y}",
            "director": str(director.user) if director else "",
            "letters": [asdict(letter) for letter in letters],
        },
    )


def staff_letter(*, user: User, password: str, person: str) -> Letter:
    return Letter(person, user.username, password, "", "")


# --- A whole class's letters in the background -------------------------------------------

# The PDF of a class's letters holds one-time passwords: it is kept this long after it is
# made, for the person who asked for it only, then erased.
LETTERS_KEEP = dt.timedelta(minutes=30)


def letters_job_start(*, actor: User, school_class: SchoolClass, students: list[Student]):
    """Queue a class's letters (the view has already checked the actor's right and the
    confirmation); the work runs in the background task ``issue_class_letters``."""
    if not students:
        raise ValidationError("В классе нет учеников: выдавать реквизиты некому.")
    letters_erase_expired()
    with transaction.atomic():
        job = LettersJob.objects.create(
            school=school_class.school,
            school_class=school_class,
            created_by=actor,
            student_ids=[s.pk for s in students],
        )
        audit.record(
            action="credentials.class_letters_started",
            actor=actor,
            school=school_class.school,
            obj=job,
            after={"class": str(school_class), "students": len(students)},
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from ejournal.people import tasks

    tasks.issue_class_letters.enqueue(job_id)


def letters_job_run(*, job_id: int) -> str:
    """The task's body: hash, write family by family, render the PDF, each outside the
    others' transactions; progress is saved as the hashing goes."""
    job = (
        LettersJob.objects.select_related("school", "school_class", "created_by")
        .filter(pk=job_id)
        .first()
    )
    if job is None or job.is_finished:
        return "missing"
    LettersJob.objects.filter(pk=job.pk).update(status=LettersJobStatus.RUNNING)
    by_id = {
        s.pk: s
        for s in Student.objects.filter(pk__in=job.student_ids, school=job.school).select_related(
            "user", "pseudonym_order", "school"
        )
    }
    students = [by_id[pk] for pk in job.student_ids if pk in by_id]
    last = {"percent": -1}

    def progress(done: int, total: int) -> None:
        percent = int(done * 100 / total) if total else 0
        if percent != last["percent"]:
            last["percent"] = percent
            LettersJob.objects.filter(pk=job.pk).update(done=done, total=total)

    try:
        letters = credentials_issue(
            students=students,
            class_name=str(job.school_class),
            actor=job.created_by,
            progress=progress,
        )
        pdf = credentials_pdf(letters=letters, school=job.school) if letters else b""
    except Exception as exc:  # noqa: BLE001 - the page shows the failure, not a stuck bar
        LettersJob.objects.filter(pk=job.pk).update(
            status=LettersJobStatus.FAILED,
            error=f"Не удалось выдать реквизиты: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    job.refresh_from_db(fields=["total"])
    LettersJob.objects.filter(pk=job.pk).update(
        status=LettersJobStatus.DONE,
        letters=len(letters),
        pdf=pdf,
        done=job.total,
        error="" if letters else "Никому в классе реквизиты не выданы.",
        finished_at=timezone.now(),
    )
    return LettersJobStatus.DONE


def letters_job_take(*, job: LettersJob, actor: User) -> bytes:
    """The finished letters, for the one who asked for them, while they are kept."""
    if job.created_by_id != actor.pk:
        raise ValidationError("Письма с паролями получает только тот, кто их запросил.")
    if job.status != LettersJobStatus.DONE or not job.pdf:
        raise ValidationError(
            f"Файла писем больше нет: он хранится {LETTERS_KEEP.seconds // 60} минут после "
            "выдачи. Выдайте реквизиты снова."
        )
    audit.record(
        action="credentials.class_letters_taken",
        actor=actor,
        school=job.school_id,
        obj=job,
        after={"letters": job.letters},
    )
    return bytes(job.pdf)


def letters_erase_expired(*, now: dt.datetime | None = None) -> int:
    """Erase the letters kept longer than ``LETTERS_KEEP``."""
    cutoff = (now or timezone.now()) - LETTERS_KEEP
    return (
        LettersJob.objects.filter(finished_at__lt=cutoff, letters__gt=0)
        .exclude(pdf=b"")
        .update(pdf=b"")
    )
