"""Fast bulk inserts for seeding large data sets (demo school, region benchmark).

``bulk_create`` spends most of its time preparing each value through the ORM; for
hundreds of thousands of plain rows an ``executemany`` over the same table is several
times faster. Only for trusted, already-valid rows written by seeders — never for user
input, which goes through services.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection


def insert_rows(
    model, columns: Sequence[str], rows: Iterable[Sequence[Any]], batch: int = 5000
) -> int:
    """INSERT ``rows`` (tuples in ``columns`` order; FK columns by their ``*_id`` name).

    On PostgreSQL the rows are streamed with COPY, the server's own bulk path."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    if connection.vendor == "postgresql":
        return _copy_rows(table, names, rows)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608 - names from the model
    count = 0
    chunk: list[Sequence[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch:
                cursor.executemany(sql, chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


def reserve_ids(model, count: int) -> list[int]:
    """``count`` primary keys for rows about to be written by ``insert_rows``.

    PostgreSQL hands them out from the table's sequence; SQLite continues after the
    largest id (seeders hold the write lock for the whole transaction)."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def _copy_rows(table: str, names: str, rows: Iterable[Sequence[Any]]) -> int:
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # noqa: S608
            for row in rows:
                copy.write_row(row)
                count += 1
    return count
