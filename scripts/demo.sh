#!/usr/bin/env bash
# The whole platform with demo data on the embedded defaults (SQLite files in .data/, a
# local Kafka): installs everything, starts Kafka and every service, loads the five
# regencies of the source documents and Jayapura (last year closed, this year running),
# prints the URLs and a login per regency and role, and keeps live mode running until
# Ctrl-C (which stops every process it started).
#   bash scripts/demo.sh --no-live            # no trickle of new work
#   bash scripts/demo.sh --size 3000          # 3000 employees per regency (load)
#   bash scripts/demo.sh --reset              # start from nothing
#   bash scripts/demo.sh --exit-after-start   # stop once loaded: a smoke test
#   bash scripts/demo.sh --database-url postgresql://u:p@host:5432 --kafka host:9092
# A second platform beside one already running: --port-offset N (every port + N),
# --data-dir DIR and KINERJA_TOPIC_PREFIX=<prefix.> on a shared broker.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh >/dev/null
exec .venv/bin/python -m deploy.run --demo "$@"
