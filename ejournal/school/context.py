"""The acting user's school and roles for one request (``request.ctx``, set by
``school.middleware.CurrentSchoolMiddleware``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ejournal.accounts.menu import menu_links
from ejournal.accounts.middleware import SESSION_SCHOOL_KEY
from ejournal.accounts.models import (
    FAMILY_ROLES,
    HOMEROOM,
    STAFF_ROLES,
    Guardian,
    Role,
    StaffMember,
    Student,
)
from ejournal.accounts.permissions import deny
from ejournal.core import rawsql
from ejournal.school.models import Municipality, School


@dataclass
class Membership:
    """What one user is in one school (or municipality, for an inspector)."""

    school: School | None
    municipality: Municipality | None
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def key(self) -> str:
        return f"s{self.school.pk}" if self.school else f"m{self.municipality.pk}"  # type: ignore[union-attr]

    @property
    def title(self) -> str:
        return str(self.school or self.municipality)


SCHOOL_COLUMNS = tuple(f.attname for f in School._meta.concrete_fields)
MUNICIPALITY_COLUMNS = tuple(f.attname for f in Municipality._meta.concrete_fields)
# Every page asks for it: written by hand (see ejournal.core.rawsql).
MEMBERSHIPS_SQL = f"""
SELECT r.role, {rawsql.columns("sc", SCHOOL_COLUMNS)}, {rawsql.columns("mu", MUNICIPALITY_COLUMNS)}
FROM accounts_roleassignment r
LEFT JOIN school_school sc ON sc.id = r.school_id
LEFT JOIN school_municipality mu ON mu.id = r.municipality_id
WHERE r.user_id = %s AND r.active = %s
ORDER BY sc.short_name, mu.name, r.id
"""  # noqa: S608 - the models' column names only


STAFF_COLUMNS = tuple(f.attname for f in StaffMember._meta.concrete_fields)
STAFF_SQL = f"""
SELECT {rawsql.columns("sm", STAFF_COLUMNS)},
       EXISTS (SELECT 1 FROM school_schoolclass c WHERE c.homeroom_teacher_id = sm.id)
FROM accounts_staffmember sm
WHERE sm.school_id = %s AND sm.user_id = %s AND sm.is_active = %s
ORDER BY sm.id LIMIT 1
"""  # noqa: S608 - the models' column names only


def memberships_of(user) -> list[Membership]:
    """Every school/municipality where the user holds an active role (one query)."""
    by_key: dict[str, Membership] = {}
    size = len(SCHOOL_COLUMNS)
    for role, *row in rawsql.fetch(MEMBERSHIPS_SQL, [user.pk, True]):
        school = rawsql.instance(School, SCHOOL_COLUMNS, row[:size]) if row[0] is not None else None
        municipality = (
            rawsql.instance(Municipality, MUNICIPALITY_COLUMNS, row[size:])
            if row[size] is not None
            else None
        )
        m = Membership(school=school, municipality=municipality)
        m = by_key.setdefault(m.key, m)
        m.roles = m.roles | {role}
    return list(by_key.values())


class SchoolContext:
    """Lazily resolved: anonymous requests and static files cost no queries."""

    def __init__(self, request):
        self._request = request

    @cached_property
    def memberships(self) -> list[Membership]:
        user = self._request.user
        if not user.is_authenticated:
            return []
        return memberships_of(user)

    @cached_property
    def current(self) -> Membership | None:
        memberships = self.memberships
        if not memberships:
            return None
        chosen = self._request.session.get(SESSION_SCHOOL_KEY)
        for m in memberships:
            if m.key == chosen:
                return m
        return memberships[0] if len(memberships) == 1 else None

    @property
    def needs_choice(self) -> bool:
        return len(self.memberships) > 1 and self.current is None

    @property
    def school(self) -> School | None:
        return self.current.school if self.current else None

    def school_or_404(self) -> School:
        """The current school, for pages that only exist inside one (behind
        ``roles_required`` with school roles); without one the page is not found."""
        school = self.school
        if school is None:
            raise deny()
        return school

    @property
    def municipality(self) -> Municipality | None:
        return self.current.municipality if self.current else None

    @cached_property
    def staff(self) -> StaffMember | None:
        if not self.school:
            return None
        # Whether they lead a class comes in the same query (every teacher's page asks).
        rows = rawsql.fetch(STAFF_SQL, [self.school.pk, self._request.user.pk, True])
        if not rows:
            return None
        staff = rawsql.instance(StaffMember, STAFF_COLUMNS, rows[0][:-1])
        staff.leads_class = bool(rows[0][-1])  # type: ignore[attr-defined]
        return staff

    @cached_property
    def is_homeroom(self) -> bool:
        staff = self.staff
        return bool(staff and staff.leads_class)  # type: ignore[attr-defined]

    @cached_property
    def roles(self) -> frozenset[str]:
        if not self.current:
            return frozenset()
        roles = set(self.current.roles)
        if Role.TEACHER in roles and self.is_homeroom:
            roles.add(HOMEROOM)
        return frozenset(roles)

    @property
    def menu(self) -> tuple[tuple[str, str], ...]:
        return menu_links(self.roles)

    @property
    def is_staff_member(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    @property
    def is_family_only(self) -> bool:
        return bool(self.roles) and self.roles <= FAMILY_ROLES

    @cached_property
    def student(self) -> Student | None:
        if not self.school or Role.STUDENT not in self.roles:
            return None
        return Student.objects.filter(school=self.school, user=self._request.user).first()

    @cached_property
    def guardian(self) -> Guardian | None:
        if not self.school or Role.PARENT not in self.roles:
            return None
        return Guardian.objects.filter(school=self.school, user=self._request.user).first()

    @property
    def primary_role(self) -> str | None:
        """The role whose start page the user lands on."""
        order = [
            Role.ADMIN,
            Role.DIRECTOR,
            Role.DEPUTY,
            Role.OPERATOR,
            Role.HR,
            Role.TEACHER,
            Role.INSPECTOR,
            Role.SUPPORT,
            Role.PARENT,
            Role.STUDENT,
        ]
        for role in order:
            if role in self.roles:
                return role
        return None
