"""The demo's entry points: load every regency into a running platform, say how to log in.

``deploy.run --demo`` calls :func:`load_demo_data` once the services answer;
``python -m deploy.demo`` does the same against a platform started elsewhere.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Sequence

from deploy.demo.accounts import DEMO_PASSWORD, PLATFORM_USERNAME, platform_password
from deploy.demo.client import Api, parallel
from deploy.demo.load import Loaded, RegencyLoader
from deploy.demo.model import Place
from deploy.demo.plan import demo_plan
from deploy.demo.regencies import REGENCIES
from deploy.ports import available_services


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
    parser = argparse.ArgumentParser(
        prog="python -m deploy.demo", description="Load the demo into a running platform."
    )
    parser.add_argument(
        "--port-offset", type=int, default=int(os.environ.get("KINERJA_PORT_OFFSET") or 0)
    )
    args = parser.parse_args(argv)
    load_demo_data(available_services(args.port_offset))
    return 0
