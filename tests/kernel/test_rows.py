"""The kernel's row steps on both databases: another tenant's row answers as a missing
one, and a compare-and-set refuses once the row has moved on."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import event, update
from sqlalchemy.orm import registry
from sqlalchemy.sql.dml import Update
from sqlmodel import Field, SQLModel, col

from services.common.refusals import Conflict, NotFound
from services.common.rows import of_tenant, update_one, updated_one
from services.common.storage import SessionFactory, create_engine, create_tables, session_factory


class _Own(SQLModel, registry=registry()):
    """Tables of this test only, kept out of the services' shared metadata."""


class Probe(_Own, table=True):
    __tablename__ = "rows_probe"

    id: str = Field(primary_key=True)
    tenant: str
    status: str


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[SessionFactory]:
    engine = create_engine(database_url)
    await create_tables(engine, _Own.metadata, [Probe.__table__])  # type: ignore[attr-defined]
    factory = session_factory(engine)
    async with factory.begin() as session:
        session.add(Probe(id="p1", tenant="bantul", status="draft"))
    yield factory
    await engine.dispose()


async def test_a_row_of_another_tenant_answers_as_a_missing_one(sessions: SessionFactory) -> None:
    async with sessions() as session:
        found = await of_tenant(session, Probe, "p1", "bantul", NotFound("probe not found"))
        assert found.status == "draft"
        for key, tenant in [("p1", "sleman"), ("p2", "bantul")]:
            with pytest.raises(NotFound) as refused:
                await of_tenant(session, Probe, key, tenant, NotFound("probe not found"))
            assert refused.value.message == "probe not found"


async def test_a_compare_and_set_passes_once_then_refuses(sessions: SessionFactory) -> None:
    def move(seen: str) -> Update:
        return (
            update(Probe)
            .where(col(Probe.id) == "p1", col(Probe.status) == seen)
            .values(status="submitted")
        )

    async with sessions.begin() as session:
        await update_one(session, move("draft"), Conflict("moved"))
    async with sessions.begin() as session:
        with pytest.raises(Conflict):
            await update_one(session, move("draft"), Conflict("moved"))
        assert not await updated_one(session, move("draft"))
        assert await updated_one(session, move("submitted"))
    async with sessions() as session:
        row = await session.get(Probe, "p1")
        assert row is not None and row.status == "submitted"


async def test_a_session_reads_a_row_once_however_often_its_steps_ask(
    sessions: SessionFactory,
) -> None:
    """The steps of one request each load the rows they need (the org chart row, the
    SKP): the session keeps what it loaded, so a row let go by one step is not read from
    the database again by the next (SQLAlchemy's identity map alone holds rows weakly)."""
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    async with sessions() as session:
        engine = session.bind.sync_engine  # type: ignore[union-attr]
        event.listen(engine, "before_cursor_execute", count)
        try:
            for _ in range(3):
                await of_tenant(session, Probe, "p1", "bantul", NotFound("probe not found"))
                gc.collect()  # the step's reference is gone
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert len([s for s in statements if "rows_probe" in s]) == 1
    async with sessions() as session:
        # A new session reads it again: nothing outlives the session that loaded it.
        assert not session.info.get("kept_rows")
