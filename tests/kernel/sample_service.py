"""A tiny service built only from the kernel, to prove the kernel against real parts.

HTTP ``POST /notes`` stores a note and stages a ``feedback.noted`` event in the outbox in
the same transaction. Its own consumer counts notes per employee (a projection). A note
whose text is ``explode`` makes the handler fail every time (it must be dead-lettered).
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request, status
from pydantic import BaseModel
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.events import ASSESSMENT_TOPIC, Envelope, FeedbackNoted, new_event
from services.common.messaging import add_event
from services.common.runtime import Runtime
from services.common.security import CurrentPrincipal, tenant_of
from services.common.settings import ServiceSettings


class SampleNote(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tenant: str
    employee_id: str
    text: str


class SampleNoteCount(SQLModel, table=True):
    tenant: str = Field(primary_key=True)
    employee_id: str = Field(primary_key=True)
    count: int = 0


class NoteIn(BaseModel):
    employee_id: str
    text: str


router = APIRouter()


@router.post("/notes", status_code=status.HTTP_201_CREATED)
async def create_note(
    body: NoteIn, principal: CurrentPrincipal, request: Request
) -> dict[str, str]:
    runtime: Runtime = request.app.state.runtime
    tenant = tenant_of(principal)
    async with runtime.sessions.begin() as session:
        note = SampleNote(tenant=tenant, employee_id=body.employee_id, text=body.text)
        session.add(note)
        await session.flush()
        event = new_event(
            FeedbackNoted(
                note_id=str(note.id),
                supervisor_id=principal.employee_id or "none",
                employee_id=body.employee_id,
                text=body.text,
                noted_on=date.today(),
            ),
            tenant=tenant,
        )
        add_event(session, event)
    return {"event_id": str(event.event_id)}


async def count_note(session: AsyncSession, event: Envelope) -> None:
    payload = event.payload
    assert isinstance(payload, FeedbackNoted)
    if payload.text == "explode":
        raise RuntimeError("the sample handler always fails on 'explode'")
    row = (
        await session.exec(
            select(SampleNoteCount).where(
                SampleNoteCount.tenant == event.tenant,
                SampleNoteCount.employee_id == payload.employee_id,
            )
        )
    ).first()
    if row is None:
        row = SampleNoteCount(tenant=event.tenant, employee_id=payload.employee_id)
    row.count += 1
    session.add(row)


def create_app(settings: ServiceSettings, *, consume: bool = True) -> tuple[Runtime, object]:
    runtime = Runtime(
        settings=settings,
        metadata=SQLModel.metadata,
        tables=[SampleNote.__table__, SampleNoteCount.__table__],
        produces=[ASSESSMENT_TOPIC],
    )
    if consume:
        runtime.consume([ASSESSMENT_TOPIC], handlers={FeedbackNoted.TYPE: count_note})
    app = runtime.create_api(title="sample", description="kernel test service", routers=[router])
    return runtime, app


async def note_count(runtime: Runtime, tenant: str, employee_id: str) -> int:
    async with runtime.sessions() as session:
        row = await session.get(SampleNoteCount, (tenant, employee_id))
        return row.count if row else 0
