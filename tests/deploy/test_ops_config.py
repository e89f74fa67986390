"""The ops team's Prometheus files are valid and their alerts fire on what they name."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from services.common.observability import Metrics

pytestmark = pytest.mark.unit

PROMETHEUS = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("promtool")
    assert tool, "promtool comes from Debian's prometheus package (scripts/install.sh)"
    return subprocess.run([tool, *args], cwd=PROMETHEUS, capture_output=True, text=True)


def test_config_and_rules_are_valid() -> None:
    result = promtool("check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_alert_rules_fire_as_their_unit_tests_say() -> None:
    result = promtool("test", "rules", "alerts_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_alerts_use_metrics_the_kernel_exports() -> None:
    exported = {m.name for m in Metrics("probe").registry.collect()}
    used = set(
        re.findall(
            r"\b(kinerja_[a-z_]+?)(?:_bucket|_total)?\b", (PROMETHEUS / "alerts.yml").read_text()
        )
    )
    kernel_used = {name for name in used if not name.startswith("kinerja_identity")}
    assert kernel_used, "the rules should watch the kernel's metrics"
    assert kernel_used <= exported, kernel_used - exported
