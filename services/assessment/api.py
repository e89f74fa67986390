"""HTTP API of the assessment service, under ``/api/v1``. Thin: each route resolves the
caller and hands the use case to its feature module (assessments, notes, objections)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, status
from sqlmodel.ext.asyncio.session import AsyncSession

from services.assessment import assessments, notes, objections, steps
from services.assessment.models import (
    AssessmentCreate,
    AssessmentRead,
    FeedbackCreate,
    FeedbackRead,
    HiddenPeerSummary,
    ObjectionCreate,
    ObjectionDecision,
    ObjectionRead,
    PeerRequestCreate,
    PeerRequestRead,
    PeerSummary,
    Todo,
)
from services.common.api import Page, PageParams, errors, page_params
from services.common.events import Period, Relation
from services.common.runtime import runtime_of
from services.common.security import CurrentPrincipal, Principal

router = APIRouter(prefix="/api/v1")


def current_caller(principal: CurrentPrincipal) -> Principal:
    """The verified caller, refused (403) before any work when of no regency."""
    principal.home()
    return principal


def now(request: Request) -> datetime:
    """The current moment; tests inject a clock through ``create_app(clock=...)``."""
    moment: datetime = request.app.state.clock()
    return moment


async def read_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with runtime_of(request).sessions() as session:
        yield session


async def write_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed if the route returns, rolled back if it raises."""
    async with runtime_of(request).sessions.begin() as session:
        yield session


PrincipalDep = Annotated[Principal, Depends(current_caller)]
Now = Annotated[datetime, Depends(now)]
Reading = Annotated[AsyncSession, Depends(read_session)]
Writing = Annotated[AsyncSession, Depends(write_session, scope="function")]
Paging = Annotated[PageParams, Depends(page_params)]
PeriodQuery = Annotated[
    str | None, Query(description="period label: 2026-03, 2026-Q1 or 2026; default: current")
]
READ_ERRORS = errors(401, 403, 422)
WRITE_ERRORS = errors(400, 401, 403, 404, 409, 422)


# ---------------------------------------------------------------- periods and to-do


@router.get(
    "/periods",
    response_model=list[Period],
    responses=READ_ERRORS,
    tags=["periods"],
    summary="The running assessment periods of your regency (cadence period, then annual)",
)
async def running_periods(principal: PrincipalDep, session: Reading, moment: Now) -> list[Period]:
    return await steps.periods(session, principal=principal, now=moment)


@router.get(
    "/todo",
    response_model=Todo,
    responses=errors(400, 401, 403, 422),
    tags=["assessments"],
    summary="Your direct reports still without your supervisor assessment, and peer requests",
)
async def my_todo(
    principal: PrincipalDep, session: Reading, moment: Now, period: PeriodQuery = None
) -> Todo:
    return await notes.todo(session, principal=principal, label=period, now=moment)


# ---------------------------------------------------------------- assessments


@router.post(
    "/assessments",
    response_model=AssessmentRead,
    status_code=status.HTTP_201_CREATED,
    responses=WRITE_ERRORS,
    tags=["assessments"],
    summary="Submit (or resubmit, superseding) a supervisor, peer or self assessment",
)
async def submit_assessment(
    body: AssessmentCreate, principal: PrincipalDep, session: Writing, moment: Now
) -> AssessmentRead:
    row = await assessments.submit_assessment(session, principal=principal, body=body, now=moment)
    return AssessmentRead.of(row)


@router.get(
    "/assessments",
    response_model=Page[AssessmentRead],
    responses=READ_ERRORS,
    tags=["assessments"],
    summary="Assessments you may read (yours, ones you wrote, your reports'; HR: all)",
    description="An assessee never gets the peer assessments of themselves here: "
    "see /employees/{id}/peer-summary for the aggregated view.",
)
async def list_assessments(
    principal: PrincipalDep,
    session: Reading,
    paging: Paging,
    assessee_id: str | None = None,
    assessor_id: str | None = None,
    period: str | None = None,
    relation: Relation | None = None,
    include_superseded: bool = False,
) -> Page[AssessmentRead]:
    found = await assessments.list_assessments(
        session,
        principal=principal,
        assessee_id=assessee_id,
        assessor_id=assessor_id,
        period=period,
        relation=relation,
        include_superseded=include_superseded,
        page=paging,
    )
    items = await assessments.read_models(session, found.items)
    return Page(items=items, total=found.total, limit=found.limit, offset=found.offset)


@router.get(
    "/assessments/{assessment_id}",
    response_model=AssessmentRead,
    responses=errors(401, 403, 404),
    tags=["assessments"],
    summary="One assessment (404 when it is not yours to read)",
)
async def get_assessment(
    assessment_id: str, principal: PrincipalDep, session: Reading
) -> AssessmentRead:
    row = await assessments.get_assessment(
        session, principal=principal, assessment_id=assessment_id
    )
    return (await assessments.read_models(session, [row]))[0]


