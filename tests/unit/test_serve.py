"""Every service's HTTP runs on uvloop and httptools (services.common.runtime.serve): named,
so that a missing package fails the start instead of falling back to asyncio and h11."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from services.common import runtime
from services.common.settings import ServiceSettings

pytestmark = pytest.mark.unit


def test_serve_names_uvloop_and_httptools_and_uvicorn_loads_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(runtime.uvicorn, "run", lambda app, **kw: seen.update(kw))
    settings = ServiceSettings(host="127.0.0.1", port=8123)
    runtime.serve(FastAPI(), settings)
    assert seen == {"host": "127.0.0.1", "port": 8123, "loop": "uvloop", "http": "httptools"}
    config = uvicorn.Config(FastAPI(), loop=seen["loop"], http=seen["http"])
    config.load()  # imports the HTTP protocol class: httptools must be installed
    assert config.http_protocol_class.__name__ == "HttpToolsProtocol"
    import uvloop  # noqa: F401  (the loop uvicorn will install)
