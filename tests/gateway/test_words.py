"""Every word a page shows has its Indonesian: the English msgids of the templates
(``_("...")``), the scripts (``K.t("...")``, ``LABELS``, ``STATUS_TEXT``) and the nav
table, each in gateway.po."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.common.i18n import catalog
from services.gateway.pages import NAV

pytestmark = pytest.mark.unit

GATEWAY = Path(__file__).resolve().parents[2] / "services" / "gateway"


def page_words() -> dict[str, str]:
    """msgid -> where it was found."""
    found: dict[str, str] = {}
    for path in sorted((GATEWAY / "templates").glob("*.html")):
        for match in re.finditer(r"""_\(\s*(["'])(.*?)\1""", path.read_text()):
            found.setdefault(match.group(2), path.name)
    for path in sorted((GATEWAY / "static").glob("*.js")):
        text = path.read_text()
        for match in re.finditer(r'\bK\.t\(\s*"((?:[^"\\]|\\.)*)"', text):
            found.setdefault(match.group(1), path.name)
        # Word tables of the pages: app.js's, and the admin pages' BerAKHLAK values and duties.
        for block in ("const LABELS", "const STATUS_TEXT", "const VALUES", "const DUTIES"):
            if block in text:
                body = text[text.index(block) : text.index("};", text.index(block))]
                for word in re.findall(r':\s*"([^"]+)"', body):
                    found.setdefault(word, f"{path.name} {block}")
        # Word tables a page renders with t(TABLE[code]) (desk, IKM, counter, survey).
        for match in re.finditer(
            r"const (QUESTION|SCALE|CATEGORY|STEP|ELEMENT) = \{(.*?)\};", text, re.S
        ):
            for word in re.findall(r':\s*"([^"]+)"', match.group(2)):
                found.setdefault(word, f"{path.name} {match.group(1)}")
        # Inside app.js the helper is called as t("...").
        for match in re.finditer(r'[^.\w]t\(\s*"((?:[^"\\]|\\.)*)"', text):
            found.setdefault(match.group(1), path.name)
    for entry in NAV:
        found.setdefault(entry.label, "pages.py NAV")
    return found


def test_every_page_word_has_an_indonesian_translation() -> None:
    indonesian = catalog("id")
    words = page_words()
    assert len(words) > 50  # the extraction sees the pages at all
    missing = sorted(
        f"{where}: {word!r}" for word, where in words.items() if word not in indonesian
    )
    assert not missing, (
        "add these to services/common/locale/id/LC_MESSAGES/gateway.po:\n" + "\n".join(missing)
    )
