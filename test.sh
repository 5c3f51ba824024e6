#!/usr/bin/env bash
# test.sh: run every test (the README's second command; .ci/run calls it).
#
# Installs missing Debian packages, builds once (debug), starts a throw-away PostgreSQL
# server (scripts/test-postgres.sh; stopped and removed on any exit), then:
#   pass 1  the whole swift test suite on SQLite (the default store; PostgreSQL-only tests
#           reach the server through WORKSPACE_TEST_POSTGRES_URL);
#   pass 2  every end-to-end test again on PostgreSQL (WORKSPACE_TEST_STORE=postgres);
# checks that the server's password appears in no test output and no command's output
# (WORKSPACE_TEST_OUTPUT_LOG), then checks install.sh end to end into a scratch prefix with
# that same build (its demo included), runs the fuzz targets briefly and the benchmark
# harness once at a small size (scripts/bench.sh --ci: figures, no speed assertion). Prints a
# passed/failed line per pass and a total line. Exits non-zero when anything fails.
#
# With WORKSPACE_TEST_POSTGRES_URL already set (postgres://USER:PASSWORD@HOST:PORT/postgres,
# a role that may CREATE DATABASE), no server is started: both passes use that one.
set -euo pipefail
cd "$(dirname "$0")"

bash scripts/deps.sh

work=$(mktemp -d)        # test outputs and command logs (private: they may hold anything)
server=""                # the server's own directory while one runs (not inside $work, which
                         # the server's user, postgres when root, cannot enter)
