"""kepala daerah in the org chart

The regency's kepala daerah account (`kepala_daerah.set`): who approves and assesses the
employees without a direct supervisor, and whose name the service shows for it.

Revision ID: a3c1e0d7b2f4
Revises: 58134d8e22d1
Create Date: 2026-12-10 10:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

from services.common.migration_ops import (
    create_kepala_daerah_table_v1,
    drop_kepala_daerah_table_v1,
)

revision: str = "a3c1e0d7b2f4"
down_revision: str | None = "58134d8e22d1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_kepala_daerah_table_v1(op)


def downgrade() -> None:
    drop_kepala_daerah_table_v1(op)
