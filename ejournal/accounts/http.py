"""The request the project's views get: Django's ``HttpRequest`` plus what the middleware
(or the REST API's authentication, see ``ejournal.api.auth.ApiRequest``) puts on it.

Only for type annotations: nothing constructs these classes, the middleware sets the
attributes on Django's own request (``CurrentSchoolMiddleware`` sets ``ctx``,
``django_htmx`` sets ``htmx``, ``ejournal.api.auth`` sets ``user``, ``ctx`` and
``api_token``).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from ejournal.accounts.models import User
from ejournal.school.context import SchoolContext


class SchoolRequest(HttpRequest):
    """Any request past the middleware: maybe signed in, always with a school context."""

    user: User | AnonymousUser  # our user model, not the abstract base
    ctx: SchoolContext
    htmx: HtmxDetails


class AuthedRequest(SchoolRequest):
    """A request of a signed-in person (behind ``login_required`` / ``roles_required``)."""

    user: User  # the decorator has turned anonymous away
