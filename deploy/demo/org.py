"""The organisation every demo regency gets: its units, its posts (who reports to whom,
on which job track, at which pace) and the SKP content of each track.

The same shape in every regency keeps the tests' expectations simple; what differs (names,
the kecamatan, how busy the counters are) comes from the regency's
:class:`~deploy.demo.model.Place`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deploy.demo.extras import EXTRA_POSTS, extra_units, village_track
from deploy.demo.extras import SKP as EXTRA_SKP
from deploy.demo.model import IndicatorPlan, Place, RhkPlan, UnitPlan
from services.common.events import Aggregation, Aspect, Direction, UnitKind

K, Q, W = Aspect.KUANTITAS, Aspect.KUALITAS, Aspect.WAKTU
LATEST = {"aggregation": Aggregation.LATEST}  # a percentage measured now and then
# Observed processing days: the mean counts, and fewer is better.
DAYS = {"aggregation": Aggregation.MEAN, "direction": Direction.LOWER_IS_BETTER}


def _rhk(
    title: str, *indicators: IndicatorPlan, kind: str = "utama", supports: int | None = None
) -> RhkPlan:
    return RhkPlan(title, indicators, kind, supports)


def _ind(name: str, aspect: Aspect, target: float, unit: str, **kw: Any) -> IndicatorPlan:
    return IndicatorPlan(name, aspect, target, unit, **kw)


# SKP content by job track. Staff RHK cascade from their supervisor's RHK (``supports``).
# fmt: off
SKP: dict[str, tuple[RhkPlan, ...]] = {
    "sekda": (
        _rhk("Terkoordinasinya penyelenggaraan pemerintahan dan pelayanan administratif",
             _ind("Indeks Reformasi Birokrasi", Q, 75, "%", **LATEST)),
        _rhk("Meningkatnya kualitas pelayanan publik perangkat daerah",
             _ind("Unit layanan dengan IKM minimal kategori B", K, 90, "%", **LATEST)),
    ),
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
SKP.update(EXTRA_SKP)


def _village_head(place: Place) -> str:
    if place.village_kind == UnitKind.DESA:  # a kampung's head is elected: its secretary
        return "Sekretaris " + place.kelurahan
    return place.kelurahan.replace("Kelurahan", "Lurah")


@dataclass(frozen=True)
class Post:
    key: str
    unit: str
    position: str
    supervisor: str | None
    track: str | None  # key of SKP (the Sekda's is approved by the kepala daerah)
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


def posts(place: Place, size: int = 0) -> list[Post]:
    """The regency's posts; with ``size``, staff teams are added until it has that many."""

    def head(key: str, unit: str, position: str, boss: str | None) -> Post:
        return Post(key, unit, position, boss, key, head=True)

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
        head("lurah", "KEL", _village_head(place), "camat"),
    ]
    counters: dict[str, int] = {}
    village = village_track(place)
    for track, unit, boss, position, pace in STAFF:
        counters[track] = counters.get(track, 0) + 1
        key = f"staf_{track}_{counters[track]}"
        skp = village if track == "kelurahan" else f"staf_{track}"
        posts.append(Post(key, unit, position, boss, skp, pace=pace))
    for extra in place.extras:
        for key, unit, position, boss, skp, senior, pace in EXTRA_POSTS.get(extra, ()):
            posts.append(Post(key, unit, position, boss, skp, head=senior, pace=pace))
    return posts + teams(posts, size)


TEAM = 12  # staff per team lead in the teams added by ``--size``
PACES = ("on track",) * 6 + ("ahead", "ahead", "behind")


def teams(core: list[Post], size: int) -> list[Post]:
    """Teams of staff (a Ketua Tim and up to TEAM members) on the core staff's tracks,
    taken in turn, until the regency has ``size`` people."""
    staff = [p for p in core if not p.head and p.pace != "silent"]
    added: list[Post] = []
    number = 0
    while len(core) + len(added) < size:
        model = staff[number % len(staff)]
        boss = next(p for p in core if p.key == model.supervisor)
        lead = Post(f"tim_{number}", model.unit, "Ketua Tim " + model.position, boss.key,
                    model.track, pace=PACES[number % len(PACES)])
        added.append(lead)
        for member in range(min(TEAM, size - len(core) - len(added))):
            added.append(Post(f"tim_{number}_{member}", model.unit, model.position, lead.key,
                              model.track, pace=PACES[(number + member) % len(PACES)]))
        number += 1
    return added


def units(place: Place) -> tuple[UnitPlan, ...]:
    return (  # code, name, kind, parent, serves the public, head
        UnitPlan("SETDA", "Sekretariat Daerah", UnitKind.KANTOR, None, False, "sekda"),
        UnitPlan("DUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", UnitKind.DINAS, "SETDA",
                 True, "kadis_dukcapil"),
        UnitPlan("DUKCAPIL-L1", "Loket 1 Pelayanan KTP-el dan Kartu Keluarga", UnitKind.COUNTER,
                 "DUKCAPIL", True, "kabid_dafduk"),
        UnitPlan("DUKCAPIL-L2", "Loket 2 Pelayanan Pindah Datang dan Akta", UnitKind.COUNTER,
                 "DUKCAPIL", True, "kabid_dafduk"),
        UnitPlan("DINKES", "Dinas Kesehatan", UnitKind.DINAS, "SETDA", False, "kadis_dinkes"),
        UnitPlan("KEC", place.kecamatan, UnitKind.KECAMATAN, "SETDA", True, "camat"),
        UnitPlan("KEL", place.kelurahan, place.village_kind, "KEC", True, "lurah"),
        *extra_units(place),
    )
# fmt: on
