"""Identity's refusals and import reports are rendered by the kernel in the caller's
language: the English template and its parameters for programs, Indonesian for a person."""

from __future__ import annotations

import pytest

from services.common.refusals import Conflict
from services.identity.models import Tenant
from services.identity.records import transaction
from tests.identity.conftest import Identity
from tests.identity.helpers import post_csv

pytestmark = pytest.mark.kafka

INDONESIAN = {"Accept-Language": "id-ID,id;q=0.9,en;q=0.5"}
BAD_UNITS = "code,name,kind,parent\nA,Unit A,ministry,NOWHERE\nB,Unit B,dinas,\nB,Unit B2,dinas,\n"


async def test_a_refusal_names_the_unit_in_indonesian(identity: Identity) -> None:
    await identity.tenant("bantul")
    await identity.unit("bantul", "Sekretariat Daerah", code="SETDA")
    response = await identity.client.post(
        "/api/v1/units",
        json={"name": "Lain", "kind": "dinas", "code": "SETDA"},
        headers={**identity.admin("bantul"), **INDONESIAN},
    )
    assert response.status_code == 409, response.text
    assert response.json() == {
        "detail": "kode unit SETDA sudah digunakan pada pemerintah daerah ini, oleh "
        "Sekretariat Daerah",
        "reason": {
            "message": "unit code {code} is already used in this regency, by {name}",
            "params": {"code": "SETDA", "name": "Sekretariat Daerah"},
        },
    }


async def test_an_import_problem_list_renders_in_indonesian(identity: Identity) -> None:
    await identity.tenant("bantul")
    headers = {**identity.admin("bantul"), "Content-Type": "text/csv", **INDONESIAN}
    dry = await identity.client.post(
        "/api/v1/import/units", params={"dry_run": "true"}, headers=headers, content=BAD_UNITS
    )
    assert dry.status_code == 200, dry.text
    errors = dry.json()["errors"]
    assert [e["line"] for e in errors] == [2, 4]
    # Two reasons on one line stay one entry, joined as before, each in Indonesian.
    assert errors[0]["reason"] == (
        "jenis 'ministry' tidak termasuk salah satu dari: "
        "dinas, badan, kantor, kecamatan, kelurahan, desa, counter; "
        "induk 'NOWHERE' bukan kode atau id unit kerja pemerintah daerah ini"
    )
    assert [r["message"] for r in errors[0]["reasons"]] == [
        "kind {kind} is not one of {kinds}",
        "parent {parent} is not a unit code or id of this regency",
    ]
    assert errors[1]["reason"] == "kode 'B' muncul dua kali (pertama kali pada baris 3)"
    assert errors[1]["reasons"] == [
        {
            "message": "code {code} appears twice (first on line {line})",
            "params": {"code": "'B'", "line": 3},
        }
    ]

    # Applied, the same list is the refusal's detail, in the caller's language.
    refused = await identity.client.post("/api/v1/import/units", headers=headers, content=BAD_UNITS)
    assert refused.status_code == 400
    body = refused.json()
    assert [p["reason"] for p in body["detail"]] == [e["reason"] for e in errors]
    assert body["reason"]["params"] == {"count": 2}
    status, english = await post_csv(identity, "units", BAD_UNITS)
    assert status == 400
    assert english["detail"][1]["reason"] == "code 'B' appears twice (first on line 3)"  # type: ignore[index]


async def test_a_unique_value_taken_meanwhile_is_a_conflict(identity: Identity) -> None:
    # What a concurrent request causes between a check and the commit: the database's
    # unique constraint fails, and the refusal family answers it (409), never a 500.
    await identity.tenant("bantul")
    with pytest.raises(Conflict) as refused:
        async with transaction(identity.runtime.sessions) as session:
            session.add(Tenant(slug="bantul", name="Lagi", time_zone="Asia/Jakarta", settings={}))
    assert refused.value.status == 409
    assert "unique value" in refused.value.text()
    assert await identity.count(Tenant) == 1
