"""The kernel's tables, as Alembic operations every service's first migration calls.

Each service database holds the outbox and the inbox (``processed_event``), and most hold a
copy of the org chart (``org_*``). Their definitions live here once instead of in every
service's migration. The ``_v1`` functions are frozen like any migration: a later change to
these tables gets new functions (``_v2``) called from a new revision of each service.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlmodel.sql.sqltypes as st


def _text(length: int | None = None) -> Any:
    return st.AutoString(length=length) if length else st.AutoString()


def create_messaging_tables_v1(op: Any) -> None:
    """The outbox (events waiting for Kafka) and the inbox (events already applied)."""
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", _text(36), nullable=False),
        sa.Column("topic", _text(200), nullable=False),
        sa.Column("key", _text(200), nullable=False),
        sa.Column("type", _text(100), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", st.UTCDateTime(), nullable=False),
        sa.Column("published_at", st.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index("ix_outbox_published_at", "outbox", ["published_at"])
    op.create_table(
        "processed_event",
        sa.Column("event_id", _text(36), nullable=False),
        sa.Column("type", _text(100), nullable=False),
        sa.Column("processed_at", st.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )


def drop_messaging_tables_v1(op: Any) -> None:
    op.drop_table("processed_event")
    op.drop_index("ix_outbox_published_at", table_name="outbox")
    op.drop_table("outbox")


def add_outbox_parking_v2(op: Any) -> None:
    """Rows the relay can never publish (too large, invalid) are parked, not retried
    forever: ``parked_at`` says when, ``park_reason`` a short code such as ``too_large``."""
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("parked_at", st.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("park_reason", _text(40), nullable=True))
    op.create_index("ix_outbox_parked_at", "outbox", ["parked_at"])


def drop_outbox_parking_v2(op: Any) -> None:
    op.drop_index("ix_outbox_parked_at", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("park_reason")
        batch.drop_column("parked_at")


def create_org_chart_tables_v1(op: Any) -> None:
    """A service's copy of the org chart (``services.common.orgchart``)."""
    op.create_table(
        "org_tenant",
        sa.Column("slug", _text(40), nullable=False),
        sa.Column("name", _text(), nullable=False),
        sa.Column("time_zone", _text(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("slug"),
    )
    op.create_table(
        "org_unit",
        sa.Column("tenant", _text(40), nullable=False),
        sa.Column("unit_id", _text(64), nullable=False),
        sa.Column("name", _text(), nullable=False),
        sa.Column("kind", _text(), nullable=False),
        sa.Column("parent_id", _text(), nullable=True),
        sa.Column("serves_public", sa.Boolean(), nullable=False),
        sa.Column("head_employee_id", _text(), nullable=True),
        sa.PrimaryKeyConstraint("tenant", "unit_id"),
    )
    op.create_table(
        "org_employee",
        sa.Column("tenant", _text(40), nullable=False),
        sa.Column("employee_id", _text(64), nullable=False),
        sa.Column("nip", _text(18), nullable=False),
        sa.Column("name", _text(), nullable=False),
        sa.Column("position", _text(), nullable=False),
        sa.Column("unit_id", _text(), nullable=False),
        sa.Column("supervisor_id", _text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "employee_id"),
    )
    op.create_index("ix_org_employee_supervisor_id", "org_employee", ["supervisor_id"])
    op.create_index("ix_org_employee_unit_id", "org_employee", ["unit_id"])


def drop_org_chart_tables_v1(op: Any) -> None:
    op.drop_index("ix_org_employee_unit_id", table_name="org_employee")
    op.drop_index("ix_org_employee_supervisor_id", table_name="org_employee")
    op.drop_table("org_employee")
    op.drop_table("org_unit")
    op.drop_table("org_tenant")


def create_kepala_daerah_table_v1(op: Any) -> None:
    """The regency's kepala daerah accounts in a service's org chart copy
    (``services.common.orgchart.OrgKepalaDaerah``)."""
    op.create_table(
        "org_kepala_daerah",
        sa.Column("tenant", _text(40), nullable=False),
        sa.Column("user_id", _text(64), nullable=False),
        sa.Column("title", _text(), nullable=False),
        sa.Column("name", _text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "user_id"),
    )


def drop_kepala_daerah_table_v1(op: Any) -> None:
    op.drop_table("org_kepala_daerah")


def create_holiday_table_v1(op: Any) -> None:
    """The regency's holidays per year in a service's org chart copy
    (``services.common.orgchart.OrgHoliday``)."""
    op.create_table(
        "org_holiday",
        sa.Column("tenant", _text(40), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("days", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("tenant", "year"),
    )


def drop_holiday_table_v1(op: Any) -> None:
    op.drop_table("org_holiday")
