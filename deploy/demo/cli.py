"""The demo's entry points: load every regency into a running platform, say how to log in,
start live mode.

``deploy.run --demo`` calls :func:`load_demo_data` once the services answer;
``python -m deploy.demo`` does the same against a platform started elsewhere.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Sequence

from deploy import progress
from deploy.demo.accounts import DEMO_PASSWORD, PLATFORM_USERNAME, platform_password
from deploy.demo.client import Api, parallel
from deploy.demo.live import LiveMode
from deploy.demo.load import Loaded, RegencyLoader
from deploy.demo.model import Place
from deploy.demo.plan import demo_plan
from deploy.demo.regencies import REGENCIES
from deploy.demo.yearend import kd_username
from deploy.ports import available_services

# Who to show per regency: (role, person key, what to look at).
SHOWN = (
    ("atasan", "kabid_dafduk", "alerts arrive live; team, assessments, an objection decided"),
    ("pegawai", "staf_dafduk_3", "behind target; last year's predikat and objection"),
    ("pegawai", "staf_capil_2", "silent for weeks"),
)


def load(
    ports: dict[str, int],
    *,
    places: Sequence[Place] = REGENCIES,
    size: int = 0,
    say: Callable[[str], None] = progress.say,
) -> list[Loaded]:
    """Load the demo into the platform listening on ``ports``; what was loaded."""
    api = Api(ports)
    try:
        with progress.phase("platform operator logged in", say):
            platform = api.login(None, PLATFORM_USERNAME, platform_password())["access_token"]
        loaders = [RegencyLoader(api, platform, demo_plan(p, size=size), say) for p in places]
        return parallel(lambda loader: loader.run(), loaders, workers=len(loaders))
    finally:
        api.close()


def load_demo_data(
    ports: dict[str, int],
    *,
    size: int = 0,
    live: bool = False,
    speed: float = 60.0,
    started: float | None = None,
    only: str | None = None,
) -> LiveMode | None:
    """Load the demo regencies (a regency that exists is reconnected to, not loaded
    again), print how to log in, and start live mode when asked (the caller stops it)."""
    began = time.monotonic()
    progress.say("Loading demo data:")
    chosen = [p for p in REGENCIES if not only or p.slug in only.split(",")]
    loaded = load(ports, places=chosen, size=size)
    progress.say(f"Demo data ready in {time.monotonic() - began:.1f}s.")
    print(summary(ports, loaded))
    if started is not None:
        print(f"Ready {time.monotonic() - started:.1f}s after the command started.")
    mode = None
    if live:
        mode = LiveMode(Api(ports), loaded, speed=speed)
        mode.start()
        print(
            f"Live mode: one working hour per {60 / speed:.0f} minute(s) in each regency's "
            "own time zone (--no-live turns it off)."
        )
    print("READY", flush=True)  # what scripts and tests wait for
    return mode


def summary(ports: dict[str, int], loaded: Sequence[Loaded]) -> str:
    gateway = f"http://127.0.0.1:{ports.get('gateway', 8000)}"
    lines = ["", "Services:"]
    for name, port in ports.items():
        what = "web pages: log in here" if name == "gateway" else "API: /docs"
        lines.append(f"  {name:<11} http://127.0.0.1:{port}  ({what})")
    lines += [
        "",
        f"Log in at {gateway}/ (regency, username, password {DEMO_PASSWORD!r}; employees "
        "log in with their NIP):",
        f"  {'regency':<11} {'role':<14} {'username':<19} who, and what to look at",
        f"  {'-':<11} {'platform':<14} {PLATFORM_USERNAME:<19} password {platform_password()}",
    ]
    for item in loaded:
        plan = item.plan
        lines.append(
            f"  {plan.slug:<11} {'admin':<14} {plan.admin_username:<19} BKPSDM: distribution "
            "curve, regency report"
        )
        if item.kd_token or item.skipped:
            office, name = plan.kepala_daerah
            lines.append(
                f"  {plan.slug:<11} {'kepala_daerah':<14} {kd_username(office):<19} "
                f"{name}, {office}"
            )
        for role, key, what in SHOWN:
            person = plan.person(key)
            lines.append(
                f"  {plan.slug:<11} {role:<14} {person.nip:<19} {person.name.split(',')[0]}, "
                f"{person.position}: {what}"
            )
    urls = [item.survey_url for item in loaded if item.survey_url]
    if urls:
        lines += ["", "Public survey (one-time token): " + urls[0]]
    if any(item.skipped for item in loaded):
        lines += ["", "Existing regencies were reused as they were (--reset starts from nothing)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.demo", description="Load the demo into a running platform."
    )
    parser.add_argument(
        "--port-offset", type=int, default=int(os.environ.get("KINERJA_PORT_OFFSET") or 0)
    )
    parser.add_argument("--size", type=int, default=0)
    args = parser.parse_args(argv)
    load_demo_data(available_services(args.port_offset), size=args.size)
    return 0
