"""Demo accounts: employees imported ready to log in, for a development machine only.

The demo loads a few hundred employees and logs each in once to act for them. With the
kernel's argon2 parameters a login costs about a second of CPU on a busy 2-core machine,
and a first login (rehash, forced change, second login) three times that: the first
logins would dominate the demo's start. An import with ``demo_accounts=true`` therefore
gives every account of the file one cheap hash per distinct password and no forced change,
and a login keeps such a hash instead of upgrading it. A regency's first admin
(``POST /tenants/{slug}/admins``) and its kepala daerah (``POST /kepala-daerah``) take
the same flag, for the same reason (each of them cost the demo five full hashes). Both only where
``KINERJA_ENVIRONMENT=development``: production refuses the flag, and there a demo hash
that somehow exists is upgraded at its first login like any other weak hash.
"""

from __future__ import annotations

from typing import Annotated

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError
from fastapi import Query

from services.common.refusals import Forbidden

# Cheap on purpose (about a millisecond): demo passwords are public anyway.
_demo_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
_DEMO_PARAMETERS = extract_parameters(_demo_hasher.hash("parameters"))
DEVELOPMENT = "development"

# The query flag of the routes that create accounts (the employee import, a regency's
# first admin, the kepala daerah): the demo's accounts, created ready to log in.
DemoAccounts = Annotated[
    bool,
    Query(
        description="demo data only, refused (403) unless KINERJA_ENVIRONMENT=development: "
        "the accounts may log in with the given password without changing it first"
    ),
]


def check_allowed(environment: str) -> None:
    if environment != DEVELOPMENT:
        raise Forbidden("demo accounts can be imported only when the environment is development")


def demo_hashes(passwords: list[str | None]) -> list[str | None]:
    """One hash per distinct password (the demo gives everyone the same one)."""
    made: dict[str, str] = {}
    for password in {p for p in passwords if p}:
        made[password] = _demo_hasher.hash(password)
    return [made[p] if p else None for p in passwords]


def demo_hash(password: str, environment: str) -> str:
    """One demo account's cheap hash; refused outside development."""
    check_allowed(environment)
    return _demo_hasher.hash(password)


def is_demo_hash(password_hash: str) -> bool:
    try:
        return extract_parameters(password_hash) == _DEMO_PARAMETERS
    except InvalidHashError:
        return False


def keep_hash(password_hash: str, environment: str) -> bool:
    """Whether a login keeps this hash although the kernel would rehash it."""
    return environment == DEVELOPMENT and is_demo_hash(password_hash)
