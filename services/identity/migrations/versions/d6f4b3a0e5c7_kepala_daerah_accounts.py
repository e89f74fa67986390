"""kepala daerah accounts

The regency's Bupati/Wali Kota: an account that is not an employee, with its office and
the person's name (domain.md, "Top of the chain").

Revision ID: d6f4b3a0e5c7
Revises: 192a796ce245
Create Date: 2026-12-10 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes as st
from alembic import op

revision: str = "d6f4b3a0e5c7"
down_revision: str | None = "192a796ce245"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kepala_daerah",
        sa.Column("user_id", st.AutoString(length=64), nullable=False),
        sa.Column("tenant", st.AutoString(length=40), nullable=False),
        sa.Column("title", st.AutoString(length=200), nullable=False),
        sa.Column("name", st.AutoString(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant"], ["tenant.slug"]),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_index("ix_kepala_daerah_tenant", "kepala_daerah", ["tenant"])


def downgrade() -> None:
    op.drop_index("ix_kepala_daerah_tenant", table_name="kepala_daerah")
    op.drop_table("kepala_daerah")
