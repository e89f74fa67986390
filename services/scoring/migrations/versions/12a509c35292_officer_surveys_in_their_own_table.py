"""officer surveys in their own table

Surveys naming an officer move out of score_employee (whose rows the owner of the
employee's partition keeps in memory) into score_officer_survey. These are projections:
existing officer survey figures come back with a replay.

Revision ID: 12a509c35292
Revises: 39411cd5df10
Create Date: 2026-11-23 19:06:06.805811
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "12a509c35292"
down_revision: str | None = "39411cd5df10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "score_officer_survey",
        sa.Column("tenant", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("officer_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("survey_count", sa.Integer(), nullable=False),
        sa.Column("u1", sa.Integer(), nullable=False),
        sa.Column("u2", sa.Integer(), nullable=False),
        sa.Column("u3", sa.Integer(), nullable=False),
        sa.Column("u4", sa.Integer(), nullable=False),
        sa.Column("u5", sa.Integer(), nullable=False),
        sa.Column("u6", sa.Integer(), nullable=False),
        sa.Column("u7", sa.Integer(), nullable=False),
        sa.Column("u8", sa.Integer(), nullable=False),
        sa.Column("u9", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "officer_id", "year"),
    )
    with op.batch_alter_table("score_employee", schema=None) as batch_op:
        batch_op.drop_column("survey_count")
        batch_op.drop_column("survey_sums")


def downgrade() -> None:
    with op.batch_alter_table("score_employee", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("survey_sums", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("survey_count", sa.INTEGER(), nullable=False, server_default="0")
        )

    op.drop_table("score_officer_survey")
