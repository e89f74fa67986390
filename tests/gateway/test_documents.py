"""The official documents as PDF through the whole stack (every service, real Kafka):
golden text checks with pdftotext, one page each, the QR read back to the verification
page, and who may download what."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest

from services.common.orgchart import OrgEmployee
from services.common.security import Role
from services.common.skm import ELEMENTS
from tests.gateway.conftest import Stack
from tests.gateway.documents_support import (
    assessed,
    documented_regency,
    first_page_png,
    pdf_pages,
    pdf_text,
    qr_of,
)
from tests.gateway.harness import YEAR, approved_skp, call, count, nip, register_regency
from tests.support import bearer, wait_until

pytestmark = pytest.mark.kafka

SHOTS = Path("test-output/documents")


def _keep(name: str, pdf: bytes) -> None:
    """Each document, kept for a person to look at (test-output/ is not committed)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"{name}.pdf").write_bytes(pdf)


async def test_skp_pdf_prints_every_field_verifies_and_is_only_for_the_entitled(
    stack: Stack, tmp_path: Path
) -> None:
    regency = await documented_regency(stack)
    skp = await approved_skp(stack.client, regency)
    url = f"/dokumen/skp/{skp['id']}"

    answer = await stack.client.get(url, headers=regency.as_("pegawai"))
    assert answer.status_code == 200, answer.text
    _keep("skp", answer.content)
    assert answer.headers["content-type"] == "application/pdf"
    text = pdf_text(answer.content, tmp_path)
    for field in (
        "PEMERINTAH KABUPATEN",
        "SASARAN KINERJA PEGAWAI",
        "Periode Penilaian: 1 Januari s.d. 31 Desember",
        "Status: Disetujui",
        "Pegawai yang Dinilai",
        "Pejabat Penilai Kinerja",
        "Pegawai " + regency.slug.title(),
        "Atasan " + regency.slug.title(),
        regency.nips["pegawai"],
        regency.nips["atasan"],
        "Penata Muda, III/a",
        "Pembina, IV/a",
        "Analis",
        "Kepala Bidang",
        "Dinas Kependudukan",
        "A. HASIL KERJA UTAMA",
        "Layanan KTP-el tepat waktu",
        "Dokumen KTP-el diterbitkan",
        "Kuantitas",
        "1.200 dokumen",
        "Verifikasi dokumen",
    ):
        assert field in text, (field, text)
    place = regency.slug.title()
    assert f"{place}, " in text  # place and date of the signature block
    assert pdf_pages(answer.content, tmp_path) == 1

    # The QR opens the verification page, which names the document and says it is valid.
    png = first_page_png(answer.content, tmp_path, "skp")
    verify = qr_of(png)
    assert verify.startswith(stack.gateway_url + "/verifikasi/"), verify
    page = await stack.client.get(verify.removeprefix(stack.gateway_url))
    assert page.status_code == 200
    assert 'data-status="valid"' in page.text and "Pegawai " + regency.slug.title() in page.text
    main = page.text[page.text.index("<main") : page.text.index("</main>")]
    assert "Sasaran Kinerja Pegawai (SKP)" in main, main

    # The same content again is the same document; the supervisor and admin may have it.
    again = await stack.client.get(url, headers=regency.as_("atasan"))
    assert again.status_code == 200
    png_again = first_page_png(again.content, tmp_path, "skp-again")
    assert qr_of(png_again) == verify
    assert (await stack.client.get(url, headers=regency.admin())).status_code == 200

    # A revision approved: a new document with a new code; the printed one is superseded.
    pegawai, atasan = regency.as_("pegawai"), regency.as_("atasan")
    revised = await call(stack.client, "POST", f"/api/targets/skp/{skp['id']}/revise", pegawai)
    await call(stack.client, "POST", f"/api/targets/skp/{revised['id']}/submit", pegawai)
    await call(stack.client, "POST", f"/api/targets/skp/{revised['id']}/approve", atasan)
    newer = await stack.client.get(url, headers=pegawai)
    assert "Versi 2" in pdf_text(newer.content, tmp_path)
    newer_verify = qr_of(first_page_png(newer.content, tmp_path, "skp-newer"))
    assert newer_verify != verify
    old = await stack.client.get(verify.removeprefix(stack.gateway_url))
    assert 'data-status="superseded"' in old.text and "Sudah diganti" in old.text
    current = await stack.client.get(newer_verify.removeprefix(stack.gateway_url))
    assert 'data-status="valid"' in current.text

    # Entitlement: a colleague outside the chain 403, another regency 404, nobody 401.
    colleague = await call(
        stack.client,
        "POST",
        "/api/identity/employees",
        regency.admin(),
        201,
        json={
            "nip": nip(90),
            "name": "Rekan Lain",
            "position": "Analis",
            "unit_id": regency.unit_id,
        },
    )

    async def known_to_targets() -> bool:
        people = await count(stack.runtime("targets"), OrgEmployee, tenant=regency.slug)
        return people == 3

    await wait_until(known_to_targets, timeout=60)
    outsider = bearer(tenant=regency.slug, roles=[Role.PEGAWAI], employee_id=colleague["id"])
    refused = await stack.client.get(url, headers={**outsider, "Accept-Language": "id"})
    # (targets lets a unit peer read the SKP; the official document is not theirs)
    assert refused.status_code == 403, refused.text
    assert "hanya pegawai yang bersangkutan" in refused.json()["detail"]
    other = await register_regency(stack.client, f"lain-{uuid.uuid4().hex[:8]}", offset=20)
    assert (await stack.client.get(url, headers=other.admin())).status_code == 404
    assert (await stack.client.get(url)).status_code == 401
    # A browser tab gets a page, not JSON.
    tab = await stack.client.get(url, headers={**other.admin(), "Accept": "text/html"})
    assert tab.status_code == 404 and "<html" in tab.text

    # An unknown code: a clear 404 page.
    unknown = await stack.client.get("/verifikasi/tidak-ada", headers={"Accept-Language": "id"})
    assert unknown.status_code == 404 and "Dokumen tidak ditemukan" in unknown.text


