"""outbox rows can be parked

A row the relay can never publish (larger than Kafka accepts, invalid) is parked with a
reason instead of being retried forever ahead of every later row.

Revision ID: 58134d8e22d1
Revises: 7b6999b01353
Create Date: 2026-12-02 14:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

from services.common.migration_ops import add_outbox_parking_v2, drop_outbox_parking_v2

revision: str = "58134d8e22d1"
down_revision: str | None = "7b6999b01353"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_outbox_parking_v2(op)


def downgrade() -> None:
    drop_outbox_parking_v2(op)
