"""The request as ``accounts`` sees it: Django's ``HttpRequest`` with the signed-in user
and the few facts of the per-request context that access rules read.

The context itself (the chosen school, the person's profiles there) is the school's:
``ejournal.school.context.SchoolContext``, and the views from ``school`` up annotate with
``ejournal.school.http``. Only for type annotations: nothing constructs these classes.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from ejournal.accounts.models import User


class AccessContext(Protocol):
    """What the access rules read of the per-request context."""

    @property
    def roles(self) -> frozenset[str]: ...

    @property
    def needs_choice(self) -> bool: ...

    @property
    def school(self) -> Any: ...


class AccountRequest(HttpRequest):
    """Any request past the middleware: maybe signed in."""

    user: User | AnonymousUser  # our user model, not the abstract base
    ctx: AccessContext
    htmx: HtmxDetails


class SignedInRequest(AccountRequest):
    """A request of a signed-in person (behind ``login_required`` / ``roles_required``)."""

    user: User
