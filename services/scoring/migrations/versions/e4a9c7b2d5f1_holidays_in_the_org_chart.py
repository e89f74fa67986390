"""holidays in the org chart

The regency's holidays per year (`holidays.set`): the days working-day counts leave out.

Revision ID: e4a9c7b2d5f1
Revises: c5e3a2f9d4b6
Create Date: 2026-12-07 16:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

from services.common.migration_ops import create_holiday_table_v1, drop_holiday_table_v1

revision: str = "e4a9c7b2d5f1"
down_revision: str | None = "c5e3a2f9d4b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_holiday_table_v1(op)


def downgrade() -> None:
    drop_holiday_table_v1(op)
