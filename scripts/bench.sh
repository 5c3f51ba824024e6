#!/usr/bin/env bash
# bench.sh: the benchmark harness of issue 10 (README, "Performance"); a program that prints
# figures, never a test that asserts times. Options: scripts/bench.sh --help.
#   scripts/bench.sh                 1 000 and 10 000 workflows, release build (under 10 minutes)
#   scripts/bench.sh --full          and 100 000
#   scripts/bench.sh --ci --bin .build/debug   every operation once at 200 workflows
# Exits non-zero when a command it runs fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
exec /usr/bin/python3 -B scripts/bench/bench.py "$@"
