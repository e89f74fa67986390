"""What a regency's source document describes beyond the common organisation of ``org``:
extra units, their posts and SKP tracks, each named by a key in ``Place.extras``.

- ``puskesmas`` (Pauh, Bukitintan): a puskesmas under the Dinas Kesehatan, patients
  served and the response time to emergencies;
- ``perizinan`` (Muaratebo): the licensing office (DPMPTSP), business licences issued and
  the days it takes;
- ``waktu_tunggu`` (Salor): the waiting time of citizens at the village office.
"""

from __future__ import annotations

from deploy.demo.model import IndicatorPlan, Place, RhkPlan, UnitPlan
from services.common.events import Aggregation, Aspect, Direction, UnitKind

K, W = Aspect.KUANTITAS, Aspect.WAKTU


def observed(name: str, target: float, unit: str) -> IndicatorPlan:
    """Observed minutes or days: the mean counts, and fewer is better."""
    return IndicatorPlan(name, W, target, unit, Direction.LOWER_IS_BETTER, Aggregation.MEAN)


# fmt: off
SKP: dict[str, tuple[RhkPlan, ...]] = {
    "kapus": (
        RhkPlan("Meningkatnya mutu pelayanan kesehatan dasar di wilayah puskesmas", (
            IndicatorPlan("Kunjungan pasien yang dilayani", K, 18000, "orang"),
            observed("Rata-rata waktu tanggap kasus gawat darurat", 10, "menit")), supports=0),
    ),
    "staf_puskesmas": (
        RhkPlan("Terlayaninya pasien rawat jalan dan gawat darurat", (
            IndicatorPlan("Pasien yang dilayani", K, 4500, "orang"),
            observed("Waktu tanggap kasus gawat darurat", 10, "menit")),
            supports=0),
    ),
    "kadis_dpmptsp": (
        RhkPlan("Meningkatnya kemudahan berusaha di daerah", (
            IndicatorPlan("Izin usaha yang diterbitkan", K, 2400, "dokumen"),
            observed("Rata-rata waktu penerbitan izin", 3, "hari"))),
    ),
    "staf_perizinan": (
        RhkPlan("Terprosesnya permohonan izin usaha tepat waktu", (
            IndicatorPlan("Permohonan izin yang diproses", K, 800, "dokumen"),
            observed("Waktu pemrosesan izin", 3, "hari")), supports=0),
    ),
    "staf_kelurahan_tunggu": (
        RhkPlan("Terlayaninya administrasi warga di kantor desa tanpa antrean panjang", (
            IndicatorPlan("Surat pengantar yang diproses", K, 900, "surat"),
            observed("Rata-rata waktu tunggu warga", 20, "menit")),
            supports=0),
    ),
}
# fmt: on

# (key, unit, position, supervisor, track, head, pace), per extra.
EXTRA_POSTS: dict[str, tuple[tuple[str, str, str, str, str, bool, str], ...]] = {
    "puskesmas": (
        ("kapus", "PKM", "Kepala Puskesmas", "kadis_dinkes", "kapus", True, "on track"),
        (
            "staf_puskesmas_1",
            "PKM",
            "Dokter Ahli Pertama",
            "kapus",
            "staf_puskesmas",
            False,
            "ahead",
        ),
        (
            "staf_puskesmas_2",
            "PKM",
            "Perawat Terampil",
            "kapus",
            "staf_puskesmas",
            False,
            "on track",
        ),
        ("staf_puskesmas_3", "PKM", "Bidan Terampil", "kapus", "staf_puskesmas", False, "behind"),
    ),
    "perizinan": (
        (
            "kadis_dpmptsp",
            "DPMPTSP",
            "Kepala Dinas Penanaman Modal dan PTSP",
            "sekda",
            "kadis_dpmptsp",
            True,
            "on track",
        ),
        (
            "staf_perizinan_1",
            "DPMPTSP",
            "Analis Perizinan",
            "kadis_dpmptsp",
            "staf_perizinan",
            False,
            "ahead",
        ),
        (
            "staf_perizinan_2",
            "DPMPTSP",
            "Pengelola Layanan Perizinan",
            "kadis_dpmptsp",
            "staf_perizinan",
            False,
            "on track",
        ),
        (
            "staf_perizinan_3",
            "DPMPTSP",
            "Verifikator Perizinan",
            "kadis_dpmptsp",
            "staf_perizinan",
            False,
            "behind",
        ),
    ),
}


def extra_units(place: Place) -> tuple[UnitPlan, ...]:
    units: list[UnitPlan] = []
    if "puskesmas" in place.extras:
        name = "Puskesmas " + place.kecamatan.split(" ", 1)[1]
        units.append(UnitPlan("PKM", name, UnitKind.KANTOR, "DINKES", True, "kapus"))
    if "perizinan" in place.extras:
        units.append(
            UnitPlan(
                "DPMPTSP",
                "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
                UnitKind.DINAS,
                "SETDA",
                True,
                "kadis_dpmptsp",
            )
        )
    return tuple(units)


def village_track(place: Place) -> str:
    """The SKP track of the village office's staff: with the waiting time where the
    document speaks of it."""
    return "staf_kelurahan_tunggu" if "waktu_tunggu" in place.extras else "staf_kelurahan"
