"""One lifecycle for both kinds of correction request — a journal record
(``journal.CorrectionRequest``) and a period mark (``attestation.PeriodMarkCorrection``):
the same ``journal.corrections.correction_decide`` decides them, so every rule here is
pinned once, for both kinds.

(It lives in ``attestation`` because only this floor may import both kinds.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from ejournal.attestation import services as attestation
from ejournal.attestation.models import PeriodMark
from ejournal.attestation.tests.conftest import IN_WINDOW, AttestationWorld
from ejournal.attestation.tests.conftest import day as q2_day
from ejournal.audit.models import AuditEvent
from ejournal.journal import services as journal
from ejournal.journal.corrections import correction_decide
from ejournal.journal.models import Correction, CorrectionStatus, Mark, Work, WorkType
from ejournal.notifications.models import Event
from ejournal.testing import factories as f

# Every window of both kinds is closed: the journal lesson of 16.11.2026 is 5 weeks old,
# the second quarter's period marks were due by 02.01.2027.
LATE = "2027-01-20 12:00 +0300"
DECIDED_AT = dt.datetime(2027, 1, 20, 9, 0, tzinfo=dt.UTC)


@dataclass
class Kind:
    """One kind of correction, as the shared lifecycle sees it."""

    name: str
    audit_prefix: str
    file: Callable[[], Correction]  # the teacher files a pending request (its own service)
    apply: Any  # the kind's ``apply`` for ``correction_decide``
    current: Callable[[], str]  # the value the request wants to change, now
    before: str
    after: str
    # Posts the decision on the kind's page: (client, request, approve, comment) -> response.
    post_decision: Callable[..., Any]
    list_url: str


def _journal_kind(world) -> Kind:
    teacher = world.staff["teacher"]
    lesson = f.make_lesson(world.group, world.subject, teacher, dt.date(2026, 11, 16))
    journal.work_types_ensure_defaults(school=world.school)
    work = Work.objects.create(
        lesson=lesson, work_type=WorkType.objects.get(school=world.school, name="Ответ на уроке")
    )
    student = world.students[0]
    with time_machine.travel("2026-11-16 10:00 +0300", tick=False):
        journal.mark_set(
            actor=world.users["teacher"],
            staff=teacher,
            work=work,
            student=student,
            value="3",
            expected_version=None,
        )

    def file() -> Correction:
        return journal.correction_request_create(
            actor=world.users["teacher"],
            staff=teacher,
            lesson=lesson,
            kind="mark",
            work=work,
            student=student,
            new_value={"value": "4"},
            reason="Ученик переписал работу",
        )

    def post_decision(client, req, approve: bool, comment: str = ""):
        if approve:
            return client.post(reverse("journal:correction_approve", args=[req.pk]))
        return client.post(
            reverse("journal:correction_reject", args=[req.pk]), {"comment": comment}
        )

    return Kind(
        name="journal",
        audit_prefix="correction",
        file=file,
        apply=journal.correction_request_apply,
        current=lambda: Mark.objects.get(student=student).value,
        before="3",
        after="4",
        post_decision=post_decision,
        list_url=reverse("journal:corrections"),
    )


def _period_mark_kind(world) -> Kind:
    aw = AttestationWorld(world)
    student = world.students[0]
    for d in (10, 12, 17):
        aw.mark(student, q2_day(d), "4")
    with time_machine.travel(IN_WINDOW, tick=False):
        attestation.period_mark_set(
            actor=world.users["teacher"],
            staff=aw.teacher,
            group=world.group,
            subject=world.subject,
            target=aw.target(),
            student=student,
            value="4",
            expected_version=None,
        )

    def file() -> Correction:
        return attestation.period_mark_correction_create(
            actor=world.users["teacher"],
            staff=aw.teacher,
            group=world.group,
            subject=world.subject,
            target=aw.target(),
            student=student,
            value="5",
            comment="",
            reason="Ученик пересдал тему",
        )

    def post_decision(client, req, approve: bool, comment: str = ""):
        return client.post(
            reverse("attestation:correction_decide", args=[req.pk]),
            {"decision": "approve" if approve else "reject", "comment": comment},
        )

    return Kind(
        name="period_mark",
        audit_prefix="period_mark_correction",
        file=file,
        apply=attestation.period_mark_correction_apply,
        current=lambda: PeriodMark.objects.get(student=student).value,
        before="4",
        after="5",
        post_decision=post_decision,
        list_url=reverse("attestation:corrections"),
    )


@pytest.fixture(params=["journal", "period_mark"])
def kind(request, world) -> Kind:
    return {"journal": _journal_kind, "period_mark": _period_mark_kind}[request.param](world)


@pytest.fixture
def pending(kind) -> Correction:
    with time_machine.travel(LATE, tick=False):
        return kind.file()


@pytest.fixture
def late():
    with time_machine.travel(LATE, tick=False):
        yield


def _decide(kind: Kind, req: Correction, actor, status: str, comment: str = ""):
    return correction_decide(
        actor=actor, correction=req, status=status, comment=comment, apply=kind.apply
    )


def _decisions(kind: Kind):
    return AuditEvent.objects.filter(
        action__in=[f"{kind.audit_prefix}.approved", f"{kind.audit_prefix}.rejected"]
    )


def test_the_deputy_approves_once_and_the_change_is_applied_and_audited(kind, pending, world, late):
    deputy = world.users["deputy"]
    assert kind.current() == kind.before
    decided = _decide(kind, pending, deputy, CorrectionStatus.APPROVED, "Согласовано")
    pending.refresh_from_db()
    assert pending.status == CorrectionStatus.APPROVED == decided.status
    assert pending.decided_by == deputy and pending.decided_at == DECIDED_AT
    assert pending.decision_comment == "Согласовано"
    assert kind.current() == kind.after
    decision = _decisions(kind).get()
    assert decision.action == f"{kind.audit_prefix}.approved"
    assert decision.actor == deputy
    assert decision.before == {"status": "pending"}
    assert decision.after == {"status": "approved", "comment": "Согласовано"}
    # The change itself carries the request in its own audit event.
    applied = AuditEvent.objects.filter(reason__startswith="Исправление по запросу").get()
    assert applied.reason == f"Исправление по запросу №{pending.pk}: {pending.reason}"
    assert applied.actor == deputy
    with pytest.raises(ValidationError, match="Запрос уже рассмотрен"):
        _decide(kind, pending, deputy, CorrectionStatus.REJECTED, "Передумал")
    assert _decisions(kind).count() == 1


def test_a_rejection_needs_a_comment_changes_nothing_and_is_audited(kind, pending, world, late):
    deputy = world.users["deputy"]
    with pytest.raises(ValidationError, match="Укажите, почему запрос отклонён"):
        _decide(kind, pending, deputy, CorrectionStatus.REJECTED, "   ")
    assert not _decisions(kind).exists()
    _decide(kind, pending, deputy, CorrectionStatus.REJECTED, " Нет подтверждения ")
    pending.refresh_from_db()
    assert pending.status == CorrectionStatus.REJECTED
    assert pending.decision_comment == "Нет подтверждения"
    assert kind.current() == kind.before
    decision = _decisions(kind).get()
    assert decision.action == f"{kind.audit_prefix}.rejected"
    assert decision.after == {"status": "rejected", "comment": "Нет подтверждения"}
    with pytest.raises(ValidationError, match="Запрос уже рассмотрен"):
        _decide(kind, pending, deputy, CorrectionStatus.APPROVED)
    assert kind.current() == kind.before


@pytest.mark.parametrize("role", ["teacher", "homeroom", "director", "admin", "operator"])
def test_only_the_deputy_decides(kind, pending, world, late, role):
    for status in (CorrectionStatus.APPROVED, CorrectionStatus.REJECTED):
        with pytest.raises(ValidationError, match="рассматривает заместитель директора"):
            _decide(kind, pending, world.users[role], status, "Решение")
    pending.refresh_from_db()
    assert pending.status == CorrectionStatus.PENDING and pending.decided_by is None
    assert kind.current() == kind.before
    assert not _decisions(kind).exists()


def test_a_deputy_of_another_school_cannot_decide(kind, pending, world, late):
    from ejournal.accounts.models import Role

    stranger = f.UserFactory(username="other_deputy")
    f.grant(stranger, Role.DEPUTY, world.other_school)
    with pytest.raises(ValidationError, match="заместитель директора"):
        _decide(kind, pending, stranger, CorrectionStatus.APPROVED)
    assert kind.current() == kind.before


def test_nobody_decides_their_own_request(kind, pending, world, late):
    deputy = world.users["deputy"]
    type(pending).objects.filter(pk=pending.pk).update(requested_by=deputy)
    pending.refresh_from_db()
    for status in (CorrectionStatus.APPROVED, CorrectionStatus.REJECTED):
        with pytest.raises(ValidationError, match="Свой запрос на исправление"):
            _decide(kind, pending, deputy, status, "Сам себе")
    pending.refresh_from_db()
    assert pending.status == CorrectionStatus.PENDING
    assert kind.current() == kind.before


def test_a_decision_is_approve_or_reject(kind, pending, world, late):
    with pytest.raises(ValidationError, match="одобрить или отклонить"):
        _decide(kind, pending, world.users["deputy"], CorrectionStatus.PENDING, "?")
    pending.refresh_from_db()
    assert pending.status == CorrectionStatus.PENDING


def test_a_change_that_cannot_be_applied_decides_nothing(kind, pending, world, late):
    def refuse(correction, *, actor):
        raise ValidationError("Нельзя применить.")

    with pytest.raises(ValidationError, match="Нельзя применить"):
        correction_decide(
            actor=world.users["deputy"],
            correction=pending,
            status=CorrectionStatus.APPROVED,
            apply=refuse,
        )
    pending.refresh_from_db()
    assert pending.status == CorrectionStatus.PENDING and pending.decided_at is None
    assert not _decisions(kind).exists()


@pytest.fixture
def notified_teacher(settings, tmp_path, world):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    teacher = world.users["teacher"]
    teacher.email = "teacher@example.ru"
    teacher.save()
    return teacher


@pytest.mark.parametrize(
    ("approve", "verdict"), [(True, "одобрен"), (False, "отклонён")], ids=["approved", "rejected"]
)
def test_the_requester_is_told_the_decision_after_commit(
    kind,
    pending,
    world,
    late,
    notified_teacher,
    django_capture_on_commit_callbacks,
    approve,
    verdict,
):
    from ejournal.notifications.models import Notification

    status = CorrectionStatus.APPROVED if approve else CorrectionStatus.REJECTED
    with django_capture_on_commit_callbacks(execute=True):
        _decide(kind, pending, world.users["deputy"], status, "Решение завуча")
        assert mail.outbox == []  # nothing before commit
    to_teacher = [m for m in mail.outbox if m.to == ["teacher@example.ru"]]
    assert len(to_teacher) == 1
    message = to_teacher[0]
    assert message.subject == f"Запрос на исправление №{pending.pk} {verdict}"
    assert f"№{pending.pk} («{pending.reason}») {verdict}." in message.body
    assert "Комментарий: Решение завуча" in message.body
    notification = Notification.objects.get(user=notified_teacher)
    assert notification.event == Event.CORRECTION and notification.url == kind.list_url


def test_a_refused_decision_notifies_nobody(
    kind, pending, world, late, notified_teacher, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ValidationError):
            _decide(kind, pending, world.users["director"], CorrectionStatus.APPROVED)
    assert callbacks == [] and mail.outbox == []


def test_the_deputy_decides_through_the_page_and_the_director_cannot(
    kind, pending, client_for, late
):
    director = kind.post_decision(client_for("director"), pending, approve=True)
    assert director.status_code == 404
    pending.refresh_from_db()
    assert pending.status == CorrectionStatus.PENDING
    response = kind.post_decision(client_for("deputy"), pending, approve=True)
    assert response.status_code == 302 and response.url == kind.list_url
    pending.refresh_from_db()
    assert pending.status == CorrectionStatus.APPROVED
    assert kind.current() == kind.after


def test_a_refused_decision_on_the_page_says_why_in_russian(kind, pending, client_for, late):
    client = client_for("deputy")
    response = kind.post_decision(client, pending, approve=False, comment="")
    assert response.status_code == 302
    page = client.get(kind.list_url).content.decode()
    assert "Укажите, почему запрос отклонён." in page
    pending.refresh_from_db()
    assert pending.status == CorrectionStatus.PENDING
    kind.post_decision(client, pending, approve=False, comment="Нет подтверждения")
    kind.post_decision(client, pending, approve=True)
    assert "Запрос уже рассмотрен." in client.get(kind.list_url).content.decode()
    assert kind.current() == kind.before


def test_the_director_reads_the_pending_requests_without_the_decision_forms(
    kind, pending, client_for, late
):
    director = client_for("director").get(kind.list_url).content.decode()
    assert pending.reason in director
    assert "Одобрить" not in director and "Отклонить" not in director
    deputy = client_for("deputy").get(kind.list_url).content.decode()
    assert pending.reason in deputy and "Одобрить" in deputy
