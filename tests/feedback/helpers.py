"""What the feedback tests share: the counter's survey tokens and a citizen's complaint."""

from __future__ import annotations

from typing import Any

from services.common.skm import ELEMENTS
from services.feedback.models import Complaint
from tests.feedback.conftest import (
    BANTUL,
    COUNTER,
    DUKCAPIL,
    Feedback,
)

PUBLIC = f"/api/v1/public/{BANTUL}/complaints"


STAFF = "/api/v1/complaints"


def complaint(**changes: Any) -> dict[str, Any]:
    return {
        "unit_id": DUKCAPIL,
        "officer_id": "e-officer",
        "category": "pungutan_liar",
        "text": "Diminta membayar Rp50.000 untuk KTP-el yang seharusnya gratis.",
        "contact": CONTACT,
        **changes,
    }


async def file(fb: Feedback, **changes: Any) -> str:
    response = await fb.client.post(PUBLIC, json=complaint(**changes))
    assert response.status_code == 201, response.text
    return str(response.json()["tracking_code"])


async def complaint_id(fb: Feedback, code: str) -> str:
    [row] = [c for c in await fb.rows(Complaint) if c.tracking_code == code]
    return str(row.id)


def answers(*scores: int) -> dict[str, Any]:
    values = scores if len(scores) == 9 else scores * 9
    return {"answers": dict(zip(ELEMENTS, values, strict=True))}


def survey_path(token: str, tenant: str = BANTUL) -> str:
    return f"/api/v1/public/{tenant}/surveys/{token}"


async def issue(fb: Feedback, **body: Any) -> dict[str, Any]:
    response = await fb.client.post(TOKENS, json=body, headers=COUNTER)
    assert response.status_code == 201, response.text
    return dict(response.json())


CONTACT = "Budi Santoso, 0812-3456-7890"


TOKENS = "/api/v1/survey-tokens"