async def test_evaluation_pdf_prints_ratings_predikat_and_three_identity_blocks(
    stack: Stack, tmp_path: Path
) -> None:
    regency = await documented_regency(stack)
    skp = await approved_skp(stack.client, regency)
    await assessed(stack, regency, skp)
    pegawai = regency.people["pegawai"]
    url = f"/dokumen/evaluasi/{pegawai}"

    answer = await stack.client.get(
        url, headers=regency.as_("pegawai"), params={"periode": str(YEAR)}
    )
    assert answer.status_code == 200, answer.text
    _keep("evaluasi", answer.content)
    text = pdf_text(answer.content, tmp_path)
    for field in (
        "DOKUMEN EVALUASI KINERJA PEGAWAI",
        "Periode: Tahunan",
        "Pegawai yang Dinilai",
        "Pejabat Penilai Kinerja",
        "Atasan Pejabat Penilai Kinerja",
        regency.nips["pegawai"],
        regency.nips["atasan"],
        "Penata Muda, III/a",
        "Pembina, IV/a",
        "Capaian Kinerja Organisasi Baik",
        "Rating Hasil Kerja Di Atas Ekspektasi",
        "Rating Perilaku Kerja Sesuai Ekspektasi",
        "Predikat Kinerja Pegawai Baik",
        "Layanan KTP-el tepat waktu",
        "Berorientasi Pelayanan",
        "Kolaboratif",
        "Verifikasi dokumen",
    ):
        assert field in text, (field, text)
    assert "BELUM FINAL" not in text
    assert pdf_pages(answer.content, tmp_path) == 1
    png = first_page_png(answer.content, tmp_path, "evaluasi")
    assert qr_of(png).startswith(stack.gateway_url + "/verifikasi/")

    # A periodic one before any periodic assessment says it is not final yet.
    periodic = await stack.client.get(
        url, headers=regency.as_("atasan"), params={"periode": f"{YEAR}-Q1"}
    )
    assert periodic.status_code == 200, periodic.text
    text = pdf_text(periodic.content, tmp_path)
    assert "Periode: Periodik · Triwulan I" in text and "BELUM FINAL" in text

    # Bad input: a reason, in the reader's language.
    bad = await stack.client.get(
        url, headers={**regency.as_("atasan"), "Accept-Language": "id"}, params={"periode": "x"}
    )
    assert bad.status_code == 400 and "periode harus berupa tahun" in bad.json()["detail"]
    bad = await stack.client.get(
        url,
        headers=regency.as_("atasan"),
        params={"periode": str(YEAR), "predikat_organisasi": "luar_biasa"},
    )
    assert bad.status_code == 400
    # The supervisor may not have their own supervisor's... they have none: the employee
    # may not have the supervisor's document.
    refused = await stack.client.get(
        f"/dokumen/evaluasi/{regency.people['atasan']}",
        headers=regency.as_("pegawai"),
        params={"periode": str(YEAR)},
    )
    assert refused.status_code == 403


