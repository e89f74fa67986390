"""The browser's session: tokens in HttpOnly cookies that page scripts never see.

``POST /api/gateway/session`` logs in at identity and keeps the token pair in two HttpOnly,
SameSite=Strict cookies (Secure when the request came over TLS or the setting says so);
``DELETE`` revokes the refresh token at identity and clears them. Every request the
gateway authenticates from the cookies (pages, the proxy, the alert stream) silently
refreshes an expired access token with the refresh cookie.

CSRF: SameSite=Strict already keeps other sites' requests cookie-less in current browsers;
as a second, independent guard every state-changing request authenticated by cookie must
echo the readable ``kinerja_csrf`` cookie in ``X-CSRF-Token`` (double submit) and, when the
browser names an Origin or Referer, come from this origin. API clients that send their own
``Authorization`` header carry no ambient credential and need neither.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlsplit

import httpx
from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlmodel import select

from services.common.api import client_address, errors
from services.common.events import TenantSlug
from services.common.i18n import LOCALES, LocaleCode, translate
from services.common.orgchart import OrgEmployee, OrgKepalaDaerah, OrgTenant
from services.common.refusals import Forbidden, Unauthorized
from services.common.security import CHANGE_PASSWORD_FIRST, InvalidToken, Principal, verify_token
from services.gateway.context import Gateway, gateway_of

log = logging.getLogger(__name__)
router = APIRouter(tags=["session"])
GatewayDep = Annotated[Gateway, Depends(gateway_of)]

ACCESS_COOKIE = "kinerja_access"
REFRESH_COOKIE = "kinerja_refresh"
CSRF_COOKIE = "kinerja_csrf"
LANG_COOKIE = "kinerja_lang"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REFRESH_LIFETIME = 14 * 24 * 3600  # the cookie's own life; identity decides the token's
# A refresh answer is reused for this long by requests that presented the same refresh
# token: identity rotates refresh tokens and treats a second use as theft (revoking every
# session), and a page fires several requests at once when its access token has expired.
REFRESH_REUSE_SECONDS = 30.0


class SessionError(Exception):
    """A refusal of the session layer, answered as ``{"detail": ...}`` with ``status``."""

    def __init__(self, status_code: int, message: str, **params: Any) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.params = params

    def response(self, locale: LocaleCode) -> JSONResponse:
        return JSONResponse(
            {
                "detail": translate(self.message, self.params, locale),
                "reason": {"message": self.message, "params": self.params},
            },
            status_code=self.status_code,
        )


def locale_of(request: Request) -> LocaleCode:
    """The reader's language: the ``kinerja_lang`` cookie, else Indonesian."""
    chosen = request.cookies.get(LANG_COOKIE, "")
    for code in LOCALES:
        if chosen == code:
            return code
    return "id"


def is_secure(request: Request, gateway: Gateway) -> bool:
    if gateway.cookie_secure is not None:
        return gateway.cookie_secure
    return request.url.scheme == "https"


@dataclass
class Pair:
    access: str
    refresh: str
    expires_in: int


@dataclass
class Auth:
    """How a request is authenticated: its bearer token, whether it came from the
    cookies, and a new pair to set on the answer when the gateway refreshed it."""

    token: str | None
    from_cookie: bool = False
    renewed: Pair | None = None
    principal: Principal | None = None

    def apply(self, response: Response, request: Request, gateway: Gateway) -> Response:
        if self.renewed is not None:
            set_session_cookies(response, request, gateway, self.renewed)
        return response


@dataclass
class Refresher:
    """Single flight for refreshes in this process (see ``REFRESH_REUSE_SECONDS``)."""

    recent: dict[str, tuple[float, Pair | None]] = field(default_factory=dict)
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    async def refresh(self, gateway: Gateway, refresh_token: str) -> Pair | None:
        key = hashlib.sha256(refresh_token.encode()).hexdigest()
        lock = self.locks.setdefault(key, asyncio.Lock())
        async with lock:
            now = time.monotonic()
            self.recent = {
                k: v for k, v in self.recent.items() if now - v[0] < REFRESH_REUSE_SECONDS
            }
            if key in self.recent:
                return self.recent[key][1]
            pair = await _identity_refresh(gateway, refresh_token)
            self.recent[key] = (now, pair)
        self.locks.pop(key, None)
        return pair


