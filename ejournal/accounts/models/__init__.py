"""Accounts, roles held per school, and the person profiles a school keeps.

Split: identity (users, roles per school: what ``accounts`` is about), people (the
person profiles: staff, students, guardians, their names) and records (orders, consent,
movement, health sheets, activities, staff records, compromise reports, letters jobs).
The people's models belong to ``ejournal.people`` but stay in this app for now, so that
no data migration is needed: their tables keep the ``accounts_`` prefix.
"""

from ejournal.accounts.models.identity import (
    FAMILY_ROLES,
    HOMEROOM,
    MUNICIPAL_ROLES,
    STAFF_ROLES,
    Role,
    RoleAssignment,
    User,
)
from ejournal.accounts.models.people import (
    Guardian,
    PersonName,
    Relation,
    Sex,
    StaffMember,
    Student,
    StudentGuardian,
    shown_name_key,
    shown_name_ordering,
    shown_name_parts,
    shown_name_sql,
)
from ejournal.accounts.models.records import (
    Activity,
    ActivityKind,
    CompromiseReport,
    Consent,
    ConsentStatus,
    HealthGroup,
    HealthSheet,
    LettersJob,
    LettersJobStatus,
    MovementKind,
    Order,
    OrderKind,
    PEGroup,
    QualificationCategory,
    StaffRecord,
    StudentMovement,
)

__all__ = [
    "FAMILY_ROLES",
    "HOMEROOM",
    "MUNICIPAL_ROLES",
    "Role",
    "RoleAssignment",
    "STAFF_ROLES",
    "User",
    "Guardian",
    "PersonName",
    "Relation",
    "Sex",
    "StaffMember",
    "Student",
    "StudentGuardian",
    "shown_name_key",
    "shown_name_ordering",
    "shown_name_parts",
    "shown_name_sql",
    "Activity",
    "ActivityKind",
    "CompromiseReport",
    "Consent",
    "ConsentStatus",
    "HealthGroup",
    "HealthSheet",
    "LettersJob",
    "LettersJobStatus",
    "MovementKind",
    "Order",
    "OrderKind",
    "PEGroup",
    "QualificationCategory",
    "StaffRecord",
    "StudentMovement",
]
