"""kepala daerah in the org chart

The regency's kepala daerah account (`kepala_daerah.set`): who approves and assesses the
employees without a direct supervisor, and whose name the service shows for it.

Revision ID: c5e7a9b1d3f2
Revises: 7a3f2c91d4e5
Create Date: 2026-12-02 16:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

from services.common.migration_ops import (
    create_kepala_daerah_table_v1,
    drop_kepala_daerah_table_v1,
)

revision: str = "c5e7a9b1d3f2"
down_revision: str | None = "7a3f2c91d4e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_kepala_daerah_table_v1(op)


def downgrade() -> None:
    drop_kepala_daerah_table_v1(op)