async def _identity_refresh(gateway: Gateway, refresh_token: str) -> Pair | None:
    try:
        answer = await gateway.http().post(
            gateway.upstreams["identity"].rstrip("/") + "/api/v1/auth/refresh",
            json={"refresh_token": refresh_token},
        )
    except httpx.HTTPError as exc:
        log.warning("refresh at identity failed: %s", exc)
        return None
    if answer.status_code != 200:
        return None
    return pair_of(answer.json())


def pair_of(body: dict[str, Any]) -> Pair:
    return Pair(
        access=str(body["access_token"]),
        refresh=str(body["refresh_token"]),
        expires_in=int(body["expires_in"]),
    )


def set_session_cookies(
    response: Response, request: Request, gateway: Gateway, pair: Pair, *, new_csrf: bool = False
) -> None:
    secure = is_secure(request, gateway)
    common: dict[str, Any] = {"path": "/", "samesite": "strict", "secure": secure}
    response.set_cookie(ACCESS_COOKIE, pair.access, httponly=True, **common)
    response.set_cookie(
        REFRESH_COOKIE, pair.refresh, max_age=REFRESH_LIFETIME, httponly=True, **common
    )
    # Readable on purpose: the page copies it into X-CSRF-Token (double submit).
    # A new one at each login (a value planted before it is worth nothing); a silent
    # refresh keeps it, so that a page's other open requests stay valid.
    kept = None if new_csrf else request.cookies.get(CSRF_COOKIE)
    csrf = kept or secrets.token_urlsafe(32)
    response.set_cookie(CSRF_COOKIE, csrf, max_age=REFRESH_LIFETIME, httponly=False, **common)


def clear_session_cookies(response: Response, request: Request, gateway: Gateway) -> None:
    secure = is_secure(request, gateway)
    for name in (ACCESS_COOKIE, REFRESH_COOKIE, CSRF_COOKIE):
        response.delete_cookie(
            name, path="/", samesite="strict", secure=secure, httponly=name != CSRF_COOKIE
        )


def _verified(token: str, gateway: Gateway) -> Principal | None:
    try:
        return verify_token(token, secret=gateway.jwt_secret)
    except InvalidToken:
        return None


