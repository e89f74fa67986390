"""Set-based storage helpers: load rows as dicts, upsert many rows in one statement, and
take the locks that let two scoring instances share one database safely."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, delete, select, text, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.clock import utcnow
from services.common.events import Envelope
from services.common.messaging import OutboxMessage
from services.common.messaging.outbox import OUTBOX_DIRTY
from services.scoring.models import ScoreLock
from services.scoring.sqlite_rows import write_many

Row = dict[str, Any]
# What the writers take: plain dicts and the projector's TypedDict rows alike.
RowIn = Mapping[str, Any]


def table_of(model: Any) -> Table:
    return model.__table__  # type: ignore[no-any-return]


async def connection(session: AsyncSession) -> AsyncConnection:
    return await session.connection()


async def execute(session: AsyncSession, statement: Executable) -> Result[Any]:
    """A Core statement on the session's connection (sqlmodel's ``exec`` is typed for ORM
    selects, and its ``execute`` warns)."""
    return await (await connection(session)).execute(statement)


async def is_postgres(session: AsyncSession) -> bool:
    return (await connection(session)).dialect.name == "postgresql"


async def load(
    session: AsyncSession, model: Any, column: str, values: Collection[Any], **equal: Any
) -> list[Row]:
    """Rows whose ``column`` is in ``values`` (chunked), as plain dicts."""
    if not values:
        return []
    table = table_of(model)
    conn = await connection(session)
    rows: list[Row] = []
    items = list(values)
    for start in range(0, len(items), 5000):
        stmt = select(table).where(table.c[column].in_(items[start : start + 5000]))
        for name, value in equal.items():
            stmt = stmt.where(table.c[name] == value)
        result = await conn.execute(stmt)
        rows.extend(dict(r._mapping) for r in result)
    return rows


async def upsert(session: AsyncSession, model: Any, rows: Sequence[RowIn]) -> None:
    """INSERT ... ON CONFLICT (primary key) DO UPDATE for many rows at once."""
    if not rows:
        return
    if await write_many(await connection(session), table_of(model), rows, "replace"):
        return
    table = table_of(model)
    conn = await connection(session)
    keys = [c.name for c in table.primary_key.columns]
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    others = [c.name for c in table.columns if c.name not in keys]
    stmt = stmt.on_conflict_do_update(
        index_elements=keys, set_={name: stmt.excluded[name] for name in others}
    )
    for start in range(0, len(rows), 2000):
        await conn.execute(stmt, list(rows[start : start + 2000]))


async def add_to(
    session: AsyncSession, model: Any, rows: Sequence[RowIn], columns: Sequence[str]
) -> None:
    """INSERT ... ON CONFLICT (primary key) DO UPDATE SET c = c + excluded.c: counters
    that several writers may add to without reading them first."""
    if not rows:
        return
    table = table_of(model)
    conn = await connection(session)
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[c.name for c in table.primary_key.columns],
        set_={name: table.c[name] + stmt.excluded[name] for name in columns},
    )
    await conn.execute(stmt, list(rows))


async def insert(session: AsyncSession, model: Any, rows: Sequence[RowIn]) -> None:
    if rows and not await write_many(await connection(session), table_of(model), rows, "insert"):
        conn = await connection(session)
        await conn.execute(table_of(model).insert(), list(rows))


async def delete_keys(session: AsyncSession, model: Any, keys: Iterable[tuple[Any, ...]]) -> None:
    """Delete rows by primary key tuples."""
    key_list = list(keys)
    if not key_list:
        return
    table = table_of(model)
    columns = list(table.primary_key.columns)
    conn = await connection(session)
    for start in range(0, len(key_list), 2000):
        chunk = key_list[start : start + 2000]
        if len(columns) == 1:
            where = columns[0].in_([k[0] for k in chunk])
        else:
            where = tuple_(*columns).in_(chunk)
        await conn.execute(delete(table).where(where))


async def stage_events(session: AsyncSession, events: Sequence[Envelope]) -> None:
    """``add_event`` for many events at once: one INSERT into the outbox (same transaction),
    and the relay is woken after the commit as ``add_event`` does."""
    if not events:
        return
    now = utcnow()
    rows = [
        {
            "event_id": str(e.event_id),
            "topic": e.topic,
            "key": e.key,
            "type": e.type,
            "body": e.to_checked_bytes(),
            "created_at": now,
            "published_at": None,
        }
        for e in events
    ]
    await insert(session, OutboxMessage, rows)
    session.sync_session.info[OUTBOX_DIRTY] = True


ENTITY_LOCKS_MAX = 1000


def lock_id(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


async def lock(
    session: AsyncSession,
    keys: Iterable[str],
    *,
    tenants: Iterable[str] = (),
    retuned: Iterable[str] = (),
) -> None:
    """Serialise writers that touch the same entities.

    PostgreSQL: transaction-scoped advisory locks, taken in a fixed order (no deadlock
    between instances): first one per tenant of the batch, exclusive for a tenant whose
    rules the batch changes (it then recomputes all the tenant's employees) and shared
    otherwise, so no instance computes with rules another one is replacing; then the
    entity keys. A batch that would take more than ``ENTITY_LOCKS_MAX`` entity locks takes
    its tenants' locks exclusively instead: every lock holds a slot of PostgreSQL's shared
    lock table (``max_locks_per_transaction`` x connections, 6,400 by default), and a
    backlog's batch of 50,000 events names tens of thousands of entities. SQLite: the
    database write lock, taken before anything is read, so no instance computes from a
    snapshot another one is changing.
    """
    conn = await connection(session)
    if conn.dialect.name == "postgresql":
        exclusive = set(retuned)
        ids = sorted({lock_id(k) for k in keys})
        if len(ids) > ENTITY_LOCKS_MAX:
            exclusive |= set(tenants)
            ids = []
        for tenant in sorted(set(tenants) | exclusive):
            function = (
                "pg_advisory_xact_lock" if tenant in exclusive else "pg_advisory_xact_lock_shared"
            )
            await conn.execute(text(f"SELECT {function}(:k)"), {"k": lock_id(f"tenant:{tenant}")})
        if ids:
            await conn.execute(
                text(
                    "SELECT count(pg_advisory_xact_lock(k)) FROM "
                    "(SELECT unnest(:ids) AS k ORDER BY 1) AS keys"
                ).bindparams(bindparam("ids", type_=postgresql.ARRAY(postgresql.BIGINT))),
                {"ids": ids},
            )
        return
    table = table_of(ScoreLock)
    stmt = sqlite.insert(table).values(id=1, n=0)
    await conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_={"n": table.c.n + 1}))


# score_lock row 2 counts the writes of projection rows made outside the consumer's own
# partitions (the scheduler's refresh, a tenant's new rules): a consumer that keeps rows
# in memory drops them when it sees this number move.
EPOCH_ROW = 2


# score_lock row 3: until when (seconds since 2020) one instance holds the scheduler's turn.
TURN_ROW = 3


async def take_turn(session: AsyncSession, now: int, seconds: int) -> bool:
    """Compare-and-set on the turn row: True for the one instance whose update moves it
    from the past to ``now + seconds`` (the others see it in the future and skip)."""
    table = table_of(ScoreLock)
    conn = await connection(session)
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    await conn.execute(
        dialect.insert(table).values(id=TURN_ROW, n=0).on_conflict_do_nothing(index_elements=["id"])
    )
    result = await conn.execute(
        table.update().where(table.c.id == TURN_ROW, table.c.n <= now).values(n=now + seconds)
    )
    return bool(result.rowcount == 1)


async def read_epoch(session: AsyncSession) -> int:
    table = table_of(ScoreLock)
    conn = await connection(session)
    value = (await conn.execute(select(table.c.n).where(table.c.id == EPOCH_ROW))).scalar()
    return int(value or 0)


async def bump_epoch(session: AsyncSession) -> None:
    table = table_of(ScoreLock)
    conn = await connection(session)
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(id=EPOCH_ROW, n=1)
    await conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_={"n": table.c.n + 1}))
