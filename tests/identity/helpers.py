"""What the identity tests share: logging in, the CSV import, a token's roles."""

from __future__ import annotations

from typing import Any

from services.common.security import verify_token
from tests.identity.conftest import Identity

UNITS_CSV = """code,name,kind,parent,serves_public
KEC-SEWON,Kecamatan Sewon,kecamatan,PEMKAB,tidak
PEMKAB,Pemerintah Kabupaten,badan,,
LOKET-SEWON,Loket Pelayanan Sewon,counter,KEC-SEWON,ya
"""


async def post_csv(
    identity: Identity, what: str, text: str, *, dry_run: bool = False, multipart: bool = False
) -> tuple[int, object]:
    url = f"/api/v1/import/{what}"
    params = {"dry_run": "true"} if dry_run else {}
    headers = identity.admin("bantul")
    if multipart:
        response = await identity.client.post(
            url, params=params, headers=headers, files={"file": ("data.csv", text.encode())}
        )
    else:
        response = await identity.client.post(
            url,
            params=params,
            headers={**headers, "Content-Type": "text/csv"},
            content=text.encode(),
        )
    return response.status_code, response.json()


async def login(
    identity: Identity, tenant: str | None, username: str, password: str, status: int = 200
) -> dict[str, Any]:
    response = await identity.client.post(
        "/api/v1/auth/login", json={"tenant": tenant, "username": username, "password": password}
    )
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


def auth(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def roles(identity: Identity, tokens: dict[str, Any]) -> set[str]:
    principal = verify_token(tokens["access_token"], secret=identity.settings.jwt_secret)
    return {str(r) for r in principal.roles}
