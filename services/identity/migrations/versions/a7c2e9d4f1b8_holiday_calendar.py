"""holiday calendar

The regency's national holidays and cuti bersama days per year (``holidays.set``): the
days every working-day computation leaves out.

Revision ID: a7c2e9d4f1b8
Revises: 3e8a1f5c7b20
Create Date: 2026-12-07 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes as st
from alembic import op

revision: str = "a7c2e9d4f1b8"
down_revision: str | None = "3e8a1f5c7b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "holiday",
        sa.Column("tenant", st.AutoString(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", st.AutoString(length=200), nullable=False),
        sa.Column("kind", st.AutoString(length=20), nullable=False),
        sa.ForeignKeyConstraint(["tenant"], ["tenant.slug"]),
        sa.PrimaryKeyConstraint("tenant", "day"),
    )


def downgrade() -> None:
    op.drop_table("holiday")
