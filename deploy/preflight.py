"""What ``deploy.run`` checks before it starts anything, each failure one clear line
(:class:`StartError`): a busy port, a missing prerequisite, a data directory written by
another version; and the PostgreSQL databases when the caller gives a server URL.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAMP = "kinerja-data.json"
# Bump when the demo's plan changes shape (regencies, org, years): an old demo's data
# would show another story than the one this code prints.
DEMO_VERSION = 2


class StartError(RuntimeError):
    """Why the platform cannot start, in one line a person can act on."""


def check_ports(ports: dict[str, int]) -> None:
    for name, port in ports.items():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            # As uvicorn binds: connections of a run just stopped (TIME_WAIT) do not count.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                raise StartError(
                    f"port {port} ({name}) is already in use: stop what listens there "
                    "(another demo?) or move every port with --port-offset N"
                ) from None


def check_prerequisites(*, local_kafka: bool) -> None:
    if local_kafka and shutil.which("java") is None:
        raise StartError(
            "java (17+) is needed for the local Kafka: install a JRE "
            "(apt-get install openjdk-17-jre-headless) or give --kafka HOST:PORT"
        )


def migrations() -> dict[str, list[str]]:
    """Every service's migration revisions (file names) in this tree."""
    found = {}
    for versions in sorted(ROOT.glob("services/*/migrations/versions")):
        found[versions.parent.parent.name] = sorted(p.stem for p in versions.glob("*.py"))
    return found


def check_data_dir(data_dir: Path, *, sqlite: bool) -> None:
    """Refuse a data directory another version wrote; stamp a new one."""
    stamp = data_dir / STAMP
    databases = list(data_dir.glob("*.db")) if sqlite else []
    ours = migrations()
    if stamp.exists():
        try:
            theirs = json.loads(stamp.read_text())
        except (OSError, ValueError):
            raise StartError(f"{stamp} is unreadable: start from nothing with --reset") from None
        unknown = sorted(
            f"{service}/{rev}"
            for service, revs in theirs.get("migrations", {}).items()
            for rev in revs
            if rev not in ours.get(service, [])
        )
        if unknown:
            raise StartError(
                f"the data in {data_dir} was written by another version of Kinerja "
                f"(migrations unknown here: {', '.join(unknown[:3])}): use that version, or "
                "start from nothing with --reset"
            )
        if theirs.get("demo") != DEMO_VERSION:
            raise StartError(
                f"the demo data in {data_dir} comes from another version of the demo "
                f"({theirs.get('demo')}, this is {DEMO_VERSION}): start from nothing with --reset"
            )
    elif databases:
        raise StartError(
            f"{data_dir} holds databases without a version stamp (an older Kinerja): "
            "start from nothing with --reset"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps({"migrations": ours, "demo": DEMO_VERSION}, indent=1))


def reset_data_dir(data_dir: Path) -> None:
    """Start from nothing: the service databases and logs of this data directory."""
    if data_dir.exists():
        if data_dir.resolve() in (ROOT, Path.home(), Path("/")):
            raise StartError(f"refusing to delete {data_dir}")
        shutil.rmtree(data_dir)


def postgres_urls(server: str, services: list[str], prefix: str) -> dict[str, str]:
    """One database per service on the server ``server`` (created when missing); the
    environment that points each service at its own."""
    if not server.startswith("postgresql"):
        raise StartError(f"--database-url must be a postgresql:// URL, not {server!r}")
    base = server.replace("postgresql://", "postgresql+asyncpg://", 1).rstrip("/")
    names = {s: f"{prefix.strip('.').replace('.', '_') or 'kinerja'}_{s}" for s in services}
    asyncio.run(_create_databases(base, list(names.values())))
    return {f"{s.upper()}_DATABASE_URL": f"{base}/{name}" for s, name in names.items()}


async def _create_databases(base: str, names: list[str]) -> None:
    import asyncpg

    dsn = base.replace("postgresql+asyncpg://", "postgresql://", 1) + "/postgres"
    try:
        connection = await asyncpg.connect(dsn, timeout=10)
    except (OSError, asyncpg.PostgresError) as exc:
        raise StartError(f"cannot reach PostgreSQL at {base}: {exc}") from None
    try:
        existing = {r["datname"] for r in await connection.fetch("SELECT datname FROM pg_database")}
        for name in names:
            if name not in existing:
                await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
