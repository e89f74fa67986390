"""Demo data for a running platform: two regencies, their people, plans, work and citizens.

    python -m deploy.run --demo              # starts everything, then loads this
    python -m deploy.demo_data [--port-offset N]   # against a platform already running

Everything goes through the services' public HTTP APIs, as people would do it: the
platform operator registers Kabupaten Bantul (Asia/Jakarta) and Kabupaten Jayapura
(Asia/Jayapura) and their first HR admin; HR imports units and employees (valid NIPs, a
supervisor tree); each employee logs in and sets the demo password; SKPs cascade from
the kepala dinas down to the staff and are approved by each direct supervisor; staff log
their work of the past weeks (some behind target, one silent); citizens fill SKM surveys
at the Dukcapil counters and file complaints that move through their lifecycle;
supervisors assess and note feedback. A regency that already exists is left alone.

What is created is described by :func:`demo_plan`, a pure function of the regency and
the day, so a test can compute what the services must show from the same inputs.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import os
import random
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import httpx

# Every demo account ends with this password (employees log in with their NIP).
DEMO_PASSWORD = "kinerja-demo-2026"
# What HR gives at import; replaced by DEMO_PASSWORD at the first login.
INITIAL_PASSWORD = "sementara-2026"
ADMIN_USERNAME = "bkpsdm"
PLATFORM_USERNAME = "platform"
# The identity service's development value (services/identity/app.py).
DEVELOPMENT_PLATFORM_PASSWORD = "kinerja-platform-development"
API = "/api/v1"
WORKERS = 6

T = TypeVar("T")
R = TypeVar("R")


class DemoError(RuntimeError):
    """A service refused a demo step: the answer says why."""


# ================================================================ the plan (pure)


@dataclass(frozen=True)
class IndicatorPlan:
    name: str
    aspect: str
    target: float
    unit: str
    direction: str = "higher"
    aggregation: str = "sum"


@dataclass(frozen=True)
class RhkPlan:
    title: str
    indicators: tuple[IndicatorPlan, ...]
    kind: str = "utama"
    supports: int | None = None  # index of the supervisor's RHK this one cascades from


@dataclass(frozen=True)
class EntryPlan:
    """One activity log entry on indicator ``indicator`` of RHK ``rhk``."""

    rhk: int
    indicator: int
    day: date
    value: float
    note: str


@dataclass(frozen=True)
class PersonPlan:
    key: str
    nip: str
    name: str
    position: str
    unit: str  # unit code
    supervisor: str | None  # supervisor's key
    rhk: tuple[RhkPlan, ...]
    entries: tuple[EntryPlan, ...]
    pace: str  # "on track", "ahead", "behind" or "silent"


@dataclass(frozen=True)
class UnitPlan:
    code: str
    name: str
    kind: str
    parent: str | None = None
    serves_public: bool = False
    head: str | None = None  # key of the person heading it


@dataclass(frozen=True)
class SurveyPlan:
    unit: str
    officer: str  # key of the officer who served and issues the token
    service_type: str
    answers: tuple[int, ...]  # the nine SKM elements, services/common/skm.py order
    comment: str = ""


@dataclass(frozen=True)
class ComplaintPlan:
    unit: str
    category: str
    text: str
    steps: tuple[tuple[str, str], ...]  # (to_status, reason), moved by the unit's head
    officer: str | None = None
    lapor_reference: str | None = None


@dataclass(frozen=True)
class RegencyPlan:
    slug: str
    name: str
    time_zone: str
    units: tuple[UnitPlan, ...]
    people: tuple[PersonPlan, ...]
    surveys: tuple[SurveyPlan, ...]
    complaints: tuple[ComplaintPlan, ...]
    admin_username: str = ADMIN_USERNAME

    def person(self, key: str) -> PersonPlan:
        return next(p for p in self.people if p.key == key)

    def reports_of(self, key: str) -> list[PersonPlan]:
        return [p for p in self.people if p.supervisor == key]

    def depth(self, person: PersonPlan) -> int:
        level, current = 0, person
        while current.supervisor is not None:
            level, current = level + 1, self.person(current.supervisor)
        return level

    def unit(self, code: str) -> UnitPlan:
        return next(u for u in self.units if u.code == code)


# ---------------------------------------------------------------- regencies and their org


@dataclass(frozen=True)
class Place:
    slug: str
    name: str
    time_zone: str
    kecamatan: str  # kecamatan (distrik in Papua) name
    camat: str  # its head's title
    kelurahan: str
    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]
    counter_surveys: tuple[int, int]  # surveys at counter 1 and counter 2
    mood: tuple[float, float]  # share of 4s and of 2s among the answers at counter 1


# fmt: off
REGENCIES = (
    Place(
        slug="bantul", name="Kabupaten Bantul", time_zone="Asia/Jakarta",
        kecamatan="Kecamatan Sewon", camat="Camat Sewon", kelurahan="Kelurahan Bangunharjo",
        male=("Budi", "Agus", "Bambang", "Joko", "Heru", "Wahyu", "Eko", "Slamet", "Teguh",
              "Yudi", "Rahmat", "Hadi", "Aris", "Sigit", "Bayu"),
        female=("Sri", "Endang", "Dewi", "Siti", "Retno", "Wulan", "Ratna", "Rina", "Yuni",
                "Dyah", "Sekar", "Ayu", "Lestari", "Nining", "Tutik"),
        family=("Santoso", "Wibowo", "Prasetyo", "Susanto", "Hidayat", "Nugroho", "Purnomo",
                "Rahayu", "Wahyuni", "Handayani", "Kurniawan", "Setiawan", "Saputra",
                "Susilowati", "Widodo", "Suryani", "Hartono", "Pratiwi", "Utami", "Mulyadi"),
        counter_surveys=(50, 10), mood=(0.45, 0.06),
    ),
    Place(
        slug="jayapura", name="Kabupaten Jayapura", time_zone="Asia/Jayapura",
        kecamatan="Distrik Sentani", camat="Kepala Distrik Sentani",
        kelurahan="Kelurahan Hinekombe",
        male=("Yohanis", "Markus", "Petrus", "Hendrik", "Demianus", "Frans", "Obeth", "Yakob",
              "Daniel", "Elias", "Benyamin", "Yulius", "Andi", "Ridwan", "Musa"),
        female=("Agustina", "Yuliana", "Ribka", "Martha", "Naomi", "Yakomina", "Selvina",
                "Maria", "Dorkas", "Ester", "Margaretha", "Susana", "Nurhayati", "Fitri",
                "Ruth"),
        family=("Yoku", "Ohee", "Wally", "Monim", "Pepuho", "Deda", "Marweri", "Hamadi",
                "Kaisiepo", "Rumbiak", "Suebu", "Sawaki", "Mandosir", "Tokoro", "Felle",
                "Modouw", "Pulalo", "Ongge", "Daimoi", "Taime"),
        counter_surveys=(20, 0), mood=(0.30, 0.12),
    ),
)
# fmt: on

K, Q, W = "kuantitas", "kualitas", "waktu"
LATEST = {"aggregation": "latest"}  # a percentage measured now and then
DAYS = {"aggregation": "mean", "direction": "lower"}  # observed processing days


def _rhk(
    title: str, *indicators: IndicatorPlan, kind: str = "utama", supports: int | None = None
) -> RhkPlan:
    return RhkPlan(title, indicators, kind, supports)


def _ind(name: str, aspect: str, target: float, unit: str, **kw: str) -> IndicatorPlan:
    return IndicatorPlan(name, aspect, target, unit, **kw)


# SKP content by job track. Staff RHK cascade from their supervisor's RHK (``supports``).
# fmt: off
SKP: dict[str, tuple[RhkPlan, ...]] = {
    "kadis_dukcapil": (
        _rhk("Meningkatnya cakupan kepemilikan dokumen kependudukan",
             _ind("Persentase penduduk wajib KTP yang memiliki KTP-el", K, 98, "%", **LATEST)),
        _rhk("Meningkatnya cakupan pencatatan sipil",
             _ind("Persentase anak 0-17 tahun yang memiliki akta kelahiran", K, 95, "%",
                  **LATEST)),
    ),
    "kabid_dafduk": (
        _rhk("Terselenggaranya penerbitan KTP-el dan Kartu Keluarga tepat waktu",
             _ind("Dokumen KTP-el dan KK yang diterbitkan", K, 9000, "dokumen"),
             _ind("Rata-rata waktu penyelesaian dokumen", W, 3, "hari", **DAYS), supports=0),
        _rhk("Terlaksananya pelayanan jemput bola perekaman KTP-el",
             _ind("Kegiatan jemput bola ke sekolah dan panti", K, 12, "kegiatan"),
             kind="tambahan"),
    ),
    "staf_dafduk": (
        _rhk("Terlayaninya permohonan KTP-el dan KK di loket pelayanan",
             _ind("Permohonan KTP-el dan KK yang diproses", K, 2200, "dokumen"),
             _ind("Persentase berkas tanpa kesalahan entri", Q, 100, "%", **LATEST),
             supports=0),
    ),
    "kabid_capil": (
        _rhk("Terselenggaranya pencatatan kelahiran, kematian dan perkawinan",
             _ind("Akta pencatatan sipil yang diterbitkan", K, 6000, "dokumen"), supports=1),
    ),
    "staf_capil": (
        _rhk("Terverifikasinya permohonan akta pencatatan sipil",
             _ind("Permohonan akta yang diverifikasi", K, 2000, "berkas"), supports=0),
    ),
    "kadis_dinkes": (
        _rhk("Meningkatnya akses dan mutu pelayanan kesehatan dasar",
             _ind("Persentase puskesmas terakreditasi paripurna", Q, 80, "%", **LATEST)),
        _rhk("Menurunnya angka kesakitan penyakit menular",
             _ind("Cakupan imunisasi dasar lengkap", K, 95, "%", **LATEST)),
    ),
    "kabid_yankes": (
        _rhk("Terlaksananya pembinaan mutu pelayanan puskesmas",
             _ind("Puskesmas yang dibina dan dievaluasi", K, 27, "lokasi"), supports=0),
    ),
    "staf_yankes": (
        _rhk("Tersusunnya laporan evaluasi mutu pelayanan puskesmas",
             _ind("Laporan evaluasi mutu yang disusun", K, 48, "laporan"), supports=0),
    ),
    "kabid_p2p": (
        _rhk("Terkendalinya penyakit menular di wilayah kabupaten",
             _ind("Kegiatan surveilans dan penyelidikan epidemiologi", K, 60, "kegiatan"),
             supports=1),
    ),
    "staf_p2p": (
        _rhk("Terlaksananya surveilans mingguan penyakit menular",
             _ind("Laporan surveilans mingguan (SKDR) yang dikirim", K, 52, "laporan"),
             supports=0),
    ),
    "camat": (
        _rhk("Meningkatnya kualitas pelayanan publik di kecamatan",
             _ind("Permohonan layanan administrasi yang diselesaikan", K, 4000, "layanan")),
    ),
    "sekcam": (
        _rhk("Terselenggaranya administrasi umum dan kepegawaian kecamatan",
             _ind("Naskah dinas yang diselesaikan", K, 900, "naskah"), supports=0),
    ),
    "staf_sekcam": (
        _rhk("Terkelolanya surat masuk dan surat keluar",
             _ind("Surat yang diagendakan dan didistribusikan", K, 1500, "surat"), supports=0),
    ),
    "kasi_pelayanan": (
        _rhk("Terselenggaranya Pelayanan Administrasi Terpadu Kecamatan (PATEN)",
             _ind("Layanan PATEN yang diselesaikan", K, 3000, "layanan"),
             _ind("Rata-rata waktu penyelesaian layanan PATEN", W, 2, "hari", **DAYS),
             supports=0),
    ),
    "staf_pelayanan": (
        _rhk("Terlayaninya permohonan surat keterangan dan rekomendasi",
             _ind("Permohonan yang dilayani", K, 1400, "berkas"), supports=0),
    ),
    "lurah": (
        _rhk("Meningkatnya pelayanan administrasi warga tingkat kelurahan",
             _ind("Surat pengantar dan keterangan yang diterbitkan", K, 1800, "surat"),
             supports=0),
    ),
    "staf_kelurahan": (
        _rhk("Terlayaninya administrasi warga di kantor kelurahan",
             _ind("Surat pengantar yang diproses", K, 900, "surat"), supports=0),
    ),
}
# fmt: on


@dataclass(frozen=True)
class Post:
    key: str
    unit: str
    position: str
    supervisor: str | None
    track: str | None  # key of SKP; None: no SKP in Kinerja (the Sekda's is the Bupati's)
    head: bool = False  # senior: older, earlier appointment, a degree after the name
    pace: str = "on track"


# fmt: off
STAFF = (  # (track, unit, supervisor, position, pace)
    ("dafduk", "DUKCAPIL-L1", "kabid_dafduk", "Operator Layanan Operasional", "on track"),
    ("dafduk", "DUKCAPIL-L1", "kabid_dafduk", "Pengadministrasi Kependudukan", "ahead"),
    ("dafduk", "DUKCAPIL-L2", "kabid_dafduk", "Pengadministrasi Kependudukan", "behind"),
    ("dafduk", "DUKCAPIL-L2", "kabid_dafduk", "Verifikator Data Kependudukan", "on track"),
    ("capil", "DUKCAPIL", "kabid_capil", "Pengolah Data Pencatatan Sipil", "on track"),
    ("capil", "DUKCAPIL", "kabid_capil", "Verifikator Akta Pencatatan Sipil", "silent"),
    ("capil", "DUKCAPIL", "kabid_capil", "Arsiparis Terampil", "on track"),
    ("yankes", "DINKES", "kabid_yankes", "Administrator Kesehatan Ahli Pertama", "ahead"),
    ("yankes", "DINKES", "kabid_yankes", "Penyuluh Kesehatan Masyarakat", "on track"),
    ("p2p", "DINKES", "kabid_p2p", "Epidemiolog Kesehatan Ahli Pertama", "on track"),
    ("p2p", "DINKES", "kabid_p2p", "Sanitarian Terampil", "behind"),
    ("sekcam", "KEC", "sekcam", "Pengadministrasi Umum", "on track"),
    ("sekcam", "KEC", "sekcam", "Pengelola Kepegawaian", "on track"),
    ("pelayanan", "KEC", "kasi_pelayanan", "Pengelola Layanan Perizinan", "ahead"),
    ("pelayanan", "KEC", "kasi_pelayanan", "Pengadministrasi Perkantoran", "on track"),
    ("kelurahan", "KEL", "lurah", "Pengadministrasi Kelurahan", "on track"),
    ("kelurahan", "KEL", "lurah", "Pengelola Data Kependudukan", "on track"),
)


def _posts(place: Place) -> list[Post]:
    def head(key: str, unit: str, position: str, boss: str | None) -> Post:
        return Post(key, unit, position, boss, key if boss else None, head=True)

    posts = [
        head("sekda", "SETDA", "Sekretaris Daerah", None),
        head("kadis_dukcapil", "DUKCAPIL", "Kepala Dinas Kependudukan dan Pencatatan Sipil",
             "sekda"),
        head("kabid_dafduk", "DUKCAPIL", "Kepala Bidang Pelayanan Pendaftaran Penduduk",
             "kadis_dukcapil"),
        head("kabid_capil", "DUKCAPIL", "Kepala Bidang Pelayanan Pencatatan Sipil",
             "kadis_dukcapil"),
        head("kadis_dinkes", "DINKES", "Kepala Dinas Kesehatan", "sekda"),
        head("kabid_yankes", "DINKES", "Kepala Bidang Pelayanan Kesehatan", "kadis_dinkes"),
        head("kabid_p2p", "DINKES", "Kepala Bidang Pencegahan dan Pengendalian Penyakit",
             "kadis_dinkes"),
        head("camat", "KEC", place.camat, "sekda"),
        head("sekcam", "KEC", "Sekretaris " + place.kecamatan.split()[0], "camat"),
        head("kasi_pelayanan", "KEC", "Kepala Seksi Pelayanan Umum", "camat"),
        head("lurah", "KEL", place.kelurahan.replace("Kelurahan", "Lurah"), "camat"),
    ]
    counters: dict[str, int] = {}
    for track, unit, boss, position, pace in STAFF:
        counters[track] = counters.get(track, 0) + 1
        key = f"staf_{track}_{counters[track]}"
        posts.append(Post(key, unit, position, boss, f"staf_{track}", pace=pace))
    return posts


def _units(place: Place) -> tuple[UnitPlan, ...]:
    return (  # code, name, kind, parent, serves the public, head
        UnitPlan("SETDA", "Sekretariat Daerah", "kantor", None, False, "sekda"),
        UnitPlan("DUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", "dinas", "SETDA",
                 True, "kadis_dukcapil"),
        UnitPlan("DUKCAPIL-L1", "Loket 1 Pelayanan KTP-el dan Kartu Keluarga", "counter",
                 "DUKCAPIL", True, "kabid_dafduk"),
        UnitPlan("DUKCAPIL-L2", "Loket 2 Pelayanan Pindah Datang dan Akta", "counter",
                 "DUKCAPIL", True, "kabid_dafduk"),
        UnitPlan("DINKES", "Dinas Kesehatan", "dinas", "SETDA", False, "kadis_dinkes"),
        UnitPlan("KEC", place.kecamatan, "kecamatan", "SETDA", True, "camat"),
        UnitPlan("KEL", place.kelurahan, "kelurahan", "KEC", True, "lurah"),
    )
# fmt: on


# ---------------------------------------------------------------- NIP and names


def make_nip(birth: date, appointed: tuple[int, int], sex: int, sequence: int) -> str:
    """An 18-digit NIP: birth YYYYMMDD, TMT CPNS YYYYMM, sex (1 male, 2 female), sequence."""
    year, month = appointed
    if sex not in (1, 2) or not 1 <= sequence <= 999:
        raise ValueError("sex must be 1 or 2 and the sequence 1..999")
    if (year, month) < (birth.year + 18, birth.month):
        raise ValueError("the appointment (TMT) must come after the 18th birthday")
    return f"{birth:%Y%m%d}{year:04d}{month:02d}{sex}{sequence:03d}"


def _nip(rng: random.Random, *, senior: bool, sex: int, sequence: int, today: date) -> str:
    birth_year = rng.randint(1967, 1976) if senior else rng.randint(1984, 1999)
    birth = date(birth_year, rng.randint(1, 12), rng.randint(1, 28))
    earliest = birth.year + (rng.randint(23, 28) if senior else rng.randint(19, 26))
    tmt_year = min(earliest, today.year - 1)
    tmt_month = rng.randint(1, 12)
    if (tmt_year, tmt_month) < (birth.year + 18, birth.month):  # never before 18 years
        tmt_year, tmt_month = birth.year + 18, birth.month
    return make_nip(birth, (tmt_year, tmt_month), sex, sequence)


def _name(rng: random.Random, place: Place, sex: int, used: set[str], title: str) -> str:
    while True:
        first = rng.choice(place.male if sex == 1 else place.female)
        name = f"{first} {rng.choice(place.family)}"
        if name not in used:
            used.add(name)
            return f"{name}, {title}" if title else name


def _title(rng: random.Random, post: Post) -> str:
    if post.key == "kadis_dinkes":
        return "M.Kes."
    if post.head:
        return rng.choice(("S.Sos., M.Si.", "S.H., M.M.", "S.IP., M.AP.", "S.E., M.Si."))
    return rng.choice(("S.Kom.", "A.Md.", "S.E.", "S.Sos.", "", "", "S.K.M."))


# ---------------------------------------------------------------- activity plans


def working_day_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


PACE_FACTOR = {
    "on track": (0.95, 1.08),
    "ahead": (1.12, 1.25),
    "behind": (0.5, 0.65),
    "silent": (0.8, 0.9),
}


def _entries(
    rhk: Sequence[RhkPlan], rng: random.Random, pace: str, today: date
) -> tuple[EntryPlan, ...]:
    """The log of the year so far: a recap before the last four weeks (the log before
    Kinerja), then one entry a week; a silent employee stopped three weeks ago."""
    start = date(today.year, 1, 1)
    share = min(1.0, max((today - start).days, 1) / 365)
    weeks = [working_day_on_or_before(today - timedelta(days=7 * n)) for n in (3, 2, 1, 0)]
    weeks = [d for d in weeks if d >= start]
    if pace == "silent":
        weeks = weeks[:1]
    recap_day = max(start, working_day_on_or_before(today - timedelta(days=28)))
    low, high = PACE_FACTOR[pace]
    entries: list[EntryPlan] = []
    for r, item in enumerate(rhk):
        if item.kind != "utama":
            continue
        for i, ind in enumerate(item.indicators):
            factor = rng.uniform(low, high)
            if ind.aggregation == "sum":
                total = max(1, round(ind.target * share * factor))
                weekly = max(1, round(total / max(share * 52, 1)))
                recent = weeks if total > weekly * len(weeks) else []
                if total - weekly * len(recent) > 0:
                    entries.append(
                        EntryPlan(
                            r,
                            i,
                            recap_day,
                            float(total - weekly * len(recent)),
                            f"Rekapitulasi {ind.name.lower()} s.d. {recap_day:%d-%m-%Y}",
                        )
                    )
                entries.extend(
                    EntryPlan(r, i, d, float(weekly), f"{ind.name} minggu ini") for d in recent
                )
            elif ind.aggregation == "mean":  # observed days: lower is better
                for d in [recap_day, *weeks][:3]:
                    observed = round(ind.target / factor * rng.uniform(0.9, 1.1), 1)
                    entries.append(EntryPlan(r, i, d, observed, "Waktu penyelesaian rata-rata"))
            else:  # latest: a percentage measured now and then
                for d, part in ((recap_day, 0.97), ((weeks or [recap_day])[-1], 1.0)):
                    value = round(min(100.0, ind.target * min(factor, 1.02) * part), 1)
                    entries.append(EntryPlan(r, i, d, value, f"Capaian {ind.name.lower()}"))
    return tuple(sorted(entries, key=lambda e: e.day))


# ---------------------------------------------------------------- citizens

SERVICE_TYPES = {
    "DUKCAPIL-L1": (
        "Perekaman KTP-el",
        "Pencetakan KTP-el",
        "Perubahan Kartu Keluarga",
        "Kartu Identitas Anak",
    ),
    "DUKCAPIL-L2": ("Surat Keterangan Pindah", "Akta Kelahiran", "Akta Kematian"),
}
COMMENTS = (
    "",
    "",
    "",
    "Petugas ramah dan cepat.",
    "Antrean agak lama.",
    "Ruang tunggu perlu kipas angin.",
    "Terima kasih, pelayanan memuaskan.",
    "Persyaratan sudah jelas di papan informasi.",
)


def _answers(rng: random.Random, fours: float, twos: float) -> tuple[int, ...]:
    def one() -> int:
        roll = rng.random()
        return 4 if roll < fours else 2 if roll < fours + twos else 3

    return tuple(one() for _ in range(9))


def _surveys(place: Place, rng: random.Random) -> tuple[SurveyPlan, ...]:
    fours, twos = place.mood
    plans: list[SurveyPlan] = []
    for unit, count, officers, mood in (
        (
            "DUKCAPIL-L1",
            place.counter_surveys[0],
            ("staf_dafduk_1", "staf_dafduk_2"),
            (fours, twos),
        ),
        ("DUKCAPIL-L2", place.counter_surveys[1], ("staf_dafduk_3", "staf_dafduk_4"), (0.10, 0.35)),
    ):
        for n in range(count):
            plans.append(
                SurveyPlan(
                    unit=unit,
                    officer=officers[n % len(officers)],
                    service_type=rng.choice(SERVICE_TYPES[unit]),
                    answers=_answers(rng, *mood),
                    comment=rng.choice(COMMENTS),
                )
            )
    return tuple(plans)


def _complaints(place: Place) -> tuple[ComplaintPlan, ...]:
    verify = ("verified", "Laporan diverifikasi: kejadian sesuai dengan catatan antrean.")
    plan = ("in_progress", "Rencana tindak lanjut: tambah satu petugas perekaman pada jam sibuk.")
    resolve = ("resolved", "Petugas tambahan sudah bertugas sejak Senin; antrean < 1 jam.")
    complaints = [
        ComplaintPlan(
            "DUKCAPIL-L1",
            "pelayanan_lambat",
            "Antrean perekaman KTP-el sangat panjang, saya menunggu lebih dari 3 jam.",
            (verify, plan, resolve),
            lapor_reference="LAPOR-2611-0042",
        ),
        ComplaintPlan(
            "DUKCAPIL-L2",
            "informasi_tidak_jelas",
            "Persyaratan surat pindah yang diminta petugas berbeda dengan di website.",
            (("verified", "Informasi di website belum diperbarui."),),
        ),
        ComplaintPlan(
            "KEC",
            "sarana_prasarana",
            "Jalan kabupaten di depan kantor kecamatan berlubang dan membahayakan.",
            (("not_our_authority", "Kewenangan Dinas Pekerjaan Umum; diteruskan."),),
        ),
    ]
    if place.slug == "bantul":
        complaints.append(
            ComplaintPlan(
                "DUKCAPIL-L1",
                "perilaku_petugas",
                "Petugas loket menolak berkas saya tanpa menjelaskan kekurangannya.",
                (verify,),
                officer="staf_dafduk_1",
            )
        )
    return tuple(complaints)


# ---------------------------------------------------------------- the whole plan


def tenant_today(time_zone: str, now: datetime | None = None) -> date:
    moment = now or datetime.now(ZoneInfo("UTC"))
    return moment.astimezone(ZoneInfo(time_zone)).date()


def demo_plan(place: Place, today: date | None = None) -> RegencyPlan:
    """What the demo creates in one regency; deterministic for a given regency and day."""
    today = today or tenant_today(place.time_zone)
    rng = random.Random(f"kinerja-demo-{place.slug}")
    used: set[str] = set()
    people: list[PersonPlan] = []
    for sequence, post in enumerate(_posts(place), start=1):
        sex = rng.choice((1, 2))
        title = _title(rng, post)
        name = _name(rng, place, sex, used, title)
        if post.key == "kadis_dinkes":
            name = "dr. " + name
        rhk = SKP[post.track] if post.track else ()
        people.append(
            PersonPlan(
                key=post.key,
                nip=_nip(rng, senior=post.head, sex=sex, sequence=sequence, today=today),
                name=name,
                position=post.position,
                unit=post.unit,
                supervisor=post.supervisor,
                rhk=rhk,
                entries=_entries(rhk, rng, post.pace, today),
                pace=post.pace,
            )
        )
    return RegencyPlan(
        slug=place.slug,
        name=place.name,
        time_zone=place.time_zone,
        units=_units(place),
        people=tuple(people),
        surveys=_surveys(place, rng),
        complaints=_complaints(place),
    )


# ================================================================ talking to the services


def parallel(fn: Callable[[T], R], items: Iterable[T], workers: int = WORKERS) -> list[R]:
    """``fn`` over ``items`` in threads (the services do the work); first error raised."""
    items = list(items)
    if len(items) <= 1:
        return [fn(i) for i in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(fn, items))


class Api:
    """Plain HTTP to the services, with the errors that a person would need to see."""

    def __init__(self, ports: dict[str, int], *, timeout: float = 60.0) -> None:
        self.ports = ports
        self.clients = {
            name: httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=timeout)
            for name, port in ports.items()
        }
        self._citizens: dict[str, httpx.Client] = {}
        self._next_address = itertools.count()
        self._lock = threading.Lock()

    def close(self) -> None:
        for client in [*self.clients.values(), *self._citizens.values()]:
            client.close()

    def request(
        self,
        service: str,
        method: str,
        path: str,
        token: str | None = None,
        *,
        ok: Sequence[int] = (200, 201, 204),
        client: httpx.Client | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = (client or self.clients[service]).request(
            method, API + path, headers=headers, **kwargs
        )
        if response.status_code not in ok:
            raise DemoError(
                f"{method} {service} {path} answered {response.status_code}: {response.text[:400]}"
            )
        return response

    def call(
        self, service: str, method: str, path: str, token: str | None = None, **kwargs: Any
    ) -> Any:
        response = self.request(service, method, path, token, **kwargs)
        return response.json() if response.content else None

    def citizen(self) -> httpx.Client:
        """A client from another loopback address: each citizen has their own address, and
        the public endpoints limit requests per address."""
        with self._lock:
            n = next(self._next_address) % 200
            address = f"127.0.{1 + n // 250}.{2 + n % 250}"
            if address not in self._citizens:
                self._citizens[address] = httpx.Client(
                    base_url=f"http://127.0.0.1:{self.ports['feedback']}",
                    transport=httpx.HTTPTransport(local_address=address),
                    timeout=30,
                )
            return self._citizens[address]

    # ------------------------------------------------------------ accounts

    def login(self, tenant: str | None, username: str, password: str) -> dict[str, Any]:
        body = {"tenant": tenant, "username": username, "password": password}
        pair: dict[str, Any] = self.call("identity", "POST", "/auth/login", json=body)
        return pair

    def first_login(self, tenant: str, username: str) -> str:
        """Log in with the initial password, set the demo password; the access token."""
        pair = self.login(tenant, username, INITIAL_PASSWORD)
        if not pair.get("must_change_password"):
            return str(pair["access_token"])
        changed = self.call(
            "identity",
            "POST",
            "/auth/password",
            pair["access_token"],
            json={"current_password": INITIAL_PASSWORD, "new_password": DEMO_PASSWORD},
        )
        if changed and changed.get("access_token"):
            return str(changed["access_token"])
        return str(self.login(tenant, username, DEMO_PASSWORD)["access_token"])


def until(
    check: Callable[[], T | None], what: str, *, timeout: float = 45.0, interval: float = 0.1
) -> T:
    """Poll ``check`` until it gives a value (the event-fed services catch up)."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value is not None and value is not False:
                return value
        except DemoError as exc:
            last_error = exc
        time.sleep(interval)
    raise DemoError(
        f"timed out after {timeout:.0f}s waiting for {what}"
        + (f" (last answer: {last_error})" if last_error else "")
    )


