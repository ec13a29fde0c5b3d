"""The request the project's views get, from ``school`` up: Django's ``HttpRequest`` plus
what the middleware (or the REST API's authentication, see ``ejournal.api.auth.ApiRequest``)
puts on it. ``accounts``, below the school, types the same request with only what its
access rules read (``accounts.http``).

Only for type annotations: nothing constructs these classes, the middleware sets the
attributes on Django's own request (``CurrentSchoolMiddleware`` sets ``ctx``,
``django_htmx`` sets ``htmx``, ``ejournal.api.auth`` sets ``user``, ``ctx`` and
``api_token``).
"""

from __future__ import annotations

from ejournal.accounts.http import AccountRequest
from ejournal.accounts.models import User
from ejournal.school.context import SchoolContext


class SchoolRequest(AccountRequest):
    """Any request past the middleware: maybe signed in, always with a school context."""

    ctx: SchoolContext


class AuthedRequest(SchoolRequest):
    """A request of a signed-in person (behind ``login_required`` / ``roles_required``)."""

    user: User  # the decorator has turned anonymous away
