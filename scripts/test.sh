#!/usr/bin/env bash
# The whole test suite, as CI and a newcomer run it: installs everything, checks style and
# types, starts real Kafka and PostgreSQL (unless KAFKA_BOOTSTRAP_SERVERS / KINERJA_TEST_PG_URL
# point at running ones), then runs every test, unit and integration.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

bash scripts/install.sh
export PATH="$PWD/.venv/bin:$PATH"

echo "==> ruff check, ruff format --check, mypy services deploy bench"
ruff check .
ruff format --check .
mypy services deploy bench

echo "==> starting infrastructure"
python -m deploy.local up

echo "==> pytest"
set +e
pytest -p no:cacheprovider "$@"
status=$?
set -e
if [ "${CI:-}" = "true" ]; then python -m deploy.local down || true; fi
echo "==> total $(( $(date +%s) - started ))s"
exit $status
