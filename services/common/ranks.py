"""Pangkat and golongan ruang of a civil servant (PNS), as the official documents print
them (PermenPANRB 6/2022's forms carry "Pangkat/Gol. Ruang"): the seventeen codes from
I/a to IV/e and the pangkat each names (Peraturan BKN on kenaikan pangkat).

domain.md names no PPPK grades, so only the PNS ranks are known here; an employee
without a rank (a contract worker, or one not yet entered) prints a dash.
"""

from __future__ import annotations

from typing import Literal, get_args

Golongan = Literal[
    "I/a",
    "I/b",
    "I/c",
    "I/d",
    "II/a",
    "II/b",
    "II/c",
    "II/d",
    "III/a",
    "III/b",
    "III/c",
    "III/d",
    "IV/a",
    "IV/b",
    "IV/c",
    "IV/d",
    "IV/e",
]
GOLONGAN_CODES: tuple[str, ...] = get_args(Golongan)

PANGKAT: dict[str, str] = {
    "I/a": "Juru Muda",
    "I/b": "Juru Muda Tingkat I",
    "I/c": "Juru",
    "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda",
    "II/b": "Pengatur Muda Tingkat I",
    "II/c": "Pengatur",
    "II/d": "Pengatur Tingkat I",
    "III/a": "Penata Muda",
    "III/b": "Penata Muda Tingkat I",
    "III/c": "Penata",
    "III/d": "Penata Tingkat I",
    "IV/a": "Pembina",
    "IV/b": "Pembina Tingkat I",
    "IV/c": "Pembina Utama Muda",
    "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}


def pangkat_of(golongan: str | None) -> str | None:
    """The pangkat a golongan code names; None for no code or one not known."""
    return PANGKAT.get(golongan) if golongan else None


def pangkat_golongan(golongan: str | None) -> str:
    """What a document prints: "Penata Muda, III/a"; a dash for none."""
    pangkat = pangkat_of(golongan)
    return f"{pangkat}, {golongan}" if pangkat else "-"


def golongan_of(text: str) -> str | None:
    """A code as people write it in a spreadsheet ("iii/a", "III / A", "III-a") in its
    canonical form; None when it is not a golongan."""
    cleaned = text.strip().replace(" ", "").replace("-", "/")
    if "/" not in cleaned:
        return None
    roman, room = cleaned.split("/", 1)
    candidate = f"{roman.upper()}/{room.lower()}"
    return candidate if candidate in PANGKAT else None