async def test_skm_report_and_annual_report(stack: Stack, tmp_path: Path) -> None:
    regency = await documented_regency(stack)
    answers = dict.fromkeys(ELEMENTS, 4)
    for comment in ("Antrean cepat.", "Ruang tunggu panas."):
        token = await call(
            stack.client,
            "POST",
            "/api/feedback/survey-tokens",
            regency.admin(),
            201,
            json={"unit_id": regency.unit_id, "service_type": "KTP-el"},
        )
        await call(
            stack.client,
            "POST",
            f"/api/feedback/public/{regency.slug}/surveys/{token['token']}",
            {},
            201,
            json={"answers": answers, "comment": comment},
        )
    first, last = f"{YEAR}-01-01", f"{YEAR}-12-31"
    url = f"/dokumen/skm/{regency.unit_id}"
    answer = await stack.client.get(
        url, headers=regency.admin(), params={"dari": first, "sampai": last}
    )
    assert answer.status_code == 200, answer.text
    _keep("skm", answer.content)
    text = pdf_text(answer.content, tmp_path)
    for field in (
        "LAPORAN HASIL SURVEI KEPUASAN MASYARAKAT",
        "Dinas Kependudukan",
        f"1 Januari {YEAR} s.d. 31 Desember {YEAR}",
        "Jumlah Responden 2",
        "Persyaratan",
        "Penanganan Pengaduan, Saran dan Masukan",
        "4,000",
        "0,444",
        "IKM Unit Pelayanan (25 \u00d7 \u03a3 NRR Tertimbang) 100,00",
        "Mutu Pelayanan A",
        "Kinerja Unit Pelayanan Sangat Baik",
        "Antrean cepat.",
        "Ruang tunggu panas.",
    ):
        assert field in text, (field, text)
    assert pdf_pages(answer.content, tmp_path) == 1
    png = first_page_png(answer.content, tmp_path, "skm")
    assert qr_of(png).startswith(stack.gateway_url + "/verifikasi/")
    # The unit's head may have a month's report (feedback's window rule for non-admins);
    # a plain employee is neither its head nor its complaint officer.
    last_month = date.today().replace(day=1) - timedelta(days=1)
    month = {
        "dari": last_month.replace(day=1).isoformat(),
        "sampai": last_month.isoformat(),
    }
    refused = await stack.client.get(url, headers=regency.as_("pegawai"), params=month)
    assert refused.status_code == 403, refused.text
    await call(
        stack.client,
        "PATCH",
        f"/api/identity/units/{regency.unit_id}",
        regency.admin(),
        json={"head_employee_id": regency.people["atasan"]},
    )

    async def head_gets_it() -> bool:
        answer = await stack.client.get(url, headers=regency.as_("atasan"), params=month)
        return answer.status_code == 200

    await wait_until(head_gets_it, timeout=60)

    annual = await stack.client.get(
        "/dokumen/tahunan", headers=regency.admin(), params={"tahun": str(YEAR)}
    )
    assert annual.status_code == 200, annual.text
    _keep("tahunan", annual.content)
    text = pdf_text(annual.content, tmp_path)
    for field in (
        f"LAPORAN KINERJA PEGAWAI TAHUN {YEAR}",
        "Predikat Kinerja Organisasi: Baik",
        "DISTRIBUSI PREDIKAT KINERJA PEGAWAI",
        "Sangat Baik",
        "Butuh Perbaikan",
        "KURVA DISTRIBUSI",
        "paling banyak 70 % Baik",
        "PERINGKAT UNIT KERJA",
        "Menurut IKM",
        "Menurut Capaian Kinerja",
        "KEBUTUHAN PENGEMBANGAN KOMPETENSI",
    ):
        assert field in text, (field, text)
    png = first_page_png(annual.content, tmp_path, "tahunan")
    assert pdf_pages(annual.content, tmp_path) == 1
    refused = await stack.client.get(
        "/dokumen/tahunan", headers=regency.as_("atasan"), params={"tahun": str(YEAR)}
    )
    assert refused.status_code == 403
