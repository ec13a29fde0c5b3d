"""Period and year marks: what a teacher types, saving a sheet or one mark, and corrections
of a closed period's marks."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ejournal.accounts.models import Student
from ejournal.attestation import selectors
from ejournal.attestation.models import (
    PeriodMark,
    PeriodMarkCorrection,
    PeriodMarkKind,
    PeriodMarkValue,
)
from ejournal.attestation.permissions import teaches
from ejournal.attestation.selectors import EntryRow, EntrySheet, Target
from ejournal.audit import services as audit
from ejournal.core import registry
from ejournal.journal import averages
from ejournal.journal.corrections import correction_reason
from ejournal.journal.models import CorrectionStatus
from ejournal.school import selectors as school_selectors
from ejournal.school.models import StudyGroup, Subject

_ALIASES = {
    "2": PeriodMarkValue.TWO,
    "3": PeriodMarkValue.THREE,
    "4": PeriodMarkValue.FOUR,
    "5": PeriodMarkValue.FIVE,
    "н/а": PeriodMarkValue.NOT_ATTESTED,
    "на": PeriodMarkValue.NOT_ATTESTED,
    "na": PeriodMarkValue.NOT_ATTESTED,
    "осв": PeriodMarkValue.EXEMPT,
    "osv": PeriodMarkValue.EXEMPT,
    "зач": PeriodMarkValue.PASS,
    "zach": PeriodMarkValue.PASS,
    "незач": PeriodMarkValue.FAIL,
    "nezach": PeriodMarkValue.FAIL,
    "безотм": PeriodMarkValue.NO_MARK,
    "bezotm": PeriodMarkValue.NO_MARK,
}


INPUT_HELP = "2–5, н/а, осв, зач, незач или безотм"


NO_MARK_SUBJECT_VALUES = {"na", "osv", "zach", "nezach", "bezotm"}


def parse_period_mark(text: str | None) -> str | None:
    """What the teacher typed → a ``PeriodMarkValue`` (None clears the mark)."""
    cleaned = (text or "").strip().lower().replace(" ", "")
    if not cleaned:
        return None
    value = _ALIASES.get(cleaned)
    if value is None:
        raise ValidationError(f"Недопустимая отметка за период «{text}». Допустимо: {INPUT_HELP}.")
    return str(value)


class PeriodMarkConflict(ValidationError):
    """Someone changed the period mark since the teacher loaded the page."""

    def __init__(self, current: PeriodMark | None):
        self.current = current
        shown = current.get_value_display() if current else "пусто"
        super().__init__(
            f"Отметку уже изменил другой пользователь (сейчас: {shown}). "
            "Обновите страницу и проверьте."
        )


class PeriodMarksRefused(ValidationError):
    """The page was not saved: messages per row (``student_<id>``), and the rows where
    someone else had changed the mark (``conflicts``: student id → current mark)."""

    def __init__(self, errors: dict[str, list[str]], conflicts: dict[int, PeriodMark | None]):
        super().__init__(errors)
        self.conflicts = conflicts


@dataclass(frozen=True)
class PeriodMarkEntry:
    """One row of the entry page as submitted: what was typed and the version seen."""

    student_id: int
    value: str | None
    comment: str = ""
    expected_version: int | None = None


def _snapshot(mark: PeriodMark | None) -> dict[str, Any] | None:
    if mark is None:
        return None
    return {
        "value": mark.value,
        "display": mark.get_value_display(),
        "comment": mark.comment,
        "suggested": mark.suggested,
        "needs_review": mark.needs_review,
        "version": mark.version,
    }


def _ensure_teacher(staff, group: StudyGroup, subject: Subject) -> None:
    if not teaches(staff, group, subject):
        raise ValidationError(
            "Отметки за период выставляет учитель, который ведёт этот предмет в группе."
        )


def _row_for_entry(sheet: EntrySheet, student_id: int) -> EntryRow:
    """The student's row, if they may take a period mark in this group."""
    row = sheet.row_for(student_id)
    if row is None:
        raise ValidationError("Ученик не учится в этой группе в этом периоде.")
    if row.gone:
        raise ValidationError(row.gone)
    return row


