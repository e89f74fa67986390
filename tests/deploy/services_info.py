"""What the deployment files must agree with, read from the services themselves: each
service's settings (the environment variables it reads), default port and health paths."""

from __future__ import annotations

import importlib
import re
from functools import cache
from typing import Any

from tests.deploy.contract import SERVICES

NAMES = ("identity", "targets", "assessment", "feedback", "scoring", "gateway")


def settings_class(service: str) -> Any:
    return importlib.import_module(f"services.{service}.app").Settings


@cache
def deployment_wide() -> frozenset[str]:
    """The unprefixed variables every service falls back to (KAFKA_BOOTSTRAP_SERVERS ...)."""
    source = (SERVICES / "common" / "settings.py").read_text()
    return frozenset(re.findall(r'_(?:optional_)?env\("([A-Z_]+)"', source))


def env_names(service: str) -> set[str]:
    """Every environment variable the service reads: its prefixed fields and the
    deployment-wide fallbacks."""
    cls = settings_class(service)
    prefix = cls.model_config["env_prefix"]
    return {f"{prefix}{field.upper()}" for field in cls.model_fields} | deployment_wide()


def env_prefix(service: str) -> str:
    return str(settings_class(service).model_config["env_prefix"])


def default_port(service: str) -> int:
    return int(settings_class(service).model_fields["port"].default)


@cache
def served_paths(service: str) -> frozenset[str]:
    """The routes the service's app really serves (built, not started)."""
    module = importlib.import_module(f"services.{service}.app")
    settings = module.Settings(
        environment="development", database_url="sqlite+aiosqlite:///:memory:"
    )
    return frozenset(getattr(route, "path", "") for route in module.create_app(settings).routes)
