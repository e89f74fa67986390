"""The README's service layout names every file a service has, so a newcomer finds the
place to change from the README alone (issue: "the README's service layout lists every
file a service has"). A new module without its row fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "services"
SPINE = ("every one", "all but identity")


def layout_rows() -> dict[str, str]:
    """service → the text of its rows in the README's "Service layout" table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Service layout", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0] not in {"service", "---"}:
            rows[cells[0]] = rows.get(cells[0], "") + " " + cells[1]
    return rows


def named(row: str) -> set[str]:
    """Every file name a row mentions: `a.py`, `projector/a.py`, and `b.py` after a comma
    (``projector/loading.py`, `rows.py``) counted under the first one's folder too."""
    names: set[str] = set()
    folder = ""
    for item in re.findall(r"`([^`]+)`", row):
        for part in re.split(r",\s*", item):
            part = part.strip()
            if "/" in part:
                folder = part.rsplit("/", 1)[0] + "/"
                names.add(part)
            elif part:
                names.add(part)
                names.add(folder + part)
    return names


def service_files(service: Path) -> list[str]:
    found = []
    for path in sorted(service.rglob("*")):
        rel = path.relative_to(service).as_posix()
        if path.is_dir() or "__pycache__" in rel or rel.startswith("migrations/"):
            continue
        if rel.startswith("locale/") or rel == "README.md":
            continue
        found.append(rel)
    return found


@pytest.mark.parametrize(
    "service",
    sorted(p.name for p in SERVICES.iterdir() if p.is_dir() and not p.name.startswith("__")),
)
def test_the_readme_layout_names_every_file_of(service: str) -> None:
    rows = layout_rows()
    mentioned = named(rows.get(service, "")).union(*(named(rows.get(s, "")) for s in SPINE))
    missing = []
    for rel in service_files(SERVICES / service):
        stem_glob = rel.rsplit("/", 1)[0] + "/*" + Path(rel).suffix if "/" in rel else None
        if rel in mentioned or (stem_glob and stem_glob in mentioned):
            continue
        # static/*.js and templates/*.html rows list the stems
        if Path(rel).suffix in {".js", ".html", ".css"} and Path(rel).stem in row_words(
            rows.get(service, "")
        ):
            continue
        missing.append(rel)
    assert not missing, f"README.md, Service layout: add rows for {service}: {missing}"


def row_words(row: str) -> set[str]:
    return set(re.findall(r"`([\w-]+)`", row))


def test_no_file_keeps_a_merge_conflict_marker() -> None:
    markers = ("<" * 7 + " ", ">" * 7 + " ", "=" * 7 + "\n")
    tracked = [
        p
        for p in ROOT.rglob("*")
        if p.is_file()
        and p.suffix in {".py", ".md", ".po", ".js", ".html", ".css", ".yml", ".yaml", ".toml"}
        and not any(
            part.startswith(".") or part in {"node_modules", "test-output"}
            for part in p.relative_to(ROOT).parts
        )
    ]
    assert len(tracked) > 100
    found = [
        str(p.relative_to(ROOT))
        for p in tracked
        if any(
            line.startswith(markers)
            for line in p.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
        )
    ]
    assert not found, f"merge conflict markers left in {found}"
