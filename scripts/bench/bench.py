"""The benchmark harness of issue 10 (run it as scripts/bench.sh; README, "Performance").

Measures git-remote-workspace and git-workspace against plain git on workspaces of corpus
workflows, interleaved (a warm-up pair, then ours and git's alternating which goes first),
and prints the medians with ratios and the issue's targets. Prints figures; asserts no
speed. Exits non-zero when any command fails.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fixture import BenchError, Shell, canonical_templates
from operations import PROFILED, Workspace
from probes import Callgrind, PeakMemory
import report

ROOT = Path(__file__).resolve().parents[2]


def arguments():
    parser = argparse.ArgumentParser(prog="scripts/bench.sh", description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="add 100 000 workflows to the sizes")
    parser.add_argument("--sizes", default="1000,10000", help="workflow counts, comma-separated (1000,10000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions per operation (5; median reported)")
    parser.add_argument("--repeat-slow", type=int, default=3,
                        help="timed repetitions of initial push and clone (3)")
    parser.add_argument("--bin", type=Path, help="directory of the built tools (default: swift build -c release --static-swift-stdlib)")
    parser.add_argument("--out", type=Path, default=ROOT / ".build/bench", help="results directory (.build/bench)")
    parser.add_argument("--work", type=Path, help="scratch directory, new, kept (default: a temporary one, removed)")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared/corpus/tracecat-workflows",
                        help="the Tracecat workflows (../shared/corpus/tracecat-workflows)")
    parser.add_argument("--no-aliases", action="store_true", help="workflows without aliases (default: every one has one)")
    parser.add_argument("--callgrind-size", type=int, help="the size profiled with callgrind (default: the smallest)")
    parser.add_argument("--callgrind", default="push,fetch",
                        help=f"operations profiled, comma-separated, of {','.join(PROFILED)} (push,fetch: of 1 change)")
    parser.add_argument("--no-callgrind", action="store_true", help="skip the callgrind profiles")
    parser.add_argument("--growth-commits", type=int, default=5, help="commits averaged for store growth (5)")
    parser.add_argument("--ci", action="store_true", help="CI mode: 200 workflows, 1 repetition, every operation once")
    options = parser.parse_args()
    options.sizes = [200] if options.ci else [int(size) for size in options.sizes.split(",")]
    if options.ci:
        options.repeat, options.repeat_slow, options.growth_commits = 1, 1, 2
    if options.full and 100_000 not in options.sizes:
        options.sizes.append(100_000)
    options.sizes.sort()
    options.callgrind = [] if options.no_callgrind else [name.strip() for name in options.callgrind.split(",")]
    unknown = set(options.callgrind) - set(PROFILED)
    if unknown:
        parser.error(f"--callgrind: unknown operation {', '.join(sorted(unknown))}")
    if options.callgrind_size is None:
        options.callgrind_size = options.sizes[0]
    return options


def measure(ours, git, repeat: int) -> dict:
    """Medians and samples of ours and git: a warm-up pair (repetition -1, not counted), then
    repeat pairs, the side that goes first alternating."""
    samples = {"ours": [], "git": []}
    for rep in range(-1, repeat):
        order = [("ours", ours), ("git", git)] if rep % 2 else [("git", git), ("ours", ours)]
        for side, run in order:
            seconds = run(rep)
            if rep >= 0:
                samples[side].append(seconds)
    return {"ours": statistics.median(samples["ours"]), "git": statistics.median(samples["git"]),
            "samples": samples}


def run_size(workspace: Workspace, options, log) -> list:
    """Every operation at one size; rows for the table."""
    rows = []
    slow, fast = options.repeat_slow, options.repeat
    pairs = [("initial push", workspace.initial_push, slow),
             ("clone (no checkout)", workspace.clone, slow),
             ("no-op fetch", workspace.noop_fetch, fast),
             ("push of 1", lambda: workspace.push(1), fast),
             ("push of 100", lambda: workspace.push(100), fast),
             ("fetch of 1", workspace.fetch_one, fast),
             ("status with 1 change", workspace.status_one, fast),
             ("app put", workspace.app_put_pair, fast)]
    for name, pair, repeat in pairs:
        started = time.perf_counter()
        result = measure(*pair(), repeat)
        rows.append(dict(operation=name, size=workspace.size, unit="seconds", **result))
        log(f"{name}: ours {report.show(result['ours'], 'seconds')}, git {report.show(result['git'], 'seconds')}"
            f" ({time.perf_counter() - started:.0f} s)")
        if name == "clone (no checkout)":
            workspace.ready()
    ours, git = workspace.growth(options.growth_commits)
    log(f"store growth per commit: ours {report.show(ours, 'bytes')}, git {report.show(git, 'bytes')}")
    rows.append(dict(operation="store growth per commit", size=workspace.size, unit="bytes", ours=ours, git=git))
    for name in ("clone", "initial push"):
        rows.append(dict(operation=f"helper peak memory, {name}", size=workspace.size, unit="bytes",
                         ours=workspace.peaks[name]))
    return rows


def machine() -> dict:
    def first_line(*command):
        return subprocess.run(command, capture_output=True, text=True).stdout.strip().splitlines()[0]
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {"cores": os.cpu_count(), "memory_gb": round(memory / 2**30), "system": platform.platform(),
            "load_average": os.getloadavg(),
            "git": first_line("git", "--version"), "libgit2": first_line("pkg-config", "--modversion", "libgit2")}


def main() -> int:
    options = arguments()
    bin_dir = options.bin
    if bin_dir is None:
        # As install.sh builds what it installs: the Swift runtime linked into the programs.
        subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib"], cwd=ROOT, check=True,
                       stdout=sys.stderr)
        bin_dir = ROOT / ".build/release"
    bin_dir = bin_dir.resolve()
    options.out = options.out.resolve()  # the helper's wrappers write into it from other directories
    options.out.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    work = (options.work or Path(tempfile.mkdtemp(prefix="workspace-bench-"))).resolve()
    started = time.perf_counter()

    def log(message):
        print(f"[{time.perf_counter() - started:6.0f} s] {message}", file=sys.stderr, flush=True)

    try:
        shell = Shell(bin_dir, work / "home")
        templates, manifest = canonical_templates(shell, options.corpus, work / "templates")
        peak = PeakMemory(work / "peak", bin_dir / "git-remote-workspace")
        rows, profiles = [], {}
        for size in options.sizes:
            workspace = Workspace(shell, work / str(size), size, not options.no_aliases, templates, manifest, peak)
            log(f"{size} workflows: source repository built ({workspace.build_seconds:.1f} s)")
            rows += run_size(workspace, options, log)
            if size == options.callgrind_size and options.callgrind:
                profiler = Callgrind(options.out / "callgrind", bin_dir / "git-remote-workspace", top=12)
                profiles = {f"{PROFILED[name]} at {size}": profile
                            for name, profile in workspace.callgrind(profiler, options.callgrind).items()}
                log("callgrind profiles done")
            log(f"{size} workflows done")
    except (BenchError, subprocess.CalledProcessError) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    finally:
        if options.work is None:
            # Deleting a few hundred thousand files takes minutes on a disk mounted with
            # `discard`: done by a detached rm, so neither the figures nor the run wait for it.
            subprocess.Popen(["rm", "-rf", "--", str(work)], start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    report.judge(rows)
    result = {"machine": machine(), "bin": str(bin_dir), "sizes": options.sizes, "repeat": options.repeat,
              "aliases": not options.no_aliases, "seconds": round(time.perf_counter() - started),
              "rows": rows, "callgrind": profiles}
    (options.out / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    (options.out / "results.md").write_text(report.markdown_table(rows) + "\n")
    print(report.text_table(rows))
    print(report.LEGEND)
    if profiles:
        print("\n" + report.callgrind_text(profiles))
    plotted = report.plot(rows, options.out / "bench.png")
    print(f"\nresults: {options.out}/results.json, results.md (the table in markdown)"
          + (", bench.png" if plotted else " (no plot: python3-matplotlib is missing)")
          + f"; {result['seconds']} s in all; load average {load_before:.1f} at the start, "
          + f"{os.getloadavg()[0]:.1f} at the end ({os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
