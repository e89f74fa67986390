"""Migrations as a step of their own: ``python -m services.migrate [SERVICE...]``.

Upgrades each named service's database (every service's when none is named) to the newest
revision, then exits: 0 when all are at head, 1 naming the one that failed. Run before the
services start (compose's one-shot ``migrate``, the Kubernetes Job ``migrate``), with the
services' ``KINERJA_MIGRATE_AT_START=false`` so that none migrates while serving.

Reads only where each database is (``<PREFIX>DATABASE_URL``, else the SQLite file under
``<PREFIX>DATA_DIR`` / ``KINERJA_DATA_DIR`` as the service itself would), not the
services' other settings or secrets. Safe beside a starting service or a second copy of
itself: on PostgreSQL each upgrade holds the database's migration lock.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common.settings import _env, default_database_url
from services.common.storage import migrate

SERVICES = ("identity", "targets", "assessment", "feedback", "scoring", "gateway")
ROOT = Path(__file__).resolve().parent

log = logging.getLogger("services.migrate")


class DatabaseSettings(BaseSettings):
    """The part of a service's settings that says where its database is."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str = ""
    data_dir: str = Field(default_factory=lambda: _env("KINERJA_DATA_DIR", ".data"))


def database_url(service: str) -> str:
    where = DatabaseSettings(_env_prefix=f"{service.upper()}_")
    return where.database_url or default_database_url(where.data_dir, service)


async def migrate_all(services: list[str]) -> None:
    for service in services:
        log.info("migrating %s", service)
        await migrate(ROOT / service / "migrations", database_url(service))
        log.info("%s is at head", service)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.migrate", description=__doc__)
    parser.add_argument("services", nargs="*", metavar="SERVICE", help=", ".join(SERVICES))
    args = parser.parse_args(argv)
    unknown = sorted(set(args.services) - set(SERVICES))
    if unknown:
        parser.error(f"no such service: {', '.join(unknown)} (one of {', '.join(SERVICES)})")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    chosen = list(args.services) or list(SERVICES)
    try:
        asyncio.run(migrate_all(chosen))
    except Exception as exc:
        log.error("migration failed: %s: %s", type(exc).__name__, exc)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
