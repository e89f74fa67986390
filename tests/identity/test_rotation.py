"""Rotating the JWT secret without logging everyone out: the old secret stays in
``KINERJA_JWT_PREVIOUS_SECRETS`` (verify only) while its tokens live."""

from __future__ import annotations

import pytest

from services.common.security import verify_token
from services.identity.app import Settings
from tests.identity.conftest import PLATFORM_PASSWORD, running

pytestmark = pytest.mark.kafka

OLD = "o" * 40
NEW = "n" * 40


async def test_a_session_from_before_the_rotation_renews_and_the_old_secret_signs_nothing(
    settings: Settings,
) -> None:
    before = settings.model_copy(update={"jwt_secret": OLD})
    async with running(before) as identity:
        answer = await identity.client.post(
            "/api/v1/auth/login",
            json={"tenant": None, "username": "platform", "password": PLATFORM_PASSWORD},
        )
        assert answer.status_code == 200, answer.text
        old_pair = answer.json()

    rotated = settings.model_copy(update={"jwt_secret": NEW, "jwt_previous_secrets": [OLD]})
    async with running(rotated) as identity:
        # An access token signed before the rotation still opens the service ...
        me = await identity.client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {old_pair['access_token']}"}
        )
        assert me.status_code == 200, me.text
        # ... and its refresh token renews, into a pair signed with the new secret only.
        renewed = await identity.client.post(
            "/api/v1/auth/refresh", json={"refresh_token": old_pair["refresh_token"]}
        )
        assert renewed.status_code == 200, renewed.text
        access = renewed.json()["access_token"]
        assert verify_token(access, secret=NEW).user_id
        with pytest.raises(Exception, match="invalid token"):
            verify_token(access, secret=OLD)

    # Once the previous secret is dropped, what it signed is refused.
    after = settings.model_copy(update={"jwt_secret": NEW})
    async with running(after) as identity:
        me = await identity.client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {old_pair['access_token']}"}
        )
        assert me.status_code == 401