def period_marks_save(
    *,
    actor,
    staff,
    group: StudyGroup,
    subject: Subject,
    target: Target,
    entries: Sequence[PeriodMarkEntry],
) -> int:
    """Save the rows of the entry page all together or not at all.

    Returns the number of marks changed. On any refusal of a row raises
    ``PeriodMarksRefused`` (per-row messages and conflicts); nothing is saved.
    """
    _ensure_teacher(staff, group, subject)
    today = school_selectors.school_today(group.school)
    sheet = selectors.entry_sheet(group=group, subject=subject, target=target, today=today)
    if sheet.refusal:
        raise ValidationError(sheet.refusal)
    errors: dict[str, list[str]] = {}
    conflicts: dict[int, PeriodMark | None] = {}
    changed = 0
    with transaction.atomic():
        locked = {
            m.student_id: m
            for m in PeriodMark.objects.select_for_update().filter(
                pk__in=[r.period_mark.pk for r in sheet.rows if r.period_mark]
            )
        }
        for entry in entries:
            try:
                row = _row_for_entry(sheet, entry.student_id)
                if _apply(actor, sheet, row, locked.get(entry.student_id), entry):
                    changed += 1
            except PeriodMarkConflict as exc:
                conflicts[entry.student_id] = exc.current
                errors[f"student_{entry.student_id}"] = exc.messages
            except ValidationError as exc:
                errors[f"student_{entry.student_id}"] = exc.messages
        if errors:
            # Leaving the block by an exception rolls back every row already saved.
            raise PeriodMarksRefused(errors, conflicts)
    return changed


def period_mark_set(
    *,
    actor,
    staff,
    group: StudyGroup,
    subject: Subject,
    target: Target,
    student: Student,
    value: str | None,
    comment: str = "",
    expected_version: int | None,
) -> PeriodMark | None:
    """Set, change or clear one student's period mark (the single-row form of the page)."""
    try:
        period_marks_save(
            actor=actor,
            staff=staff,
            group=group,
            subject=subject,
            target=target,
            entries=[PeriodMarkEntry(student.pk, value, comment, expected_version)],
        )
    except PeriodMarksRefused as exc:
        if student.pk in exc.conflicts:
            raise PeriodMarkConflict(exc.conflicts[student.pk]) from None
        raise ValidationError(exc.messages) from None
    return _period_marks_of(student, subject, target).first()


def _period_marks_of(student: Student, subject: Subject, target: Target):
    marks = PeriodMark.objects.filter(student=student, subject=subject)
    if target.period is not None:
        return marks.filter(period=target.period)
    return marks.filter(year=target.year, kind=target.kind)


def _apply(
    actor,
    sheet: EntrySheet,
    row: EntryRow,
    existing: PeriodMark | None,
    entry: PeriodMarkEntry,
    reason: str = "",
) -> bool:
    value = parse_period_mark(entry.value)
    comment = (entry.comment or "").strip()
    if len(comment) > 1000:
        raise ValidationError("Комментарий — не длиннее 1000 символов.")
    current_version = existing.version if existing else None
    if (entry.expected_version or None) != current_version:
        raise PeriodMarkConflict(existing)
    if value is None:
        if existing is None:
            return False
        before = _snapshot(existing)
        existing.delete()
        _audit(actor, sheet, row, "period_mark.deleted", before, None, reason)
        return True
    _validate_value(sheet, value)
    suggestion = row.suggestion
    needs_review = sheet.target.kind != PeriodMarkKind.EXAM and averages.deviates(
        value=value, policy_mark=suggestion.policy_mark
    )
    if needs_review and not comment:
        basis = (
            f"по среднему баллу {averages.display_average(row.summary.average)} — "
            f"«{suggestion.policy_mark}»"
            if sheet.target.kind == PeriodMarkKind.PERIOD and suggestion.policy_mark
            else (
                f"рекомендовано «{suggestion.policy_mark}»"
                if suggestion.policy_mark
                else "текущих отметок нет"
            )
        )
        raise ValidationError(
            f"{row.student.short_name}: отметка «{value}» отличается от рекомендованной "
            f"({basis}) больше чем на одну ступень. Укажите обоснование в комментарии."
        )
    if existing is not None and existing.value == value and existing.comment == comment:
        return False
    before = _snapshot(existing)
    mark = existing or PeriodMark(
        school_id=sheet.group.school_id,
        year=sheet.target.year,
        student=row.student,
        subject=sheet.subject,
        kind=sheet.target.kind,
        period=sheet.target.period,
    )
    mark.value = value
    mark.comment = comment
    mark.suggested = suggestion.value or ""
    mark.needs_review = needs_review
    mark.entered_by = actor
    if existing is not None:
        mark.version += 1
        mark.save()
    else:
        try:
            with transaction.atomic():
                mark.save(force_insert=True)
        except IntegrityError:
            raise PeriodMarkConflict(
                _period_marks_of(row.student, sheet.subject, sheet.target).first()
            ) from None
    _audit(
        actor,
        sheet,
        row,
        "period_mark.updated" if existing else "period_mark.created",
        before,
        _snapshot(mark),
        reason,
    )
    # Families hear about it after commit (the notifications, an app above this one).
    change = registry.PeriodMarkChange(
        school_id=sheet.group.school_id,
        period_mark_id=mark.pk,
        before=before,
        after=_snapshot(mark),
    )
    for listener in registry.PERIOD_MARKS_CHANGED.providers():
        transaction.on_commit(functools.partial(listener, [change]))
    return True


