"""score_employee by tenant and period

The regency's and a unit's views read one period of one tenant; the primary key (tenant,
employee, period) cannot serve that, so each read scanned the table.

Revision ID: f7b2d4e6a8c1
Revises: e4a9c7b2d5f1
Create Date: 2026-12-07 19:50:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "f7b2d4e6a8c1"
down_revision: str | None = "e4a9c7b2d5f1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_score_employee_tenant_period", "score_employee", ["tenant", "period"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_score_employee_tenant_period", table_name="score_employee")
