"""Tokens and passwords: what is accepted and what is refused."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from services.common.security import (
    InvalidToken,
    Role,
    hash_password,
    issue_token,
    verify_password,
    verify_token,
)
from services.common.settings import DEVELOPMENT_JWT_SECRET, ServiceSettings

pytestmark = pytest.mark.unit

SECRET = "s" * 40


def make(**overrides: object) -> str:
    args: dict[str, object] = {
        "secret": SECRET,
        "user_id": "u1",
        "tenant": "bantul",
        "roles": [Role.PEGAWAI, Role.ATASAN],
        "employee_id": "e1",
        "lifetime": timedelta(minutes=5),
    }
    args.update(overrides)
    return issue_token(**args)  # type: ignore[arg-type]


def test_token_carries_tenant_roles_and_employee() -> None:
    principal = verify_token(make(), secret=SECRET)
    assert principal.tenant == "bantul"
    assert principal.roles == {Role.PEGAWAI, Role.ATASAN}
    assert principal.employee_id == "e1"
    assert principal.has(Role.ATASAN) and not principal.has(Role.ADMIN)


def test_expired_forged_and_wrong_kind_tokens_are_refused() -> None:
    with pytest.raises(InvalidToken, match="expired"):
        verify_token(make(lifetime=timedelta(seconds=-1)), secret=SECRET)
    with pytest.raises(InvalidToken, match="invalid"):
        verify_token(make(secret="x" * 40), secret=SECRET)
    with pytest.raises(InvalidToken, match="not an access token"):
        verify_token(make(kind="refresh"), secret=SECRET)
    unsigned = jwt.encode({"sub": "u", "tenant": "other"}, key=None, algorithm="none")
    with pytest.raises(InvalidToken):
        verify_token(unsigned, secret=SECRET)


def test_passwords_are_hashed_with_argon2() -> None:
    hashed = hash_password("rahasia-123")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "rahasia-123")
    assert not verify_password(hashed, "rahasia-124")
    assert not verify_password("not a hash", "rahasia-123")


def test_settings_refuse_the_development_secret_outside_development() -> None:
    with pytest.raises(ValueError, match="KINERJA_JWT_SECRET"):
        ServiceSettings(environment="production", jwt_secret=DEVELOPMENT_JWT_SECRET)
    assert ServiceSettings(environment="production", jwt_secret=SECRET).jwt_secret == SECRET


def test_service_prefix_overrides_the_deployment_wide_variable(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from pydantic_settings import SettingsConfigDict

    class DemoSettings(ServiceSettings):
        model_config = SettingsConfigDict(env_prefix="DEMO_", extra="ignore")
        service_name: str = "demo"

    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "10.0.0.1:9092")
    assert DemoSettings().kafka_bootstrap_servers == ["10.0.0.1:9092"]
    monkeypatch.setenv("DEMO_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")
    assert DemoSettings().kafka_bootstrap_servers == ["127.0.0.1:1"]
    assert DemoSettings().database_url.endswith("/demo.db")


def test_a_previous_secret_verifies_after_the_current_one_and_nothing_else_does() -> None:
    old, new = "o" * 40, "n" * 40
    signed_before = make(secret=old)
    assert verify_token(signed_before, secret=(new, old)).user_id == "u1"
    assert verify_token(make(secret=new), secret=(new, old)).user_id == "u1"
    with pytest.raises(InvalidToken, match="invalid token"):
        verify_token(signed_before, secret=new)
    with pytest.raises(InvalidToken, match="invalid token"):
        verify_token(make(secret="x" * 40), secret=(new, old))
    # Expiry is not a signature problem: the old secret's token says expired, not invalid.
    with pytest.raises(InvalidToken, match="token expired"):
        verify_token(make(secret=old, lifetime=timedelta(minutes=-1)), secret=(new, old))


def test_previous_secrets_are_read_from_the_environment_and_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KINERJA_JWT_PREVIOUS_SECRETS", f"{'a' * 32}, {'b' * 32}")
    settings = ServiceSettings(jwt_secret=SECRET)
    assert settings.jwt_verify_secrets == (SECRET, "a" * 32, "b" * 32)
    monkeypatch.setenv("KINERJA_JWT_PREVIOUS_SECRETS", "short")
    with pytest.raises(ValueError, match="previous JWT secret"):
        ServiceSettings(jwt_secret=SECRET)
    monkeypatch.setenv("KINERJA_JWT_PREVIOUS_SECRETS", DEVELOPMENT_JWT_SECRET)
    with pytest.raises(ValueError, match="development value"):
        ServiceSettings(jwt_secret=SECRET, environment="production")