def _validate_value(sheet: EntrySheet, value: str) -> None:
    subject = sheet.subject
    if subject.is_no_mark and value not in NO_MARK_SUBJECT_VALUES:
        raise ValidationError(
            f"По предмету «{subject.name}» обучение безотметочное: допустимы «зач», «незач», "
            "«осв», «н/а» или «безотм»."
        )
    if not subject.is_no_mark and value == PeriodMarkValue.NO_MARK:
        raise ValidationError("«безотм» ставится только по безотметочным предметам.")


def _audit(
    actor, sheet: EntrySheet, row: EntryRow, action: str, before, after, reason: str = ""
) -> None:
    audit.record(
        action=action,
        actor=actor,
        school=sheet.group.school_id,
        object_type="attestation.periodmark",
        object_id=f"{row.student.pk}:{sheet.subject.pk}:{sheet.target.slug}",
        before=before,
        after=after,
        reason=reason,
    )


def period_mark_correction_create(
    *,
    actor,
    staff,
    group: StudyGroup,
    subject: Subject,
    target: Target,
    student: Student,
    value: str,
    comment: str,
    reason: str,
) -> PeriodMarkCorrection:
    """The teacher asks to change a period mark that can no longer be entered directly."""
    _ensure_teacher(staff, group, subject)
    today = school_selectors.school_today(group.school)
    sheet = selectors.entry_sheet(group=group, subject=subject, target=target, today=today)
    if sheet.refusal is None:
        raise ValidationError("Срок ещё не истёк: выставьте отметку на странице сами.")
    if sheet.grade == 1:
        raise ValidationError(sheet.refusal)
    row = _row_for_entry(sheet, student.pk)
    parsed = parse_period_mark(value)
    if parsed is None:
        raise ValidationError("Укажите новую отметку.")
    _validate_value(sheet, parsed)
    comment = (comment or "").strip()
    if (
        sheet.target.kind != PeriodMarkKind.EXAM
        and averages.deviates(value=parsed, policy_mark=row.suggestion.policy_mark)
        and not comment
    ):
        raise ValidationError(
            f"Отметка «{parsed}» отличается от рекомендованной больше чем на одну ступень: "
            "укажите обоснование отметки."
        )
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError("Укажите причину исправления (не короче 5 символов).")
    with transaction.atomic():
        if PeriodMarkCorrection.objects.filter(
            group=group,
            subject=subject,
            student=student,
            target_slug=target.slug,
            status=CorrectionStatus.PENDING,
        ).exists():
            raise ValidationError("По этой отметке уже есть запрос на рассмотрении.")
        correction = PeriodMarkCorrection.objects.create(
            school_id=group.school_id,
            group=group,
            subject=subject,
            student=student,
            target_slug=target.slug,
            target_label=target.label,
            old_value=_snapshot(row.period_mark),
            new_value=parsed,
            new_comment=comment,
            reason=reason,
            requested_by=actor,
        )
        audit.record(
            action="period_mark_correction.requested",
            actor=actor,
            school=group.school_id,
            obj=correction,
            before=correction.old_value,
            after={"value": parsed, "comment": comment},
            reason=reason,
        )
    return correction


def period_mark_correction_apply(req: PeriodMarkCorrection, *, actor) -> None:
    """Set the period mark an approved request asks for, whatever the window or closing
    (called by ``correction_decide`` inside its transaction)."""
    group = req.group
    target = selectors.target_for(
        year=group.year, grade=selectors.group_grade(group), slug=req.target_slug
    )
    if target is None:
        raise ValidationError("Период запроса больше не существует.")
    sheet = selectors.entry_sheet(
        group=group,
        subject=req.subject,
        target=target,
        today=school_selectors.school_today(group.school),
    )
    row = _row_for_entry(sheet, req.student_id)
    existing = _period_marks_of(row.student, req.subject, target).select_for_update().first()
    _apply(
        actor,
        sheet,
        row,
        existing,
        PeriodMarkEntry(
            req.student_id, req.new_value, req.new_comment, existing.version if existing else None
        ),
        reason=correction_reason(req),
    )
