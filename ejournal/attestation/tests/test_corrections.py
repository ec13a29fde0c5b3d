"""After the window or the closing, a period mark changes only through a correction
request that the deputy approves."""

import functools

import pytest
import time_machine
from django.core.exceptions import ValidationError

from ejournal.attestation import services
from ejournal.attestation.models import PeriodMark, PeriodMarkCorrection
from ejournal.attestation.tests.conftest import AFTER_GRACE, IN_WINDOW, day
from ejournal.audit.models import AuditEvent
from ejournal.journal.corrections import correction_decide
from ejournal.journal.models import CorrectionStatus
from ejournal.testing.world import WORLD_ROLES

LATE = "2027-01-20 12:00 +0300"


def _marked(aw):
    student = aw.w.students[0]
    for d in (10, 12, 17):
        aw.mark(student, day(d), "4")
    with time_machine.travel(IN_WINDOW, tick=False):
        services.period_mark_set(
            actor=aw.w.users["teacher"],
            staff=aw.teacher,
            group=aw.w.group,
            subject=aw.w.subject,
            target=aw.target(),
            student=student,
            value="4",
            expected_version=None,
        )
    return student


def _request(aw, student, value="5", comment="", reason="Ученик пересдал тему"):
    return services.period_mark_correction_create(
        actor=aw.w.users["teacher"],
        staff=aw.teacher,
        group=aw.w.group,
        subject=aw.w.subject,
        target=aw.target(),
        student=student,
        value=value,
        comment=comment,
        reason=reason,
    )


# The shared decide service with this kind's change.
_decide = functools.partial(correction_decide, apply=services.period_mark_correction_apply)


def test_after_closing_a_period_mark_changes_only_after_approval(aw):
    student = _marked(aw)
    with time_machine.travel(AFTER_GRACE, tick=False):
        services.period_close(actor=aw.w.users["deputy"], period=aw.q2)
    with time_machine.travel(LATE, tick=False):
        req = _request(aw, student)
        assert PeriodMark.objects.get(student=student).value == "4"
        assert req.old_value["value"] == "4" and req.status == "pending"
        _decide(actor=aw.w.users["deputy"], correction=req, status=CorrectionStatus.APPROVED)
    mark = PeriodMark.objects.get(student=student)
    assert mark.value == "5" and mark.entered_by == aw.w.users["deputy"]
    event = AuditEvent.objects.filter(action="period_mark.updated").latest("seq")
    assert f"запросу №{req.pk}" in event.reason
    assert event.before["value"] == "4" and event.after["value"] == "5"


def test_request_is_refused_while_the_teacher_may_still_enter_the_mark(aw):
    student = _marked(aw)
    with (
        time_machine.travel(IN_WINDOW, tick=False),
        pytest.raises(ValidationError, match="Срок ещё не истёк"),
    ):
        _request(aw, student)
    assert not PeriodMarkCorrection.objects.exists()


def test_request_validates_value_reason_objectivity_and_duplicates(aw):
    student = _marked(aw)
    with time_machine.travel(LATE, tick=False):
        with pytest.raises(ValidationError, match="Недопустимая отметка"):
            _request(aw, student, value="7")
        with pytest.raises(ValidationError, match="причину"):
            _request(aw, student, reason="")
        with pytest.raises(ValidationError, match="обоснование"):
            _request(aw, student, value="2")  # average 4: more than one step away
        _request(aw, student)
        with pytest.raises(ValidationError, match="уже есть запрос"):
            _request(aw, student, value="3")
    assert PeriodMarkCorrection.objects.count() == 1


def test_only_the_subjects_teacher_requests_and_only_the_deputy_decides(aw):
    student = _marked(aw)
    with time_machine.travel(LATE, tick=False):
        with pytest.raises(ValidationError, match="выставляет учитель"):
            services.period_mark_correction_create(
                actor=aw.w.users["homeroom"],
                staff=aw.w.staff["homeroom"],
                group=aw.w.group,
                subject=aw.w.subject,
                target=aw.target(),
                student=student,
                value="5",
                comment="",
                reason="Хочу исправить",
            )
        req = _request(aw, student)
        with pytest.raises(ValidationError, match="заместитель директора"):
            _decide(actor=aw.w.users["teacher"], correction=req, status=CorrectionStatus.APPROVED)
    assert PeriodMark.objects.get(student=student).value == "4"


def test_rejection_needs_a_comment_and_changes_nothing(aw):
    student = _marked(aw)
    with time_machine.travel(LATE, tick=False):
        req = _request(aw, student)
        with pytest.raises(ValidationError, match="почему"):
            _decide(
                actor=aw.w.users["deputy"],
                correction=req,
                status=CorrectionStatus.REJECTED,
                comment="",
            )
        _decide(
            actor=aw.w.users["deputy"],
            correction=req,
            status=CorrectionStatus.REJECTED,
            comment="Нет оснований",
        )
        with pytest.raises(ValidationError, match="уже рассмотрен"):
            _decide(actor=aw.w.users["deputy"], correction=req, status=CorrectionStatus.APPROVED)
    assert PeriodMark.objects.get(student=student).value == "4"


