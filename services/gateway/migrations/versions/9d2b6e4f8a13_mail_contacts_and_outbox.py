"""mail contacts and outbox

The people's e-mail contacts (``contact.set``) and the mails to send, each leased by
compare-and-set before it is sent.

Revision ID: 9d2b6e4f8a13
Revises: c5e7a9b1d3f2
Create Date: 2026-12-07 16:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes as st
from alembic import op

revision: str = "9d2b6e4f8a13"
down_revision: str | None = "c5e7a9b1d3f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_contact",
        sa.Column("tenant", st.AutoString(length=40), nullable=False),
        sa.Column("recipient_id", st.AutoString(length=64), nullable=False),
        sa.Column("user_id", st.AutoString(length=64), nullable=False),
        sa.Column("email", st.AutoString(length=254), nullable=True),
        sa.Column("preference", st.AutoString(length=12), nullable=False),
        sa.Column("locale", st.AutoString(length=2), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "recipient_id"),
    )
    op.create_table(
        "mail_outbox",
        sa.Column("id", st.AutoString(length=36), nullable=False),
        sa.Column("key", st.AutoString(length=200), nullable=False),
        sa.Column("tenant", st.AutoString(length=40), nullable=False),
        sa.Column("recipient_id", st.AutoString(length=64), nullable=False),
        sa.Column("address", st.AutoString(length=254), nullable=False),
        sa.Column("locale", st.AutoString(length=2), nullable=False),
        sa.Column("kind", st.AutoString(length=12), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", st.AutoString(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", st.AutoString(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", name="uq_mail_outbox_key"),
    )
    op.create_index(
        "ix_mail_outbox_due", "mail_outbox", ["sent_at", "failed_at", "next_attempt_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_mail_outbox_due", table_name="mail_outbox")
    op.drop_table("mail_outbox")
    op.drop_table("mail_contact")
