"""alerts marked read

A supervisor marks an alert read: the moment is kept on the recipient's rows of that
alert, so the bell counter agrees on every device and after a reload.

Revision ID: b81e4c2d9f30
Revises: 7a3f2c91d4e5
Create Date: 2026-12-03 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b81e4c2d9f30"
down_revision: str | None = "7a3f2c91d4e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("gateway_alert") as batch:
        batch.add_column(sa.Column("read_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("gateway_alert") as batch:
        batch.drop_column("read_at")
