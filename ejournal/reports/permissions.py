"""Who may open which report, and over which data. Forbidden and missing both answer 404.

- School-wide roles (administrator, director, deputy) see every class of their school.
- A homeroom teacher sees only their own classes, in the reports that admit ``HOMEROOM``.
- A teacher sees what a report admitting ``Role.TEACHER`` gives them (``scope.staff``).
- The municipal inspector sees the municipality's schools, aggregates only
  (``scope.personal_data`` is False).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import QuerySet

from ejournal.accounts.models import HOMEROOM, Role, RoleAssignment, StaffMember
from ejournal.accounts.permissions import deny
from ejournal.reports.registry import Report, all_reports, get_report
from ejournal.school.http import AuthedRequest, SchoolRequest
from ejournal.school.models import Municipality, School, SchoolClass

SCHOOL_WIDE = frozenset({Role.ADMIN, Role.DIRECTOR, Role.DEPUTY})
INSPECTOR = frozenset({Role.INSPECTOR})
# Everyone who may have at least one report; the nav shows «Отчёты» to them.
REPORT_USERS = SCHOOL_WIDE | {Role.TEACHER, HOMEROOM, Role.INSPECTOR}


def _no_progress(done: int, total: int) -> None:
    return None


@dataclass
class Scope:
    """What the acting user may see in a report."""

    user: object
    roles: frozenset[str]
    school: School | None
    municipality: Municipality | None
    staff: StaffMember | None
    schools: QuerySet[School]
    classes: QuerySet[SchoolClass]
    personal_data: bool = True
    progress: Callable[[int, int], None] = field(default=_no_progress)

    @property
    def is_school_wide(self) -> bool:
        return bool(self.roles & SCHOOL_WIDE)

    @property
    def is_inspector(self) -> bool:
        return self.school is None and self.municipality is not None


def may_open(roles: frozenset[str], report: Report) -> bool:
    return bool(roles & report.roles)


def reports_for(ctx) -> list[Report]:
    roles = frozenset(ctx.roles) if ctx.current else frozenset()
    return [r for r in all_reports() if may_open(roles, r)]


def report_for(ctx, slug: str) -> Report:
    report = get_report(slug)
    if report is None or not ctx.current or not may_open(frozenset(ctx.roles), report):
        raise deny()
    return report


def make_scope(
    *,
    user,
    roles: frozenset[str],
    school: School | None,
    municipality: Municipality | None,
    staff: StaffMember | None,
    report: Report,
) -> Scope:
    if school is None:
        schools = (
            School.objects.filter(municipality=municipality).order_by("short_name")
            if municipality is not None and Role.INSPECTOR in roles
            else School.objects.none()
        )
        return Scope(
            user=user,
            roles=roles,
            school=None,
            municipality=municipality,
            staff=None,
            schools=schools,
            classes=SchoolClass.objects.filter(school__in=schools),
            personal_data=False,
        )
    classes = SchoolClass.objects.filter(school=school)
    if roles & SCHOOL_WIDE & report.roles:
        pass
    elif HOMEROOM in roles and HOMEROOM in report.roles and staff is not None:
        classes = classes.filter(homeroom_teacher=staff)
    else:
        classes = classes.none()
    return Scope(
        user=user,
        roles=roles,
        school=school,
        municipality=None,
        staff=staff,
        schools=School.objects.filter(pk=school.pk),
        classes=classes,
    )


def scope_for_request(request: AuthedRequest, report: Report) -> Scope:
    ctx = request.ctx
    return make_scope(
        user=request.user,
        roles=frozenset(ctx.roles),
        school=ctx.school,
        municipality=ctx.municipality,
        staff=ctx.staff,
        report=report,
    )


def roles_of(*, user, school: School | None, municipality: Municipality | None):
    """Roles of a user in a school or municipality, as the request context computes them
    (for background runs, which have no request)."""
    assignments = RoleAssignment.objects.filter(user=user, active=True)
    if school is not None:
        assignments = assignments.filter(school=school)
    else:
        assignments = assignments.filter(municipality=municipality)
    roles = set(assignments.values_list("role", flat=True))
    staff = None
    if school is not None:
        staff = StaffMember.objects.filter(school=school, user=user, is_active=True).first()
        if Role.TEACHER in roles and staff is not None and staff.homeroom_classes.exists():
            roles.add(HOMEROOM)
    return frozenset(roles), staff


def scope_for_run(run, report: Report) -> Scope:
    """The scope of a stored run, computed afresh: a role taken away stops the run."""
    roles, staff = roles_of(user=run.user, school=run.school, municipality=run.municipality)
    if not may_open(roles, report):
        raise deny()
    return make_scope(
        user=run.user,
        roles=roles,
        school=run.school,
        municipality=run.municipality,
        staff=staff,
        report=report,
    )


def runs_visible_to(request: SchoolRequest):
    from ejournal.reports.models import ReportRun

    if not request.user.is_authenticated:
        return ReportRun.objects.none()
    ctx = request.ctx
    return ReportRun.objects.filter(
        user=request.user, school=ctx.school, municipality=ctx.municipality
    )


def run_for(request: AuthedRequest, run_id: int):
    """A run of the acting user in the current school, with its report (else 404)."""
    run = runs_visible_to(request).filter(pk=run_id).first()
    if run is None:
        raise deny()
    return run, report_for(request.ctx, run.slug)
