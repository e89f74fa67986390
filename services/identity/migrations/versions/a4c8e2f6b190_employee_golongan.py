"""employee golongan

Pangkat/golongan of an employee (domain.md, Identity): the official documents print it.
Nullable: employees registered before it have none until an admin enters it.

Revision ID: a4c8e2f6b190
Revises: a7c2e9d4f1b8
Create Date: 2026-12-07 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes as st
from alembic import op

revision: str = "a4c8e2f6b190"
down_revision: str | None = "a7c2e9d4f1b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("employee", schema=None) as batch_op:
        batch_op.add_column(sa.Column("golongan", st.AutoString(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("employee", schema=None) as batch_op:
        batch_op.drop_column("golongan")