def retry_while(
    fn: Callable[[], T], refusals: Sequence[str], what: str, timeout: float = 45.0
) -> T:
    """Call ``fn``; while it is refused with one of ``refusals`` (a service that has not
    received an event yet), try again."""

    def attempt() -> T | None:
        try:
            return fn()
        except DemoError as exc:
            if any(r in str(exc) for r in refusals):
                raise
            raise _Fatal(exc) from exc

    try:
        return until(attempt, what, timeout=timeout)
    except _Fatal as fatal:
        raise fatal.error from None


class _Fatal(Exception):
    def __init__(self, error: DemoError) -> None:
        super().__init__(str(error))
        self.error = error


# ================================================================ loading one regency


@dataclass
class Loaded:
    """What the loader learnt while loading a regency (ids given by the services)."""

    plan: RegencyPlan
    admin_token: str = ""
    unit_ids: dict[str, str] = field(default_factory=dict)  # code -> id
    ids: dict[str, str] = field(default_factory=dict)  # person key -> employee id
    tokens: dict[str, str] = field(default_factory=dict)  # person key -> access token
    skps: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> approved SKP
    survey_url: str = ""
    skipped: bool = False


def _csv(rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


class RegencyLoader:
    def __init__(
        self, api: Api, platform_token: str, plan: RegencyPlan, say: Callable[[str], None]
    ) -> None:
        self.api, self.platform, self.plan, self.say = api, platform_token, plan, say
        self.out = Loaded(plan)

    def run(self) -> Loaded:
        steps: list[tuple[str, Callable[[], None]]] = [
            ("regency and its HR admin", self.register),
            ("units and employees", self.import_org),
            ("first logins (demo password)", self.activate),
            ("org chart in targets and assessment", self.wait_org_chart),
            ("SKPs, cascaded and approved", self.skps),
            ("activity logs", self.activities),
            ("surveys and complaints", self.citizens),
            ("assessments and feedback", self.assessments),
        ]
        if not self.register_needed():
            self.say(f"  {self.plan.slug}: already registered, left as it is")
            self.out.skipped = True
            return self.out
        for label, step in steps:
            started = time.monotonic()
            step()
            self.say(f"  {self.plan.slug}: {label} ({time.monotonic() - started:.1f}s)")
        return self.out

    # ------------------------------------------------------------ identity

    def register_needed(self) -> bool:
        page = self.api.call("identity", "GET", "/tenants", self.platform, params={"limit": 500})
        return self.plan.slug not in {t["slug"] for t in page["items"]}

    def register(self) -> None:
        plan, api = self.plan, self.api
        api.call(
            "identity",
            "POST",
            "/tenants",
            self.platform,
            json={"slug": plan.slug, "name": plan.name, "time_zone": plan.time_zone},
        )
        api.call(
            "identity",
            "POST",
            f"/tenants/{plan.slug}/admins",
            self.platform,
            json={"username": plan.admin_username, "password": INITIAL_PASSWORD},
        )
        self.out.admin_token = api.first_login(plan.slug, plan.admin_username)

    def import_org(self) -> None:
        plan, api, admin = self.plan, self.api, self.out.admin_token
        units = _csv(
            [
                ("code", "name", "kind", "parent", "serves_public"),
                *(
                    (u.code, u.name, u.kind, u.parent or "", "ya" if u.serves_public else "tidak")
                    for u in plan.units
                ),
            ]
        )
        nip_of = {p.key: p.nip for p in plan.people}
        people = _csv(
            [
                ("nip", "name", "position", "unit", "supervisor_nip", "password"),
                *(
                    (
                        p.nip,
                        p.name,
                        p.position,
                        p.unit,
                        nip_of.get(p.supervisor or "", ""),
                        INITIAL_PASSWORD,
                    )
                    for p in plan.people
                ),
            ]
        )
        text_csv = {"Content-Type": "text/csv"}
        api.call("identity", "POST", "/import/units", admin, content=units, headers=text_csv)
        api.call("identity", "POST", "/import/employees", admin, content=people, headers=text_csv)
        unit_page = api.call("identity", "GET", "/units", admin, params={"limit": 500})
        self.out.unit_ids = {u["code"]: u["id"] for u in unit_page["items"]}
        staff = api.call("identity", "GET", "/employees", admin, params={"limit": 500})
        by_nip = {e["nip"]: e["id"] for e in staff["items"]}
        self.out.ids = {p.key: by_nip[p.nip] for p in plan.people}

        def head(unit: UnitPlan) -> None:
            api.call(
                "identity",
                "PATCH",
                f"/units/{self.out.unit_ids[unit.code]}",
                admin,
                json={"head_employee_id": self.out.ids[unit.head or ""]},
            )

        parallel(head, [u for u in plan.units if u.head])

        def counter_duty(key: str) -> None:  # before the first login: the token carries it
            path = f"/employees/{self.out.ids[key]}/duties"
            api.call("identity", "PUT", path, admin, json={"duties": ["petugas_loket"]})

        parallel(counter_duty, sorted({s.officer for s in plan.surveys}))

    def activate(self) -> None:
        def first(person: PersonPlan) -> tuple[str, str]:
            return person.key, self.api.first_login(self.plan.slug, person.nip)

        self.out.tokens = dict(parallel(first, self.plan.people, workers=4))

    def wait_org_chart(self) -> None:
        """Targets and assessment authorise from their own copy of the org chart, fed by
        identity's events: wait until every supervisor's team is complete in both."""
        plan, out = self.plan, self.out

        def complete(service: str, path: str, field_name: str, key: str) -> Callable[[], bool]:
            expected = {out.ids[p.key] for p in plan.reports_of(key)}

            def check() -> bool:
                body = self.api.call(service, "GET", path, out.tokens[key], params={"limit": 500})
                return {m["employee_id"] for m in body[field_name]} >= expected

            return check

        bosses = [p.key for p in plan.people if plan.reports_of(p.key)]
        for key in bosses:
            until(complete("targets", "/skp/team", "items", key), f"targets to know {key}'s team")
            until(
                complete("assessment", "/todo", "pending", key), f"assessment to know {key}'s team"
            )

    # ------------------------------------------------------------ targets

    def skps(self) -> None:
        plan, out, year = self.plan, self.out, tenant_today(self.plan.time_zone).year
        with_skp = [p for p in plan.people if p.rhk]
        for level in sorted({plan.depth(p) for p in with_skp}):
            people = [p for p in with_skp if plan.depth(p) == level]

            def draft(person: PersonPlan) -> tuple[PersonPlan, str]:
                boss_skp = out.skps.get(person.supervisor or "")
                rhk = [
                    {
                        "title": r.title,
                        "kind": r.kind,
                        "parent_rhk_id": boss_skp["rhk"][r.supports]["rhk_id"]
                        if boss_skp is not None and r.supports is not None
                        else None,
                        "indicators": [
                            {
                                "name": i.name,
                                "aspect": i.aspect,
                                "target": i.target,
                                "unit": i.unit,
                                "direction": i.direction,
                                "aggregation": i.aggregation,
                            }
                            for i in r.indicators
                        ],
                    }
                    for r in person.rhk
                ]
                token = out.tokens[person.key]
                skp = self.api.call(
                    "targets", "POST", "/skp", token, json={"year": year, "rhk": rhk}
                )
                self.api.call("targets", "POST", f"/skp/{skp['id']}/submit", token)
                return person, skp["id"]

            def approve(item: tuple[PersonPlan, str]) -> None:
                person, skp_id = item
                boss = out.tokens[person.supervisor or ""]
                out.skps[person.key] = self.api.call(
                    "targets", "POST", f"/skp/{skp_id}/approve", boss
                )

            parallel(approve, parallel(draft, people))

    def activities(self) -> None:
        out = self.out

        def log(person: PersonPlan) -> None:
            skp = out.skps[person.key]
            for entry in person.entries:
                indicator = skp["rhk"][entry.rhk]["indicators"][entry.indicator]
                self.api.call(
                    "targets",
                    "POST",
                    "/activities",
                    out.tokens[person.key],
                    json={
                        "skp_id": skp["id"],
                        "indicator_id": indicator["indicator_id"],
                        "activity_date": entry.day.isoformat(),
                        "value": entry.value,
                        "note": entry.note,
                    },
                )

        parallel(log, [p for p in self.plan.people if p.entries])

    # ------------------------------------------------------------ feedback

    def citizens(self) -> None:
        plan, out, api = self.plan, self.out, self.api
        units = {s.unit for s in plan.surveys} | {c.unit for c in plan.complaints}

        def known(code: str) -> Callable[[], Any]:
            path = f"/units/{out.unit_ids[code]}/survey-summary"
            return lambda: api.call("feedback", "GET", path, out.admin_token)

        for code in units:  # feedback knows the unit (and that it serves the public)
            until(known(code), f"feedback to know unit {code}")

        counters = {
            s.unit: sorted({o.officer for o in plan.surveys if o.unit == s.unit})
            for s in plan.surveys
        }

        def issue(officer: str, unit: str, service_type: str) -> dict[str, Any]:
            body = {
                "unit_id": out.unit_ids[unit],
                "officer_id": out.ids[officer],
                "service_type": service_type,
            }
            # A petugas loket never names themselves: a colleague at the counter issues it.
            colleague = next((c for c in counters[unit] if c != officer), None)
            issuer = out.tokens[colleague] if colleague else out.admin_token
            token: dict[str, Any] = retry_while(
                lambda: api.call("feedback", "POST", "/survey-tokens", issuer, json=body),
                ("403", "is not an active employee"),
                "feedback to know the officers",
            )
            return token

        def survey(item: SurveyPlan) -> None:
            token = issue(item.officer, item.unit, item.service_type)
            answers = dict(zip(SKM_ELEMENTS, item.answers, strict=True))
            api.call(
                "feedback",
                "POST",
                f"/public/{plan.slug}/surveys/{token['token']}",
                client=api.citizen(),
                json={"answers": answers, "comment": item.comment},
            )

        parallel(survey, plan.surveys)
        if plan.surveys:  # one left for a person to try
            spare = plan.surveys[0]
            out.survey_url = issue(spare.officer, spare.unit, spare.service_type)["survey_url"]

        def complain(item: ComplaintPlan) -> None:
            body: dict[str, Any] = {
                "unit_id": out.unit_ids[item.unit],
                "category": item.category,
                "text": item.text,
            }
            if item.officer:
                body["officer_id"] = out.ids[item.officer]
            receipt = api.call(
                "feedback",
                "POST",
                f"/public/{plan.slug}/complaints",
                client=api.citizen(),
                json=body,
            )
            handler = out.tokens[plan.unit(item.unit).head or ""]
            listed = api.call(
                "feedback",
                "GET",
                "/complaints",
                handler,
                params={"unit_id": out.unit_ids[item.unit], "limit": 500},
            )
            complaint = next(
                c for c in listed["items"] if c["tracking_code"] == receipt["tracking_code"]
            )
            for to_status, reason in item.steps:
                move: dict[str, Any] = {"to_status": to_status, "reason": reason}
                if to_status == "verified" and item.lapor_reference:
                    move["lapor_reference"] = item.lapor_reference
                api.call(
                    "feedback",
                    "POST",
                    f"/complaints/{complaint['id']}/transitions",
                    handler,
                    json=move,
                )

        parallel(complain, plan.complaints)

    # ------------------------------------------------------------ assessment

    def assessments(self) -> None:
        plan, out, api = self.plan, self.out, self.api
        today = tenant_today(plan.time_zone)
        previous = today.replace(day=1) - timedelta(days=1)
        period = f"{previous:%Y-%m}" if previous.year == today.year else f"{today:%Y-%m}"
        boss = "kabid_dafduk"
        values = (
            "berorientasi_pelayanan",
            "akuntabel",
            "kompeten",
            "harmonis",
            "loyal",
            "adaptif",
            "kolaboratif",
        )

        def supervisor(person: PersonPlan) -> None:
            rating = {"ahead": "di_atas", "behind": "di_bawah"}.get(person.pace, "sesuai")
            body = {
                "period": period,
                "relation": "supervisor",
                "assessee_id": out.ids[person.key],
                "rhk_ratings": {r["rhk_id"]: rating for r in out.skps[person.key]["rhk"]},
                "result_rating": rating,
                "behaviour_ratings": {
                    v: "di_atas" if person.pace == "ahead" and i < 4 else "sesuai"
                    for i, v in enumerate(values)
                },
                "development_recommendation": "Pelatihan pelayanan prima dan SIAK terpusat."
                if person.pace == "behind"
                else "",
            }
            retry_while(
                lambda: api.call("assessment", "POST", "/assessments", out.tokens[boss], json=body),
                ("no approved SKP",),
                "assessment to receive the approved SKPs",
            )

        def self_assessment(person: PersonPlan) -> None:
            body = {
                "period": period,
                "relation": "self",
                "assessee_id": out.ids[person.key],
                "report": {
                    "achievements": "Seluruh permohonan di loket terlayani sesuai SOP.",
                    "obstacles": "Blangko KTP-el sempat kosong selama satu minggu.",
                    "solutions": "Menerbitkan surat keterangan pengganti sementara.",
                },
            }
            api.call("assessment", "POST", "/assessments", out.tokens[person.key], json=body)

        team = plan.reports_of(boss)
        parallel(supervisor, team)
        parallel(self_assessment, team[:2])
        behind = next((p for p in team if p.pace == "behind"), None)
        if behind is not None:
            api.call(
                "assessment",
                "POST",
                "/feedback-notes",
                out.tokens[boss],
                json={
                    "employee_id": out.ids[behind.key],
                    "text": "Capaian dokumen Anda tertinggal dari target bulan ini. Mari kita "
                    "bahas kendalanya Senin pagi dan atur ulang jadwal loket.",
                },
            )


SKM_ELEMENTS = (
    "persyaratan",
    "prosedur",
    "waktu_pelayanan",
    "biaya_tarif",
    "produk_layanan",
    "kompetensi_pelaksana",
    "perilaku_pelaksana",
    "sarana_prasarana",
    "penanganan_pengaduan",
)


# ================================================================ entry points


def platform_password() -> str:
    return os.environ.get("IDENTITY_PLATFORM_PASSWORD") or DEVELOPMENT_PLATFORM_PASSWORD


def load(
    ports: dict[str, int],
    *,
    places: Sequence[Place] = REGENCIES,
    say: Callable[[str], None] = print,
) -> list[Loaded]:
    """Load the demo into the platform listening on ``ports``; what was loaded."""
    api = Api(ports)
    try:
        platform = api.login(None, PLATFORM_USERNAME, platform_password())["access_token"]
        loaders = [RegencyLoader(api, platform, demo_plan(p), say) for p in places]
        return parallel(lambda loader: loader.run(), loaders, workers=len(loaders))
    finally:
        api.close()


def load_demo_data(ports: dict[str, int]) -> None:
    """Load the demo regencies (a regency that exists is skipped) and print how to log in."""
    started = time.monotonic()
    print("Loading demo data:")
    loaded = load(ports)
    print(f"Demo data ready in {time.monotonic() - started:.1f}s.")
    print(summary(ports, loaded))


def summary(ports: dict[str, int], loaded: Sequence[Loaded]) -> str:
    lines = ["", "Services:"]
    for name, port in ports.items():
        what = "web pages: log in here" if name == "gateway" else "API: /docs"
        lines.append(f"  {name:<11} http://127.0.0.1:{port}  ({what})")
    lines += ["", f"  {'role':<11} {'tenant':<9} {'username':<19} password   (who)"]
    lines.append(f"  {'platform':<11} {'-':<9} {PLATFORM_USERNAME:<19} {platform_password()}")
    for item in loaded:
        plan = item.plan
        lines.append(
            f"  {'admin':<11} {plan.slug:<9} {plan.admin_username:<19} {DEMO_PASSWORD}"
            "   (BKPSDM, HR)"
        )
        for role, key in (("supervisor", "kabid_dafduk"), ("staff", "staf_dafduk_3")):
            person = plan.person(key)
            lines.append(
                f"  {role:<11} {plan.slug:<9} {person.nip:<19} {DEMO_PASSWORD}"
                f"   ({person.name}, {person.position})"
            )
    urls = [item.survey_url for item in loaded if item.survey_url]
    if urls:
        lines += ["", "Public survey (one-time token): " + urls[0]]
    if any(item.skipped for item in loaded):
        lines += [
            "",
            "Regencies that already existed were left as they were (delete the data "
            "directory and the topics for a fresh demo).",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from deploy.run import available_services

    parser = argparse.ArgumentParser(description="Load the demo into a running platform.")
    parser.add_argument(
        "--port-offset", type=int, default=int(os.environ.get("KINERJA_PORT_OFFSET") or 0)
    )
    args = parser.parse_args(argv)
    load_demo_data(available_services(args.port_offset))
    return 0


if __name__ == "__main__":
    sys.exit(main())
