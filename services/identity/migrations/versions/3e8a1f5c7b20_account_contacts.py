"""account contacts

Each account's e-mail address, what it wants mailed (immediate, digest, none) and the
language of its mails (``contact.set``).

Revision ID: 3e8a1f5c7b20
Revises: d6f4b3a0e5c7
Create Date: 2026-12-07 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes as st
from alembic import op

revision: str = "3e8a1f5c7b20"
down_revision: str | None = "d6f4b3a0e5c7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_contact",
        sa.Column("user_id", st.AutoString(length=64), nullable=False),
        sa.Column("tenant", st.AutoString(length=40), nullable=False),
        sa.Column("email", st.AutoString(length=254), nullable=True),
        sa.Column("preference", st.AutoString(length=12), nullable=False),
        sa.Column("locale", st.AutoString(length=2), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant"], ["tenant.slug"]),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_index("ix_account_contact_tenant", "account_contact", ["tenant"])


def downgrade() -> None:
    op.drop_index("ix_account_contact_tenant", table_name="account_contact")
    op.drop_table("account_contact")
