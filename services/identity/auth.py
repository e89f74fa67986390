"""Login, refresh-token rotation, logout and password change, with failed-login limits.

Access tokens are short-lived JWTs (``access_token_minutes``) and are not revocable;
refresh tokens are JWTs whose ``jti`` is stored, rotated on every use and revoked on
logout. Presenting a refresh token that was already rotated or revoked revokes every
refresh token of that account (a stolen token was probably used).
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field
from datetime import timedelta

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from prometheus_client import CollectorRegistry, Counter
from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.common.clock import new_id, utcnow
from services.common.refusals import BadRequest, TooManyRequests, Unauthorized
from services.common.rows import updated_one
from services.common.security import (
    InvalidToken,
    Principal,
    dummy_hash,
    issue_token,
    needs_rehash,
    verify_password,
    verify_token,
)
from services.common.storage import SessionFactory
from services.identity import demo_accounts, domain
from services.identity.models import (
    PLATFORM_SCOPE,
    LoginRequest,
    RefreshToken,
    TokenPair,
    UserAccount,
)
from services.identity.records import (
    as_utc,
    find_account,
    has_direct_reports,
    hash_in_thread,
    revoke_refresh_tokens,
    transaction,
)


def _dummy_hash() -> str:
    """Verified when the account does not exist, so a miss costs as long as a wrong password."""
    return dummy_hash()


@dataclass(frozen=True)
class TokenConfig:
    secret: str  # signs every new token
    access_lifetime: timedelta
    refresh_lifetime: timedelta
    # Verify only, during a rotation: a refresh token signed before it still renews.
    previous: tuple[str, ...] = ()

    @property
    def verify_keys(self) -> tuple[str, ...]:
        return (self.secret, *self.previous)


@dataclass
class LoginGuard:
    """Failed logins per (tenant, username, client address) and per client address, in a
    moving window.

    The account's budget is per address: a limit on the account alone would refuse even
    the right password, so anyone who knows a NIP could lock its owner out. Guessing one
    account from many addresses is bounded by each address's own global budget.
    Counters live where ``IDENTITY_RATE_LIMIT_STORAGE_URL`` says: ``memory://`` (this
    process; behind N instances the effective limit is N times itself) or Redis, shared by
    every instance (``services.common.ratelimits``; in memory while Redis is down).
    """

    per_account: RateLimitItem
    per_address: RateLimitItem
    failures: Counter
    limiter: MovingWindowRateLimiter = field(
        default_factory=lambda: MovingWindowRateLimiter(MemoryStorage())
    )

    @classmethod
    def create(
        cls,
        *,
        per_account: str,
        per_address: str,
        registry: CollectorRegistry,
        limiter: MovingWindowRateLimiter | None = None,
    ) -> LoginGuard:
        failures = Counter(
            "kinerja_identity_failed_logins_total",
            "Failed login attempts, by reason",
            ["reason"],
            registry=registry,
        )
        limiter = limiter or MovingWindowRateLimiter(MemoryStorage())
        return cls(parse(per_account), parse(per_address), failures, limiter)

    def check(self, account: tuple[str, str], address: str) -> None:
        keys: tuple[str, ...] = (*account, address)
        if not self.limiter.test(self.per_account, *keys):
            raise TooManyRequests(
                "too many failed logins for this account from this address ({limit}); "
                "try again in {seconds} s",
                limit=str(self.per_account),
                seconds=self._blocked(self.per_account, keys),
            )
        keys = ("address", address)
        if not self.limiter.test(self.per_address, *keys):
            raise TooManyRequests(
                "too many failed logins for this address ({limit}); try again in {seconds} s",
                limit=str(self.per_address),
                seconds=self._blocked(self.per_address, keys),
            )

    def _blocked(self, item: RateLimitItem, keys: tuple[str, ...]) -> int:
        """Count the refusal; the seconds until the window lets another attempt in."""
        self.failures.labels(reason="rate_limited").inc()
        reset = self.limiter.get_window_stats(item, *keys).reset_time
        return max(1, math.ceil(reset - time.time()))

    def failed(self, account: tuple[str, str], address: str, reason: str) -> None:
        self.failures.labels(reason=reason).inc()
        self.limiter.hit(self.per_account, *account, address)
        self.limiter.hit(self.per_address, "address", address)

    def succeeded(self, account: tuple[str, str], address: str) -> None:
        self.limiter.clear(self.per_account, *account, address)


async def login(
    *,
    sessions: SessionFactory,
    tokens: TokenConfig,
    guard: LoginGuard,
    body: LoginRequest,
    address: str,
    environment: str = "production",
) -> TokenPair:
    scope = body.tenant or PLATFORM_SCOPE
    key = (scope, body.username)
    guard.check(key, address)
    async with sessions() as session:
        account = await find_account(session, scope, body.username)
    stored = (
        account.password_hash
        if account and account.password_hash
        else await asyncio.to_thread(_dummy_hash)
    )
    matches = await asyncio.to_thread(verify_password, stored, body.password)
    if account is None or not account.password_hash or not matches:
        reason = "unknown_account" if account is None else "wrong_password"
        guard.failed(key, address, reason)
        raise Unauthorized("wrong username or password")
    if not account.active:
        guard.failed(key, address, "disabled")
        raise Unauthorized("this account is disabled")
    guard.succeeded(key, address)
    upgrade = needs_rehash(stored) and not demo_accounts.keep_hash(stored, environment)
    new_hash = await hash_in_thread(body.password) if upgrade else None
    async with transaction(sessions) as session:
        if new_hash:
            account.password_hash = new_hash
            session.add(account)
        return await issue_pair(session, account, tokens)


async def issue_pair(session: AsyncSession, account: UserAccount, tokens: TokenConfig) -> TokenPair:
    """Access and refresh token for an account; the refresh token's id is stored."""
    reports = bool(
        account.tenant
        and account.employee_id
        and await has_direct_reports(session, account.tenant, account.employee_id)
    )
    roles = domain.token_roles(account.role_set, has_direct_reports=reports)
    jti = new_id()
    common = {
        "secret": tokens.secret,
        "user_id": account.id,
        "tenant": account.tenant,
        "roles": roles,
        "employee_id": account.employee_id,
    }
    access = issue_token(
        **common,  # type: ignore[arg-type]
        lifetime=tokens.access_lifetime,
        must_change_password=account.must_change_password,
    )
    refresh = issue_token(
        **common,  # type: ignore[arg-type]
        lifetime=tokens.refresh_lifetime,
        kind="refresh",
        token_id=jti,
    )
    session.add(
        RefreshToken(jti=jti, user_id=account.id, expires_at=utcnow() + tokens.refresh_lifetime)
    )
    return TokenPair(
        access_token=access,
        refresh_token=refresh,
        expires_in=int(tokens.access_lifetime.total_seconds()),
        must_change_password=account.must_change_password,
    )


