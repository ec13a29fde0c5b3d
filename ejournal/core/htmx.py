"""A fragment request never gets a whole page swapped into it.

htmx swaps whatever comes back into the element that asked — the menu's unread counter,
a progress bar. When something on the way answers with a redirect (the forced password
change, an ended session, a missing permission) or a whole page, the browser follows the
redirect inside the request and the page lands inside the counter, whose own copy of the
menu asks again: a page nesting itself forever. So, for every htmx request at once:

- a redirect becomes ``HX-Redirect`` (the browser goes there as a whole page), unless it
  points at the page the person is already on, which then gets an empty answer; a
  redirect that names the fragment as the place to come back to (``?next=`` of the
  sign-in after a session ended) names the page the person was on instead, or nothing:
  signing in again must not land on a bare counter;
- a whole HTML page (``<!doctype`` / ``<html``) becomes an empty answer.

Boosted navigation and history restores ask for whole pages and are left alone.
"""

from __future__ import annotations

import logging
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponse

logger = logging.getLogger(__name__)


def is_fragment_request(request) -> bool:
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def _is_whole_page(response) -> bool:
    if getattr(response, "streaming", False):
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    head = response.content[:512].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html"))


class HtmxFragmentMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not is_fragment_request(request):
            return response
        if 300 <= response.status_code < 400 and response.has_header("Location"):
            location = response["Location"]
            current = urlsplit(request.headers.get("HX-Current-URL", ""))
            target = urlsplit(location)
            answer = _empty_answer(response)
            if (target.path, target.query) != (current.path, current.query):
                answer["HX-Redirect"] = _back_to_page(location, fragment=request.path, page=current)
            return answer
        if _is_whole_page(response):
            logger.warning("a whole page answered the fragment request %s", request.path)
            return _empty_answer(response)
        return response


def _empty_answer(response) -> HttpResponse:
    # The cookies stay: the ended session's, and the message the next page shows
    # («Сеанс завершён из-за бездействия»).
    answer = HttpResponse(status=204)
    answer.cookies = response.cookies
    return answer


def _back_to_page(location: str, *, fragment: str, page: SplitResult) -> str:
    """``location`` with its ``next`` naming the page (from ``HX-Current-URL``) instead of
    the fragment; without a page of this site, without ``next``."""
    target = urlsplit(location)
    query = parse_qsl(target.query, keep_blank_values=True)
    if not any(
        key == REDIRECT_FIELD_NAME and urlsplit(value).path == fragment for key, value in query
    ):
        return location
    # Only a path of this site is kept: the header comes from the client.
    ours = page.path.startswith("/") and not page.path.startswith("//")
    back = urlunsplit(("", "", page.path, page.query, ""))
    query = [
        (key, back if key == REDIRECT_FIELD_NAME else value)
        for key, value in query
        if key != REDIRECT_FIELD_NAME or ours
    ]
    return urlunsplit(target._replace(query=urlencode(query, safe="/")))
