#!/usr/bin/env bash
# The test suite, as a newcomer and CI run it: installs everything, checks style and types,
# starts real Kafka and PostgreSQL (unless KAFKA_BOOTSTRAP_SERVERS / KINERJA_TEST_PG_URL point
# at running ones), then runs the tests against them.
#   bash scripts/test.sh            every test except the long tier (marker `slow`)
#   bash scripts/test.sh --all      every test, the long tier too (what CI runs)
# Further arguments go to pytest, e.g. `bash scripts/test.sh tests/scoring -x`.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

tier=(-m "not slow")
if [ "${1:-}" = "--all" ]; then
    tier=()
    shift
fi

bash scripts/install.sh
export PATH="$PWD/.venv/bin:$PATH"

echo "==> ruff check, ruff format --check, mypy services deploy bench"
ruff check .
ruff format --check .
mypy services deploy bench

echo "==> starting infrastructure"
python -m deploy.local up

echo "==> pytest ${tier[*]}"
set +e
# The slowest tests are listed at the end, so a run that grows shows where.
pytest -p no:cacheprovider --durations=25 "${tier[@]}" "$@"
status=$?
set -e
if [ "${CI:-}" = "true" ]; then python -m deploy.local down || true; fi
echo "==> total $(( $(date +%s) - started ))s"
exit $status
