import pytest
from django.http import Http404
from django.test import RequestFactory

from ejournal.school.context import SchoolContext


def _context_of(user) -> SchoolContext:
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}
    return SchoolContext(request)


def test_school_or_404_gives_a_staff_members_school(world):
    assert _context_of(world.users["deputy"]).school_or_404() == world.school


def test_school_or_404_is_not_found_for_a_municipal_inspector(world):
    ctx = _context_of(world.users["inspector"])
    assert ctx.municipality == world.school.municipality
    with pytest.raises(Http404):
        ctx.school_or_404()
