"""The health sheet and guardian data kept by the homeroom teacher."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from ejournal.accounts.models import (
    Guardian,
    HealthGroup,
    HealthSheet,
    PEGroup,
    Role,
    StaffMember,
    Student,
    User,
)
from ejournal.audit import services as audit
from ejournal.school import selectors as school_selectors
from ejournal.school.models import GroupKind, TeachingLoad

CHECK_EVERY_DAYS = 30


def is_homeroom_of(staff: StaffMember | None, student: Student, day: dt.date) -> bool:
    school_class = school_selectors.class_of_student_on(student=student, day=day)
    return bool(staff and school_class and school_class.homeroom_teacher_id == staff.pk)


def is_pe_teacher_of(staff: StaffMember | None, student: Student, day: dt.date) -> bool:
    if staff is None:
        return False
    school_class = school_selectors.class_of_student_on(student=student, day=day)
    member_of = Q(
        group__memberships__student=student,
        group__memberships__date_from__lte=day,
    ) & (Q(group__memberships__date_to__isnull=True) | Q(group__memberships__date_to__gte=day))
    whole_class = Q(group__kind=GroupKind.WHOLE_CLASS, group__school_class=school_class)
    return TeachingLoad.objects.filter(
        Q(member_of) | (whole_class if school_class else Q(pk__in=[])),
        teacher=staff,
        subject__is_physical_education=True,
    ).exists()


def health_access(*, roles, staff, student: Student, day: dt.date) -> tuple[bool, bool]:
    """(may read, may edit): homeroom teacher, deputy, administrator edit; the director and
    PE teachers read."""
    if roles & {Role.ADMIN, Role.DEPUTY} or is_homeroom_of(staff, student, day):
        return True, True
    if Role.DIRECTOR in roles:
        return True, False
    return is_pe_teacher_of(staff, student, day), False


def health_sheet_view(*, student: Student, actor: User) -> HealthSheet | None:
    """Read the sheet; the reading itself goes to the audit trail."""
    sheet = HealthSheet.objects.filter(student=student).first()
    audit.record(
        action="health_sheet.viewed",
        actor=actor,
        school=student.school_id,
        object_type="accounts.healthsheet",
        object_id=student.pk,
    )
    return sheet


@transaction.atomic
def health_sheet_save(
    *, student: Student, health_group: str, pe_group: str, notes: str, actor: User
) -> HealthSheet:
    from ejournal.people.services import ensure_full_data_allowed

    ensure_full_data_allowed(student)
    if health_group not in HealthGroup.values:
        raise ValidationError("Укажите группу здоровья (I–V).")
    if pe_group not in PEGroup.values:
        raise ValidationError("Укажите группу по физической культуре.")
    sheet = HealthSheet.objects.select_for_update().filter(student=student).first()
    before = (
        {"health_group": sheet.health_group, "pe_group": sheet.pe_group, "notes": sheet.notes}
        if sheet
        else None
    )
    if sheet is not None and before == {
        "health_group": health_group,
        "pe_group": pe_group,
        "notes": notes.strip(),
    }:
        return sheet  # posted back unchanged: nothing to write
    sheet, _ = HealthSheet.objects.update_or_create(
        student=student,
        defaults={
            "health_group": health_group,
            "pe_group": pe_group,
            "notes": notes.strip(),
            "updated_by": actor,
        },
    )
    audit.record(
        action="health_sheet.saved",
        actor=actor,
        school=student.school_id,
        object_type="accounts.healthsheet",
        object_id=student.pk,
        before=before,
        after={"health_group": health_group, "pe_group": pe_group, "notes": sheet.notes},
    )
    return sheet


def guardian_check_due(guardian: Guardian, today: dt.date) -> bool:
    return guardian.checked_on is None or (today - guardian.checked_on).days >= CHECK_EVERY_DAYS


@transaction.atomic
def guardian_confirm_checked(*, guardian: Guardian, today: dt.date, actor: User) -> None:
    before = guardian.checked_on
    if before == today:
        return
    guardian.checked_on = today
    guardian.save(update_fields=["checked_on"])
    audit.record(
        action="guardian.checked",
        actor=actor,
        school=guardian.school_id,
        obj=guardian,
        before={"checked_on": before},
        after={"checked_on": today},
    )
