"""What the document tests share: PDF text and pages through Debian's poppler-utils, the
QR read back with zbar, and a regency with golongan, an approved SKP and an assessment."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path
from typing import Any

from services.common.events import BerAkhlak
from services.gateway.models import GatewayRank
from tests.gateway.conftest import Stack
from tests.gateway.harness import YEAR, Regency, approved_skp, call, count, register_regency
from tests.support import wait_until


def pdf_text(pdf: bytes, tmp: Path) -> str:
    source = tmp / f"{uuid.uuid4().hex}.pdf"
    source.write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(source), "-"], capture_output=True)
    assert done.returncode == 0, done.stderr
    # Table cells wrap: one space between words, whatever the line breaks.
    return " ".join(done.stdout.decode().split())


def pdf_pages(pdf: bytes, tmp: Path) -> int:
    source = tmp / f"{uuid.uuid4().hex}.pdf"
    source.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(source)], capture_output=True, check=True).stdout
    line = next(x for x in info.decode().splitlines() if x.startswith("Pages:"))
    return int(line.split()[1])


def first_page_png(pdf: bytes, tmp: Path, name: str, dpi: int = 110) -> Path:
    source = tmp / f"{name}.pdf"
    source.write_bytes(pdf)
    stem = tmp / name
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(source),
            str(stem),
        ],
        check=True,
    )
    return stem.with_suffix(".png")


def qr_of(png: Path) -> str:
    done = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.decode().strip()


async def documented_regency(stack: Stack) -> Regency:
    """A regency whose atasan is IV/a and pegawai III/a, the SKP approved."""
    regency = await register_regency(stack.client, f"dok-{uuid.uuid4().hex[:8]}")
    for who, golongan in (("atasan", "IV/a"), ("pegawai", "III/a")):
        await call(
            stack.client,
            "PATCH",
            f"/api/identity/employees/{regency.people[who]}",
            regency.admin(),
            json={"golongan": golongan},
        )
    await stack.settled(regency)

    async def ranked() -> bool:
        gateway = stack.runtime("gateway")
        for golongan in ("IV/a", "III/a"):  # the updates, not the registrations before them
            if not await count(gateway, GatewayRank, tenant=regency.slug, golongan=golongan):
                return False
        return True

    await wait_until(ranked, timeout=60)
    return regency


async def assessed(stack: Stack, regency: Regency, skp: dict[str, Any]) -> None:
    """The supervisor's annual assessment, and scoring's final predikat from it."""
    body = {
        "period": str(YEAR),
        "relation": "supervisor",
        "assessee_id": regency.people["pegawai"],
        "rhk_ratings": {skp["rhk"][0]["rhk_id"]: "di_atas"},
        "result_rating": "di_atas",
        "behaviour_ratings": dict.fromkeys([v.value for v in BerAkhlak], "sesuai"),
    }

    async def submitted() -> bool:
        answer = await stack.client.post(
            "/api/assessment/assessments", headers=regency.as_("atasan"), json=body
        )
        return answer.status_code == 201  # once assessment has the approved SKP (Kafka)

    await wait_until(submitted, timeout=60)

    async def scored() -> bool:
        score = await call(
            stack.client,
            "GET",
            f"/api/scoring/scores/employees/{regency.people['pegawai']}",
            regency.as_("atasan"),
            params={"period": str(YEAR)},
        )
        return score["final_predikat"] is not None

    await wait_until(scored, timeout=60)


__all__ = ["YEAR", "approved_skp"]
