"""Who may open what. Everything is denied unless a rule here allows it.

Views call these helpers; a forbidden object looks exactly like a missing one (404).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect

from ejournal.accounts.models import HOMEROOM, Role

# Who may open the structure pages of a school.
STRUCTURE_EDITORS = frozenset({Role.ADMIN, Role.DEPUTY})
STRUCTURE_READERS = STRUCTURE_EDITORS | {Role.DIRECTOR}
STAFF_ANY = frozenset(
    {Role.ADMIN, Role.DIRECTOR, Role.DEPUTY, Role.TEACHER, Role.OPERATOR, Role.HR, HOMEROOM}
)


def deny() -> Http404:
    return Http404("Страница не найдена")


def roles_required(*roles: str | Iterable[str]) -> Callable:
    """View decorator: a signed-in user holding one of ``roles`` in the current school.

    Anonymous users go to sign-in; users of several schools who have not picked one go
    to the school choice; everyone else without the role gets 404.
    """
    allowed: set[str] = set()
    for r in roles:
        allowed |= {r} if isinstance(r, str) else set(r)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            if request.ctx.needs_choice:
                return redirect(f"/choose-school/?next={request.get_full_path()}")
            if not (request.ctx.roles & allowed):
                raise deny()
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = frozenset(allowed)  # type: ignore[attr-defined]
        return wrapper

    return decorator


def school_scoped(queryset, request, field: str = "school"):
    """Restrict a queryset of school-owned rows to the current school."""
    school = request.ctx.school
    if school is None:
        return queryset.none()
    return queryset.filter(**{field: school})


def get_in_school_or_404(queryset, request, field: str = "school", **lookup):
    obj = school_scoped(queryset, request, field).filter(**lookup).first()
    if obj is None:
        raise deny()
    return obj


def can_edit_structure(request) -> bool:
    return bool(request.ctx.roles & STRUCTURE_EDITORS)
