"""outbox rows can be parked

A row the relay can never publish (larger than Kafka accepts, invalid) is parked with a
reason instead of being retried forever ahead of every later row.

Revision ID: fb9d6a98c56f
Revises: e512be201ea8
Create Date: 2026-12-02 14:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

from services.common.migration_ops import add_outbox_parking_v2, drop_outbox_parking_v2

revision: str = "fb9d6a98c56f"
down_revision: str | None = "e512be201ea8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_outbox_parking_v2(op)


def downgrade() -> None:
    drop_outbox_parking_v2(op)