cleanup() {
  if [ -n "$server" ]; then
    bash scripts/test-postgres.sh stop "$server" >/dev/null 2>&1 || true
    rm -rf "$server"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

swift build --build-tests

# The server: the caller's, or a throw-away one. Its URL is never printed.
url=${WORKSPACE_TEST_POSTGRES_URL:-}
status=0
if [ -n "$url" ]; then
  echo "PostgreSQL: using WORKSPACE_TEST_POSTGRES_URL from the environment"
else
  server=$(mktemp -d)
  if url=$(bash scripts/test-postgres.sh start "$server"); then
    echo "PostgreSQL: a throw-away server on ${url##*@}"
  else
    echo "PostgreSQL: the throw-away server did not start"
    url=""; status=1
  fi
fi
[ -z "$url" ] || export WORKSPACE_TEST_POSTGRES_URL="$url"

# The password as the URL spells it and percent-decoded (what tools receive), for the
# leak check below. Empty when the URL has none (a .pgpass, trust authentication).
password=$(printf '%s\n' "$url" | sed -n 's|^[a-z]*://[^:/@]*:\([^@]*\)@.*|\1|p')
decoded=""
[ -z "$password" ] || decoded=$(printf '%b' "${password//%/\\x}")

# run_pass LOG COMMANDS [ENV=VALUE...] -- SWIFT-TEST-ARGUMENTS...: one swift test run,
# its output shown and kept in LOG, every command's output in COMMANDS; returns its status.
run_pass() {
  local log=$1 commands=$2; shift 2
  local environment=()
  while [ "$1" != -- ]; do environment+=("$1"); shift; done
  shift
  set +e
  env -u WORKSPACE_TEST_STORE WORKSPACE_TEST_OUTPUT_LOG="$commands" "${environment[@]}" \
    swift test --skip-build "$@" 2>&1 | tee "$log"
  local result=${PIPESTATUS[0]}
  set -e
  return "$result"
}

# counts LOG STATUS: "P passed, F failed[, S skipped]" from swift-testing's output.
# "Test run with N tests in M suites passed|failed after ..." gives N (skipped tests
# included); every failed test has a line "✘ Test NAME failed after ..." (the run's own
# summary line excluded), every skipped one "Test NAME skipped". No summary line means the
# run did not finish (a crash, a build problem): said as such, never as 0 failed.
# (The suite has no XCTest tests; XCTest's "Executed 0 tests" lines are ignored.)
counts() {
  local log=$1 result=$2 total failed skipped
  total=$(sed -n 's/.*Test run with \([0-9][0-9]*\) tests\{0,1\} in .* \(passed\|failed\) after.*/\1/p' "$log" | tail -n 1)
  failed=$(grep -E '✘ Test .* failed after' "$log" | grep -cvE '✘ Test run with [0-9]+ tests? ' || true)
  skipped=$(grep -cE '^[^ ]+ Test .* skipped' "$log" || true)
  if [ -z "$total" ]; then
    echo "did not finish (swift test exit status $result; ${failed} failed before it stopped)"
    return
  fi
  echo "$((total - failed - skipped)) passed, ${failed} failed$([ "$skipped" -eq 0 ] || echo ", $skipped skipped")"
}

# Pass 1: everything, on SQLite.
sqlite_status=0
run_pass "$work/sqlite.log" "$work/sqlite-commands.log" -- || sqlite_status=$?

# Pass 2: every end-to-end test again, on PostgreSQL.
postgres_status=0
if [ -n "$url" ]; then
  # The SIGKILL test's 200 kill points run in pass 1; here a few on the server's store.
  run_pass "$work/postgres.log" "$work/postgres-commands.log" WORKSPACE_TEST_STORE=postgres \
    WORKSPACE_KILL_POINTS=20 -- --filter EndToEndTests || postgres_status=$?
else
  postgres_status=1
fi

# The password must not appear in any output: the tests' (both passes) or any command's.
if [ -n "$password" ]; then
  leaks=0
  for file in sqlite.log sqlite-commands.log postgres.log postgres-commands.log; do
    [ -f "$work/$file" ] || continue
    for secret in "$password" "$decoded"; do
      found=$(grep -cF -- "$secret" "$work/$file" || true)
      if [ "$found" -gt 0 ]; then
        echo "LEAK: the PostgreSQL password appears on $found line(s) of $file"
        leaks=1; status=1
        break
      fi
    done
  done
  [ "$leaks" -ne 0 ] || echo "password leak check: the password appears in no test or command output"
else
  echo "password leak check: skipped (no password in WORKSPACE_TEST_POSTGRES_URL)"
fi

# install.sh and its demo (SQLite), when the SQLite pass passed.
prefix=$(mktemp -d)
if [ "$sqlite_status" -eq 0 ]; then
  if ./install.sh --debug --no-deps --prefix "$prefix" >"$prefix.log" 2>&1; then
    echo "install.sh and its demo: ok"
  else
    cat "$prefix.log"; echo "install.sh and its demo: FAILED"; status=1
  fi
fi
rm -rf "$prefix" "$prefix.log"

# ---- Fuzzing: a short bounded run of each libFuzzer target (scripts/fuzz.sh, README "Fuzzing"),
# after the SQLite pass passed. WORKSPACE_FUZZ_SECONDS per target (default 60; 0 skips the step).
fuzz_seconds=${WORKSPACE_FUZZ_SECONDS:-60}
if [ "$sqlite_status" -eq 0 ] && [ "$fuzz_seconds" != 0 ]; then
  if bash scripts/fuzz.sh --seconds "$fuzz_seconds"; then
    echo "fuzzing: no finding ($fuzz_seconds s per target)"
  else
    echo "fuzzing: FAILED (inputs kept in .build-fuzz/findings)"; status=1
  fi
fi
# ---- end of fuzzing

# The benchmark harness at a small size (scripts/bench.sh --ci, README "Performance"): every
# operation once at 200 workflows with this debug build, so the harness cannot rot. It asserts
# nothing about speed; a command that fails (a harness crash, a refused push) fails the run.
if scripts/bench.sh --ci --bin .build/debug --out "$work/bench" >"$work/bench.log" 2>&1; then
  echo "benchmark harness (--ci): ok"
else
  tail -n 30 "$work/bench.log"; echo "benchmark harness (--ci): FAILED"; status=1
fi

# The figures the crash and round-trip tests print.
grep -h -E '^(SIGKILL test|PostgreSQL round trips):' "$work/sqlite.log" | sed 's/^/SQLite: /' || true
[ ! -f "$work/postgres.log" ] || grep -h -E '^(SIGKILL test|PostgreSQL round trips):' "$work/postgres.log" | sed 's/^SIGKILL/PostgreSQL: SIGKILL/' || true
echo "SQLite: $(counts "$work/sqlite.log" "$sqlite_status")"
if [ -f "$work/postgres.log" ]; then
  echo "PostgreSQL (end-to-end): $(counts "$work/postgres.log" "$postgres_status")"
else
  echo "PostgreSQL (end-to-end): not run (no server)"
fi
[ "$sqlite_status" -eq 0 ] && [ "$postgres_status" -eq 0 ] || status=1
exit "$status"
