#!/usr/bin/env bash
# fuzz.sh: build the libFuzzer targets (Fuzz/) and run each for a bounded time.
#
#   scripts/fuzz.sh [--seconds N] [--no-build] [TARGET...]
#
# TARGET is yaml, resource, protocol or manifest (or FuzzYAML, ...); all four by default.
# Each is built optimized (-c release) with `-sanitize=fuzzer,address` into .build-fuzz
# (WORKSPACE_FUZZ=1 declares the targets in Package.swift; the ordinary build never sees
# them; the first build takes about 5 minutes on 2 cores), then run for N seconds
# (default 60) on its corpus:
#   .build-fuzz/corpus/<target>  what the runs found, kept from run to run;
#   .build-fuzz/seeds/<target>   made afresh each run: ../shared/corpus read where it is (the
#                                922 YAML files for yaml; the 42 workflows wrapped as workflow
#                                documents for resource), plus Fuzz/seeds/<target>.
# Prints one line per target: executions, libFuzzer's coverage (cov: edges, ft: features),
# corpus size, and whether it found anything. A crash, a sanitizer report, a leak, a timeout
# or an out-of-memory stop keeps the input in .build-fuzz/findings/<target>/ (replay it with
# `.build-fuzz/release/FuzzX FILE`), shows the end of the report, and makes the exit status 1.
# The full libFuzzer log of each run is .build-fuzz/logs/<target>.log.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
build=1
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --seconds=*) seconds=${1#--seconds=}; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,/^set -e/s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 64 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(yaml resource protocol manifest)

scratch=.build-fuzz
corpus=../shared/corpus

# product NAME: the executable for a target name.
product() {
  case "$1" in
    yaml|FuzzYAML) echo FuzzYAML ;;
    resource|FuzzResource) echo FuzzResource ;;
    protocol|FuzzProtocol) echo FuzzProtocol ;;
    manifest|FuzzManifest) echo FuzzManifest ;;
    *) echo "fuzz.sh: unknown target '$1' (yaml, resource, protocol, manifest)" >&2; return 64 ;;
  esac
}

# Per target: the longest input, and extra libFuzzer flags. Resource documents and YAML files
# of the corpus are at most 12 KB; a protocol session and a manifest are short.
max_len() {
  case "$1" in
    FuzzYAML|FuzzResource) echo 16384 ;;
    FuzzProtocol) echo 4096 ;;
    FuzzManifest) echo 2048 ;;
  esac
}
extra_flags() {
  case "$1" in
    # The helper says every refusal on stderr; libFuzzer keeps its own output (and the
    # sanitizer's) on a copy of it. A session leaves caches behind (SQLite, GRDB), so libFuzzer's
    # per-input leak check would scan the heap after nearly every input (ten times slower):
    # leaks are looked for once over the whole corpus after the run instead.
    FuzzProtocol) echo "-close_fd_mask=2 -detect_leaks=0 -dict=Fuzz/seeds/protocol.dict" ;;
    FuzzManifest) echo "-dict=Fuzz/seeds/manifest.dict" ;;
    *) echo "" ;;
  esac
}

