"""The kernel's ``Reason`` (what a pure rule says is wrong) and a refusal that answers a
list of them (an import's bad lines) through the one refusal handler."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.common.api import install_http_semantics
from services.common.i18n import catalog
from services.common.refusals import BadRequest, Reason, Unprocessable
from services.identity.csv_plans import problem
from services.identity.imports import ImportRefused

pytestmark = pytest.mark.unit


class Listed(Unprocessable):
    def __init__(self, reasons: list[Reason]) -> None:
        super().__init__("requires one of the roles: {roles}", roles=len(reasons))
        self.reasons = reasons

    def body(self, locale: str) -> dict[str, Any]:
        answer = super().body(locale)
        answer["detail"] = [r.text(locale) for r in self.reasons]
        return answer


def test_a_refusal_may_answer_a_list_in_the_callers_language() -> None:
    app = FastAPI()
    install_http_semantics(app)
    reason = Reason("requires one of the roles: {roles}", roles="admin")

    @app.get("/list")
    def listed() -> None:
        raise Listed([reason])

    @app.get("/one")
    def one() -> None:
        raise BadRequest.of(reason)

    client = TestClient(app)
    answer = client.get("/list", headers={"Accept-Language": "id"})
    assert answer.status_code == 422
    assert answer.json() == {
        "detail": ["memerlukan salah satu peran: admin"],
        "reason": {"message": "requires one of the roles: {roles}", "params": {"roles": 1}},
    }
    single = client.get("/one")
    assert single.status_code == 400
    assert single.json()["reason"] == reason.as_json()
    assert single.json()["detail"] == reason.text() == "requires one of the roles: admin"


def test_an_import_refusal_has_indonesian_for_its_own_and_each_lines_reasons() -> None:
    # ImportRefused builds its template in __init__, out of the marker extraction's sight.
    refused = ImportRefused([problem(3, Reason("a column is named twice"))])
    assert refused.message in catalog("id")
    body = refused.body("id")
    assert body["detail"] == [
        {
            "line": 3,
            "reason": "ada nama kolom yang digunakan dua kali",
            "reasons": [{"message": "a column is named twice", "params": {}}],
        }
    ]
    assert body["reason"]["params"] == {"count": 1}
