"""The demo's accounts: who logs in with what.

The platform operator's name and development password are identity's own (imported, not
restated: a change there is a change here); the rest are the demo's choices.
"""

from __future__ import annotations

import os

from services.identity.app import DEVELOPMENT_PLATFORM_PASSWORD, Settings

# Every demo account ends with this password (employees log in with their NIP).
DEMO_PASSWORD = "kinerja-demo-2026"
# What HR gives at import; replaced by DEMO_PASSWORD at the first login.
INITIAL_PASSWORD = "sementara-2026"
ADMIN_USERNAME = "bkpsdm"
# The account identity creates at start-up when IDENTITY_PLATFORM_USERNAME is not set.
PLATFORM_USERNAME: str = Settings.model_fields["platform_username"].default


def platform_password() -> str:
    """The platform operator's password: identity's, as the environment gives it."""
    return os.environ.get("IDENTITY_PLATFORM_PASSWORD") or DEVELOPMENT_PLATFORM_PASSWORD
