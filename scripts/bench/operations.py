"""The measured operations of one workspace size, each as a pair (ours, plain git's equivalent).

Every function of a pair takes the repetition number (-1 is the warm-up, not counted),
prepares what it needs untimed, and returns the seconds of the timed command(s) only.
Both clones are kept in step with their remotes after every repetition, so each
repetition meets the same situation: one change, or none.
"""
import time
from pathlib import Path

from fixture import Shell, disk_bytes, edit_title, remove, source_repository, workflow_text
from probes import Callgrind, PeakMemory


class Workspace:
    """One size: the packed source repository, the store, our clone, git's clone and a writer clone."""

    def __init__(self, shell: Shell, root: Path, size: int, alias: bool, templates, manifest: bytes,
                 peak: PeakMemory):
        self.shell, self.root, self.size, self.peak = shell, root, size, peak
        root.mkdir(parents=True)
        self.source, self.empty = root / "source.git", root / "empty.git"
        self.store = root / "workspace.db"
        self.url = f"workspace::{self.store}"
        self.ours, self.git, self.writer = root / "clone-ours", root / "clone-git", root / "writer"
        self.ids, files = [], [("workspace.json", manifest)]
        for index in range(size):
            source_id, text = workflow_text(templates[index % len(templates)], index, alias)
            self.ids.append(source_id)
            files.append((f"workflows/{source_id}/definition.yml", text.encode()))
        started = time.perf_counter()
        source_repository(shell, self.source, files)
        self.build_seconds = time.perf_counter() - started
        self.peaks: dict[str, int] = {}
        self.counter = 0

    # ---- helpers (untimed)

    def pick(self, count: int) -> list[str]:
        """count distinct source ids spread over the workspace, different at each call."""
        picked = []
        for _ in range(count):
            self.counter += 1
            picked.append(self.ids[self.counter * 7919 % self.size])
        return picked

    def document(self, repo: Path, source_id: str) -> Path:
        """The file of workflow source_id in repo."""
        return repo / "workflows" / source_id / "definition.yml"

    def commit_edits(self, repo: Path, count: int) -> None:
        """count workflows of repo retitled and committed."""
        for source_id in self.pick(count):
            edit_title(self.document(repo, source_id), self.counter)
        self.shell.run("git", "commit", "-qam", f"Edit {count}", cwd=repo)

    def app_document(self) -> Path:
        """A retitled copy of one workflow, for `git workspace app put` (our clone is in step with the store)."""
        path = self.root / "app.yml"
        path.write_text(self.document(self.ours, self.pick(1)[0]).read_text())
        edit_title(path, self.counter)
        return path

    def app_put(self) -> float:
        """Seconds of one application change: `git workspace app put` of app_document()."""
        return self.shell.timed("git", "workspace", "app", "put", self.store, "--file", self.app_document())

    def writer_commit(self) -> None:
        """One new commit on the bare repository, made by another clone (git's application change)."""
        self.shell.run("git", "pull", "-q", "--ff-only", cwd=self.writer)
        self.commit_edits(self.writer, 1)
        self.shell.run("git", "push", "-q", cwd=self.writer)

    def fast_forward(self, repo: Path) -> None:
        """repo's branch moved to what its last fetch brought."""
        self.shell.run("git", "merge", "-q", "--ff-only", "@{upstream}", cwd=repo)

    def probe(self, rep: int) -> dict:
        """Run options: the warm-up repetition of our side runs the helper under PeakMemory."""
        return self.peak.options() if rep < 0 else {}

    def record_peak(self, rep: int, name: str) -> None:
        if rep < 0:
            self.peaks[name] = self.peak.read()

    def store_bytes(self) -> int:
        """The SQLite store's size after a checkpoint that empties its write-ahead log."""
        self.shell.run("sqlite3", self.store, "PRAGMA wal_checkpoint(TRUNCATE);")
        return sum(disk_bytes(Path(f"{self.store}{suffix}")) for suffix in ("", "-wal"))

    # ---- the pairs

    def initial_push(self):
        def ours(rep):
            remove(self.store, Path(f"{self.store}-wal"), Path(f"{self.store}-shm"))
            self.shell.run("git", "workspace", "init", self.store)
            seconds = self.shell.timed("git", "--git-dir", self.source, "push", "-q", self.url, "main:main",
                                       **self.probe(rep))
            self.record_peak(rep, "initial push")
            return seconds

        def git(rep):
            remove(self.empty)
            self.shell.run("git", "init", "-q", "--bare", self.empty)
            return self.shell.timed("git", "--git-dir", self.source, "push", "-q", self.empty, "main:main")
        return ours, git

    def clone(self):
        """Clones without checkout: checking out writes the same files on both sides and, on this
        machine, took 3-6 s of noise at 10 000; ready() checks out afterwards, untimed."""
        def side(command, ours):
            def run(rep):
                remove(command[-1])
                seconds = self.shell.timed("git", "clone", "-q", "--no-checkout", *command,
                                           **(self.probe(rep) if ours else {}))
                if ours:
                    self.record_peak(rep, "clone")
                return seconds
            return run
        return side([self.url, self.ours], True), side(["--no-local", self.source, self.git], False)

    def ready(self) -> None:
        """The work trees of both clones checked out, and the writer clone made."""
        for repo in (self.ours, self.git):
            self.shell.run("git", "reset", "-q", "--hard", cwd=repo)
        self.shell.run("git", "clone", "-q", self.source, self.writer)

    def noop_fetch(self):
        return (lambda rep: self.shell.timed("git", "fetch", "-q", cwd=self.ours),
                lambda rep: self.shell.timed("git", "fetch", "-q", cwd=self.git))

    def push(self, count: int):
        def side(repo):
            def run(rep):
                self.commit_edits(repo, count)
                return self.shell.timed("git", "push", "-q", cwd=repo)
            return run
        return side(self.ours), side(self.git)

    def after_one_change(self, ours: list, git: list):
        """A pair timing commands (lists of commands) that meet one change: an application change
        (`app put`) on our side, a commit pushed to the bare repository by the writer on git's;
        the clone is fast-forwarded afterwards, untimed."""
        def side(change, repo, commands):
            def run(rep):
                change()
                seconds = sum(self.shell.timed(*command, cwd=repo) for command in commands)
                self.fast_forward(repo)
                return seconds
            return run
        return side(self.app_put, self.ours, ours), side(self.writer_commit, self.git, git)

    def fetch_one(self):
        return self.after_one_change([["git", "fetch", "-q"]], [["git", "fetch", "-q"]])

    def status_one(self):
        return self.after_one_change([["git", "workspace", "status"]],
                                     [["git", "fetch", "-q"], ["git", "status", "--porcelain"]])

    def app_put_pair(self):
        def ours(rep):
            seconds = self.app_put()
            self.shell.run("git", "pull", "-q", "--ff-only", cwd=self.ours)
            return seconds

        def git(rep):
            edit_title(self.document(self.git, self.pick(1)[0]), self.counter)
            seconds = self.shell.timed("git", "commit", "-qam", "Edit 1", cwd=self.git)
            self.shell.run("git", "push", "-q", cwd=self.git)
            return seconds
        return ours, git

    # ---- figures that are not times

    def growth(self, commits: int) -> tuple[float, float]:
        """Bytes per one-resource commit: the store's (app put) and the bare repository's (push)."""
        before = self.store_bytes()
        for _ in range(commits):
            self.app_put()
        ours = (self.store_bytes() - before) / commits
        self.shell.run("git", "pull", "-q", "--ff-only", cwd=self.ours)
        before = disk_bytes(self.source)
        for _ in range(commits):
            self.commit_edits(self.git, 1)
            self.shell.run("git", "push", "-q", cwd=self.git)
        return ours, (disk_bytes(self.source) - before) / commits

    def callgrind(self, profiler: Callgrind, names: list) -> dict:
        """The helper's instruction profile for each named operation (of PROFILED), ours only."""
        profiles = {}
        for name in names:
            if name == "push":
                self.commit_edits(self.ours, 1)
                profiles[name] = profiler.profile(self.shell, name, ["git", "push", "-q"], cwd=self.ours)
            elif name == "fetch":
                self.app_put()
                profiles[name] = profiler.profile(self.shell, name, ["git", "fetch", "-q"], cwd=self.ours)
                self.fast_forward(self.ours)
            elif name == "clone":
                target = self.root / "clone-profiled"
                profiles[name] = profiler.profile(self.shell, name, ["git", "clone", "-q", "--no-checkout",
                                                                      self.url, target], cwd=self.root)
                remove(target)
            elif name == "initial-push":
                store = self.root / "profiled.db"
                self.shell.run("git", "workspace", "init", store)
                profiles[name] = profiler.profile(self.shell, name, ["git", "--git-dir", self.source, "push", "-q",
                                                                      f"workspace::{store}", "main:main"], cwd=self.root)
        return profiles


PROFILED = {"push": "push of 1 change", "fetch": "fetch of 1 change", "clone": "clone (no checkout)",
            "initial-push": "initial push"}
