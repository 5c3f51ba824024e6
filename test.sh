#!/usr/bin/env bash
# test.sh: run every test (the README's second command; .ci/run calls it).
#
# Installs missing Debian packages, builds once (debug), runs the whole swift test suite,
# then checks install.sh end to end into a scratch prefix with that same build (its demo
# included). Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")"

bash scripts/deps.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift build --build-tests
set +e
swift test --skip-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

prefix=$(mktemp -d)
if [ "$status" -eq 0 ]; then
  if ./install.sh --debug --no-deps --prefix "$prefix" >"$prefix.log" 2>&1; then
    echo "install.sh and its demo: ok"
  else
    cat "$prefix.log"; echo "install.sh and its demo: FAILED"; status=1
  fi
fi
rm -rf "$prefix" "$prefix.log"

passed=$(sed -n 's/.*Test run with \([0-9][0-9]*\) tests\{0,1\} in .* passed.*/\1/p' "$log" | tail -n 1)
failed=$(grep -c '✘ Test .* failed' "$log" || true)
echo "${passed:-0} passed, ${failed} failed"
exit "$status"
