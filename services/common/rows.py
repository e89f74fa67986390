"""One row of a tenant: loading it (or 404) and moving it on conditionally (or 409).

Every service stores each tenant's rows side by side in one table, so an id from another
regency must answer exactly like an unknown one: :func:`of_tenant` is the one way to load
a row by its key for the caller's regency. :func:`update_one` is the one way to write a
compare-and-set: a conditional UPDATE that must match exactly one row, so of two
concurrent changes from the same state one wins and the other is refused.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from sqlalchemy.sql.dml import Update
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.refusals import NotFound, Refusal


class TenantRow(Protocol):
    tenant: str


R = TypeVar("R", bound=TenantRow)


async def of_tenant(
    session: AsyncSession,
    model: type[R],
    key: Any,
    tenant: str,
    missing: NotFound,
) -> R:
    """The row of ``model`` with primary key ``key`` if it belongs to ``tenant``; else
    ``missing``: another tenant's row is not revealed to exist. (The refusal is built by
    the caller, so that its template stays a literal the translation check finds.)"""
    row = await session.get(model, key)
    if row is None or row.tenant != tenant:
        raise missing
    return row


async def update_one(session: AsyncSession, statement: Update, conflict: Refusal) -> None:
    """Run a conditional UPDATE that must match exactly one row, else raise ``conflict``
    (the row moved on since it was read; the transaction rolls back)."""
    if not await updated_one(session, statement):
        raise conflict


async def updated_one(session: AsyncSession, statement: Update) -> bool:
    """Run a conditional UPDATE; True when it matched exactly one row (for a caller that
    explains a miss itself before refusing)."""
    result = await session.exec(statement)
    return bool(result.rowcount == 1)
