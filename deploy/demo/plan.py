"""The demo plan of one regency: a pure function of the regency and the day.

:func:`demo_plan` gives the people (valid NIPs, names of the region, a supervisor tree),
their SKPs, the activity log of the year so far at each person's pace, the citizens'
surveys and complaints. Deterministic (a seeded random per regency), so a test computes
what the services must show from the same inputs.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta

from deploy.demo.model import (
    ComplaintPlan,
    EntryPlan,
    PersonPlan,
    Place,
    RegencyPlan,
    RhkPlan,
    SurveyPlan,
)
from deploy.demo.org import SKP, Post, posts, units
from services.common.events import Aggregation, ComplaintStatus, Rating
from services.common.skm import ELEMENTS as SKM_ELEMENTS
from services.common.workdays import is_working_day, local_today

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
    sequence = (sequence - 1) % 999 + 1  # the sequence is per birth date and TMT: 3 digits
    birth_year = rng.randint(1967, 1976) if senior else rng.randint(1984, 1999)
    birth = date(birth_year, rng.randint(1, 12), rng.randint(1, 28))
    earliest = birth.year + (rng.randint(23, 28) if senior else rng.randint(19, 26))
    tmt_year = min(earliest, today.year - 1)
    tmt_month = rng.randint(1, 12)
    if (tmt_year, tmt_month) < (birth.year + 18, birth.month):  # never before 18 years
        tmt_year, tmt_month = birth.year + 18, birth.month
    return make_nip(birth, (tmt_year, tmt_month), sex, sequence)


def _name(rng: random.Random, place: Place, sex: int, used: set[str], title: str) -> str:
    firsts = place.male if sex == 1 else place.female
    for attempt in range(1000):
        first = rng.choice(firsts)
        # A second given name once the short names run out (a regency of thousands).
        middle = f" {rng.choice(firsts)}" if attempt > 20 else ""
        name = f"{first}{middle} {rng.choice(place.family)}"
        if name not in used:
            used.add(name)
            return f"{name}, {title}" if title else name
    raise ValueError(f"{place.slug}: not enough names for so many people")


def _title(rng: random.Random, post: Post) -> str:
    if post.key == "kadis_dinkes":
        return "M.Kes."
    if post.head:
        return rng.choice(("S.Sos., M.Si.", "S.H., M.M.", "S.IP., M.AP.", "S.E., M.Si."))
    return rng.choice(("S.Kom.", "A.Md.", "S.E.", "S.Sos.", "", "", "S.K.M."))


# ---------------------------------------------------------------- activity plans


def working_day_on_or_before(day: date) -> date:
    while not is_working_day(day):  # the demo's regencies declare no holidays
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
            if ind.aggregation == Aggregation.SUM:
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
            elif ind.aggregation == Aggregation.MEAN:  # observed days: lower is better
                for d in [recap_day, *weeks][:3]:
                    observed = round(ind.target / factor * rng.uniform(0.9, 1.1), 1)
                    entries.append(EntryPlan(r, i, d, observed, "Waktu penyelesaian rata-rata"))
            else:  # latest: a percentage measured now and then
                for d, part in ((recap_day, 0.97), ((weeks or [recap_day])[-1], 1.0)):
                    value = round(min(100.0, ind.target * min(factor, 1.02) * part), 1)
                    entries.append(EntryPlan(r, i, d, value, f"Capaian {ind.name.lower()}"))
    return tuple(sorted(entries, key=lambda e: e.day))


# ---------------------------------------------------------------- last year

# Last year's final ratings: (share, Hasil Kerja, values di atas, values di bawah). The
# spread a regency's BKPSDM typically sees: most Baik, some Sangat Baik, a few below.
LAST_YEAR = (
    (0.15, Rating.DI_ATAS, 5, 0),  # Sangat Baik
    (0.62, Rating.SESUAI, 1, 0),  # Baik
    (0.10, Rating.DI_ATAS, 2, 0),  # Baik (results above, behaviour as expected)
    (0.08, Rating.DI_BAWAH, 0, 0),  # Butuh Perbaikan
    (0.05, Rating.SESUAI, 0, 1),  # Kurang (one value below expectation)
)
# Rated below expectation last year, objects; the supervisor's supervisor decides.
OBJECTOR = "staf_dafduk_3"
REALISED = {Rating.DI_ATAS: 1.15, Rating.SESUAI: 1.0, Rating.DI_BAWAH: 0.72}


def _last_year(rng: random.Random) -> tuple[Rating, int, int]:
    roll = rng.random()
    for share, result, above, below in LAST_YEAR:
        if roll < share:
            return result, above, below
        roll -= share
    return LAST_YEAR[1][1:]


def _last_entries(rhk: Sequence[RhkPlan], result: Rating, year: int) -> tuple[EntryPlan, ...]:
    """Last year's log as the recap entered at its end: achievement matching the rating."""
    factor = REALISED[result]
    day = working_day_on_or_before(date(year, 12, 15))
    entries = []
    for r, item in enumerate(rhk):
        if item.kind != "utama":
            continue
        for i, ind in enumerate(item.indicators):
            if ind.aggregation == Aggregation.MEAN:
                value = round(ind.target / factor, 1)
            elif ind.aggregation == Aggregation.LATEST:
                value = round(min(100.0, ind.target * factor), 1)
            else:
                value = float(max(1, round(ind.target * factor)))
            entries.append(EntryPlan(r, i, day, value, f"Rekapitulasi tahun {year}"))
    return tuple(entries)


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


