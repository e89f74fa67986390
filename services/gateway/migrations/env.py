"""Alembic environment of the gateway service: only its own tables."""

from alembic import context
from sqlmodel import SQLModel

from services.common.storage import run_migrations_online
from services.gateway import models

run_migrations_online(context.config, SQLModel.metadata, models.TABLE_NAMES)
