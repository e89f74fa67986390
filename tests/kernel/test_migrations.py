"""Each service's migrations build exactly the tables its models declare, on both databases."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from services.common.storage import create_engine, migrate
from tests.kernel.helpers import SERVICES


def _differences(connection: Any, table_names: set[str]) -> list[Any]:
    def include(obj: Any, name: str | None, type_: str, *_: Any) -> bool:
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        return table is None or table in table_names

    context = MigrationContext.configure(
        connection, opts={"include_object": include, "compare_type": True}
    )
    return [d for d in compare_metadata(context, SQLModel.metadata) if d]


@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_match_the_models(service: str, database_url: str) -> None:
    models = importlib.import_module(f"services.{service}.models")
    app = importlib.import_module(f"services.{service}.app")
    await migrate(app.MIGRATIONS, database_url)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(_differences, models.TABLE_NAMES)
    finally:
        await engine.dispose()
    assert diff == [], f"{service}: the models and the migrations differ: {diff}"