def skm_answers(rng: random.Random, fours: float, twos: float) -> tuple[int, ...]:
    def one() -> int:
        roll = rng.random()
        return 4 if roll < fours else 2 if roll < fours + twos else 3

    return tuple(one() for _ in SKM_ELEMENTS)


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
                    answers=skm_answers(rng, *mood),
                    comment=rng.choice(COMMENTS),
                )
            )
    return tuple(plans)


def _complaints(place: Place) -> tuple[ComplaintPlan, ...]:
    verify = (
        ComplaintStatus.VERIFIED,
        "Laporan diverifikasi: kejadian sesuai dengan catatan antrean.",
    )
    plan = (
        ComplaintStatus.IN_PROGRESS,
        "Rencana tindak lanjut: tambah satu petugas perekaman pada jam sibuk.",
    )
    resolve = (
        ComplaintStatus.RESOLVED,
        "Petugas tambahan sudah bertugas sejak Senin; antrean < 1 jam.",
    )
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
            ((ComplaintStatus.VERIFIED, "Informasi di website belum diperbarui."),),
        ),
        ComplaintPlan(
            "KEC",
            "sarana_prasarana",
            "Jalan kabupaten di depan kantor kecamatan berlubang dan membahayakan.",
            ((ComplaintStatus.NOT_OUR_AUTHORITY, "Kewenangan Dinas Pekerjaan Umum; diteruskan."),),
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


def demo_plan(place: Place, today: date | None = None, size: int = 0) -> RegencyPlan:
    """What the demo creates in one regency; deterministic for a given regency, day and
    size (0: the core organisation only)."""
    today = today or local_today(place.time_zone)
    rng = random.Random(f"kinerja-demo-{place.slug}")
    used: set[str] = set()
    people: list[PersonPlan] = []
    for sequence, post in enumerate(posts(place, size), start=1):
        sex = rng.choice((1, 2))
        title = _title(rng, post)
        name = _name(rng, place, sex, used, title)
        if post.key == "kadis_dinkes":
            name = "dr. " + name
        rhk = SKP[post.track] if post.track else ()
        last = _last_year(rng) if rhk else None
        if post.key == OBJECTOR:  # the demo's staff login: below expectation, objected
            last = (Rating.DI_BAWAH, 0, 0)
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
                last_year=last,
                last_entries=_last_entries(rhk, last[0], today.year - 1) if last else (),
            )
        )
    return RegencyPlan(
        slug=place.slug,
        name=place.name,
        time_zone=place.time_zone,
        units=units(place),
        people=tuple(people),
        surveys=_surveys(place, rng),
        complaints=_complaints(place),
        kepala_daerah=(
            f"{place.head_office} {place.name.split(' ', 1)[1]}",
            _name(rng, place, 1, used, "S.H., M.Si."),
        ),
        objector=OBJECTOR,
    )
