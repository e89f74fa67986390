"""Alembic environment of the assessment service: only its own tables."""

from alembic import context
from sqlmodel import SQLModel

from services.assessment import models
from services.common.storage import run_migrations_online

run_migrations_online(context.config, SQLModel.metadata, models.TABLE_NAMES)