@router.get(
    "/employees/{employee_id}/peer-summary",
    response_model=PeerSummary | HiddenPeerSummary,
    responses=errors(400, 401, 403, 404, 422),
    tags=["assessments"],
    summary="Peer ratings of an employee for a period, aggregated (counts, never authors)",
    description="The assessee sees the counts only once the tenant's `min_aggregate_size` "
    "(default 5) peers submitted for the period, and then over whole steps of that many "
    "sheets (the first 5, the first 10, ...), so two readings never differ by one sheet; "
    "before that `{responses: 0, hidden: true}`. Supervisors and HR see every sheet.",
)
async def peer_summary(
    employee_id: str,
    principal: PrincipalDep,
    session: Reading,
    moment: Now,
    period: Annotated[str, Query(description="period label")],
) -> PeerSummary | HiddenPeerSummary:
    return await assessments.peer_summary(
        session, principal=principal, employee_id=employee_id, label=period, now=moment
    )


# ---------------------------------------------------------------- peer requests


@router.post(
    "/peer-requests",
    response_model=PeerRequestRead,
    status_code=status.HTTP_201_CREATED,
    responses=WRITE_ERRORS,
    tags=["peer requests"],
    summary="As direct supervisor, ask a peer of the same unit to assess your report",
)
async def request_peer(
    body: PeerRequestCreate, principal: PrincipalDep, session: Writing, moment: Now
) -> PeerRequestRead:
    row = await notes.request_peer(session, principal=principal, body=body, now=moment)
    return PeerRequestRead.model_validate(row)


@router.get(
    "/peer-requests",
    response_model=Page[PeerRequestRead],
    responses=READ_ERRORS,
    tags=["peer requests"],
    summary="Peer requests you made or were asked (HR: all); the assessee never sees them",
)
async def list_peer_requests(
    principal: PrincipalDep,
    session: Reading,
    paging: Paging,
    status: Literal["requested", "submitted"] | None = None,
) -> Page[PeerRequestRead]:
    found = await notes.list_peer_requests(session, principal=principal, status=status, page=paging)
    return found.map(PeerRequestRead.model_validate)


# ---------------------------------------------------------------- feedback notes


@router.post(
    "/feedback-notes",
    response_model=FeedbackRead,
    status_code=status.HTTP_201_CREATED,
    responses=WRITE_ERRORS,
    tags=["feedback"],
    summary="As direct supervisor, note feedback to a report (any time)",
)
async def note_feedback(
    body: FeedbackCreate, principal: PrincipalDep, session: Writing, moment: Now
) -> FeedbackRead:
    row = await notes.note_feedback(session, principal=principal, body=body, now=moment)
    return FeedbackRead.model_validate(row)


@router.get(
    "/feedback-notes",
    response_model=Page[FeedbackRead],
    responses=READ_ERRORS,
    tags=["feedback"],
    summary="Feedback notes you wrote or received (HR: all)",
)
async def list_feedback(
    principal: PrincipalDep, session: Reading, paging: Paging, employee_id: str | None = None
) -> Page[FeedbackRead]:
    found = await notes.list_feedback(
        session, principal=principal, employee_id=employee_id, page=paging
    )
    return found.map(FeedbackRead.model_validate)


# ---------------------------------------------------------------- objections


@router.post(
    "/objections",
    response_model=ObjectionRead,
    status_code=status.HTTP_201_CREATED,
    responses=WRITE_ERRORS,
    tags=["objections"],
    summary="Object (keberatan) to your final annual supervisor assessment, within 14 days",
)
async def file_objection(
    body: ObjectionCreate, principal: PrincipalDep, session: Writing, moment: Now
) -> ObjectionRead:
    row = await objections.file_objection(session, principal=principal, body=body, now=moment)
    return ObjectionRead.model_validate(row)


@router.get(
    "/objections",
    response_model=Page[ObjectionRead],
    responses=READ_ERRORS,
    tags=["objections"],
    summary="Objections you filed or must decide (HR: all)",
)
async def list_objections(
    principal: PrincipalDep,
    session: Reading,
    paging: Paging,
    status: Literal["pending", "accepted", "rejected"] | None = None,
) -> Page[ObjectionRead]:
    found = await objections.list_objections(
        session, principal=principal, status=status, page=paging
    )
    return found.map(ObjectionRead.model_validate)


@router.get(
    "/objections/{objection_id}",
    response_model=ObjectionRead,
    responses=errors(401, 403, 404),
    tags=["objections"],
    summary="One objection",
)
async def get_objection(
    objection_id: str, principal: PrincipalDep, session: Reading
) -> ObjectionRead:
    row = await objections.get_objection(session, principal=principal, objection_id=objection_id)
    return ObjectionRead.model_validate(row)


@router.post(
    "/objections/{objection_id}/decision",
    response_model=ObjectionRead,
    responses=WRITE_ERRORS,
    tags=["objections"],
    summary="As the assessing supervisor's supervisor, decide an objection (final)",
)
async def decide_objection(
    objection_id: str,
    body: ObjectionDecision,
    principal: PrincipalDep,
    session: Writing,
    moment: Now,
) -> ObjectionRead:
    row = await objections.decide_objection(
        session, principal=principal, objection_id=objection_id, body=body, now=moment
    )
    return ObjectionRead.model_validate(row)
