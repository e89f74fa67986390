"""Run the scoring service, or rebuild its projections: ``python -m services.scoring
[serve | replay [--group-id ID]]``."""

from __future__ import annotations

import argparse
import asyncio

from services.common.runtime import serve
from services.scoring.app import Settings, create_app, tune_gc


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m services.scoring")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the service (default)")
    rep = sub.add_parser("replay", help="rebuild every projection from offset 0")
    rep.add_argument("--group-id", default=None, help="consumer group (default: a fresh one)")
    args = parser.parse_args()
    settings = Settings()
    tune_gc()
    if args.command == "replay":
        from services.scoring.replay import replay

        result = asyncio.run(replay(settings, group_id=args.group_id))
        print(
            f"replayed {result.records} records ({result.dead} invalid) with group "
            f"{result.group_id}; start the service with SCORING_GROUP_ID={result.group_id}"
        )
        return
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
