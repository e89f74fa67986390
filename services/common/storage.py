"""Async SQLModel storage for SQLite (the embedded default) and PostgreSQL (production).

Each service owns one database. ``create_engine`` tunes SQLite for a service that
writes while it reads (WAL, a busy timeout, foreign keys on); ``session_factory`` gives
each factory its own sync ``Session`` subclass so that listeners (the outbox relay's
wake-up on commit) attach to one service's sessions only.

Migrations: every service has an Alembic folder whose ``env.py`` calls
:func:`run_migrations_online`; :func:`migrate` runs ``upgrade head`` for a URL.

Several instances of a service on one PostgreSQL database coordinate through advisory
locks (:func:`exclusive`): one migrates while the others wait, one outbox relay publishes
a round while the others skip it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import DateTime, MetaData, TypeDecorator, event, text
from sqlalchemy.engine import Connection, Dialect, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

SessionFactory = async_sessionmaker[AsyncSession]


class UtcDateTime(TypeDecorator[datetime]):
    """A moment, stored in UTC and read back as an aware UTC datetime on both databases.

    ``DateTime(timezone=True)`` alone is not enough: SQLite has no time zone and gives the
    stored value back naive, which answers serialise without an offset (not an OpenAPI
    ``date-time``). A naive value given to it is taken as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else _utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else _utc(value)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # A statement that runs for a minute is an incident, not a wait: the timeout also keeps
    # a connection cancelled mid-query (task shutdown) from hanging its cleanup forever.
    return create_async_engine(
        url,
        echo=echo,
        pool_size=10,
        max_overflow=10,
        pool_pre_ping=True,
        connect_args={"command_timeout": 60},
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the HTTP side read while a consumer writes; NORMAL sync is durable in WAL
    # mode against process crashes, which is the failure the outbox must survive.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def session_factory(engine: AsyncEngine) -> SessionFactory:
    # A subclass per factory: SQLAlchemy session events are registered per class.
    sync_class = type("ServiceSession", (Session,), {})
    _keep_loaded_rows(sync_class)
    return async_sessionmaker(
        engine, class_=AsyncSession, expire_on_commit=False, sync_session_class=sync_class
    )


def _keep_loaded_rows(session_class: type[Session]) -> None:
    """A session holds the rows it loaded until it ends (SQLAlchemy's documented "strong
    reference" recipe, through its public state events).

    The identity map holds rows weakly: a row one step of a request read and let go is
    read from the database again by the next step of the same transaction. The org chart
    row of an employee was read nine times per seeded SKP, the SKP and its content five
    times each. Sessions here are short (a request, a batch), so what they keep is bounded
    by what they read."""

    # By id(): table models are pydantic models, which are not hashable; the id cannot be
    # reused while the dict holds the row.
    def keep(session: Session, instance: object) -> None:
        session.info.setdefault("kept_rows", {})[id(instance)] = instance

    def forget(session: Session, instance: object) -> None:
        session.info.get("kept_rows", {}).pop(id(instance), None)

    for name in (
        "pending_to_persistent",
        "deleted_to_persistent",
        "detached_to_persistent",
        "loaded_as_persistent",
    ):
        event.listen(session_class, name, keep)
    for name in ("persistent_to_detached", "persistent_to_deleted", "persistent_to_transient"):
        event.listen(session_class, name, forget)


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def create_tables(engine: AsyncEngine, metadata: MetaData, tables: Iterable[Any]) -> None:
    """Create the given tables directly (tests of the kernel; services use migrations)."""
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all, tables=list(tables))


# ---------------------------------------------------------------- advisory locks

# The first key of PostgreSQL's two-key advisory locks: Kinerja's (the second says what
# for). Advisory locks are scoped to one database, and each service owns its database.
LOCK_NAMESPACE = 0x4B4E4A  # "KNJ"


class LockFor(IntEnum):
    MIGRATION = 1
    OUTBOX_ROUND = 2


_TRY_LOCK = text("SELECT pg_try_advisory_xact_lock(:namespace, :purpose)")
_WAIT_LOCK = text("SELECT pg_advisory_xact_lock(:namespace, :purpose)")


@contextlib.asynccontextmanager
async def exclusive(engine: AsyncEngine, purpose: LockFor) -> AsyncIterator[bool]:
    """Hold ``purpose``'s lock on this database for the block if no other session holds
    it; yields whether it is held. A transaction-level lock: PostgreSQL releases it when
    the block ends, or when the connection dies with its holder (no lock outlives a
    crashed instance). SQLite has one writer process by design: always True there."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    async with engine.connect() as connection, connection.begin():
        held = await connection.scalar(
            _TRY_LOCK, {"namespace": LOCK_NAMESPACE, "purpose": int(purpose)}
        )
        yield bool(held)


# ---------------------------------------------------------------- Alembic


def alembic_config(migrations_dir: Path, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def migrate(migrations_dir: Path, url: str) -> None:
    """Upgrade the database at ``url`` to the newest revision.

    Alembic's env.py runs its own event loop, so it runs in a worker thread here.
    """
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(_upgrade_exclusively, alembic_config(migrations_dir, url))


class NotMigrated(RuntimeError):
    """The database is behind the revision this code expects (its migrations not run)."""


async def migration_state(migrations_dir: Path, url: str) -> str | None:
    """What keeps this code from running on the database: None when it is at head, or at
    a revision this code does not know (a newer release migrated it; its migrations are
    backward compatible for one version), else a sentence naming both revisions."""
    script = ScriptDirectory.from_config(alembic_config(migrations_dir, url))
    heads = set(script.get_heads())
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            current = set(
                await connection.run_sync(
                    lambda sync: MigrationContext.configure(sync).get_current_heads()
                )
            )
    finally:
        await engine.dispose()
    known = {revision.revision for revision in script.walk_revisions()}
    if current == heads or (current and not current <= known):
        return None
    at = ", ".join(sorted(current)) or "no revision"
    return f"the database is at {at}, this code expects {', '.join(sorted(heads))}"


# Alembic keeps the running migration's context in module globals: two upgrades at once in
# one process (several services started in one test process) would mix their contexts.
_ALEMBIC_LOCK = threading.Lock()


def _upgrade_exclusively(config: Config) -> None:
    with _ALEMBIC_LOCK:
        command.upgrade(config, "head")


def run_migrations_online(config: Config, metadata: MetaData, table_names: set[str]) -> None:
    """Body of a service's env.py: migrate only that service's tables."""

    def include_object(obj: Any, name: str | None, type_: str, *_: Any) -> bool:
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        return table is None or table in table_names

    def do_run(connection: Connection) -> None:
        from alembic import context

        context.configure(
            connection=connection,
            target_metadata=metadata,
            include_object=include_object,
            render_as_batch=True,  # SQLite alters tables by copying them
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        engine = create_async_engine(config.get_main_option("sqlalchemy.url") or "")
        async with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                # Instances started together on one database (replicas, a rolling
                # update, the migrate Job beside a starting pod) migrate one at a time:
                # the others wait here, then find the database at head. Held until the
                # commit below, with the migration's own transaction.
                await connection.execute(
                    _WAIT_LOCK,
                    {"namespace": LOCK_NAMESPACE, "purpose": int(LockFor.MIGRATION)},
                )
            await connection.run_sync(do_run)
            await connection.commit()
        await engine.dispose()

    asyncio.run(run())