async def authenticate(request: Request, gateway: Gateway) -> Auth:
    """The request's credential: its own Authorization header (API clients), else the
    session cookies, refreshed when the access token has expired. No credential at all
    is ``Auth(None)``: the service behind decides whether that is enough."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, token = header.partition(" ")
        return Auth(token=token.strip() if scheme.lower() == "bearer" else None)
    access = request.cookies.get(ACCESS_COOKIE)
    refresh_token = request.cookies.get(REFRESH_COOKIE)
    if not access and not refresh_token:
        return Auth(None)
    if access:
        principal = _verified(access, gateway)
        if principal is not None:
            return Auth(token=access, from_cookie=True, principal=principal)
    if refresh_token:
        pair = await gateway.refresher.refresh(gateway, refresh_token)
        if pair is not None:
            return Auth(
                token=pair.access,
                from_cookie=True,
                renewed=pair,
                principal=_verified(pair.access, gateway),
            )
    # An expired session: pass the stale token on so the service answers its own 401.
    return Auth(token=access, from_cookie=True)


def _same_origin(request: Request, url: str) -> bool:
    parts = urlsplit(url)
    host = request.headers.get("host", "")
    return parts.netloc.lower() == host.lower() and parts.scheme in ("http", "https")


def check_csrf(request: Request, auth: Auth) -> None:
    """Refuse a state-changing request carried by the session cookie without the double
    submit token, or sent from another origin."""
    if request.method in SAFE_METHODS:
        return
    check_origin(request)
    if not auth.from_cookie:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    kept = request.cookies.get(CSRF_COOKIE, "")
    if not sent or not kept or not hmac.compare_digest(sent, kept):
        raise SessionError(
            status.HTTP_403_FORBIDDEN,
            "refused: the X-CSRF-Token header does not match the kinerja_csrf cookie;"
            " reload the page",
        )


def check_origin(request: Request) -> None:
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin and origin != "null" and not _same_origin(request, origin):
        raise SessionError(
            status.HTTP_403_FORBIDDEN,
            "refused: this request comes from another site ({origin})",
            origin=urlsplit(origin).netloc or origin,
        )
    if origin == "null":
        raise SessionError(
            status.HTTP_403_FORBIDDEN,
            "refused: this request comes from another site ({origin})",
            origin="null",
        )


# ---------------------------------------------------------------- the profile


class Profile(BaseModel):
    """Who is logged in, for the page: never a token."""

    name: str = Field(description="the employee's name, else the account's username")
    roles: list[str]
    tenant: str | None = Field(description="the regency's slug")
    tenant_name: str | None
    employee_id: str | None
    must_change_password: bool
    locale: LocaleCode


async def profile_of(
    gateway: Gateway, principal: Principal, locale: LocaleCode, username: str | None = None
) -> Profile:
    """The profile from the token and the gateway's copy of the org chart (no call to
    identity: a page render must not wait for it)."""
    name = username
    tenant_name = None
    async with gateway.sessions() as session:
        if principal.tenant:
            tenant = await session.get(OrgTenant, principal.tenant)
            tenant_name = tenant.name if tenant else None
        if principal.employee_id:
            employee = (
                await session.exec(
                    select(OrgEmployee).where(
                        OrgEmployee.tenant == principal.tenant,
                        OrgEmployee.employee_id == principal.employee_id,
                    )
                )
            ).first()
            name = employee.name if employee else name
        elif principal.is_kepala_daerah:
            # "Bupati Bantul · Nama": the office first, as letters address the head.
            kepala = await session.get(OrgKepalaDaerah, (principal.tenant, principal.user_id))
            name = f"{kepala.title} · {kepala.name}" if kepala else name
    return Profile(
        name=name or "",
        roles=sorted(principal.roles),
        tenant=principal.tenant,
        tenant_name=tenant_name,
        employee_id=principal.employee_id,
        must_change_password=principal.must_change_password,
        locale=locale,
    )


# ---------------------------------------------------------------- routes


class SessionOpen(BaseModel):
    tenant: TenantSlug | None = Field(
        default=None, description="regency slug; null for platform and ops accounts"
    )
    username: str = Field(max_length=100, description="NIP for employees, else the username")
    password: str = Field(max_length=200)


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=200)
    new_password: str = Field(max_length=200)


async def _upstream(
    gateway: Gateway, request: Request, path: str, body: dict[str, Any], token: str | None = None
) -> httpx.Response:
    headers = {
        "accept-language": locale_of(request),
        "x-forwarded-for": client_address(request),
    }
    if token:
        headers["authorization"] = f"Bearer {token}"
    url = gateway.upstreams["identity"].rstrip("/") + path
    return await gateway.http().post(url, json=body, headers=headers)


def _passed_on(answer: httpx.Response) -> JSONResponse:
    """Identity's refusal as it came (already in the reader's language)."""
    status_code = answer.status_code if answer.status_code < 500 else 502
    try:
        content = answer.json()
    except ValueError:
        content = {"detail": answer.text}
    return JSONResponse(content, status_code=status_code)


async def _opened(
    request: Request, gateway: Gateway, answer: httpx.Response, username: str | None
) -> Response:
    if answer.status_code != 200:
        return _passed_on(answer)
    pair = pair_of(answer.json())
    principal = _verified(pair.access, gateway)
    if principal is None:  # identity signed with another secret: a deployment error
        return JSONResponse({"detail": "identity's token is not valid here"}, status_code=502)
    profile = await profile_of(gateway, principal, locale_of(request), username)
    response = JSONResponse(profile.model_dump(mode="json"))
    set_session_cookies(response, request, gateway, pair, new_csrf=True)
    return response


@router.post(
    "/api/gateway/session",
    response_model=Profile,
    responses=errors(401, 403, 422, 429),
    summary="Log in: the tokens go into HttpOnly cookies, the answer is the profile",
)
async def open_session(body: SessionOpen, request: Request, gateway: GatewayDep) -> Response:
    try:
        check_origin(request)
    except SessionError as exc:
        return exc.response(locale_of(request))
    answer = await _upstream(gateway, request, "/api/v1/auth/login", body.model_dump())
    return await _opened(request, gateway, answer, body.username)


@router.get(
    "/api/gateway/session",
    response_model=Profile,
    responses=errors(401),
    summary="The logged-in profile (from the session cookie)",
)
async def current_session(request: Request, gateway: GatewayDep) -> Response:
    auth = await authenticate(request, gateway)
    if auth.principal is None:
        return SessionError(401, "not logged in").response(locale_of(request))
    profile = await profile_of(gateway, auth.principal, locale_of(request))
    return auth.apply(JSONResponse(profile.model_dump(mode="json")), request, gateway)


@router.post(
    "/api/gateway/session/password",
    response_model=Profile,
    responses=errors(400, 401, 403, 422),
    summary="Change the password (first login too); the session continues with new tokens",
)
async def change_password(body: PasswordChange, request: Request, gateway: GatewayDep) -> Response:
    locale = locale_of(request)
    auth = await authenticate(request, gateway)
    try:
        check_csrf(request, auth)
    except SessionError as exc:
        return exc.response(locale)
    answer = await _upstream(
        gateway, request, "/api/v1/auth/password", body.model_dump(), token=auth.token
    )
    return await _opened(request, gateway, answer, None)


@router.delete(
    "/api/gateway/session",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(403),
    summary="Log out: revoke the refresh token at identity and clear the cookies",
)
async def close_session(request: Request, gateway: GatewayDep) -> Response:
    auth = await authenticate(request, gateway)
    try:
        check_csrf(request, auth)
    except SessionError as exc:
        return exc.response(locale_of(request))
    refresh_token = auth.renewed.refresh if auth.renewed else request.cookies.get(REFRESH_COOKIE)
    if refresh_token:
        try:
            body = {"refresh_token": refresh_token}
            await _upstream(gateway, request, "/api/v1/auth/logout", body)
        except httpx.HTTPError as exc:  # logged out here anyway; the token expires by itself
            log.warning("logout at identity failed: %s", exc)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookies(response, request, gateway)
    return response


@router.put(
    "/api/gateway/language/{locale}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=errors(404),
    summary="Choose the language of the pages (Indonesian or English), kept in a cookie",
)
async def choose_language(locale: LocaleCode, request: Request, gateway: GatewayDep) -> Response:
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.set_cookie(
        LANG_COOKIE,
        locale,
        max_age=365 * 24 * 3600,
        path="/",
        samesite="strict",
        secure=is_secure(request, gateway),
    )
    return response


def caller_of(token: str | None, secret: str | tuple[str, ...]) -> Principal:
    """The verified caller of a gateway endpoint that reads the session itself (the alert
    stream, the desk, the ops status): 401 without a valid access token, 403 for a token
    that must still change its password (it opens nothing but the password change)."""
    if not token:
        raise Unauthorized(
            "missing token: send Authorization: Bearer, or log in first"
            " (POST /api/gateway/session sets the session cookie)"
        )
    try:
        principal = verify_token(token, secret=secret)
    except InvalidToken as exc:
        raise Unauthorized("the access token is not valid: {problem}", problem=str(exc)) from None
    if principal.must_change_password:
        raise Forbidden(CHANGE_PASSWORD_FIRST)
    return principal
