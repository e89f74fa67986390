"""outbox rows can be parked

A row the relay can never publish (larger than Kafka accepts, invalid) is parked with a
reason instead of being retried forever ahead of every later row.

Revision ID: de1be6922971
Revises: 12a509c35292
Create Date: 2026-12-02 14:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

from services.common.migration_ops import add_outbox_parking_v2, drop_outbox_parking_v2

revision: str = "de1be6922971"
down_revision: str | None = "12a509c35292"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_outbox_parking_v2(op)


def downgrade() -> None:
    drop_outbox_parking_v2(op)
