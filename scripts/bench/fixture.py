"""What the benchmark runs against: an isolated shell, corpus workflows, one workspace size.

A size is N workflow documents made from the Tracecat corpus (read from ../shared/corpus at
run time, never copied into the repository), each with its own source id and, in the
`alias` variant, its own alias. The same tree exists as a packed bare git repository
(`source.git`, `git repack -ad`), the source of both initial pushes; the workspace store,
our clone and git's clone are made by the measured initial push and clone themselves.
"""
import os
import re
import shutil
import subprocess
import time
from pathlib import Path


class BenchError(Exception):
    """A command the harness runs failed: the run stops and says which one."""


class Shell:
    """Runs commands with git isolated from the user's configuration and the tools under test first on PATH."""

    def __init__(self, bin_dir: Path, home: Path):
        home.mkdir(parents=True, exist_ok=True)
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
        self.env.update(HOME=str(home), PATH=f"{bin_dir}:{os.environ['PATH']}", LC_ALL="C",
                        GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null",
                        GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.com",
                        GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.com")

    def run(self, *args, cwd=None, stdin: bytes | None = None, front: Path | None = None,
            extra: dict | None = None) -> str:
        """Runs args (never through a shell); front goes first on PATH. Raises BenchError on failure."""
        env = dict(self.env, **(extra or {}))
        if front:
            env["PATH"] = f"{front}:{env['PATH']}"
        result = subprocess.run([str(arg) for arg in args], cwd=cwd, env=env, input=stdin,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if result.returncode != 0:
            tail = result.stderr.decode(errors="replace").strip().splitlines()[-15:]
            raise BenchError(f"{' '.join(map(str, args))} (in {cwd or '.'}) exited {result.returncode}:\n"
                             + "\n".join(tail))
        return result.stdout.decode(errors="replace")

    def timed(self, *args, **options) -> float:
        """Seconds of wall time that run(*args) takes."""
        started = time.perf_counter()
        self.run(*args, **options)
        return time.perf_counter() - started


def corpus_documents(corpus: Path):
    """(name, text) of each corpus workflow that validates, wrapped as a workflow document with an alias.

    Files ending `_expected.yml` are recorded run results, not workflows. A bare DSL file is
    indented under `definition:` (as Tests/EndToEndTests/StoreScopeTests.swift does).
    """
    for path in sorted(corpus.glob("*.yml")):
        if path.stem.endswith("_expected"):
            continue
        body = path.read_text()
        if not body.startswith("definition:"):
            body = "definition:\n" + "".join("  " + line if line.strip() else line
                                             for line in body.splitlines(keepends=True))
        yield path.stem, f"version: 1\ntype: workflow\nid: {path.stem}\nalias: {path.stem}\n{body}"


def canonical_templates(shell: Shell, corpus: Path, scratch: Path):
    """(name, canonical text) per corpus workflow, as a clone of a workspace holding them projects them,
    and the workspace.json of that clone.

    Each goes through `git workspace app put`, so the generated trees hold exactly the bytes
    the workspace itself renders (the trees a team's clone holds).
    """
    scratch.mkdir(parents=True)
    store = scratch / "templates.db"
    shell.run("git", "workspace", "init", store)
    names = []
    for name, text in corpus_documents(corpus):
        (scratch / f"{name}.yml").write_text(text)
        shell.run("git", "workspace", "app", "put", store, "--file", scratch / f"{name}.yml")
        names.append(name)
    if not names:
        raise BenchError(f"no workflows in {corpus}")
    clone = scratch / "clone"
    shell.run("git", "clone", "-q", f"workspace::{store}", clone)
    templates = [(name, (clone / "workflows" / name / "definition.yml").read_text()) for name in names]
    return templates, (clone / "workspace.json").read_bytes()


def workflow_text(template, index: int, alias: bool) -> tuple[str, str]:
    """(source id, document) of workflow number index: its template with a new id and alias (or none)."""
    name, text = template
    source_id = f"{name.replace('_', '-')}-{index}"
    text = replace_line(text, f"id: {name}", f"id: {source_id}")
    return source_id, replace_line(text, f"alias: {name}", f"alias: {name}_{index}" if alias else None)


def replace_line(text: str, old: str, new: str | None) -> str:
    """text with its first line equal to old replaced by new (removed when None)."""
    lines = text.split("\n")
    position = lines.index(old)  # ValueError: a template without the line, a harness bug
    lines[position:position + 1] = [] if new is None else [new]
    return "\n".join(lines)


def source_repository(shell: Shell, path: Path, files) -> None:
    """A bare repository at path whose main holds files ((path, bytes) pairs) in one commit, packed."""
    shell.run("git", "init", "-q", "--bare", "--initial-branch=main", path)
    stream = bytearray(b"commit refs/heads/main\ncommitter Bench <bench@example.com> 1700000000 +0000\n"
                       b"data 14\nBenchmark tree\n")
    for name, data in files:
        stream += b"M 100644 inline %s\ndata %d\n%s\n" % (name.encode(), len(data), data)
    shell.run("git", "fast-import", "--quiet", cwd=path, stdin=bytes(stream))
    shell.run("git", "repack", "-adq", cwd=path)


def edit_title(path: Path, counter: int) -> None:
    """Rewrites a workflow document's title in place: a valid one-resource change."""
    text = path.read_text()
    edited, found = re.subn(r"^  title: .*$", f"  title: Bench edit {counter}", text, count=1, flags=re.M)
    if not found:
        raise BenchError(f"no title line in {path}")
    path.write_text(edited)


def remove(*paths: Path) -> None:
    """Removes files and directories that may not exist."""
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def disk_bytes(path: Path) -> int:
    """Bytes in the files at or under path (0 when there is nothing)."""
    if not path.exists():
        return 0
    if path.is_file():
        return path.stat().st_size
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())
