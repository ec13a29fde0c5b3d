"""Who may open what. Everything is denied unless a rule here allows it.

Views call these helpers; a forbidden object looks exactly like a missing one (404).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect

from ejournal.accounts.models import HOMEROOM, Role, RoleAssignment

if TYPE_CHECKING:
    from ejournal.accounts.http import AccountRequest

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
        def wrapper(request: AccountRequest, *args, **kwargs):
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


def school_scoped(queryset, request: AccountRequest, field: str = "school"):
    """Restrict a queryset of school-owned rows to the current school."""
    school = request.ctx.school
    if school is None:
        return queryset.none()
    return queryset.filter(**{field: school})


def get_in_school_or_404(queryset, request: AccountRequest, field: str = "school", **lookup):
    obj = school_scoped(queryset, request, field).filter(**lookup).first()
    if obj is None:
        raise deny()
    return obj


def can_edit_structure(request: AccountRequest) -> bool:
    return bool(request.ctx.roles & STRUCTURE_EDITORS)


ACCOUNT_BEYOND_SCHOOL = (
    "Эта учётная запись действует не только в вашей школе: заблокировать её, выдать ей "
    "новый пароль или изменить её данные может только служба технической поддержки "
    "муниципалитета."
)


def account_within(*, user, school=None, municipality=None, holding: bool = True) -> bool:
    """Whether every *active* role of the account lies in ``school`` (or, for the
    municipality's support service, in ``municipality`` and its schools) — and, with
    ``holding``, at least one does. One query.

    Only then may that school's staff act on the account itself: block it, reissue its
    password, reset its two-factor, change the names on it, grant it roles. A revoked role
    gives no say: an account active elsewhere belongs to the schools where it is active.
    (Revoking a role of one's *own* school stays allowed on any account: it only takes the
    school's own access away.) ``holding=False`` lets a school act on an account with no
    active role at all (grant it a role, report it compromised); a password is only ever
    issued with ``holding``, so a dormant account cannot be primed for a later takeover.
    """
    if school is None and municipality is None:
        return False
    rows = list(
        RoleAssignment.objects.filter(user=user, active=True).values_list(
            "school_id", "school__municipality_id", "municipality_id"
        )
    )
    if school is not None:
        school_id = getattr(school, "pk", school)
        inside = [row for row in rows if row[0] == school_id]
    else:
        municipality_id = getattr(municipality, "pk", municipality)
        inside = [row for row in rows if municipality_id in (row[1], row[2])]
    return len(inside) == len(rows) and (bool(inside) or not holding)


def accounts_beyond(*, user_ids, school) -> set[int]:
    """``account_within`` for many accounts at once (one query): the ids of those with an
    active role outside ``school``."""
    return set(
        RoleAssignment.objects.filter(user_id__in=[pk for pk in user_ids if pk], active=True)
        .exclude(school=school)
        .values_list("user_id", flat=True)
    )


def ensure_account_within(*, user, school=None, municipality=None, holding: bool = True) -> None:
    """For services: refuse (with the Russian reason) an action on an account beyond
    the actor's school or municipality (``account_within``)."""
    if not account_within(user=user, school=school, municipality=municipality, holding=holding):
        raise ValidationError(ACCOUNT_BEYOND_SCHOOL)


def letters_job_for(request: AccountRequest, job_id: int):
    """A class's letters job: only its author, in the current school, sees it (the PDF
    holds one-time passwords)."""
    from ejournal.accounts.models import LettersJob

    return get_in_school_or_404(
        LettersJob.objects.select_related("school_class"),
        request,
        pk=job_id,
        created_by=request.user,
    )
