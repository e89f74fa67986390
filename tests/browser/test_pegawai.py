"""The employee's year by clicks: draft the SKP linked to the supervisor's RHK (inline
errors), submit, see the return comment and fix it, revise an approved SKP (history);
log, edit and delete activities (the revision guard's reload); self-assessment, the final
predikat with its explanation in Indonesian, the objection and its decision, feedback
notes, own IKM and the complaints that name them. A three-level chain: atasan > pegawai >
staf, where staf is the employee at work here (so pegawai approves and assesses, and
atasan decides the objection)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.browser.pages import check_page
from tests.browser.steps.pegawai import (
    IndicatorSpec,
    RhkSpec,
    employee_drafts_skp,
    employee_files_objection,
    employee_logs_activity,
    employee_revises_skp,
    employee_sees_final_predikat,
    employee_sees_objection_decision,
    employee_sees_projection,
    employee_submits_skp,
    fill_skp,
    open_assessment,
    open_skp,
    save_skp,
)
from tests.gateway.conftest import Stack, use_session
from tests.gateway.harness import YEAR, Regency, approved_skp, call, nip, register_regency
from tests.support import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.kafka]

PARENT = "Layanan KTP-el tepat waktu"  # the pegawai's approved RHK (harness SKP_BODY)
VALUES = [
    "berorientasi_pelayanan",
    "akuntabel",
    "kompeten",
    "harmonis",
    "loyal",
    "adaptif",
    "kolaboratif",
]


async def chain(stack: Stack, offset: int) -> Regency:
    """A regency whose pegawai has an approved SKP and a staff member of their own."""
    regency = await register_regency(stack.client, f"kab-{uuid.uuid4().hex[:8]}", offset)
    person = {
        "nip": nip(offset + 3),
        "name": "Siti Staf",
        "position": "Pengadministrasi",
        "unit_id": regency.unit_id,
        "supervisor_id": regency.people["pegawai"],
    }
    created = await call(
        stack.client, "POST", "/api/identity/employees", regency.admin(), 201, json=person
    )
    regency.people["staf"] = created["id"]
    await stack.settled(regency)
    await approved_skp(stack.client, regency)
    return regency


def token(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


async def staf_skp(stack: Stack, regency: Regency) -> dict[str, Any]:
    page = await call(stack.client, "GET", f"/api/targets/skp?year={YEAR}", regency.as_("staf"))
    return page["items"][0]  # type: ignore[no-any-return]


async def test_employee_drafts_fixes_and_revises_the_skp(stack: Stack, page: Page) -> None:
    regency = await chain(stack, 130)
    url = stack.gateway_url
    await use_session(page, url, token(regency.as_("staf")))
    await open_skp(page, url)
    await check_page(page, "pegawai-no-skp")
    # A missing target is refused beside its field, in Indonesian.
    await page.locator("#skp-new").click()
    rhk = RhkSpec(
        "Arsip KTP-el tertata",
        parent_title=PARENT,
        indicators=(IndicatorSpec("Berkas diarsipkan", target="", unit="berkas"),),
    )
    await fill_skp(page, [rhk])
    await save_skp(page)
    target = page.locator('[name="rhk.0.indicators.0.target"]')
    await expect(target).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#skp-form .field-error")).to_have_count(1)
    await check_page(page, "pegawai-skp-editor-error")
    fixed = RhkSpec(
        rhk.title,
        parent_title=PARENT,
        indicators=(IndicatorSpec("Berkas diarsipkan", 500, "berkas"),),
    )
    await employee_drafts_skp(page, url, rhk=[fixed])
    # Saved with its link to the supervisor's RHK: a reload shows it chosen.
    await page.reload()
    parent = page.locator('[name="rhk.0.parent_rhk_id"] option:checked')
    await expect(parent).to_have_text(PARENT)
    await employee_submits_skp(page, url)
    skp = await staf_skp(stack, regency)
    comment = "Target arsip terlalu rendah, naikkan menjadi 800 berkas."
    await call(
        stack.client,
        "POST",
        f"/api/targets/skp/{skp['id']}/return",
        regency.as_("pegawai"),
        json={"comment": comment},
    )
    await open_skp(page, url)
    await expect(page.locator("#return-comment")).to_contain_text(comment)
    await expect(page.locator("#return-comment")).to_contain_text("Dikembalikan oleh atasan Anda")
    await page.locator('[name="rhk.0.indicators.0.target"]').fill("800")
    await employee_submits_skp(page, url)
    await call(
        stack.client, "POST", f"/api/targets/skp/{skp['id']}/approve", regency.as_("pegawai")
    )
    await open_skp(page, url)
    await expect(page.locator("#skp-status")).to_contain_text("Disetujui")
    await expect(page.locator("#skp-body")).to_contain_text("800 berkas")
    await employee_revises_skp(page, url)
    await expect(page.locator("#skp-status")).to_contain_text("versi 2")
    await expect(page.locator("#skp-history summary")).to_contain_text("2 versi")
    await page.locator("#skp-history summary").click()
    await expect(page.locator("#skp-history")).to_contain_text(comment)
    await check_page(page, "pegawai-skp-revision")


async def approved_staf_skp(stack: Stack, regency: Regency) -> dict[str, Any]:
    body = {
        "year": YEAR,
        "rhk": [
            {
                "title": "Arsip KTP-el tertata",
                "kind": "utama",
                "indicators": [
                    {
                        "name": "Berkas diarsipkan",
                        "aspect": "kuantitas",
                        "target": 40,
                        "unit": "berkas",
                    }
                ],
            }
        ],
    }
    skp = await call(stack.client, "POST", "/api/targets/skp", regency.as_("staf"), 201, json=body)
    await call(stack.client, "POST", f"/api/targets/skp/{skp['id']}/submit", regency.as_("staf"))
    return await call(  # type: ignore[no-any-return]
        stack.client, "POST", f"/api/targets/skp/{skp['id']}/approve", regency.as_("pegawai")
    )


async def test_employee_logs_edits_and_deletes_activities(stack: Stack, page: Page) -> None:
    regency = await chain(stack, 140)
    await approved_staf_skp(stack, regency)
    url = stack.gateway_url
    await use_session(page, url, token(regency.as_("staf")))
    await employee_logs_activity(
        page, url, indicator="Berkas diarsipkan", value=10, note="Arsip pagi"
    )
    shown = await employee_sees_projection(page, url)
    assert "%" in shown and "Capaian keseluruhan" in shown, shown
    # Edit by the form: the row shows the new value after a reload.
    row = page.locator("#activities tr", has_text="Arsip pagi")
    await row.get_by_role("button", name="Ubah").click()
    await page.locator("#activity-value").fill("12")
    await page.locator("#activity-save").click()
    await expect(page.locator("#activity-message")).to_contain_text("Kegiatan telah diubah")
    await page.reload()
    await expect(page.locator("#activities tr", has_text="Arsip pagi")).to_contain_text("12 berkas")
    # Changed elsewhere meanwhile: the page's edit is refused with a reload, not applied.
    listed = await call(stack.client, "GET", "/api/targets/activities", regency.as_("staf"))
    entry = listed["items"][0]
    await call(
        stack.client,
        "PATCH",
        f"/api/targets/activities/{entry['id']}",
        regency.as_("staf"),
        json={"revision": entry["revision"], "value": 20},
    )
    await row.get_by_role("button", name="Ubah").click()
    await page.locator("#activity-value").fill("13")
    await page.locator("#activity-save").click()
    await expect(page.locator("#activity-message")).to_contain_text("diubah di tempat lain")
    await check_page(page, "pegawai-activity-conflict")
    await page.locator("#activity-reload").click()
    await expect(row).to_contain_text("20 berkas")
    # Delete asks once more, then the entry is gone for good.
    await row.get_by_role("button", name="Hapus").click()
    await row.get_by_role("button", name=re.compile("^Yakin hapus")).click()
    await expect(page.locator("#activity-message")).to_contain_text("telah dihapus")
    await page.reload()
    await expect(page.locator("#activities")).to_contain_text("Belum ada kegiatan tercatat")
    await check_page(page, "pegawai")


async def test_self_assessment_objection_notes_and_service(stack: Stack, page: Page) -> None:
    regency = await chain(stack, 150)
    skp = await approved_staf_skp(stack, regency)
    url = stack.gateway_url
    await use_session(page, url, token(regency.as_("staf")))
    await open_assessment(page, url)
    await page.locator("#self-achievements").fill("Seluruh berkas Januari diarsipkan.")
    await page.locator("#self-obstacles").fill("Rak arsip penuh.")
    await page.locator("#self-solutions").fill("Arsip lama dipindahkan ke gudang.")
    await page.locator("#self-form button[type=submit]").click()
    await expect(page.locator("#self-list")).to_contain_text("Rak arsip penuh.")
    # The supervisor's annual assessment, a feedback note and a complaint naming staf.
    assessment = {
        "period": str(YEAR),
        "relation": "supervisor",
        "assessee_id": regency.people["staf"],
        "rhk_ratings": {skp["rhk"][0]["rhk_id"]: "sesuai"},
        "result_rating": "sesuai",
        "behaviour_ratings": dict.fromkeys(VALUES, "sesuai"),
    }

    async def assessed() -> bool:
        answer = await stack.client.post(
            "/api/assessment/assessments", headers=regency.as_("pegawai"), json=assessment
        )
        return answer.status_code == 201  # once assessment has the approved SKP (Kafka)

    await wait_until(assessed, timeout=60)
    note = "Pengarsipan rapi, pertahankan."
    await call(
        stack.client,
        "POST",
        "/api/assessment/feedback-notes",
        regency.as_("pegawai"),
        201,
        json={"employee_id": regency.people["staf"], "text": note},
    )
    complaint = {
        "unit_id": regency.unit_id,
        "officer_id": regency.people["staf"],
        "category": "pelayanan_lambat",
        "text": "Berkas saya lama sekali diarsipkan.",
    }
    await call(
        stack.client,
        "POST",
        f"/api/feedback/public/{regency.slug}/complaints",
        {},
        201,
        json=complaint,
    )
    predikat, explanation = await employee_sees_final_predikat(page, url)
    assert predikat == "Baik", predikat
    assert "Predikat akhir Baik" in explanation and "sesuai ekspektasi" in explanation.lower(), (
        explanation
    )
    await expect(page.locator("#notes")).to_contain_text(note)
    await expect(page.locator("#complaints-naming-me")).to_contain_text("1")
    await expect(page.locator("#service")).not_to_contain_text(
        "Berkas saya lama"
    )  # never the text or the citizen
    await employee_files_objection(page, url, reason="Capaian arsip melebihi target.")
    await expect(page.locator("#objections")).to_contain_text("Menunggu keputusan")
    await check_page(page, "pegawai-penilaian")
    objections = await call(
        stack.client, "GET", "/api/assessment/objections", regency.as_("atasan")
    )
    decision = {"accepted": True, "reason": "Bukti capaian diterima.", "result_rating": "di_atas"}
    await call(
        stack.client,
        "POST",
        f"/api/assessment/objections/{objections['items'][0]['id']}/decision",
        regency.as_("atasan"),
        json=decision,
    )
    shown = await employee_sees_objection_decision(page, url)
    assert "Diterima" in shown and "Bukti capaian diterima." in shown and "Di atas" in shown, shown
