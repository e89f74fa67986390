"""alert params

An alert's text is rendered for each reader in their language from its kind and params
(names, figures); the stored English message stays for alerts raised before.

Revision ID: 7a3f2c91d4e5
Revises: 01befe9c0a72
Create Date: 2026-12-02 15:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7a3f2c91d4e5"
down_revision: str | None = "01befe9c0a72"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("gateway_alert") as batch:
        batch.add_column(sa.Column("params", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("gateway_alert") as batch:
        batch.drop_column("params")
