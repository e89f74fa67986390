"""422 answers keep FastAPI's list (``loc``, ``type``, ``ctx``) for the page to place each
item by its field, with ``msg`` in the caller's language."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from services.common.api import VALIDATION_MESSAGES, install_http_semantics
from services.common.i18n import catalog

pytestmark = pytest.mark.unit


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


class Body(BaseModel):
    title: str = Field(max_length=5)
    code: str = Field(min_length=3)
    weight: int = Field(gt=0, le=100)
    share: float = Field(lt=1)
    kind: Literal["utama", "tambahan"]
    colour: Colour
    due: date
    tags: list[str] = Field(max_length=1)


def client() -> TestClient:
    app = FastAPI()
    install_http_semantics(app)

    @app.post("/things")
    def create(body: Body) -> dict[str, str]:
        return {"ok": "yes"}

    return TestClient(app)


BAD = {
    "title": "x" * 6,
    "code": "ab",
    "weight": 0,
    "share": 2,
    "kind": "lain",
    "colour": "green",
    "due": "kemarin",
    "tags": ["a", "b"],
}


def by_field(answer: list[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {str(item["loc"][-1]): item for item in answer}  # type: ignore[index]


def test_indonesian_callers_read_each_field_error_in_indonesian() -> None:
    response = client().post("/things", json=BAD, headers={"Accept-Language": "id"})
    assert response.status_code == 422
    items = by_field(response.json()["detail"])
    assert items["title"]["msg"] == "paling banyak 5 karakter"
    assert items["title"]["loc"] == ["body", "title"]
    assert items["title"]["type"] == "string_too_long"
    assert items["title"]["ctx"] == {"max_length": 5}
    assert items["code"]["msg"] == "paling sedikit 3 karakter"
    assert items["weight"]["msg"] == "harus lebih besar dari 0"
    assert items["share"]["msg"] == "harus lebih kecil dari 1"
    assert items["kind"]["msg"] == "harus salah satu dari: utama, tambahan"
    assert items["colour"]["msg"] == "harus salah satu dari: red, blue"
    assert items["due"]["msg"] == "harus berupa tanggal (TTTT-BB-HH)"
    assert items["tags"]["msg"] == "paling banyak 1 butir"
    missing = client().post("/things", json={}, headers={"Accept-Language": "id-ID,id;q=0.9"})
    assert {i["msg"] for i in missing.json()["detail"]} == {"wajib diisi"}


def test_english_callers_keep_pydantics_messages() -> None:
    response = client().post("/things", json=BAD, headers={"Accept-Language": "en"})
    items = by_field(response.json()["detail"])
    assert items["title"]["msg"] == "String should have at most 5 characters"
    bare = client().post("/things", json={"weight": "many"})  # no Accept-Language: English
    assert by_field(bare.json()["detail"])["weight"]["msg"].startswith("Input should be")


def test_every_validation_template_has_an_indonesian_translation() -> None:
    indonesian = catalog("id")
    assert not [t for t in VALIDATION_MESSAGES.values() if t not in indonesian]
