"""holidays in the org chart

The regency's holidays per year (`holidays.set`): the days working-day counts leave out.

Revision ID: b3f8d2a6c1e4
Revises: fb9d6a98c56f
Create Date: 2026-12-07 16:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

from services.common.migration_ops import create_holiday_table_v1, drop_holiday_table_v1

revision: str = "b3f8d2a6c1e4"
down_revision: str | None = "fb9d6a98c56f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_holiday_table_v1(op)


def downgrade() -> None:
    drop_holiday_table_v1(op)
