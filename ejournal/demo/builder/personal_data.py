"""Demo personal data and security (a step of ``seed_demo``): in 5А one student whose
guardian refused consent (only name, birth date and sex are kept), one student coded
«Ученик N» by the operator's order after the guardian revoked consent (the guardian's
account deleted), and a past compromise report about a teacher's account whose
operations the administrator has already reverted, one of them left as a conflict.

Unlike the bulk steps, these go through the real services: the consent lock, the order
and the revert are exactly what the pages show, and each is in the audit trail.
Deterministic: people and lessons are picked by their order, not at random.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.utils import timezone

from ejournal.accounts.models import ConsentStatus, Guardian, StaffMember, Student, StudentGuardian
from ejournal.journal import services as journal
from ejournal.journal.models import Mark, Work
from ejournal.people import compromise
from ejournal.people import services as people_services

COMPROMISE_NOTE = (
    "Учитель сообщил, что оставил журнал открытым на компьютере в учительской; "
    "в журнале появились отметки, которых он не ставил."
)


def _profile_user(build, login: str):
    return getattr(build.demo_profiles.get(login), "user", None)


def _single_family_students(build, school_class) -> list[Student]:
    """Students of the class whose guardians have no other child (so a refusal or a
    revocation touches nobody else), the demo family left out, in name order."""
    demo = {p.pk for p in build.demo_profiles.values() if isinstance(p, Student)}
    students = build.students_by_class.get(school_class.pk) or list(
        Student.objects.filter(enrollments__school_class=school_class)
    )
    ids = [s.pk for s in students if s.pk not in demo]
    links = list(
        StudentGuardian.objects.filter(
            guardian__in=Guardian.objects.filter(student_links__student__in=ids)
        ).values_list("guardian_id", "student_id")
    )
    children = Counter(guardian for guardian, _ in links)
    shared = {student for guardian, student in links if children[guardian] > 1}
    fit = {student for _, student in links} - shared - demo
    return sorted(
        Student.objects.filter(pk__in=fit), key=lambda s: (s.last_name, s.first_name, s.pk)
    )


def _consent_refused(build, student: Student, operator, day: dt.date) -> None:
    for guardian in student.guardians.order_by("pk"):
        people_services.consent_record(
            guardian=guardian,
            status=ConsentStatus.REFUSED,
            date=day,
            document=f"письменный отказ от {day:%d.%m.%Y}",
            actor=operator,
        )


def _pseudonymised(build, student: Student, operator, homeroom, day: dt.date):
    """Consent given in September with a parent account, revoked later, then the order."""
    prefix = build.options.login_prefix
    guardians = list(student.guardians.order_by("pk"))
    for guardian in guardians:
        people_services.consent_record(
            guardian=guardian,
            status=ConsentStatus.GIVEN,
            date=build.year.start,
            document="",
            actor=operator,
        )
    people_services.guardian_account_create(
        guardian=guardians[0],
        username=f"{prefix}p{build.school.pk}-{guardians[0].pk}",
        actor=homeroom or operator,
    )
    for guardian in guardians:
        people_services.consent_record(
            guardian=guardian,
            status=ConsentStatus.REVOKED,
            date=day,
            document=f"заявление об отзыве согласия от {day:%d.%m.%Y}",
            actor=operator,
        )
    return people_services.student_pseudonymise(
        student=student, order_number=f"{day:%m}-к", order_date=day, actor=operator
    )


def _compromise(build, admin, deputy, avoid: set[int]):
    """Someone used a teacher's account; the administrator reverted what was done."""
    demo_staff = {p.pk for p in build.demo_profiles.values() if isinstance(p, StaffMember)}
    works = (
        Work.objects.filter(
            lesson__school=build.school,
            lesson__date__lte=build.today,
            lesson__actual_teacher__isnull=True,
            lesson__planned_teacher__user__isnull=False,
        )
        .exclude(lesson__planned_teacher__in=demo_staff)
        .select_related("lesson__planned_teacher__user")
        .order_by("-lesson__date", "-lesson__number", "-pk")
    )
    for work in works[:20]:
        marks = list(
            Mark.objects.filter(work=work)
            .exclude(student__in=avoid)
            .exclude(value="dot")
            .select_related("student")
            .order_by("student__last_name", "student__pk")
        )
        if len(marks) >= 2:
            break
    else:
        work, marks = None, []
    since = timezone.now() - dt.timedelta(hours=3)
    if work is None:
        # No lessons yet (the summer before the year): the report alone, nothing to revert.
        teacher = next((t for t in build.teachers if t.user_id and t.pk not in demo_staff), None)
        if teacher is None:
            return None
        return compromise.compromise_report(
            user=teacher.user, school=build.school, since=since, reported_by=admin,
            note=COMPROMISE_NOTE,
        )  # fmt: skip
    lesson = work.lesson
    intruder = lesson.planned_teacher.user
    assert intruder is not None  # the demo builder gives every teacher an account
    for mark in marks[:2]:
        journal._apply_mark(
            actor=intruder, work=work, student=mark.student,
            value="2" if mark.value != "2" else "3", comment="",
            expected_version=journal.ANY_VERSION,
        )  # fmt: skip
    journal._apply_record(
        actor=intruder,
        lesson=lesson,
        topic="Повторение пройденного",
        comment="",
        expected_version=journal.ANY_VERSION,
    )
    # The deputy had already noticed one of the marks and put it right: that object is a
    # conflict the revert leaves alone.
    first = marks[0]
    journal._apply_mark(
        actor=deputy or admin, work=work, student=first.student, value=first.value,
        comment="исправлено по заявлению учителя", expected_version=journal.ANY_VERSION,
    )  # fmt: skip
    report = compromise.compromise_report(
        user=intruder, school=build.school, since=since, reported_by=admin, note=COMPROMISE_NOTE
    )
    compromise.compromise_revert(report=report, actor=admin)
    return report


def create_people_demo(build) -> None:
    school, school_class = build.school, build.facts.get("demo_class")
    if school is None or school_class is None:
        return
    operator = _profile_user(build, "operator")
    admin = _profile_user(build, "admin")
    if operator is None or admin is None:
        return
    candidates = _single_family_students(build, school_class)
    if len(candidates) < 2:
        return
    # Orders and refusals dated inside the year, never after the demo's today.
    day = min(build.today, max(build.year.start, build.today - dt.timedelta(days=21)))
    refused, coded = candidates[-1], candidates[-2]
    _consent_refused(build, refused, operator, day)
    order = _pseudonymised(build, coded, operator, _profile_user(build, "teacher"), day)
    avoid = {refused.pk, coded.pk}
    report = _compromise(build, admin, _profile_user(build, "deputy"), avoid)
    build.facts["people"] = {
        "refused_consent": refused.pk,
        "pseudonymised": coded.pk,
        "order": str(order),
        "compromise_report": report.pk if report else None,
    }
