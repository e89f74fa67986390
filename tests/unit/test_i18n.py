"""Every text a person reads has an Indonesian translation, and refusals are answered
in the caller's language from their template and parameters."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.common.api import install_http_semantics
from services.common.i18n import catalog, negotiate, translate, word
from services.common.refusals import MARKERS, Conflict

pytestmark = pytest.mark.unit

SERVICES = Path(__file__).resolve().parents[2] / "services"


def marked_messages() -> set[tuple[str, str]]:
    """(file, message) for the first literal argument of every call to a refusal class."""
    found: set[tuple[str, str]] = set()
    for path in SERVICES.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name in MARKERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.add((str(path.relative_to(SERVICES.parent)), first.value))
    return found


def test_every_refusal_message_has_an_indonesian_translation() -> None:
    indonesian = catalog("id")
    missing = sorted(
        f"{where}: {text!r}" for where, text in marked_messages() if text not in indonesian
    )
    assert not missing, (
        "add these to services/common/locale/id/LC_MESSAGES/kinerja.po:\n" + "\n".join(missing)
    )


def test_refusal_messages_are_found_at_all() -> None:
    # The extraction above is only a guard if it sees the refusals: a rename of the
    # family would make it vacuous.
    assert len(marked_messages()) >= 2


def test_negotiation_prefers_the_callers_order() -> None:
    assert negotiate("id-ID,id;q=0.9,en;q=0.8") == "id"
    assert negotiate("en-US,en;q=0.9,id;q=0.5") == "en"
    assert negotiate("fr-FR, de;q=0.5") == "en"
    assert negotiate("fr, id;q=0.1") == "id"
    assert negotiate(None) == "en"
    assert negotiate("garbage;;q=x,,") == "en"


def test_translate_fills_parameters_and_tolerates_a_missing_one() -> None:
    assert translate("requires one of the roles: {roles}", {"roles": "admin"}, "id") == (
        "memerlukan salah satu peran: admin"
    )
    assert translate("requires one of the roles: {roles}", {}, "id") == (
        "memerlukan salah satu peran: {roles}"
    )
    assert translate("no such text {x}", {"x": 1}, "id") == "no such text 1"


def test_a_refusal_is_answered_once_in_the_callers_language() -> None:
    app = FastAPI()
    install_http_semantics(app)

    @app.get("/x")
    def refuse() -> None:
        raise Conflict("requires one of the roles: {roles}", roles="admin")

    client = TestClient(app)
    english = client.get("/x")
    assert english.status_code == 409
    assert english.json() == {
        "detail": "requires one of the roles: admin",
        "reason": {"message": "requires one of the roles: {roles}", "params": {"roles": "admin"}},
    }
    indonesian = client.get("/x", headers={"Accept-Language": "id-ID,id;q=0.9"})
    assert indonesian.status_code == 409
    assert indonesian.json()["detail"] == "memerlukan salah satu peran: admin"


def test_a_code_value_inside_a_message_is_shown_as_the_readers_word() -> None:
    template = "only a draft SKP can be edited; this one is {status}"
    assert translate(template, {"status": "approved"}, "id").endswith("berstatus disetujui")
    assert translate(template, {"status": "approved"}, "en").endswith("this one is approved")
    assert word("submitted", "id") == "diajukan"
    # A name is never mistaken for a word: only values of the "value" context are.
    assert translate(
        "{name} is deactivated: their performance year is closed", {"name": "Ana"}, "id"
    ).startswith("Ana ")
