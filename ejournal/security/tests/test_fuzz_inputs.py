"""Edge inputs never make a server error, and the API always answers in its JSON shape.

Every URL pattern gets ids far outside any table (2^63 and beyond) in each of its path
parameters; every page's filter forms (GET) and a list of the product's common query
parameters get dates at the ends of the calendar, impossible dates and huge integers; every
API operation gets the same in each of its path and query parameters, typed from the
OpenAPI schema. The one assertion: no 5xx, and under /api/ a JSON error shape."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
from django.test import Client

from ejournal.security.tests import sweep_support as sweep
from ejournal.security.tests.test_authorization_sweep import expectation_for

# Slow (the fuzz of every URL and API parameter): `make test` runs it, `make test-fast` does not.
pytestmark = pytest.mark.slow

HUGE = ["9223372036854775808", "18446744073709551616", "1" + "0" * 30, "-9223372036854775809"]
DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "01.01.0001", "31.12.9999"]
JUNK = ["abc", "", "-1", "0", "1e309", "NaN", "\u0000", "2026-W53"]
VALUES = HUGE + DATES + JUNK
# For the query parameters of every page (thousands of requests): one of each kind.
QUERY_VALUES = ["9223372036854775808", "0001-01-01", "9999-12-31", "2026-02-30", "31.12.9999", "-1"]
# Query parameters the product's pages read (filters, periods, pagination, formats).
COMMON_PARAMS = [
    "date",
    "day",
    "start",
    "end",
    "week",
    "month",
    "year",
    "period",
    "page",
    "school_class",
    "class",
    "grade",
    "student",
    "subject",
    "group",
    "teacher",
    "school",
    "format",
    "from",
    "to",
    "date_from",
    "date_to",
]
# Who opens a URL for the fuzzing: the first of these in its audience.
FUZZERS = ["deputy", "admin", "teacher", "parent", "student", "director", "inspector"]


def _clients(world) -> dict[str, Client]:
    clients = {}
    for role in FUZZERS:
        client = Client(raise_request_exception=False)
        client.force_login(world.users[role])
        clients[role] = client
    return clients


def _fuzzer(route) -> str | None:
    audience = expectation_for(route) or frozenset()
    return next((r for r in FUZZERS if r in audience), None)


def _fill(route, ids: dict, override: dict[str, str] | None = None) -> str:
    override = override or {}

    def value(match) -> str:
        name = match.group(1)
        return override.get(name, str(ids.get(name, sweep.MISSING)))

    path = route.prefix + str(route.pattern.pattern)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", value, path).replace("^", "").replace("$", "")
    path = re.sub(r"<(?:\w+:)?(\w+)>", value, path)
    return "/" + path


def _check(failures: list[str], response, where: str) -> None:
    if response.status_code >= 500:
        failures.append(f"{where}: {response.status_code}")
    elif (
        where.split()[1].startswith("/api/v1/")
        and not where.split()[1].startswith("/api/v1/docs")
        and response.status_code >= 400
    ):
        try:
            body = json.loads(response.content)
            assert set(body["error"]) >= {"code", "message"}
        except (ValueError, KeyError, TypeError, AssertionError):
            failures.append(f"{where}: {response.status_code} not in the API's JSON error shape")


def _get_form_fields(html: str) -> set[str]:
    names: set[str] = set()
    for form in re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S | re.I):
        head = form[: form.find(">")]
        if re.search(r'method="?post', head, flags=re.I):
            continue
        names |= set(re.findall(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', form))
    return {n for n in names if n != "csrfmiddlewaretoken"}


@pytest.fixture
def fuzz_world(world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in_ip": "100000/60"}
    settings.API_RATE_LIMIT_TOKEN = ""
    settings.API_RATE_LIMIT_IP = ""
    return world, sweep.build_foreign(world)


def test_ids_beyond_any_table_never_make_a_server_error(fuzz_world):
    world, foreign = fuzz_world
    clients = _clients(world)
    failures: list[str] = []
    for route in sweep.all_routes():
        names = re.findall(r"<(?:\w+:)?(\w+)>", route.route) + re.findall(
            r"\(\?P<(\w+)>", route.route
        )
        role = _fuzzer(route)
        if not names or role is None:
            continue
        for name in names:
            for value in HUGE + ["0"]:
                url = _fill(route, foreign.family, {name: value})
                for method in ("get", "post"):
                    response = getattr(clients[role], method)(url)
                    _check(failures, response, f"{method.upper()} {url} as {role}")
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:400])


SHARDS = 6  # the pages split so that test processes share the work


@pytest.mark.parametrize("shard", range(SHARDS))
def test_edge_values_in_query_parameters_never_make_a_server_error(fuzz_world, shard):
    world, foreign = fuzz_world
    clients = _clients(world)
    failures: list[str] = []
    for route in sweep.all_routes()[shard::SHARDS]:
        role = _fuzzer(route)
        if role is None or route.route.startswith(("api/", "django-admin/", "webapi/")):
            continue
        url = _fill(route, foreign.family)
        page = clients[role].get(url)
        if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
            continue
        names = _get_form_fields(page.content.decode("utf-8", "replace")) | set(COMMON_PARAMS)
        for name in sorted(names):
            for value in QUERY_VALUES:
                target = f"{url}?{urlencode({name: value})}"
                _check(failures, clients[role].get(target), f"GET {target} as {role}")
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:400])


def _schema_params(operation: dict, item: dict) -> list[dict]:
    return [*item.get("parameters", []), *operation.get("parameters", [])]


def _values_for(schema: dict) -> list[str]:
    kind = schema.get("type")
    fmt = schema.get("format", "")
    if kind == "integer" or kind == "number":
        return HUGE + ["-1", "0", "abc", "1.5"]
    if fmt in ("date", "date-time"):
        return DATES + ["abc"]
    return ["", "x" * 5000] + DATES + HUGE


def test_every_api_operation_answers_edge_parameters_in_its_json_error_shape(fuzz_world):
    world, foreign = fuzz_world
    client = _clients(world)["deputy"]
    schema = client.get("/api/v1/openapi.json").json()
    failures: list[str] = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            params = _schema_params(operation, item)
            path_params = {p["name"]: p for p in params if p["in"] == "path"}
            base = {name: str(sweep.MISSING) for name in path_params}
            for param in params:
                for value in _values_for(param.get("schema", {})):
                    filled = dict(base)
                    query = {}
                    if param["in"] == "path":
                        filled[param["name"]] = value or "0"
                    else:
                        query[param["name"]] = value
                    url = path
                    for name, given in filled.items():
                        url = url.replace("{" + name + "}", given)
                    if query:
                        url += "?" + urlencode(query)
                    if method == "get":
                        response = client.get(url)
                    else:
                        response = getattr(client, method)(
                            url, "{}", content_type="application/json"
                        )
                    _check(failures, response, f"{method.upper()} {url}")
            if method != "get" and "requestBody" in operation:
                url = path
                for name in path_params:
                    url = url.replace("{" + name + "}", str(sweep.MISSING))
                for body in ('{"date": "9999-12-31"}', "[]", "null", "{", '{"id": 1e999}'):
                    response = getattr(client, method)(url, body, content_type="application/json")
                    _check(failures, response, f"{method.upper()} {url} body {body}")
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:400])
