"""Many rows into SQLite through the DB-API's ``executemany``, converted here exactly as
SQLAlchemy's SQLite types would store them, without SQLAlchemy's per-row parameter
processing (which cost more than the statements on a drain of 100,000 events).

Relies on SQLAlchemy 2.1's SQLite storage formats, which this module re-implements:

- ``DateTime``: text ``YYYY-MM-DD HH:MM:SS.ffffff`` (``sqlite.DATETIME``'s default
  storage format; the time zone is dropped);
- sqlmodel 0.0.50's ``UTCDateTime`` (the column of every aware ``datetime`` field): the
  value converted to UTC, then stored as ``DateTime`` (before the contract test, these went
  to sqlite3 as they were and its own adapter wrote ``...+00:00``);
- ``Date``: text ``YYYY-MM-DD``;
- ``JSON``: JSON text (written with orjson: the figures and explanations of thousands of
  employees are encoded per batch and the standard encoder was a tenth of the drain's
  time; only the whitespace differs from SQLAlchemy's ``json.dumps``, and dates become ISO
  strings, as they would through pydantic);
- every other type the scoring tables use (strings, integers, floats, booleans, bytes)
  goes to sqlite3 as it is and is stored as SQLAlchemy would store it.

Contract: ``tests/unit/test_sqlalchemy_sqlite_contract.py`` writes a row of every column
type of every table through SQLAlchemy and through here and compares what SQLite holds: a
new column type, or an upgrade that stores a type differently, fails it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import cache
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import JSON, Date, DateTime, Table
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.sql.sqltypes import UTCDateTime

Converter = Callable[[Any], Any]


def sqlite_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def sqlite_datetime(value: datetime | None) -> str | None:
    return None if value is None else f"{value:%Y-%m-%d %H:%M:%S.%f}"


def sqlite_utc_datetime(value: datetime | None) -> str | None:
    # sqlmodel's UTCDateTime (every aware ``datetime`` field): to UTC, then as DateTime.
    return None if value is None else f"{value.astimezone(UTC):%Y-%m-%d %H:%M:%S.%f}"


def sqlite_json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def converter(column: Any) -> Converter | None:
    """How a value of ``column`` is turned into what SQLite stores; None: as it is."""
    kind = column.type
    if isinstance(kind, JSON):
        return sqlite_json
    if isinstance(kind, UTCDateTime):
        return sqlite_utc_datetime
    if isinstance(kind, DateTime):
        return sqlite_datetime
    if isinstance(kind, Date):
        return sqlite_date
    return None


@cache
def _statement(
    table: Table, columns: tuple[str, ...], conflict: str
) -> tuple[str, tuple[Converter | None, ...]]:
    """(SQL, per-column converters) of INSERT ... [ON CONFLICT (pk) DO UPDATE]."""
    keys = [c.name for c in table.primary_key.columns]
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
    others = [c for c in columns if c not in keys]
    if conflict == "replace" and others:
        sets = ", ".join(f'"{c}" = excluded."{c}"' for c in others)
        sql += f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"
    return sql, tuple(converter(table.c[c]) for c in columns)


async def write_many(
    conn: AsyncConnection, table: Table, rows: Sequence[Mapping[str, Any]], conflict: str
) -> bool:
    """Write ``rows`` (all with the keys of the first) through the raw driver if ``conn``
    is on SQLite: ``conflict`` "replace" updates a row whose primary key exists, "insert"
    fails on it. False, writing nothing, on another database."""
    if conn.dialect.name != "sqlite":
        return False
    present = rows[0].keys()
    columns = tuple(c.name for c in table.columns if c.name in present)
    sql, converters = _statement(table, columns, conflict)
    get = itemgetter(*columns)
    convert = [(i, f) for i, f in enumerate(converters) if f is not None]
    if len(columns) == 1:
        params: list[Any] = [(get(row),) for row in rows]
    elif not convert:
        params = [get(row) for row in rows]
    else:
        params = []
        for row in rows:
            values = list(get(row))
            for i, f in convert:
                values[i] = f(values[i])
            params.append(tuple(values))
    await conn.exec_driver_sql(sql, params)
    return True