# seed PRODUCT DIR: fills DIR with the target's seeds.
seed() {
  local name=$1 dir=$2 file n=0
  rm -rf "$dir"; mkdir -p "$dir"
  case "$name" in
    FuzzYAML)
      if [ -d "$corpus" ]; then
        while IFS= read -r -d '' file; do
          n=$((n + 1)); cp "$file" "$dir/corpus-$n.yml"
        done < <(find "$corpus" -type f \( -name '*.yml' -o -name '*.yaml' \) -print0 | sort -z)
      fi
      cp Fuzz/seeds/resource/* Fuzz/seeds/manifest/* "$dir/" ;;
    FuzzResource)
      # Each workflow as a workflow document with id `fuzz` (the id the fuzzer's path says):
      # a bare definition is indented under `definition:`, a wrapped one kept as it is.
      if [ -d "$corpus/tracecat-workflows" ]; then
        for file in "$corpus"/tracecat-workflows/*.yml; do
          n=$((n + 1))
          {
            printf 'version: 1\ntype: workflow\nid: fuzz\n'
            if grep -q '^definition:' "$file"; then cat "$file"; else echo 'definition:'; sed 's/^/  /' "$file"; fi
          } > "$dir/workflow-$n.yml"
        done
      fi
      cp Fuzz/seeds/resource/* "$dir/" ;;
    FuzzProtocol) cp Fuzz/seeds/protocol/* "$dir/" ;;
    FuzzManifest) cp Fuzz/seeds/manifest/* "$dir/" ;;
  esac
}

names=()
for target in "${targets[@]}"; do names+=("$(product "$target")"); done

mkdir -p "$scratch/logs"
if [ "$build" -eq 1 ]; then
  for name in "${names[@]}"; do
    log="$scratch/logs/build-$name.log"
    started=$SECONDS
    if ! WORKSPACE_FUZZ=1 swift build -c release --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address \
        --product "$name" >"$log" 2>&1; then
      grep -v 'Cannot export local symbol' "$log" | tail -n 40
      echo "fuzz.sh: building $name failed (full log: $log)"
      exit 1
    fi
    echo "built $name ($((SECONDS - started)) s)"
  done
fi

# Leaks are findings too, except what Swift's lazily initialized globals hold (scripts/lsan.supp).
asan=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
lsan=${LSAN_OPTIONS:-suppressions=$PWD/scripts/lsan.supp:print_suppressions=0}
# Swift's own crash backtracer reads the stack in ways AddressSanitizer reports; libFuzzer
# prints the stack itself.
export SWIFT_BACKTRACE=enable=no
failed=0
for name in "${names[@]}"; do
  binary="$scratch/release/$name"
  [ -x "$binary" ] || { echo "fuzz.sh: $binary is not built (run without --no-build)"; exit 1; }
  live="$scratch/corpus/$name" seeds="$scratch/seeds/$name" findings="$scratch/findings/$name"
  log="$scratch/logs/$name.log"
  mkdir -p "$live" "$findings"
  seed "$name" "$seeds"
  before=$(find "$findings" -type f | wc -l)
  set +e
  # shellcheck disable=SC2046
  ASAN_OPTIONS=$asan LSAN_OPTIONS=$lsan \
    "$binary" -max_total_time="$seconds" -max_len="$(max_len "$name")" -rss_limit_mb=2048 -timeout=30 \
    -print_final_stats=1 -artifact_prefix="$findings/" $(extra_flags "$name") "$live" "$seeds" >"$log" 2>&1
  result=$?
  if [ "$result" -eq 0 ] && [ "$name" = FuzzProtocol ]; then
    # Every corpus input once, then LeakSanitizer's check at exit.
    ASAN_OPTIONS=$asan LSAN_OPTIONS=$lsan "$binary" -runs=0 -close_fd_mask=2 "$live" >"$log.leaks" 2>&1 || {
      result=$?; echo "leak check over the corpus failed (exit $result):" >>"$log"; cat "$log.leaks" >>"$log"; }
  fi
  set -e
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1 || true)
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
  ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
  corp=$(printf '%s\n' "$last" | sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p')
  after=$(find "$findings" -type f | wc -l)
  if [ "$result" -eq 0 ] && [ "$after" -eq "$before" ]; then
    echo "$name: ${runs:-?} executions in ${seconds} s, cov: ${cov:-?} ft: ${ft:-?}, corpus ${corp:-?}, no crash"
  else
    failed=1
    newest=$(ls -t "$findings" 2>/dev/null | head -n 1)
    echo "$name: FOUND A PROBLEM after ${runs:-?} executions (exit $result), cov: ${cov:-?} ft: ${ft:-?}"
    grep -E 'ERROR|Fatal error|Precondition failed|SUMMARY|Test unit written|deadly signal|==[0-9]+==' "$log" | head -n 12 | sed 's/^/  /'
    if [ -n "$newest" ]; then
      echo "  input kept: $findings/$newest (replay: $binary $findings/$newest)"
      # The replay shows what stderr said (the protocol target silences it while fuzzing).
      ASAN_OPTIONS=$asan LSAN_OPTIONS=$lsan timeout 120 "$binary" "$findings/$newest" 2>&1 \
        | grep -E 'Fatal error|Precondition failed|ERROR: AddressSanitizer|SUMMARY' | head -n 4 | sed 's/^/  replay: /' || true
    fi
    echo "  full log: $log"
  fi
done
exit "$failed"
