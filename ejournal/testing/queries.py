"""Exact query counts for the hottest pages, with the SQL printed when the count changes.

``django_assert_num_queries`` shows the statements only under ``-v``; a changed count on a
hot page is read in CI logs, so this one always lists them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@contextlib.contextmanager
def exact_queries(expected: int) -> Iterator[CaptureQueriesContext]:
    """Fail unless the block runs exactly ``expected`` queries on the default database."""
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
    done = len(ctx.captured_queries)
    if done != expected:
        statements = "\n".join(
            f"{n}. {q['sql']}" for n, q in enumerate(ctx.captured_queries, start=1)
        )
        pytest.fail(
            f"Expected exactly {expected} queries, {done} were run:\n{statements}", pytrace=False
        )
