"""Identity's CSV import routes (``/api/v1/import/units``, ``/api/v1/import/employees``):
read the file, call the use case of ``imports``, report in the caller's language."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from services.common.api import errors
from services.common.i18n import negotiate
from services.common.refusals import BadRequest, TooLarge
from services.identity import imports
from services.identity.api import V1, Admin, Ctx
from services.identity.demo_accounts import DemoAccounts
from services.identity.models import ImportProblem, ImportReport

router = APIRouter(prefix=f"{V1}/import", tags=["CSV import"])

_CSV_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}

_IMPORT_RULES = """
The file is UTF-8 CSV with a header line (comma or semicolon separated; column names in any
case and order; a BOM is allowed), sent as `text/csv` or as the `file` field of a
multipart form. `dry_run=true` checks every row and reports each bad one as
`{line, reason, reasons}` (the header is line 1; `reason` in the caller's
`Accept-Language`, `reasons` as templates and parameters) without writing. Without it the
import is all-or-nothing: any bad row answers 400 with the same list in `detail` and writes
nothing; otherwise every row is written, with its event, in one transaction.
"""


async def read_csv_body(request: Request, limit: int) -> str:
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise BadRequest("the multipart form needs a `file` field")
        data = await upload.read(limit + 1)
    else:
        data = await request.body()
    if len(data) > limit:
        raise TooLarge("the file is larger than {limit} bytes", limit=limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the file is not UTF-8 text") from None


def import_report(request: Request, outcome: imports.ImportOutcome, dry_run: bool) -> ImportReport:
    locale = negotiate(request.headers.get("accept-language"))
    return ImportReport(
        dry_run=dry_run,
        rows=outcome.rows,
        created=outcome.created,
        errors=[
            ImportProblem.model_validate(p) for p in imports.problems_json(outcome.problems, locale)
        ],
    )


DryRun = Annotated[bool, Query(description="check every row, write nothing")]


@router.post(
    "/units",
    response_model=ImportReport,
    responses=errors(400, 401, 403, 404, 413),
    openapi_extra=_CSV_BODY,
    description="Import units (admin). Columns: `code` (the regency's unit code, unique), "
    "`name`, `kind` (dinas, badan, kantor, kecamatan, kelurahan, desa, counter), optional "
    "`parent` (a unit code or id, in the file or already registered, in any order) and "
    "`serves_public` (true/false, ya/tidak, 1/0). Emits `unit.created` per row.\n" + _IMPORT_RULES,
)
async def import_units(
    request: Request, principal: Admin, ctx: Ctx, dry_run: DryRun = False
) -> ImportReport:
    text = await read_csv_body(request, ctx.max_import_bytes)
    outcome = await imports.import_units(
        sessions=ctx.sessions, principal=principal, text=text, dry_run=dry_run
    )
    return import_report(request, outcome, dry_run)


@router.post(
    "/employees",
    response_model=ImportReport,
    responses=errors(400, 401, 403, 404, 409, 413),
    openapi_extra=_CSV_BODY,
    description="Import employees (admin). Columns: `nip`, `name`, `position`, `unit` (a "
    "unit code or id), optional `supervisor_nip` (an employee already registered or a row "
    "anywhere in the same file) and `password` (initial password, to be changed at first "
    "login; without it the employee cannot log in until an admin sets one with "
    "`POST /employees/{id}/password`). Every NIP is checked as for a single employee. "
    "Emits `employee.registered` per row.\n" + _IMPORT_RULES,
)
async def import_employees(
    request: Request,
    principal: Admin,
    ctx: Ctx,
    dry_run: DryRun = False,
    demo_accounts: DemoAccounts = False,
) -> ImportReport:
    text = await read_csv_body(request, ctx.max_import_bytes)
    outcome = await imports.import_employees(
        sessions=ctx.sessions,
        principal=principal,
        text=text,
        dry_run=dry_run,
        demo_environment=ctx.environment if demo_accounts else None,
    )
    return import_report(request, outcome, dry_run)
