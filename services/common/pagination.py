"""Pages of a list, the same on every list endpoint of every service.

Every integer a client sends ends up bound into SQL, and SQLite refuses a bound integer of
2⁶³ or more with ``OverflowError`` (a 500): each one is bounded here, in the query
parameter, so that the client gets a 422 with the bound instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

T = TypeVar("T")
R = TypeVar("R")

MAX_LIMIT = 500
# Far beyond any list here (a regency has thousands of employees, not millions); a
# client paging past it has a bug.
MAX_OFFSET = 1_000_000
# A sequence number a client echoes back (a cursor): any value a 64-bit column can hold.
MAX_CURSOR = 2**63 - 1
# A version or revision number a client echoes back: what PostgreSQL's INTEGER holds.
MAX_INT32 = 2**31 - 1


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="items matching the filters, over all pages")
    limit: int
    offset: int

    def map(self, convert: Callable[[T], R]) -> Page[R]:
        return Page[R](
            items=[convert(i) for i in self.items],
            total=self.total,
            limit=self.limit,
            offset=self.offset,
        )


class PageParams(BaseModel):
    limit: int = 50
    offset: int = 0


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="items to skip")] = 0,
) -> PageParams:
    """FastAPI dependency of every list endpoint."""
    return PageParams(limit=limit, offset=offset)


Cursor = Annotated[int, Query(ge=0, le=MAX_CURSOR, description="the last seq seen; 0 for all")]


async def paginate(session: AsyncSession, query: SelectOfScalar[T], page: PageParams) -> Page[T]:
    """One page of ``query`` (ordered by the caller) and how many rows match in all."""
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = (await session.exec(query.limit(page.limit).offset(page.offset))).all()
    return Page[T](items=list(rows), total=total, limit=page.limit, offset=page.offset)


def page_of(items: Sequence[T], page: PageParams) -> Page[T]:
    """One page of a list already in memory (built by walking the org chart, say)."""
    chosen = list(items[page.offset : page.offset + page.limit])
    return Page[T](items=chosen, total=len(items), limit=page.limit, offset=page.offset)