ROLES = list(WORLD_ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_who_opens_the_correction_pages(aw, client_for, role):
    from django.urls import reverse

    student = _marked(aw)
    form_url = reverse(
        "attestation:correction_create",
        args=[aw.w.group.pk, aw.w.subject.pk, aw.target().slug, student.pk],
    )
    with time_machine.travel(LATE, tick=False):
        client = client_for(role)
        assert client.get(reverse("attestation:corrections")).status_code == (
            200 if role in ("teacher", "homeroom", "deputy", "director") else 404
        )
        assert client.get(form_url).status_code == (200 if role == "teacher" else 404)


def test_teacher_files_and_deputy_approves_through_the_pages(aw, client_for):
    from django.urls import reverse

    student = _marked(aw)
    with time_machine.travel(LATE, tick=False):
        entry = client_for("teacher").get(
            reverse("attestation:entry", args=[aw.w.group.pk, aw.w.subject.pk, aw.target().slug])
        )
        assert "Запрос на исправление" in entry.content.decode()
        response = client_for("teacher").post(
            reverse(
                "attestation:correction_create",
                args=[aw.w.group.pk, aw.w.subject.pk, aw.target().slug, student.pk],
            ),
            {"value": "5", "comment": "", "reason": "Ученик пересдал тему"},
        )
        assert response.status_code == 302
        req = PeriodMarkCorrection.objects.get()
        listing = client_for("deputy").get(reverse("attestation:corrections")).content.decode()
        assert "Ученик пересдал тему" in listing
        # A teacher cannot decide.
        assert (
            client_for("teacher")
            .post(reverse("attestation:correction_decide", args=[req.pk]), {"decision": "approve"})
            .status_code
            == 404
        )
        client_for("deputy").post(
            reverse("attestation:correction_decide", args=[req.pk]), {"decision": "approve"}
        )
    assert PeriodMark.objects.get(student=student).value == "5"


def test_director_reads_the_requests_but_cannot_decide(aw, client_for):
    from django.urls import reverse

    student = _marked(aw)
    with time_machine.travel(LATE, tick=False):
        client_for("teacher").post(
            reverse(
                "attestation:correction_create",
                args=[aw.w.group.pk, aw.w.subject.pk, aw.target().slug, student.pk],
            ),
            {"value": "5", "comment": "", "reason": "Ученик пересдал тему"},
        )
        req = PeriodMarkCorrection.objects.get()
        director = client_for("director")
        listing = director.get(reverse("attestation:corrections")).content.decode()
        assert "Ученик пересдал тему" in listing
        assert reverse("attestation:correction_decide", args=[req.pk]) not in listing
        assert "Одобрить" not in listing
        decide = reverse("attestation:correction_decide", args=[req.pk])
        assert director.post(decide, {"decision": "approve"}).status_code == 404
        start = director.get(reverse("accounts:home")).content.decode()
    req.refresh_from_db()
    assert req.status == "pending"
    assert PeriodMark.objects.get(student=student).value == "4"
    # The director's start page counts the same pending requests the list shows.
    assert "Запросы на исправление отметок за период: 1" in start


def test_bad_request_on_the_page_shows_a_russian_message_and_saves_nothing(aw, client_for):
    from django.urls import reverse

    student = _marked(aw)
    with time_machine.travel(LATE, tick=False):
        response = client_for("teacher").post(
            reverse(
                "attestation:correction_create",
                args=[aw.w.group.pk, aw.w.subject.pk, aw.target().slug, student.pk],
            ),
            {"value": "9", "comment": "", "reason": "Ученик пересдал тему"},
        )
    assert "Недопустимая отметка" in response.content.decode()
    assert not PeriodMarkCorrection.objects.exists()


def test_corrections_list_does_not_grow_in_queries(aw, client_for, django_assert_num_queries):
    from django.urls import reverse

    from ejournal.testing import factories as f

    student = _marked(aw)
    client = client_for("deputy")
    url = reverse("attestation:corrections")
    with time_machine.travel(LATE, tick=False):
        _request(aw, student)
        client.get(url)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as one:
            client.get(url)
        for i in range(4):
            other = f.StudentFactory(school=aw.w.school, last_name=f"Доп{i}")
            f.enroll(other, aw.w.school_class)
            for d in (10, 12, 17):
                aw.mark(other, day(d), "4")
            PeriodMarkCorrection.objects.create(
                school=aw.w.school,
                group=aw.w.group,
                subject=aw.w.subject,
                student=other,
                target_slug=aw.target().slug,
                target_label="2 четверть",
                new_value="5",
                reason="Пересдача",
                requested_by=aw.w.users["teacher"],
            )
        with django_assert_num_queries(len(one.captured_queries)):
            client.get(url)


def test_saving_a_period_mark_tells_the_notifications_after_commit(
    aw, django_capture_on_commit_callbacks, monkeypatch
):
    from ejournal.core import registry
    from ejournal.testing.registry import providers_set

    seen = []
    providers_set(monkeypatch, registry.PERIOD_MARKS_CHANGED, seen.extend)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _marked(aw)
    assert seen == []
    for callback in callbacks:
        callback()
    assert len(seen) == 1
    assert seen[0]["before"] is None and seen[0]["after"]["value"] == "4"
