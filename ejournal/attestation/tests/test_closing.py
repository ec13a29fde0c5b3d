"""Closing a period locks the journal and period marks; reopening needs a reason."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from ejournal.attestation import selectors, services
from ejournal.attestation.models import PeriodClosure, PeriodMark
from ejournal.attestation.services import PeriodMarkEntry
from ejournal.attestation.tests.conftest import AFTER_GRACE, IN_WINDOW
from ejournal.audit.models import AuditEvent
from ejournal.core import registry
from ejournal.journal import rules
from ejournal.journal import services as journal
from ejournal.journal.corrections import correction_decide
from ejournal.journal.models import Attendance, CorrectionStatus, JournalSettings, Mark, Work
from ejournal.school.models import GradeBand, StudyPeriod
from ejournal.testing import factories as f

LAST_DAY = dt.date(2026, 12, 28)  # the last day of the second quarter


def _close(aw, role="deputy"):
    return services.period_close(actor=aw.w.users[role], period=aw.q2)


def test_the_journal_asks_period_closing_for_closed_periods():
    assert selectors.closed_ranges_for in registry.CLOSED_PERIODS.providers()


def test_a_period_cannot_be_closed_before_its_end_and_the_grace_days(aw):
    with time_machine.travel("2027-01-02 18:00 +0300", tick=False):
        with pytest.raises(ValidationError, match="можно закрыть с 03.01.2027"):
            _close(aw)
    assert not PeriodClosure.objects.exists()


@pytest.mark.parametrize("role", ["teacher", "homeroom", "director", "admin", "outsider"])
def test_only_the_deputy_closes_a_period(aw, role):
    with time_machine.travel(AFTER_GRACE, tick=False):
        with pytest.raises(ValidationError, match="заместитель директора"):
            _close(aw, role)
    assert not PeriodClosure.objects.exists()


def test_closing_locks_marks_and_attendance_and_a_correction_still_applies(aw):
    w = aw.w
    student = w.students[0]
    lesson = aw.lesson(LAST_DAY)
    # Attendance may be entered for ten days here, so only the closing can lock it.
    JournalSettings.objects.update_or_create(
        school=w.school, defaults={"attendance_window_days": 10}
    )
    work = Work.objects.create(lesson=lesson, work_type=aw.types["Ответ на уроке"])
    teacher = dict(actor=w.users["teacher"], staff=aw.teacher)
    with time_machine.travel(AFTER_GRACE, tick=False):
        # Before closing, the ordinary window (7 days) is still open.
        journal.mark_set(**teacher, work=work, student=student, value="4", expected_version=None)
        _close(aw)
        with pytest.raises(journal.JournalRefusal, match="«2 четверть» закрыт"):
            journal.mark_set(**teacher, work=work, student=student, value="5", expected_version=1)
        with pytest.raises(journal.JournalRefusal, match="«2 четверть» закрыт"):
            journal.attendance_set(
                **teacher, lesson=lesson, student=student, value="н", expected_version=None
            )
        with pytest.raises(journal.JournalRefusal, match="закрыт"):
            journal.work_create(**teacher, lesson=lesson, work_type=aw.types["Тест"])
        req = journal.correction_request_create(
            **teacher,
            lesson=lesson,
            kind="mark",
            work=work,
            student=student,
            new_value={"value": "5"},
            reason="Ошибка при вводе отметки",
        )
        correction_decide(
            actor=w.users["deputy"],
            correction=req,
            status=CorrectionStatus.APPROVED,
            apply=journal.correction_request_apply,
        )
    assert Mark.objects.get(work=work, student=student).value == "5"
    assert not Attendance.objects.exists()


def test_closing_locks_period_marks(aw):
    with time_machine.travel(AFTER_GRACE, tick=False):
        _close(aw)
        with pytest.raises(ValidationError, match="«2 четверть» закрыт"):
            services.period_marks_save(
                actor=aw.w.users["teacher"],
                staff=aw.teacher,
                group=aw.w.group,
                subject=aw.w.subject,
                target=aw.target(),
                entries=[PeriodMarkEntry(aw.w.students[0].pk, "na")],
            )
    assert not PeriodMark.objects.exists()


def test_other_periods_and_other_bands_stay_open(aw):
    w = aw.w
    senior = GradeBand.objects.create(year=w.year, name="10–11", grade_from=10, grade_to=11)
    StudyPeriod.objects.create(
        band=senior, number=1, name="1 полугодие", start=dt.date(2026, 9, 1), end=LAST_DAY
    )
    with time_machine.travel(AFTER_GRACE, tick=False):
        _close(aw)
    assert selectors.closed_ranges_for(w.school.pk, 5) == [
        rules.ClosedRange(aw.q2.start, aw.q2.end, "2 четверть")
    ]
    assert selectors.closed_ranges_for(w.school.pk, 10) == []
    assert selectors.closed_ranges_for(w.other_school.pk, 5) == []


def test_closing_twice_is_refused(aw):
    with time_machine.travel(AFTER_GRACE, tick=False):
        _close(aw)
        with pytest.raises(ValidationError, match="уже закрыт"):
            _close(aw)


def test_reopening_needs_a_reason_is_audited_and_unlocks(aw):
    w = aw.w
    student = w.students[0]
    lesson = aw.lesson(LAST_DAY)
    work = Work.objects.create(lesson=lesson, work_type=aw.types["Ответ на уроке"])
    with time_machine.travel(AFTER_GRACE, tick=False):
        _close(aw)
        with pytest.raises(ValidationError, match="Укажите причину"):
            services.period_reopen(actor=w.users["deputy"], period=aw.q2, reason="  ")
        with pytest.raises(ValidationError, match="заместитель директора"):
            services.period_reopen(actor=w.users["director"], period=aw.q2, reason="Так надо")
        assert PeriodClosure.objects.get().is_closed
        services.period_reopen(
            actor=w.users["deputy"], period=aw.q2, reason="Ученик сдал задолженность"
        )
        closure = PeriodClosure.objects.get()
        assert not closure.is_closed
        assert closure.reopened_by == w.users["deputy"]
        event = AuditEvent.objects.get(action="period.reopened")
        assert event.reason == "Ученик сдал задолженность"
        assert event.actor == w.users["deputy"]
        assert event.before["is_closed"] is True and event.after["is_closed"] is False
        # Reopened: the journal and the period marks accept changes again.
        journal.mark_set(
            actor=w.users["teacher"],
            staff=aw.teacher,
            work=work,
            student=student,
            value="4",
            expected_version=None,
        )
        services.period_marks_save(
            actor=w.users["teacher"],
            staff=aw.teacher,
            group=w.group,
            subject=w.subject,
            target=aw.target(),
            entries=[PeriodMarkEntry(student.pk, "na")],
        )
    assert PeriodMark.objects.count() == 1
    assert AuditEvent.objects.filter(action="period.closed").count() == 1


def test_reopening_an_open_period_is_refused(aw):
    with time_machine.travel(AFTER_GRACE, tick=False):
        with pytest.raises(ValidationError, match="не закрыт"):
            services.period_reopen(actor=aw.w.users["deputy"], period=aw.q2, reason="Причина есть")


@time_machine.travel(IN_WINDOW, tick=False)
def test_the_lock_provider_runs_one_query_however_many_periods_are_closed(
    aw, django_assert_num_queries
):
    with django_assert_num_queries(1):
        selectors.closed_ranges_for(aw.w.school.pk, 5)
    for period in StudyPeriod.objects.all():
        PeriodClosure.objects.create(period=period, closed_at=dt.datetime.now(dt.UTC))
    for n in range(5):
        band = GradeBand.objects.create(year=aw.w.year, name=f"b{n}", grade_from=5, grade_to=9)
        p = f.PeriodFactory(band=band)
        PeriodClosure.objects.create(period=p, closed_at=dt.datetime.now(dt.UTC))
    with django_assert_num_queries(1):
        ranges = selectors.closed_ranges_for(aw.w.school.pk, 5)
    assert len(ranges) == 9
