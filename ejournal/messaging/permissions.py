"""Who may write to whom in a school, and who may manage announcements and events.

Staff write to anyone of the school. Parents write to staff who teach their children today
(their groups' teaching load and the homeroom teacher) and to the administration. Students
write to their own teachers and homeroom teacher. Families never see other families.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from ejournal.accounts.models import STAFF_ROLES, Role, RoleAssignment, StaffMember
from ejournal.accounts.permissions import STAFF_ANY
from ejournal.school.models import ClassEnrollment, GroupKind, GroupMembership, TeachingLoad
from ejournal.school.selectors import active_on

ADMINISTRATION = frozenset({Role.ADMIN, Role.DIRECTOR, Role.DEPUTY})
MAIL_USERS = STAFF_ANY | {Role.STUDENT, Role.PARENT}
ANNOUNCERS = ADMINISTRATION
EVENT_EDITORS = ADMINISTRATION | {Role.TEACHER}


def settings_of(school):
    from ejournal.messaging.models import MessagingSettings

    return MessagingSettings.objects.filter(school=school).first() or MessagingSettings(
        school=school
    )


def roles_of(user, school) -> set[str]:
    return set(
        RoleAssignment.objects.filter(user=user, school=school, active=True).values_list(
            "role", flat=True
        )
    )


def teacher_user_ids_of_students(*, student_ids, day: dt.date) -> set[int]:
    """Users of the staff who teach these students on ``day``: the teaching load of their
    class's groups and of groups they belong to, plus their homeroom teachers."""
    class_ids = set(
        ClassEnrollment.objects.filter(active_on(day), student_id__in=student_ids).values_list(
            "school_class_id", flat=True
        )
    )
    group_ids = set(
        GroupMembership.objects.filter(active_on(day), student_id__in=student_ids).values_list(
            "group_id", flat=True
        )
    )
    teachers = set(
        TeachingLoad.objects.filter(
            Q(group__kind=GroupKind.WHOLE_CLASS, group__school_class_id__in=class_ids)
            | Q(group_id__in=group_ids),
            teacher__is_active=True,
            teacher__user__isnull=False,
        ).values_list("teacher__user_id", flat=True)
    )
    teachers |= set(
        StaffMember.objects.filter(
            homeroom_classes__id__in=class_ids, is_active=True, user__isnull=False
        ).values_list("user_id", flat=True)
    )
    return teachers


def event_student_ids(*, user, school, day: dt.date) -> set[int] | None:
    """Pupils whose event results ``user`` may see and set: the administration every pupil
    of the school (None); a teacher the pupils they teach or lead on ``day`` (their load's
    groups and their homeroom classes) — never the rest of the school."""
    roles = roles_of(user, school)
    if roles & ADMINISTRATION:
        return None
    if Role.TEACHER not in roles:
        return set()
    staff_ids = list(
        StaffMember.objects.filter(user=user, school=school, is_active=True).values_list(
            "pk", flat=True
        )
    )
    loads = TeachingLoad.objects.filter(teacher_id__in=staff_ids)
    class_ids = set(
        loads.filter(group__kind=GroupKind.WHOLE_CLASS).values_list(
            "group__school_class_id", flat=True
        )
    ) | set(
        StaffMember.objects.filter(pk__in=staff_ids).values_list("homeroom_classes__id", flat=True)
    )
    group_ids = set(
        loads.exclude(group__kind=GroupKind.WHOLE_CLASS).values_list("group_id", flat=True)
    )
    return set(
        ClassEnrollment.objects.filter(active_on(day), school_class_id__in=class_ids).values_list(
            "student_id", flat=True
        )
    ) | set(
        GroupMembership.objects.filter(active_on(day), group_id__in=group_ids).values_list(
            "student_id", flat=True
        )
    )


def allowed_recipient_ids(*, user, school, day: dt.date) -> set[int] | None:
    """Ids of users ``user`` may write to in ``school``; ``None`` means anyone of the school."""
    roles = roles_of(user, school)
    if roles & STAFF_ROLES:
        return None
    conf = settings_of(school)
    allowed: set[int] = set()
    if Role.PARENT in roles:
        child_ids = list(school.students.filter(guardians__user=user).values_list("id", flat=True))
        if conf.parents_to_teachers:
            allowed |= teacher_user_ids_of_students(student_ids=child_ids, day=day)
        if conf.parents_to_administration:
            allowed |= set(
                RoleAssignment.objects.filter(
                    school=school, active=True, role__in=ADMINISTRATION
                ).values_list("user_id", flat=True)
            )
    if Role.STUDENT in roles and conf.students_to_teachers:
        own = list(school.students.filter(user=user).values_list("id", flat=True))
        allowed |= teacher_user_ids_of_students(student_ids=own, day=day)
    allowed.discard(user.pk)
    return allowed


def school_user_ids(school) -> set[int]:
    return set(
        RoleAssignment.objects.filter(school=school, active=True).values_list("user_id", flat=True)
    )
