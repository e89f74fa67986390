"""Tokens, passwords, and the FastAPI dependency that says who is calling.

Tokens are JWTs (PyJWT, HS256) carrying the tenant, the roles and the employee id. The
tenant of a request comes only from a verified token, never from the URL or the body.
Passwords are hashed with argon2 (argon2-cffi's recommended parameters).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.common.clock import utcnow
from services.common.refusals import Forbidden, Unauthorized

ALGORITHM = "HS256"
ISSUER = "kinerja"

_hasher = PasswordHasher()


class Role(StrEnum):
    PEGAWAI = "pegawai"
    ATASAN = "atasan"
    ADMIN = "admin"
    # Duties an admin designates on a pegawai's account (domain.md, "Who uses it"); each
    # applies to the unit the employee works in.
    PETUGAS_LOKET = "petugas_loket"  # counter officer: issues survey tokens
    PENGELOLA_PENGADUAN = "pengelola_pengaduan"  # complaint officer: handles complaints
    PLATFORM = "platform"
    OPS = "ops"
    # The regency's Bupati/Wali Kota (pejabat pembina kepegawaian): an account of the
    # tenant that is not an employee (no NIP, no employee record). It approves and assesses
    # the employees who have no direct supervisor (domain.md, "Top of the chain").
    KEPALA_DAERAH = "kepala_daerah"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_dummy_hashes: dict[tuple[object, ...], str] = {}


def dummy_hash() -> str:
    """A hash of a random password, made by the hasher real passwords are hashed with now.

    Verified when a login names no account, so that a miss costs what a wrong password
    costs: a hash with other argon2 parameters would take another time to verify and tell
    an attacker which usernames exist. Kept per set of parameters, so it follows a change.
    """
    hasher = _hasher
    key = (
        hasher.type,
        hasher.time_cost,
        hasher.memory_cost,
        hasher.parallelism,
        hasher.hash_len,
        hasher.salt_len,
    )
    if key not in _dummy_hashes:
        _dummy_hashes[key] = hasher.hash(uuid.uuid4().hex)
    return _dummy_hashes[key]


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@dataclass(frozen=True)
class Principal:
    """The verified caller of a request."""

    user_id: str
    tenant: str | None  # None only for the platform operator
    roles: frozenset[Role]
    employee_id: str | None
    token_id: str
    expires_at: datetime
    # Set for an initial password (identity's ``must_change_password``): such a token is
    # accepted only by the routes that depend on ``PasswordChangePrincipal``.
    must_change_password: bool = False

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    def home(self) -> str:
        """The caller's tenant; refused for accounts of no tenant (platform, ops)."""
        if self.tenant is None:
            raise Forbidden("this account has no tenant")
        return self.tenant

    @property
    def is_kepala_daerah(self) -> bool:
        return Role.KEPALA_DAERAH in self.roles and self.employee_id is None

    def actor(self) -> str:
        """The caller as the org chart names a supervisor: the employee id, or for the
        kepala daerah (no employee record) the account id, which every event and alert
        uses for them. Refused for other accounts that are not an employee."""
        if self.employee_id is not None:
            return self.employee_id
        if self.is_kepala_daerah:
            return self.user_id
        raise Forbidden("this account is not an employee")

    def me(self) -> str:
        """The caller's employee id; refused for accounts that are not an employee."""
        if self.employee_id is None:
            raise Forbidden("this account is not an employee")
        return self.employee_id


def issue_token(
    *,
    secret: str,
    user_id: str,
    tenant: str | None,
    roles: Iterable[Role],
    employee_id: str | None,
    lifetime: timedelta,
    kind: Literal["access", "refresh"] = "access",
    token_id: str | None = None,
    must_change_password: bool = False,
) -> str:
    now = utcnow()
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "sub": user_id,
        "tenant": tenant,
        "roles": sorted(str(r) for r in roles),
        "emp": employee_id,
        "kind": kind,
        "jti": token_id or uuid.uuid4().hex,
        "iat": now,
        "exp": now + lifetime,
    }
    if must_change_password:
        claims["mcp"] = True
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


class InvalidToken(Exception):
    pass


def verify_token(token: str, *, secret: str, kind: str = "access") -> Principal:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "jti", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise InvalidToken("token expired") from None
    except jwt.PyJWTError as exc:
        raise InvalidToken(f"invalid token: {exc}") from None
    if claims.get("kind") != kind:
        raise InvalidToken(f"not an {kind} token")
    try:
        roles = frozenset(Role(r) for r in claims.get("roles", []))
    except ValueError:
        raise InvalidToken("unknown role in token") from None
    return Principal(
        user_id=str(claims["sub"]),
        tenant=claims.get("tenant"),
        roles=roles,
        employee_id=claims.get("emp"),
        token_id=str(claims["jti"]),
        expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        must_change_password=claims.get("mcp") is True,
    )


_bearer = HTTPBearer(auto_error=False, description="An access token from POST /api/v1/auth/login")


def _unauthorized(reason: str) -> Unauthorized:
    return Unauthorized(
        "the access token is not valid: {problem}",
        problem=reason,
        headers={"WWW-Authenticate": "Bearer"},
    )


CHANGE_PASSWORD_FIRST = "change your password first (POST /api/v1/auth/password)"


def password_change_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """FastAPI dependency: the verified caller, even one who must change their password.

    Only for the routes such a caller needs (identity's password change and ``/me``); every
    other route uses ``current_principal``. 401 without a valid access token. The secret is
    read from ``app.state.jwt_secret`` (set by each service's create_app).
    """
    if credentials is None:
        raise Unauthorized("missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    try:
        return verify_token(credentials.credentials, secret=request.app.state.jwt_secret)
    except InvalidToken as exc:
        raise _unauthorized(str(exc)) from None


PasswordChangePrincipal = Annotated[Principal, Depends(password_change_principal)]


def current_principal(principal: PasswordChangePrincipal) -> Principal:
    """FastAPI dependency: the verified caller; 401 without a valid access token, 403 for a
    token issued on an initial password that has not been changed yet."""
    if principal.must_change_password:
        raise Forbidden(CHANGE_PASSWORD_FIRST)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Principal]:
    """Dependency factory: 403 unless the caller has one of ``roles``."""

    def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has(*roles):
            raise Forbidden("requires one of the roles: {roles}", roles=", ".join(sorted(roles)))
        return principal

    return check


def tenant_of(principal: Principal) -> str:
    """The caller's tenant; 403 for accounts that belong to no tenant (platform, ops)."""
    return principal.home()
