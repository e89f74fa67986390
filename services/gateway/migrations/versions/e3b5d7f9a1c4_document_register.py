"""document register and ranks

The official PDFs the gateway issued (what a verification QR opens) and each employee's
golongan from identity's events (the documents print it).

Revision ID: e3b5d7f9a1c4
Revises: 9d2b6e4f8a13
Create Date: 2026-12-07 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes as st
from alembic import op

revision: str = "e3b5d7f9a1c4"
down_revision: str | None = "9d2b6e4f8a13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "gateway_document",
        sa.Column("token", st.AutoString(length=64), nullable=False),
        sa.Column("tenant", st.AutoString(length=40), nullable=False),
        sa.Column("kind", st.AutoString(length=16), nullable=False),
        sa.Column("subject_key", st.AutoString(length=200), nullable=False),
        sa.Column("holder", st.AutoString(length=300), nullable=False),
        sa.Column("period", st.AutoString(length=80), nullable=False),
        sa.Column("digest", st.AutoString(length=64), nullable=False),
        sa.Column("issued_by", st.AutoString(length=200), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token"),
    )
    with op.batch_alter_table("gateway_document", schema=None) as batch_op:
        batch_op.create_index(
            "ix_gateway_document_subject", ["tenant", "subject_key"], unique=False
        )
    op.create_table(
        "gateway_rank",
        sa.Column("tenant", st.AutoString(length=40), nullable=False),
        sa.Column("employee_id", st.AutoString(length=64), nullable=False),
        sa.Column("golongan", st.AutoString(length=8), nullable=True),
        sa.PrimaryKeyConstraint("tenant", "employee_id"),
    )


def downgrade() -> None:
    op.drop_table("gateway_rank")
    with op.batch_alter_table("gateway_document", schema=None) as batch_op:
        batch_op.drop_index("ix_gateway_document_subject")
    op.drop_table("gateway_document")
