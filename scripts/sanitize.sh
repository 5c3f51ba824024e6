#!/usr/bin/env bash
# sanitize.sh: the test suite built with a sanitizer, tools included.
#
#   scripts/sanitize.sh address|thread [SWIFT-TEST-ARGUMENTS...]
#
# Builds the package and its tests with -sanitize=address (into .build-asan) or
# -sanitize=thread (.build-tsan), then runs `swift test --skip-build` from that build. The
# end-to-end tests run the tools beside the test bundle (WorkspaceTestSupport's binDirectory),
# so they drive the sanitized git-workspace and git-remote-workspace, and the Runner passes
# ASAN_OPTIONS, LSAN_OPTIONS, TSAN_OPTIONS and SWIFT_BACKTRACE on to them. Leaks count
# (AddressSanitizer's LeakSanitizer), except the toolchain libraries' own (scripts/lsan.supp).
# The store is SQLite, as in test.sh's first pass; with WORKSPACE_TEST_POSTGRES_URL set the
# PostgreSQL tests use that server. Exits with swift test's status; the README's
# "Sanitizers" section records what the last runs found.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
  address) scratch=.build-asan ;;
  thread) scratch=.build-tsan ;;
  *) echo "usage: scripts/sanitize.sh address|thread [swift test arguments]" >&2; exit 64 ;;
esac
sanitizer=$1; shift

swift build --build-tests --scratch-path "$scratch" -Xswiftc -sanitize="$sanitizer"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/scripts/lsan.supp:print_suppressions=0}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0}
# Swift's crash backtracer reads other threads' stacks, which the sanitizers report.
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}
exec swift test --skip-build --scratch-path "$scratch" "$@"
