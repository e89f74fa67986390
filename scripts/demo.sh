#!/usr/bin/env bash
# The whole platform with demo data on the embedded defaults (SQLite files in .data/, a
# local Kafka): installs everything, starts Kafka and every service, loads two demo
# regencies, and keeps running until Ctrl-C.
#   bash scripts/demo.sh --exit-after-start   # stop once loaded: a smoke test of the whole platform
# A second platform beside one already running: KINERJA_PORT_OFFSET=<n> (every port + n),
# KINERJA_DATA_DIR=<dir>, KINERJA_TOPIC_PREFIX=<prefix.> and, for a shared broker,
# KAFKA_BOOTSTRAP_SERVERS (otherwise the local Kafka of deploy.local is started).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/python -m deploy.run --demo "$@"
