"""Shared bits for the structure page tests."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ejournal.accounts.models import RoleAssignment, StaffMember, User
from ejournal.audit.models import AuditEvent
from ejournal.school.models import (
    AcademicYear,
    ClassEnrollment,
    CurriculumEntry,
    DayOff,
    GradeBand,
    GroupMembership,
    SchoolClass,
    StudyGroup,
    StudyPeriod,
    Subject,
    TeachingLoad,
)
from ejournal.testing.world import WORLD_ROLES

ALL_ROLES = [*WORLD_ROLES, "anonymous"]
EDITORS = {"admin", "deputy"}
READERS = EDITORS | {"director"}

_MODELS: list[Any] = [
    AcademicYear,
    GradeBand,
    StudyPeriod,
    DayOff,
    SchoolClass,
    ClassEnrollment,
    Subject,
    CurriculumEntry,
    StudyGroup,
    GroupMembership,
    TeachingLoad,
    StaffMember,
    User,
    RoleAssignment,
    AuditEvent,
]


def db_state() -> dict:
    """Every row of the structure (and the audit trail): equal before and after means
    that nothing changed."""
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in _MODELS}


def expected_status(role: str, allowed: set[str]) -> int:
    if role == "anonymous":
        return 302
    return 200 if role in allowed else 404


def query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def audit_actions(**filters) -> list[str]:
    return list(
        AuditEvent.objects.filter(**filters).order_by("seq").values_list("action", flat=True)
    )