def _verified_refresh(token: str, secret: tuple[str, ...]) -> Principal:
    try:
        return verify_token(token, secret=secret, kind="refresh")
    except InvalidToken as exc:
        raise Unauthorized("the refresh token is not valid: {problem}", problem=str(exc)) from None


async def refresh(
    *, sessions: SessionFactory, tokens: TokenConfig, refresh_token: str
) -> TokenPair:
    """Rotate a refresh token: exactly one use of it succeeds.

    The token is claimed by a conditional UPDATE (``revoked_at IS NULL``) before anything
    is read, so two concurrent uses cannot both see it unused: on PostgreSQL the second
    waits for the first's row lock and then matches no row; on SQLite the write takes the
    database's write lock first. A use that claims nothing is a reuse of a rotated (or
    revoked) token: every refresh token of the account is revoked (reuse detection).
    """
    claims = _verified_refresh(refresh_token, tokens.verify_keys)
    async with transaction(sessions) as session:
        claimed = await updated_one(
            session,
            update(RefreshToken)
            .where(
                col(RefreshToken.jti) == claims.token_id,
                col(RefreshToken.revoked_at).is_(None),
            )
            .values(revoked_at=utcnow()),
        )
        row = await session.get(RefreshToken, claims.token_id)
        if row is None:
            raise Unauthorized("unknown refresh token")
        if claimed:
            # An error below rolls the claim back: the token stays as it was.
            if as_utc(row.expires_at) <= utcnow():
                raise Unauthorized("refresh token expired")
            account = await session.get(UserAccount, row.user_id)
            if account is None or not account.active:
                raise Unauthorized("this account is disabled")
            return await issue_pair(session, account, tokens)
        await revoke_refresh_tokens(session, row.user_id)
    raise Unauthorized("refresh token already used or revoked: log in again")


async def logout(*, sessions: SessionFactory, tokens: TokenConfig, refresh_token: str) -> None:
    claims = _verified_refresh(refresh_token, tokens.verify_keys)
    async with transaction(sessions) as session:
        row = await session.get(RefreshToken, claims.token_id)
        if row is not None and row.revoked_at is None:
            row.revoked_at = utcnow()
            session.add(row)


async def change_password(
    *,
    sessions: SessionFactory,
    tokens: TokenConfig,
    principal: Principal,
    current: str,
    new: str,
) -> TokenPair:
    """Set a new password; every refresh token of the account is revoked and a fresh pair
    (without the must-change-password mark) is issued for the caller."""
    async with sessions() as session:
        account = await session.get(UserAccount, principal.user_id)
    if account is None or not account.active:
        raise Unauthorized("this account is disabled")
    if not account.password_hash or not await asyncio.to_thread(
        verify_password, account.password_hash, current
    ):
        raise BadRequest("the current password is wrong")
    problem = domain.password_problem(new, username=account.username)
    if problem:
        raise BadRequest.of(problem)
    if new == current:
        raise BadRequest("the new password must differ from the current one")
    new_hash = await hash_in_thread(new)
    async with transaction(sessions) as session:
        account.password_hash = new_hash
        account.must_change_password = False
        account.password_changed_at = utcnow()
        session.add(account)
        await revoke_refresh_tokens(session, account.id)
        return await issue_pair(session, account, tokens)
