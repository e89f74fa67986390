"""outbox rows can be parked

A row the relay can never publish (larger than Kafka accepts, invalid) is parked with a
reason instead of being retried forever ahead of every later row.

Revision ID: 01befe9c0a72
Revises: 46c985984e70
Create Date: 2026-12-02 14:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

from services.common.migration_ops import add_outbox_parking_v2, drop_outbox_parking_v2

revision: str = "01befe9c0a72"
down_revision: str | None = "46c985984e70"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_outbox_parking_v2(op)


def downgrade() -> None:
    drop_outbox_parking_v2(op)
