"""Who can replace a teacher at a lesson: the teachers free then come first, each named
with the subjects they teach this year, then those busy with a lesson of their own."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from ejournal.accounts.models import StaffMember
from ejournal.schedule.models import Lesson, LessonStatus
from ejournal.school.models import TeachingLoad


@dataclass(frozen=True)
class SubstituteChoices:
    staff: QuerySet[StaffMember]  # free first, then busy; by name within each
    labels: dict[int, str]


def substitute_choices(*, school, lesson: Lesson | None) -> SubstituteChoices:
    """The school's active staff for the substitute picker of ``lesson`` (None: just the
    list by name). Two queries."""
    staff = StaffMember.objects.filter(school=school, is_active=True)
    if lesson is None:
        ordered = staff.order_by("last_name", "first_name")
        return SubstituteChoices(ordered, {})
    staff = staff.exclude(pk=lesson.planned_teacher_id)  # the one being replaced
    own_lesson = Lesson.objects.filter(
        Q(actual_teacher=OuterRef("pk"))
        | Q(actual_teacher__isnull=True, planned_teacher=OuterRef("pk")),
        school=school,
        date=lesson.date,
        number=lesson.number,
    ).exclude(Q(status=LessonStatus.CANCELLED) | Q(pk=lesson.pk))
    ordered = staff.annotate(busy=Exists(own_lesson)).order_by("busy", "last_name", "first_name")
    subjects: dict[int, set[str]] = defaultdict(set)
    for teacher_id, name in TeachingLoad.objects.filter(
        group__school=school, group__year_id=lesson.group.year_id
    ).values_list("teacher_id", "subject__name"):
        subjects[teacher_id].add(name)
    labels = {}
    for member in ordered:
        taught = ", ".join(sorted(subjects.get(member.pk, ())))
        state = "занят своим уроком" if member.busy else "свободен"  # type: ignore[attr-defined]
        labels[member.pk] = f"{member.short_name} — {state}" + (f" ({taught})" if taught else "")
    return SubstituteChoices(ordered, labels)
