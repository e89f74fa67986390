"""Scoring writes its rows to SQLite through the raw driver, converting values the way
SQLAlchemy's SQLite types would (``services.scoring.sqlite_rows``). A row of every table
it writes, with a value of every column, is written once through SQLAlchemy and once
through that module, and SQLite must then hold the same: the same storage class and value
per column (JSON compared as JSON: only whitespace may differ). An upgrade of SQLAlchemy
that stores a type differently, or a new column type the module does not convert, fails
here instead of leaving rows the ORM reads back wrong."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    String,
    Table,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from services.common.messaging import OutboxMessage
from services.scoring import models
from services.scoring.sqlite_rows import write_many

pytestmark = pytest.mark.unit

WRITTEN = [OutboxMessage.__table__] + [  # type: ignore[attr-defined]
    table
    for table in models.SQLModel.metadata.sorted_tables
    if table.name.startswith(("score_", "parked_"))
]

METADATA = models.SQLModel.metadata

SAMPLES: dict[type[Any], Any] = {
    JSON: {"figures": [1, 2.5, None, "teks ü"], "on": "2026-03-01", "ok": True},
    # Aware fields (sqlmodel's UTCDateTime) are given in WIB: stored in UTC.
    UTCDateTime: datetime(2026, 3, 1, 7, 5, 9, 12, tzinfo=timezone(timedelta(hours=7))),
    DateTime: datetime(2026, 3, 1, 7, 5, 9, 12, tzinfo=UTC),
    Date: date(2026, 3, 1),
    Boolean: True,
    Float: 97.125,
    Integer: 7,
    String: "bantul",
    AutoString: "e-001",  # sqlmodel's str column: a TypeDecorator over String
    LargeBinary: b'{"x":1}',
}


def sample(column: Any) -> Any:
    for kind, value in SAMPLES.items():
        if isinstance(column.type, kind):
            return value
    raise AssertionError(
        f"{column.table.name}.{column.name} is a {column.type!r}: teach sqlite_rows and this "
        "test how SQLAlchemy stores it"
    )


async def stored(conn: AsyncConnection, table: Table) -> list[tuple[str, Any]]:
    """(storage class, value) of every column of the table's one row, as SQLite holds it."""
    parts = ", ".join(f'typeof("{c.name}"), "{c.name}"' for c in table.columns)
    row = (await conn.exec_driver_sql(f'SELECT {parts} FROM "{table.name}"')).one()
    pairs = [(row[i], row[i + 1]) for i in range(0, len(row), 2)]
    return [
        (kind, json.loads(value) if isinstance(column.type, JSON) else value)
        for (kind, value), column in zip(pairs, table.columns, strict=True)
    ]


@pytest.fixture
async def two_databases() -> AsyncIterator[tuple[AsyncConnection, AsyncConnection]]:
    engines = [create_async_engine("sqlite+aiosqlite://") for _ in range(2)]
    try:
        async with engines[0].begin() as orm, engines[1].begin() as raw:
            for conn in (orm, raw):
                await conn.run_sync(lambda sync: METADATA.create_all(sync, tables=WRITTEN))
            yield orm, raw
    finally:
        for engine in engines:
            await engine.dispose()


def test_the_contract_covers_the_tables_scoring_writes() -> None:
    names = {t.name for t in WRITTEN}
    assert {"outbox", "score_employee", "score_activity", "parked_event"} <= names


@pytest.mark.parametrize("table", WRITTEN, ids=lambda t: t.name)
async def test_sqlalchemy_sqlite_storage_of_every_column_type_matches_sqlite_rows(
    table: Table, two_databases: tuple[AsyncConnection, AsyncConnection]
) -> None:
    orm, raw = two_databases
    row = {column.name: sample(column) for column in table.columns}
    await orm.execute(table.insert(), [row])
    assert await write_many(raw, table, [row], "insert")
    assert await stored(raw, table) == await stored(orm, table)
    # And SQLAlchemy reads the raw row back as it reads its own.
    assert (await raw.execute(select(table))).one() == (await orm.execute(select(table))).one()
