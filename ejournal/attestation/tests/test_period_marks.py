"""Entering period marks: the sheet's figures, warnings, objectivity, windows, rights."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from ejournal.attestation import selectors, services
from ejournal.attestation.models import PeriodMark
from ejournal.attestation.services import PeriodMarkEntry
from ejournal.attestation.tests.conftest import AFTER_GRACE, BEFORE_WINDOW, IN_WINDOW
from ejournal.audit.models import AuditEvent
from ejournal.school.models import TeachingLoad
from ejournal.testing import factories as f

D = dt.date


def _sheet(aw, target=None):
    return selectors.entry_sheet(
        group=aw.w.group, subject=aw.w.subject, target=target or aw.target(), today=D(2026, 12, 23)
    )


def _save(aw, *entries, staff=None, target=None, actor=None):
    return services.period_marks_save(
        actor=actor or aw.w.users["teacher"],
        staff=staff or aw.teacher,
        group=aw.w.group,
        subject=aw.w.subject,
        target=target or aw.target(),
        entries=list(entries),
    )


def _good_student(aw, student=None):
    """5 (control work, weight 2), 3 and 4 (oral): (10 + 3 + 4) / 4 = 4.25 → «4»."""
    s = student or aw.w.students[0]
    aw.mark(s, D(2026, 11, 10), "5", "Контрольная работа")
    aw.mark(s, D(2026, 11, 17), "3")
    aw.mark(s, D(2026, 11, 24), "4")
    return s


def test_sheet_shows_marks_weighted_average_suggestion_and_counts(aw):
    s0 = _good_student(aw)
    aw.mark(s0, D(2026, 12, 1), "dot")
    aw.mark(s0, D(2026, 12, 2), "zach")
    aw.mark(s0, D(2026, 10, 20), "2")  # first quarter: not in this period
    row = _sheet(aw).row_for(s0.pk)
    assert [c.display for c in row.marks] == ["5", "3", "4", "•", "зач"]
    assert row.summary.average == Decimal("4.25")
    assert row.summary.average_display == "4,25"
    assert row.summary.numeric_count == 3
    assert row.summary.written_count == 1
    assert row.summary.debt_count == 1
    assert row.suggestion.value == "4"
    assert row.suggestion.warnings == ("Долгов (точек): 1.",)


def test_too_few_marks_warns_and_suggests_not_attested(aw):
    s1 = aw.w.students[1]
    aw.mark(s1, D(2026, 11, 10), "5", "Контрольная работа")
    aw.mark(s1, D(2026, 11, 17), "5")
    row = _sheet(aw).row_for(s1.pk)
    assert row.suggestion.value == "na"
    assert row.suggestion.policy_mark == 5
    assert "Мало отметок: 2 из необходимых 3. Рекомендуется «н/а»." in row.suggestion.warnings


def test_minimum_number_of_marks_grows_with_weekly_hours(aw):
    s0 = _good_student(aw)
    TeachingLoad.objects.filter(group=aw.w.group).update(hours_per_week=Decimal("2"))
    sheet = _sheet(aw)
    assert sheet.required == 5
    assert sheet.row_for(s0.pk).suggestion.value == "na"
    TeachingLoad.objects.filter(group=aw.w.group).update(hours_per_week=Decimal("3"))
    assert _sheet(aw).required == 7


def test_a_written_work_is_required_when_the_group_had_one(aw):
    _good_student(aw)  # the group had a control work on 10.11
    s2 = aw.w.students[2]
    for d in (11, 12, 13):
        aw.mark(s2, D(2026, 11, d), "5")
    row = _sheet(aw).row_for(s2.pk)
    assert row.suggestion.value == "na"
    assert any("письменную" in w for w in row.suggestion.warnings)


def test_no_written_work_needed_when_the_group_had_none(aw):
    s2 = aw.w.students[2]
    for d in (11, 12, 13):
        aw.mark(s2, D(2026, 11, d), "5")
    assert _sheet(aw).row_for(s2.pk).suggestion.value == "5"


@time_machine.travel(IN_WINDOW, tick=False)
def test_teacher_saves_period_marks_versioned_and_audited(aw):
    s0 = _good_student(aw)
    assert _save(aw, PeriodMarkEntry(s0.pk, "4")) == 1
    mark = PeriodMark.objects.get()
    assert (mark.value, mark.version, mark.suggested, mark.needs_review) == ("4", 1, "4", False)
    assert mark.period == aw.q2 and mark.kind == "period"
    assert _save(aw, PeriodMarkEntry(s0.pk, "5", "", expected_version=1)) == 1
    mark.refresh_from_db()
    assert (mark.value, mark.version) == ("5", 2)
    actions = list(
        AuditEvent.objects.filter(object_type="attestation.periodmark").values_list(
            "action", flat=True
        )
    )
    assert actions == ["period_mark.created", "period_mark.updated"]


@time_machine.travel(IN_WINDOW, tick=False)
def test_mark_far_from_the_suggestion_needs_a_comment_and_is_listed_for_the_deputy(aw):
    s0 = _good_student(aw)  # suggested «4»
    with pytest.raises(ValidationError, match="больше чем на одну ступень"):
        _save(aw, PeriodMarkEntry(s0.pk, "2"))
    assert not PeriodMark.objects.exists()
    _save(aw, PeriodMarkEntry(s0.pk, "3"))  # one step: no comment needed
    assert PeriodMark.objects.get().needs_review is False
    _save(aw, PeriodMarkEntry(s0.pk, "2", "Не сдал зачёт по теме «Дроби»", expected_version=1))
    mark = PeriodMark.objects.get()
    assert mark.needs_review is True
    assert list(selectors.marks_for_review(school=aw.w.school, year=aw.w.year)) == [mark]


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_numeric_mark_without_any_current_marks_needs_a_comment(aw):
    s1 = aw.w.students[1]
    with pytest.raises(ValidationError, match="текущих отметок нет"):
        _save(aw, PeriodMarkEntry(s1.pk, "4"))
    _save(aw, PeriodMarkEntry(s1.pk, "na"))
    assert PeriodMark.objects.get().get_value_display() == "н/а"


@time_machine.travel(IN_WINDOW, tick=False)
def test_the_page_saves_all_rows_or_none(aw):
    s0 = _good_student(aw)
    s1 = aw.w.students[1]
    with pytest.raises(ValidationError) as exc:
        _save(aw, PeriodMarkEntry(s0.pk, "4"), PeriodMarkEntry(s1.pk, "7"))
    assert list(exc.value.message_dict) == [f"student_{s1.pk}"]
    assert "Недопустимая отметка за период «7»" in exc.value.message_dict[f"student_{s1.pk}"][0]
    assert not PeriodMark.objects.exists()
    assert not AuditEvent.objects.filter(object_type="attestation.periodmark").exists()


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_stale_version_is_a_conflict_showing_the_current_value(aw):
    s0 = _good_student(aw)
    _save(aw, PeriodMarkEntry(s0.pk, "4"))
    with pytest.raises(services.PeriodMarksRefused) as exc:
        _save(aw, PeriodMarkEntry(s0.pk, "5", "", expected_version=None))
    assert exc.value.conflicts == {s0.pk: PeriodMark.objects.get()}
    assert "сейчас: 4" in exc.value.message_dict[f"student_{s0.pk}"][0]
    with pytest.raises(services.PeriodMarkConflict, match="сейчас: 4"):
        services.period_mark_set(
            actor=aw.w.users["teacher"],
            staff=aw.teacher,
            group=aw.w.group,
            subject=aw.w.subject,
            target=aw.target(),
            student=s0,
            value="5",
            expected_version=None,
        )
    assert PeriodMark.objects.get().value == "4"


@time_machine.travel(IN_WINDOW, tick=False)
def test_clearing_a_period_mark_deletes_it_with_audit(aw):
    s0 = _good_student(aw)
    _save(aw, PeriodMarkEntry(s0.pk, "4"))
    _save(aw, PeriodMarkEntry(s0.pk, "", "", expected_version=1))
    assert not PeriodMark.objects.exists()
    assert AuditEvent.objects.filter(action="period_mark.deleted").count() == 1


def test_entry_is_refused_before_the_last_week_of_the_period(aw):
    s0 = _good_student(aw)
    with time_machine.travel(BEFORE_WINDOW, tick=False):
        with pytest.raises(ValidationError, match="выставляются с 22.12.2026"):
            _save(aw, PeriodMarkEntry(s0.pk, "4"))
    assert not PeriodMark.objects.exists()


def test_entry_is_refused_after_the_grace_period(aw):
    s0 = _good_student(aw)
    with time_machine.travel(AFTER_GRACE, tick=False):
        with pytest.raises(ValidationError, match="истёк 02.01.2027"):
            _save(aw, PeriodMarkEntry(s0.pk, "4"))


@time_machine.travel(IN_WINDOW, tick=False)
def test_grade_one_gets_no_period_marks(aw):
    w = aw.w
    first = f.ClassFactory(school=w.school, year=w.year, grade=1, letter="А")
    group = f.GroupFactory(school_class=first, name="1А")
    f.load(group, w.subject, aw.teacher)
    pupil = f.StudentFactory(school=w.school)
    f.enroll(pupil, first)
    target = selectors.target_for(year=w.year, grade=1, slug=f"p{aw.q2.pk}")
    with pytest.raises(ValidationError, match="В 1 классе обучение безотметочное"):
        services.period_marks_save(
            actor=w.users["teacher"],
            staff=aw.teacher,
            group=group,
            subject=w.subject,
            target=target,
            entries=[PeriodMarkEntry(pupil.pk, "5")],
        )
    assert not PeriodMark.objects.exists()


@time_machine.travel(IN_WINDOW, tick=False)
@pytest.mark.parametrize("role", ["deputy", "homeroom", "director"])
def test_only_the_subject_teacher_sets_period_marks(aw, role):
    s0 = _good_student(aw)
    with pytest.raises(ValidationError, match="учитель, который ведёт"):
        _save(aw, PeriodMarkEntry(s0.pk, "4"), staff=aw.w.staff[role], actor=aw.w.users[role])
    assert not PeriodMark.objects.exists()


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_student_outside_the_group_is_refused(aw):
    with pytest.raises(ValidationError, match="не учится в этой группе"):
        _save(aw, PeriodMarkEntry(aw.w.other_child.pk, "na"))


@time_machine.travel(IN_WINDOW, tick=False)
def test_no_mark_subject_takes_only_pass_fail_and_special_values(aw):
    subject = aw.w.subject
    subject.is_no_mark = True
    subject.save()
    s0 = aw.w.students[0]
    with pytest.raises(ValidationError, match="безотметочное"):
        _save(aw, PeriodMarkEntry(s0.pk, "5"))
    _save(aw, PeriodMarkEntry(s0.pk, "зач"))
    assert PeriodMark.objects.get().value == "zach"


@time_machine.travel(IN_WINDOW, tick=False)
def test_no_mark_value_is_refused_for_a_marked_subject(aw):
    with pytest.raises(ValidationError, match="только по безотметочным"):
        _save(aw, PeriodMarkEntry(aw.w.students[0].pk, "безотм"))


def test_year_mark_is_suggested_from_the_period_marks(aw):
    s0 = aw.w.students[0]
    periods = list(aw.w.year.bands.get().periods.order_by("start"))
    for period, value in zip(periods, ["5", "4", "4", "5"], strict=True):
        PeriodMark.objects.create(
            school=aw.w.school,
            year=aw.w.year,
            student=s0,
            subject=aw.w.subject,
            kind="period",
            period=period,
            value=value,
        )
    s1 = aw.w.students[1]
    PeriodMark.objects.create(
        school=aw.w.school,
        year=aw.w.year,
        student=s1,
        subject=aw.w.subject,
        kind="period",
        period=periods[0],
        value="na",
    )
    sheet = selectors.entry_sheet(
        group=aw.w.group,
        subject=aw.w.subject,
        target=aw.target(kind="year"),
        today=D(2027, 5, 28),
    )
    assert sheet.refusal is None  # year marks follow the last quarter's window
    assert sheet.row_for(s0.pk).suggestion.value == "5"  # 4.5 rounds up
    assert [m.value for m in sheet.row_for(s0.pk).basis] == ["5", "4", "4", "5"]
    assert sheet.row_for(s1.pk).suggestion.value == "na"


def test_parse_period_mark_accepts_russian_spellings():
    assert services.parse_period_mark(" Н/А ") == "na"
    assert services.parse_period_mark("осв") == "osv"
    assert services.parse_period_mark("незач") == "nezach"
    assert services.parse_period_mark("") is None
    with pytest.raises(ValidationError, match="Допустимо: 2–5"):
        services.parse_period_mark("1")
