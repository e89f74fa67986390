"""Identity's tables and the HTTP schemas built on them.

Nothing is ever deleted: a deactivated employee keeps its row (``active`` false,
``deactivated_at``), its account is disabled, and the refresh tokens are kept revoked.
Supervisor and parent-unit references carry no foreign key: a CSV import may name a
supervisor (or a parent unit) defined later in the same file; the rules in ``domain.py``
keep them inside the tenant and free of cycles.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from services.common.clock import new_id, utcnow
from services.common.events import (
    EMAIL_MAX,
    LABEL_MAX,
    NAME_MAX,
    ContactPreference,
    EntityId,
    TenantSettings,
    TenantSlug,
    TimeZone,
    UnitKind,
)
from services.common.i18n import LocaleCode
from services.common.messaging import OutboxMessage, ProcessedEvent
from services.common.security import Role
from services.common.storage import UtcDateTime

TABLE_NAMES: set[str] = {
    "tenant",
    "unit",
    "employee",
    "user_account",
    "refresh_token",
    "kepala_daerah",
    "account_contact",
    "outbox",
    "processed_event",
}
KERNEL_MODELS = (OutboxMessage, ProcessedEvent)  # their tables are migrated with ours

# Accounts that belong to no tenant (platform, ops) share this scope for unique usernames.
PLATFORM_SCOPE = "*"


# ---------------------------------------------------------------- tables


class Tenant(SQLModel, table=True):
    __tablename__ = "tenant"

    slug: str = SQLField(primary_key=True, max_length=40)
    name: str = SQLField(max_length=200)
    time_zone: str = SQLField(max_length=40)
    settings: dict[str, Any] = SQLField(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UtcDateTime)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UtcDateTime)


class Unit(SQLModel, table=True):
    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("tenant", "code", name="uq_unit_tenant_code"),)

    id: str = SQLField(default_factory=new_id, primary_key=True, max_length=64)
    tenant: str = SQLField(foreign_key="tenant.slug", index=True, max_length=40)
    code: str | None = SQLField(default=None, max_length=40)
    name: str = SQLField(max_length=200)
    kind: str = SQLField(max_length=20)
    parent_id: str | None = SQLField(default=None, index=True, max_length=64)
    serves_public: bool = False
    head_employee_id: str | None = SQLField(default=None, max_length=64)
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UtcDateTime)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UtcDateTime)


class Employee(SQLModel, table=True):
    __tablename__ = "employee"
    __table_args__ = (UniqueConstraint("tenant", "nip", name="uq_employee_tenant_nip"),)

    id: str = SQLField(default_factory=new_id, primary_key=True, max_length=64)
    tenant: str = SQLField(foreign_key="tenant.slug", index=True, max_length=40)
    nip: str = SQLField(max_length=18)
    name: str = SQLField(max_length=200, index=True)
    position: str = SQLField(max_length=200)
    unit_id: str = SQLField(foreign_key="unit.id", index=True, max_length=64)
    supervisor_id: str | None = SQLField(default=None, index=True, max_length=64)
    active: bool = True
    deactivation_reason: str = ""
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UtcDateTime)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UtcDateTime)
    deactivated_at: datetime | None = SQLField(default=None, sa_type=UtcDateTime)


class UserAccount(SQLModel, table=True):
    __tablename__ = "user_account"
    __table_args__ = (UniqueConstraint("scope", "username", name="uq_user_scope_username"),)

    id: str = SQLField(default_factory=new_id, primary_key=True, max_length=64)
    tenant: str | None = SQLField(default=None, foreign_key="tenant.slug", max_length=40)
    # The tenant slug, or PLATFORM_SCOPE for platform/ops accounts (NULL is never unique).
    scope: str = SQLField(max_length=40)
    username: str = SQLField(max_length=100)
    employee_id: str | None = SQLField(
        default=None, foreign_key="employee.id", index=True, max_length=64
    )
    password_hash: str | None = None  # None: cannot log in until an admin sets a password
    roles: str = SQLField(max_length=100)  # comma-separated account roles (not atasan)
    must_change_password: bool = True
    active: bool = True
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UtcDateTime)
    password_changed_at: datetime | None = SQLField(default=None, sa_type=UtcDateTime)

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(r) for r in self.roles.split(",") if r)


class KepalaDaerah(SQLModel, table=True):
    """The regency's Bupati/Wali Kota: an account of the tenant that is not an employee (no
    NIP, no employee record). One row per account; the account's ``active`` says whether
    it holds the office (at most one active per regency); former ones are kept so the name
    of whoever approved or assessed stays known."""

    __tablename__ = "kepala_daerah"

    user_id: str = SQLField(foreign_key="user_account.id", primary_key=True, max_length=64)
    tenant: str = SQLField(foreign_key="tenant.slug", index=True, max_length=40)
    title: str = SQLField(max_length=200)  # the office, e.g. "Bupati Bantul"
    name: str = SQLField(max_length=200)  # the person holding it
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UtcDateTime)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UtcDateTime)


class AccountContact(SQLModel, table=True):
    """An account's e-mail address and what it wants mailed (``contact.set``). One row per
    account, written by the person or an admin; no row reads as no address, nothing
    mailed, Indonesian."""

    __tablename__ = "account_contact"

    user_id: str = SQLField(foreign_key="user_account.id", primary_key=True, max_length=64)
    tenant: str = SQLField(foreign_key="tenant.slug", index=True, max_length=40)
    email: str | None = SQLField(default=None, max_length=EMAIL_MAX)
    preference: str = SQLField(default="none", max_length=12)
    locale: str = SQLField(default="id", max_length=2)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UtcDateTime)


class RefreshToken(SQLModel, table=True):
    __tablename__ = "refresh_token"

    jti: str = SQLField(primary_key=True, max_length=64)
    user_id: str = SQLField(foreign_key="user_account.id", index=True, max_length=64)
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UtcDateTime)
    expires_at: datetime = SQLField(sa_type=UtcDateTime)
    revoked_at: datetime | None = SQLField(default=None, sa_type=UtcDateTime)


# ---------------------------------------------------------------- schemas

# Bounded by the constants of services/common/events.py, which size every event.
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX)]
Username = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{3,100}$", strip_whitespace=True)
]
Password = Annotated[str, StringConstraints(min_length=8, max_length=200)]
UnitCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,40}$", strip_whitespace=True)
]


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)


class TenantCreate(Schema):
    slug: TenantSlug = Field(description="lower-case regency slug, e.g. `bantul`")
    name: Name
    time_zone: TimeZone
    settings: TenantSettings = Field(default_factory=TenantSettings)


class TenantRead(Schema):
    slug: str
    name: str
    time_zone: str
    settings: TenantSettings
    created_at: datetime


class TenantSettingsPatch(Schema):
    """Only the fields given change; the result must still be valid ``TenantSettings``."""

    # Strict: `false` is not 0 days, "7" is not 7 (lax pydantic would take both).
    model_config = ConfigDict(extra="forbid", from_attributes=True, strict=True)

    achievement_cap: float | None = None
    rating_above_threshold: float | None = None
    rating_meets_threshold: float | None = None
    evaluation_cadence: str | None = Field(default=None, max_length=LABEL_MAX)
    min_survey_sample: int | None = None
    legacy_score_enabled: bool | None = None
    legacy_behaviour_points: dict[str, float] | None = Field(default=None, max_length=3)
    count_tambahan_in_overall: bool | None = None
    activity_edit_window_days: int | None = None
    behaviour_above_min_count: int | None = None
    min_aggregate_size: int | None = None
    survey_tokens_per_issuer_per_day: int | None = None


class AccountCreate(Schema):
    username: Username
    password: Password


class PlatformAccountCreate(AccountCreate):
    role: Role = Field(description="`platform` or `ops`")


class AccountRead(Schema):
    id: str
    tenant: str | None
    username: str
    employee_id: str | None
    roles: list[str]
    must_change_password: bool
    active: bool


class UnitCreate(Schema):
    code: UnitCode | None = Field(default=None, description="the regency's own code, unique")
    name: Name
    kind: UnitKind
    parent_id: EntityId | None = None
    serves_public: bool = False
    head_employee_id: EntityId | None = None


class UnitUpdate(Schema):
    """Fields left out keep their value; an explicit null clears parent or head."""

    code: UnitCode | None = None
    name: Name | None = None
    kind: UnitKind | None = None
    parent_id: EntityId | None = None
    serves_public: bool | None = None
    head_employee_id: EntityId | None = None


class UnitRead(Schema):
    id: str
    code: str | None
    name: str
    kind: UnitKind
    parent_id: str | None
    serves_public: bool
    head_employee_id: str | None
    created_at: datetime
    updated_at: datetime


class EmployeeCreate(Schema):
    nip: str = Field(max_length=40, description="18 digits, checked as domain.md says")
    name: Name
    position: Name
    unit_id: EntityId
    supervisor_id: EntityId | None = None
    password: Password | None = Field(
        default=None,
        description="initial password (must be changed at first login); without one the "
        "employee cannot log in until an admin sets it",
    )


class EmployeeUpdate(Schema):
    """Fields left out keep their value; an explicit null supervisor_id clears it."""

    name: Name | None = None
    position: Name | None = None
    unit_id: EntityId | None = None
    supervisor_id: EntityId | None = None


class EmployeeRead(Schema):
    id: str
    nip: str | None = Field(description="shown to admins and to the employee only")
    name: str
    position: str
    unit_id: str
    supervisor_id: str | None
    active: bool
    created_at: datetime
    updated_at: datetime
    deactivated_at: datetime | None = None


class Deactivation(Schema):
    reason: str = Field(default="", max_length=500)


class PasswordSet(Schema):
    password: Password


class LoginRequest(Schema):
    tenant: TenantSlug | None = Field(
        default=None, description="regency slug; null for platform and ops accounts"
    )
    username: str = Field(max_length=100, description="NIP for employees, else the username")
    password: str = Field(max_length=200)


class TokenPair(Schema):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds until the access token expires")
    must_change_password: bool


class RefreshRequest(Schema):
    refresh_token: str = Field(max_length=4096)


class PasswordChange(Schema):
    current_password: str = Field(max_length=200)
    new_password: Password


class KepalaDaerahCreate(Schema):
    title: Name = Field(description='the office as documents print it, e.g. "Bupati Bantul"')
    name: Name = Field(description="the person holding it")
    username: Username
    password: Password = Field(description="initial password, to be changed at first login")


class KepalaDaerahUpdate(Schema):
    title: Name | None = None
    name: Name | None = None


class KepalaDaerahRead(Schema):
    user_id: str
    username: str | None = Field(description="shown to admins and to the kepala daerah only")
    title: str
    name: str
    active: bool


class Me(Schema):
    user_id: str
    username: str
    tenant: str | None
    roles: list[str]
    must_change_password: bool
    employee: EmployeeRead | None
    kepala_daerah: KepalaDaerahRead | None = Field(
        default=None, description="the office and name, for a kepala daerah account"
    )


def _email(value: str) -> str:
    """The address as email-validator normalises it (shape only: no DNS look-up, so an
    offline deployment can save addresses); a refusal is the ``email_invalid`` 422 item."""
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise PydanticCustomError(
            "email_invalid", "not a valid e-mail address: {reason}", {"reason": str(exc)}
        ) from exc


Email = Annotated[str, StringConstraints(max_length=EMAIL_MAX), AfterValidator(_email)]


class ContactWrite(Schema):
    email: Email | None = Field(
        default=None, description="where mail goes; null removes the address"
    )
    preference: ContactPreference = Field(
        default="none",
        description="`immediate`: each complaint alert as it is raised; `digest`: one mail "
        "a day listing the open alerts; `none`: nothing",
    )
    locale: LocaleCode = Field(default="id", description="the language of the mails")


class ContactRead(ContactWrite):
    user_id: str
    name: str = Field(description="the person's name as mails greet them")


class ReasonRead(Schema):
    message: str = Field(description="the English template, `{name}` placeholders")
    params: dict[str, str | int | float | None]


class ImportProblem(Schema):
    line: int = Field(description="line of the CSV file, the header being line 1")
    reason: str = Field(description="what is wrong, in the caller's language")
    reasons: list[ReasonRead] = Field(description="the same, as templates and parameters")


class ImportReport(Schema):
    dry_run: bool
    rows: int = Field(description="data rows read")
    created: int = Field(description="rows written (0 on a dry run or when any row is bad)")
    errors: list[ImportProblem]
