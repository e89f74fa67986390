"""``GET /api/gateway/export/{table}`` against the running platform (every service, real
Kafka): the rows of the service that feeds the page, Indonesian headers, names not ids,
a formula-like name kept as text in XLSX and neutralised in CSV; each regency sees only
its own rows; the registry's roles, an unknown table, format or parameter and a service's
refusal (the legacy score not enabled) answered with their reasons."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from openpyxl import load_workbook

from services.common.security import Role
from tests.gateway.conftest import Stack
from tests.gateway.harness import PASSWORD, YEAR, Regency, call, nip, register_regency
from tests.support import bearer, wait_until

pytestmark = pytest.mark.kafka
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TRAP = '=HYPERLINK("http://evil","klik")'


def sheet_rows(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [[c.value for c in row] for row in sheet.iter_rows()]


async def regency_with_a_trap(stack: Stack, offset: int) -> tuple[Regency, str]:
    regency = await register_regency(stack.client, f"kab-{uuid.uuid4().hex[:8]}", offset)
    person = {
        "nip": nip(offset + 3),
        "name": TRAP,
        "position": "-Analis",
        "unit_id": regency.unit_id,
        "supervisor_id": regency.people["atasan"],
        "password": PASSWORD,
    }
    created = await call(
        stack.client, "POST", "/api/identity/employees", regency.admin(), 201, json=person
    )
    regency.people["trap"] = created["id"]
    await stack.settled(regency)
    return regency, created["id"]


async def test_tables_export_as_xlsx_and_csv_per_regency_with_reasons(stack: Stack) -> None:
    client = stack.client
    first, _ = await regency_with_a_trap(stack, 700)
    second = await register_regency(client, f"kab-{uuid.uuid4().hex[:8]}", 720)
    await stack.settled(second)
    admin = first.admin()

    xlsx = await client.get("/api/gateway/export/pegawai?format=xlsx", headers=admin)
    assert xlsx.status_code == 200, xlsx.text
    assert xlsx.headers["content-type"] == XLSX
    assert xlsx.headers["content-disposition"] == 'attachment; filename="pegawai.xlsx"'
    rows = sheet_rows(xlsx.content)
    assert rows[0] == ["Nama", "NIP", "Jabatan", "Unit kerja", "Atasan langsung", "Status"]
    by_name = {r[0]: r for r in rows[1:]}
    # the formula-like name and position are text, exactly as typed; names, never ids
    assert by_name[TRAP][1:] == [
        nip(703),
        "-Analis",
        "Dinas Kependudukan",
        f"Atasan {first.slug.title()}",
        "Aktif",
    ]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert f"Pegawai {second.slug.title()}" not in by_name  # the other regency's people

    csv = await client.get("/api/gateway/export/pegawai?format=csv", headers=admin)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    text = csv.content.decode("utf-8")
    assert text.startswith('\ufeff"Nama","NIP"')
    assert '"\'=HYPERLINK(""http://evil"",""klik"")"' in text and '"\'-Analis"' in text
    assert text.count("\r\n") == 4  # the header and the three people of this regency

    # the other regency's admin gets its own two people only
    theirs = sheet_rows(
        (await client.get("/api/gateway/export/pegawai", headers=second.admin())).content
    )
    assert sorted(r[0] for r in theirs[1:]) == [
        f"Atasan {second.slug.title()}",
        f"Pegawai {second.slug.title()}",
    ]

    # a table of the year: its file is named by the year; the five predikat rows
    curve = await client.get(
        f"/api/gateway/export/sebaran-predikat?year={YEAR}&organisation_predikat=baik",
        headers=admin,
    )
    assert curve.status_code == 200, curve.text
    assert f'filename="sebaran-predikat-{YEAR}.xlsx"' in curve.headers["content-disposition"]
    assert [r[0] for r in sheet_rows(curve.content)] == [
        "Predikat",
        "Sangat Baik",
        "Baik",
        "Butuh Perbaikan",
        "Kurang",
        "Sangat Kurang",
    ]

    # refusals, each with its reason
    pegawai = await client.get("/api/gateway/export/pegawai", headers=first.as_("pegawai"))
    assert pegawai.status_code == 403 and "admin" in pegawai.json()["detail"]
    platform = bearer(tenant=None, roles=[Role.PLATFORM])
    assert (await client.get("/api/gateway/export/pegawai", headers=platform)).status_code == 403
    regencies = await client.get("/api/gateway/export/kabupaten-kota", headers=platform)
    assert regencies.status_code == 200
    assert {first.name, second.name} <= {r[0] for r in sheet_rows(regencies.content)}
    unknown = await client.get("/api/gateway/export/gaji", headers=admin)
    assert unknown.status_code == 404 and "gaji" in unknown.json()["detail"]
    pdf = await client.get("/api/gateway/export/pegawai?format=pdf", headers=admin)
    assert pdf.status_code == 422
    extra = await client.get("/api/gateway/export/pegawai?tenant=other", headers=admin)
    assert extra.status_code == 400 and "tenant" in extra.json()["detail"]
    bad_year = await client.get("/api/gateway/export/sebaran-predikat?year=99", headers=admin)
    assert bad_year.status_code == 422  # scoring's own validation, passed on
    assert (await client.get("/api/gateway/export/pegawai")).status_code == 401

    # the legacy score: refused with scoring's reason until the regency enables it
    off = await client.get("/api/gateway/export/nilai-pp46", headers=admin)
    assert off.status_code == 404 and "PP 46/2011" in off.json()["detail"]
    await call(
        client,
        "PATCH",
        "/api/identity/tenant/settings",
        admin,
        json={"legacy_score_enabled": True},
    )

    async def enabled() -> bool:
        answer = await client.get(f"/api/gateway/export/nilai-pp46?period={YEAR}", headers=admin)
        return answer.status_code == 200

    await wait_until(enabled, timeout=60)
    legacy = await client.get(
        f"/api/gateway/export/nilai-pp46?period={YEAR}&format=csv", headers=admin
    )
    lines = legacy.content.decode("utf-8").splitlines()
    assert lines[0] == (
        '\ufeff"Nama","NIP","Unit kerja","Nilai SKP","Nilai perilaku","Nilai akhir","Sebutan"'
    )
    assert any(line.startswith("\"'=HYPERLINK") for line in lines[1:])
