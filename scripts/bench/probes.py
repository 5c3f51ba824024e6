"""Wrappers named git-remote-workspace, put first on PATH, that observe the real helper under git.

PeakMemory runs it under GNU time (`/usr/bin/time -f %M`: the helper's own peak resident
set, not git's); Callgrind under `valgrind --tool=callgrind`, on a copy stripped of its
debug info (valgrind 3.19 cannot read Swift's DWARF 5; function names stay, from the
symbol table).
"""
import re
import shlex
import shutil
import subprocess
from pathlib import Path

from fixture import BenchError, remove


# Frames that only carry a call: start-up, the protocol loop, dispatch queues, swift_once,
# thunks, partial applications, protocol witnesses, closures, and the store's transaction
# wrappers (GRDB's and SQLiteStore's). Left out of the inclusive list, which would otherwise
# be a long chain of frames near 100%. So are recursive functions above 100% (callgrind
# counts each level of a recursion cycle again there).
PLUMBING = re.compile(r"0x[0-9a-f]+|\(below main\)|__libc_start_main.*|main|\w+_main|_dl_start|"
                      r"static RemoteHelperMain\.run.*|Session\.(run|dispatch)\(.*|.*DispatchQueue.*|"
                      r"_?dispatch_\w+|(thunk|partial apply|protocol witness) for .*|closure #.*|swift_once|"
                      r"swift::threading_impl::once_slow.*|(specialized )?(SerializedDatabase|DatabaseQueue|"
                      r"Database)\..*|SQLiteStore\.(read|write|translating|immediate)<.*")


def wrapper(directory: Path, command: str) -> Path:
    """directory/git-remote-workspace: a script that execs command followed by git's arguments."""
    directory.mkdir(parents=True, exist_ok=True)
    script = directory / "git-remote-workspace"
    script.write_text(f'#!/bin/sh\nexec {command} "$@"\n')
    script.chmod(0o755)
    return directory


class PeakMemory:
    """The peak resident set of every helper process of one command, in bytes (the largest)."""

    def __init__(self, directory: Path, helper: Path):
        self.log = directory / "peak.log"
        self.directory = wrapper(directory, f'/usr/bin/time -f "peak_kb %M" -a -o "$BENCH_PEAK_LOG" '
                                            f'{shlex.quote(str(helper))}')

    def options(self) -> dict:
        """Shell.run options that run the helper under this wrapper."""
        remove(self.log)
        return {"front": self.directory, "extra": {"BENCH_PEAK_LOG": str(self.log)}}

    def read(self) -> int:
        kilobytes = [int(value) for value in re.findall(r"^peak_kb (\d+)$", self.log.read_text(), re.M)]
        if not kilobytes:
            raise BenchError(f"the helper wrote no peak memory into {self.log}")
        return max(kilobytes) * 1024


class Callgrind:
    """Instruction counts (Ir) of the helper under one command: the total and the top functions."""

    def __init__(self, directory: Path, helper: Path, top: int):
        self.top = top  # self-cost functions listed; twice as many inclusive ones (call chains repeat a cost)
        stripped = directory / "git-remote-workspace-stripped"
        directory.mkdir(parents=True, exist_ok=True)
        subprocess.run(["strip", "--strip-debug", "-o", str(stripped), str(helper)], check=True)
        self.output = directory / "callgrind.out"
        self.directory = wrapper(directory / "bin", f'valgrind --tool=callgrind -q '
                                                    f'--callgrind-out-file="$BENCH_CALLGRIND_OUT" '
                                                    f'{shlex.quote(str(stripped))}')

    def profile(self, shell, name: str, command: list, cwd: Path) -> dict:
        """Runs command with the helper under callgrind; keeps the profile as callgrind.out.<name>."""
        output = self.output.with_name(f"callgrind.out.{name.replace(' ', '-')}")
        remove(output)
        shell.run(*command, cwd=cwd, front=self.directory, extra={"BENCH_CALLGRIND_OUT": str(output)})
        inclusive = self.annotate(output, inclusive=True)
        return {"profile": str(output), "instructions": inclusive["total"],
                "inclusive": inclusive["functions"],
                "self": self.annotate(output, inclusive=False)["functions"]}

    def annotate(self, output: Path, inclusive: bool) -> dict:
        """callgrind_annotate's total and top functions (Swift names demangled, simplified)."""
        result = subprocess.run(["callgrind_annotate", f"--inclusive={'yes' if inclusive else 'no'}", str(output)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise BenchError(f"callgrind_annotate {output} exited {result.returncode}: {result.stderr.strip()}")
        text = result.stdout
        total = re.search(r"^\s*([\d,]+).*PROGRAM TOTALS", text, re.M)
        rows = re.findall(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+(?:\S*?:)?(\S.*?)(?: \[[^\]]*\])?$",
                          text.split("PROGRAM TOTALS", 1)[-1], re.M)
        total = int(total.group(1).replace(",", "")) if total else 0
        rows = [(int(count.replace(",", "")), name) for count, name in rows]
        names = demangle([name for _, name in rows])
        functions = [{"instructions": count, "function": name} for (count, _), name in zip(rows, names)
                     if not (inclusive and (count > total or PLUMBING.fullmatch(name)))]
        return {"total": total, "functions": functions[:self.top * (2 if inclusive else 1)]}


def demangle(names: list) -> list:
    """Swift symbols as `swift demangle --simplified` reads them; others unchanged."""
    if not names or not shutil.which("swift"):
        return names
    result = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(names),
                            capture_output=True, text=True)
    lines = result.stdout.splitlines()
    return lines if result.returncode == 0 and len(lines) == len(names) else names
