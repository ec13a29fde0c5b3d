"""Who may read which diary. A parent reads only their own children (in any school where
they hold an active parent role), a student only themself. Staff have no diary access:
a homeroom teacher sees the class in the journal and prints the weekly sheets instead.
Anything else — another family's child, an unknown id — is a 404."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login

from ejournal.accounts.models import HOMEROOM, Role, Student
from ejournal.accounts.permissions import deny
from ejournal.diary import selectors
from ejournal.school.http import AuthedRequest, SchoolRequest
from ejournal.school.models import SchoolClass


@dataclass
class Reader:
    students: list[Student]
    student: Student

    @property
    def others(self) -> list[Student]:
        return [s for s in self.students if s.pk != self.student.pk]


LAST_STUDENT_KEY = "diary_student_id"


def family_view(view):
    """Signed-in users only; ``student_id`` must be one of the user's family students."""

    @wraps(view)
    def wrapper(request: SchoolRequest, student_id: int, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        students = selectors.family_students(request.user)
        student = next((s for s in students if s.pk == student_id), None)
        if student is None:
            raise deny()
        if request.session.get(LAST_STUDENT_KEY) != student.pk:
            request.session[LAST_STUDENT_KEY] = student.pk
        return view(request, Reader(students, student), *args, **kwargs)

    return wrapper


PRINTOUT_ROLES = frozenset({Role.ADMIN, Role.DIRECTOR, Role.DEPUTY, HOMEROOM})


def printable_classes(request: AuthedRequest):
    """Classes whose weekly sheets the user may print: a homeroom teacher their own
    classes; the administration any class of the current school."""
    ctx = request.ctx
    if ctx.school is None:
        return SchoolClass.objects.none()
    classes = SchoolClass.objects.filter(school=ctx.school).select_related("year")
    if ctx.roles & {Role.ADMIN, Role.DIRECTOR, Role.DEPUTY}:
        return classes
    if HOMEROOM in ctx.roles and ctx.staff:
        return classes.filter(homeroom_teacher=ctx.staff)
    return classes.none()
