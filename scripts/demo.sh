#!/usr/bin/env bash
# The whole platform with demo data on the embedded defaults (SQLite files in .data/, a
# local Kafka): installs everything, starts Kafka and every service, loads two demo
# regencies, and keeps running until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/python -m deploy.run --demo "$@"
