"""Live mode: a trickle of realistic work while the demo runs, so a supervisor watching
the page sees alerts arrive.

Each regency has its own simulated working day (07:30-16:00 in its time zone, a lunch
break at noon), compressed: at the default speed one working hour passes in a minute. A
regency starts where its real clock is (a regency whose real office is closed starts at
the same hour of its working day, taken modulo the day's length, so the time zones stay
apart). During the simulated day its staff log the work of the day, citizens fill a
survey after a service at the counters, and now and then one files a complaint (the
complaint alert reaches the unit's head at once). Activity dates stay today's real
local date: the services refuse a date in the future.

Everything goes through the public APIs, as the loader's steps do; a refused step is
reported once and the trickle goes on.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from deploy.demo.client import Api, DemoError
from deploy.demo.load import Loaded
from deploy.demo.model import PersonPlan
from deploy.demo.plan import COMMENTS, SERVICE_TYPES, skm_answers
from services.common.events import Aggregation
from services.common.skm import ELEMENTS as SKM_ELEMENTS
from services.common.workdays import local_today

DAY_START, DAY_END = time(7, 30), time(16, 0)
DAY_MINUTES = (DAY_END.hour * 60 + DAY_END.minute) - (DAY_START.hour * 60 + DAY_START.minute)
LUNCH = (12 * 60, 13 * 60)  # minutes of the day without counter traffic
# Per simulated working hour and regency: how many of each happen (Poisson-like).
RATES = {"activity": 8.0, "survey": 5.0, "complaint": 0.6}
# The first complaint of a regency comes within this many simulated minutes, so someone
# watching does not wait for chance.
FIRST_COMPLAINT_MINUTES = 20
COMPLAINTS = (
    (
        "pelayanan_lambat",
        "Antrean di loket sangat lama, nomor antrean saya baru dipanggil setelah dua jam.",
    ),
    (
        "informasi_tidak_jelas",
        "Petugas meminta fotokopi berkas yang tidak tercantum dalam daftar persyaratan.",
    ),
    ("perilaku_petugas", "Petugas loket sibuk dengan telepon genggam saat melayani."),
    ("sarana_prasarana", "Mesin antrean rusak sejak pagi, warga berdesakan di depan loket."),
)


def start_minute(time_zone: str, now: datetime) -> float:
    """Where a regency's simulated day starts: its real local time, folded into the
    working day."""
    local = now.astimezone(ZoneInfo(time_zone))
    minutes = local.hour * 60 + local.minute - (DAY_START.hour * 60 + DAY_START.minute)
    return float(minutes % DAY_MINUTES)


@dataclass
class RegencyDay:
    loaded: Loaded
    minute: float  # minutes since DAY_START in the simulated day
    complaints: int = 0

    def clock(self) -> str:
        total = DAY_START.hour * 60 + DAY_START.minute + int(self.minute)
        return f"{total // 60:02d}:{total % 60:02d}"

    def working(self) -> bool:
        now = DAY_START.hour * 60 + DAY_START.minute + self.minute
        return not LUNCH[0] <= now < LUNCH[1]


class LiveMode:
    def __init__(
        self,
        api: Api,
        loaded: Sequence[Loaded],
        *,
        speed: float = 60.0,
        tick: float = 2.0,
        say: Callable[[str], None] = print,
        seed: int | None = None,
    ) -> None:
        now = datetime.now(UTC)
        self.api, self.speed, self.tick, self.say = api, speed, tick, say
        self.days = [RegencyDay(item, start_minute(item.plan.time_zone, now)) for item in loaded]
        self.rng = random.Random(seed)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="demo-live", daemon=True)
        self.happened: dict[str, int] = {"activity": 0, "survey": 0, "complaint": 0}
        self._reported: set[str] = set()

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)

    def _run(self) -> None:
        while not self.stopping.wait(self.tick):
            step = self.tick * self.speed / 60  # simulated minutes per tick
            for day in self.days:
                before = day.minute
                day.minute = (day.minute + step) % DAY_MINUTES
                if day.minute < before:
                    self.say(f"  live {day.loaded.plan.slug}: a new working day begins")
                if day.working():
                    self._happen(day, step)

    def _happen(self, day: RegencyDay, minutes: float) -> None:
        due_complaint = day.complaints == 0 and day.minute >= FIRST_COMPLAINT_MINUTES
        for kind, per_hour in RATES.items():
            count = self._count(per_hour * minutes / 60)
            if kind == "complaint" and due_complaint:
                count = max(count, 1)
            for _ in range(count):
                try:
                    getattr(self, f"_{kind}")(day)
                    self.happened[kind] += 1
                except (DemoError, OSError) as exc:  # the trickle goes on
                    key = f"{day.loaded.plan.slug}:{kind}"
                    if key not in self._reported:
                        self._reported.add(key)
                        self.say(f"  live {key} refused (reported once): {exc}"[:300])

    def _count(self, expected: float) -> int:
        whole = int(expected)
        return whole + (1 if self.rng.random() < expected - whole else 0)

    # ------------------------------------------------------------ what happens

    def _activity(self, day: RegencyDay) -> None:
        out = day.loaded
        staff = [
            p for p in out.plan.people if p.key in out.skps and p.pace != "silent" and p.entries
        ]
        if not staff:
            return
        person: PersonPlan = self.rng.choice(staff)
        skp = out.skps[person.key]
        for r, rhk in enumerate(person.rhk):
            for i, indicator in enumerate(rhk.indicators):
                if rhk.kind != "utama" or indicator.aggregation != Aggregation.SUM:
                    continue
                daily = max(1, round(indicator.target / 230))  # working days in a year
                self.api.call(
                    "targets",
                    "POST",
                    "/activities",
                    out.tokens[person.key],
                    json={
                        "skp_id": skp["id"],
                        "indicator_id": skp["rhk"][r]["indicators"][i]["indicator_id"],
                        "activity_date": local_today(out.plan.time_zone).isoformat(),
                        "value": float(self.rng.randint(max(1, daily // 2), daily * 2)),
                        "note": f"{indicator.name} (pukul {day.clock()})",
                    },
                )
                return

    def _survey(self, day: RegencyDay) -> None:
        out = day.loaded
        counters = [u for u in SERVICE_TYPES if u in out.unit_ids]
        officers = {
            s.unit: sorted({o.officer for o in out.plan.surveys if o.unit == s.unit})
            for s in out.plan.surveys
        }
        counters = [u for u in counters if len(officers.get(u, ())) >= 2]
        if not counters:
            return
        unit = self.rng.choice(counters)
        served, issuer = self.rng.sample(officers[unit], 2)  # a colleague issues it
        token = self.api.call(
            "feedback",
            "POST",
            "/survey-tokens",
            out.tokens[issuer],
            json={
                "unit_id": out.unit_ids[unit],
                "officer_id": out.ids[served],
                "service_type": self.rng.choice(SERVICE_TYPES[unit]),
            },
        )
        answers = dict(zip(SKM_ELEMENTS, skm_answers(self.rng, 0.35, 0.1), strict=True))
        self.api.call(
            "feedback",
            "POST",
            f"/public/{out.plan.slug}/surveys/{token['token']}",
            client=self.api.citizen(),
            json={"answers": answers, "comment": self.rng.choice(COMMENTS)},
        )

    def _complaint(self, day: RegencyDay) -> None:
        out = day.loaded
        units = [u for u in ("DUKCAPIL-L1", "DUKCAPIL-L2", "KEC") if u in out.unit_ids]
        category, text = self.rng.choice(COMPLAINTS)
        self.api.call(
            "feedback",
            "POST",
            f"/public/{out.plan.slug}/complaints",
            client=self.api.citizen(),
            json={
                "unit_id": out.unit_ids[self.rng.choice(units)],
                "category": category,
                "text": f"{text} (sekitar pukul {day.clock()})",
            },
        )
        day.complaints += 1
