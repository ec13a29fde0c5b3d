"""Reads of the people pages."""

from __future__ import annotations

from django.db.models import Prefetch

from ejournal.accounts.models import RoleAssignment, StaffMember
from ejournal.school.models import School


def staff_with_roles(*, school: School):
    """Staff of a school, each with ``school_roles``: its active roles there (two queries)."""
    roles = RoleAssignment.objects.filter(school=school, active=True).order_by("role")
    return (
        StaffMember.objects.filter(school=school)
        .select_related("user")
        .prefetch_related(
            Prefetch("user__role_assignments", queryset=roles, to_attr="school_roles")
        )
        .order_by("-is_active", "last_name", "first_name", "patronymic")
    )
