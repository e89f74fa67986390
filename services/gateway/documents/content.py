"""What the documents print, pure: Indonesian dates and periods, the labels of the
regulations' codes, identity blocks, the content digest. No I/O, no clock.

The documents are in Indonesian whatever the reader's language: they are the forms of the
regulations (PermenPANRB 6/2022 and 14/2017), filed and signed as such.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.common.ranks import pangkat_golongan

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
QUARTERS = ("I", "II", "III", "IV")
RATINGS = {
    "di_atas": "Di Atas Ekspektasi",
    "sesuai": "Sesuai Ekspektasi",
    "di_bawah": "Di Bawah Ekspektasi",
}
PREDIKAT = {
    "sangat_baik": "Sangat Baik",
    "baik": "Baik",
    "butuh_perbaikan": "Butuh Perbaikan",
    "kurang": "Kurang",
    "sangat_kurang": "Sangat Kurang",
}
BERAKHLAK = {
    "berorientasi_pelayanan": "Berorientasi Pelayanan",
    "akuntabel": "Akuntabel",
    "kompeten": "Kompeten",
    "harmonis": "Harmonis",
    "loyal": "Loyal",
    "adaptif": "Adaptif",
    "kolaboratif": "Kolaboratif",
}
ASPECTS = {"kuantitas": "Kuantitas", "kualitas": "Kualitas", "waktu": "Waktu", "biaya": "Biaya"}
# The nine unsur of PermenPANRB 14/2017, as its report names them.
SKM_ELEMENTS = {
    "persyaratan": "Persyaratan",
    "prosedur": "Sistem, Mekanisme, dan Prosedur",
    "waktu_pelayanan": "Waktu Penyelesaian",
    "biaya_tarif": "Biaya/Tarif",
    "produk_layanan": "Produk Spesifikasi Jenis Pelayanan",
    "kompetensi_pelaksana": "Kompetensi Pelaksana",
    "perilaku_pelaksana": "Perilaku Pelaksana",
    "sarana_prasarana": "Sarana dan Prasarana",
    "penanganan_pengaduan": "Penanganan Pengaduan, Saran dan Masukan",
}
KINDS = {
    "skp": "Sasaran Kinerja Pegawai (SKP)",
    "evaluasi": "Dokumen Evaluasi Kinerja Pegawai",
    "skm": "Laporan Survei Kepuasan Masyarakat",
    "tahunan": "Laporan Kinerja Tahunan Pemerintah Daerah",
}
PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$")


def tanggal(day: date) -> str:
    """7 Desember 2026."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def period_label(period: str) -> str:
    """2026 → "1 Januari s.d. 31 Desember 2026"; 2026-Q1 → "Triwulan I 2026";
    2026-03 → "Maret 2026"."""
    found = PERIOD.match(period)
    if found is None:
        raise ValueError(f"not a period: {period}")
    year, month, quarter = found.groups()
    if month:
        return f"{MONTHS[int(month) - 1]} {year}"
    if quarter:
        return f"Triwulan {QUARTERS[int(quarter) - 1]} {year}"
    return f"1 Januari s.d. 31 Desember {year}"


def is_annual(period: str) -> bool:
    return "-" not in period


def label(table: dict[str, str], code: str | None) -> str:
    """A code's printed label; a dash for none (a rating not given yet)."""
    if not code:
        return "-"
    return table.get(code, code.replace("_", " ").title())


def number(value: float | None, places: int = 2) -> str:
    """Indonesian decimals (a comma); a dash for none."""
    if value is None:
        return "-"
    text = f"{value:,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def amount(value: float) -> str:
    """A target as written: 12 stays 12, 2.5 reads 2,5."""
    return number(value, 2).rstrip("0").rstrip(",")


@dataclass(frozen=True)
class Person:
    """An identity block: Pegawai yang Dinilai, Pejabat Penilai, Atasan Pejabat Penilai."""

    name: str
    nip: str
    pangkat: str
    jabatan: str
    unit: str

    @classmethod
    def of(
        cls, *, name: str, nip: str | None, golongan: str | None, jabatan: str, unit: str
    ) -> Person:
        return cls(name, nip or "-", pangkat_golongan(golongan), jabatan or "-", unit or "-")


# The kepala daerah heads every chain: no NIP, no rank, its office as its jabatan.
def kepala_daerah(title: str, name: str, regency: str) -> Person:
    return Person(name, "-", "-", title, regency)


NOBODY = Person("-", "-", "-", "-", "-")


def digest(content: Any) -> str:
    """A fingerprint of what a document says (not of its bytes, which carry the date of
    rendering): the same content issued twice is the same document."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
