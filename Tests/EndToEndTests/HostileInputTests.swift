import Foundation
import Testing
import WorkspaceTestSupport

/// Hostile input pushed through the real `git push` into a workspace (issue 11, item 3).
///
/// Each case is a tree git can hold but a workspace must not take as it is: links and
/// submodules where resources belong, directories where files belong, huge blobs, deep
/// trees, file names with newlines and escape sequences, Unicode and case twins, roots that
/// point out of the tree, YAML with foreign tags and several documents. Commits the work
/// tree cannot express are built with git's plumbing. Every case ends in one of two ways:
///
/// - refused: git push exits 1 with `! [remote rejected]`, stderr names the file (with line
///   and column for YAML) in the words asserted here, and the store is byte-identical;
/// - accepted safely, as git-workspace(1) and git-remote-workspace(1) document: what is
///   stored is asserted, and so is the man page sentence that promises it.
///
/// Either way git runs under `timeout 120` and must end by itself, without a crash of the
/// helper (no `fatal:`, no signal, no stack trace) and without a control character of the
/// repository's reaching the terminal.
@Suite struct HostileInputTests {
    // MARK: - Fixture helpers (kept here: the shared fixtures are others' to change)

    /// A store holding the workflow `triage` and the variable `slack`, and a clone `c` of it.
    static func workspace(_ label: String) throws -> (WorkspaceFixture, Runner) {
        let ws = try WorkspaceFixture(label)
        try ws.put(appWorkflow(alias: "triage", title: "Triage"))
        try ws.put("type: variable\nname: slack\nvalues:\n  default: {channel: alerts}\n")
        return (ws, try ws.clone("c"))
    }

    /// A valid workflow document with `id`.
    static func workflowDocument(_ id: String) -> String {
        "version: 1\ntype: workflow\nid: \(id)\ndefinition:\n  title: T\n  actions:\n    - ref: a\n      action: core.noop\n"
    }

    /// Writes `text` as a blob into the clone's objects; its id.
    static func blob(_ clone: Runner, _ text: String) throws -> String {
        let written = try clone.run(["git", "hash-object", "-w", "--stdin"], stdin: text)
        try #require(written.status == 0, "\(written)")
        return written.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `git rev-parse <revision>` in the clone.
    static func rev(_ clone: Runner, _ revision: String) throws -> String {
        let parsed = try clone.git("rev-parse", "--verify", revision)
        try #require(parsed.status == 0, "\(parsed)")
        return parsed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// One index entry: a git mode, an object id and a path (any bytes but NUL).
    struct Entry: Sendable {
        var mode: String
        var id: String
        var path: String
    }

    /// Removes `removing` from the index, stages `entries` with `git update-index -z
    /// --index-info` (so paths may hold newlines and escape characters, and modes may be
    /// links and submodules the work tree does not have) and commits; the work tree is
    /// left alone.
    static func commit(_ clone: Runner, _ entries: [Entry], removing: [String] = [], message: String = "hostile") throws {
        for path in removing {
            let removed = try clone.git("rm", "-r", "-q", "--cached", "--", path)
            try #require(removed.status == 0, "\(removed)")
        }
        let info = entries.map { "\($0.mode) \($0.id)\t\($0.path)\u{0}" }.joined()
        let staged = try clone.run(["git", "update-index", "-z", "--index-info"], stdin: info)
        try #require(staged.status == 0, "\(staged)")
        let committed = try clone.git("commit", "-q", "--no-verify", "-m", message)
        try #require(committed.status == 0, "\(committed)")
    }

    /// Runs `git fast-import` with `commands` (one commit on `refs/heads/main`, built on
    /// the current `main`): thousands of files in one process, or paths hundreds of
    /// directories deep, without a work tree that holds them.
    static func fastImport(_ clone: Runner, files: [(path: String, text: String)], message: String = "imported") throws {
        var stream = "commit refs/heads/main\ncommitter Test Committer <committer@example.com> 1767225600 +0000\n"
        stream += "data \(message.utf8.count)\n\(message)\nfrom refs/heads/main^0\n"
        for file in files {
            stream += "M 100644 inline \(file.path)\ndata \(file.text.utf8.count)\n\(file.text)\n"
        }
        stream += "\n"
        let imported = try clone.run(["git", "fast-import", "--quiet"], stdin: stream)
        try #require(imported.status == 0, "\(imported)")
    }

    /// `git push` under `timeout 120`: it must end by itself, the helper must not crash,
    /// and nothing of the repository's may write a control character to the terminal.
    static func push(_ clone: Runner, _ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> RunResult {
        let pushed = try clone.run(["timeout", "120", "git", "push"] + arguments)
        #expect(pushed.status != 124, "git push timed out: \(pushed)", sourceLocation: sourceLocation)
        #expect(pushed.status < 128, "git push ended by a signal: \(pushed)", sourceLocation: sourceLocation)
        for sign in ["fatal:", "died of signal", "Fatal error", "Backtrace", "Stack dump", "Segmentation fault", "Current stack trace"] {
            #expect(!pushed.stderr.contains(sign), "\(sign): \(pushed)", sourceLocation: sourceLocation)
        }
        let controls = pushed.stderr.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) }
        #expect(controls.isEmpty, "control characters on stderr: \(controls.map { $0.value }) in \(pushed)", sourceLocation: sourceLocation)
        return pushed
    }

    /// A refused push: exit 1, git's rejection line with `reason`, every line of
    /// `diagnostics` present as the start of a line of stderr, and the store as `before`.
    static func expectRefused(_ pushed: RunResult, _ ws: WorkspaceFixture, before: String, reason: String = "invalid definitions",
                              _ diagnostics: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(pushed.status == 1, "\(pushed)", sourceLocation: sourceLocation)
        #expect(pushed.stderr.contains("! [remote rejected] main -> main (\(reason)"), "\(pushed)", sourceLocation: sourceLocation)
        let lines = pushed.stderr.split(separator: "\n").map(String.init)
        for diagnostic in diagnostics {
            #expect(lines.contains { $0.hasPrefix(diagnostic) }, "missing '\(diagnostic)' in:\n\(pushed.stderr)", sourceLocation: sourceLocation)
        }
        #expect(try ws.dump() == before, "the store changed", sourceLocation: sourceLocation)
    }

    /// An accepted push whose branch is the pushed commit itself.
    static func expectAccepted(_ pushed: RunResult, _ ws: WorkspaceFixture, _ clone: Runner, summary: String,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(pushed.status == 0, "\(pushed)", sourceLocation: sourceLocation)
        #expect(pushed.stderr.contains("workspace main: \(summary)\n"), "\(pushed)", sourceLocation: sourceLocation)
        let listed = try ws.run.git("ls-remote", ws.url, "refs/heads/main")
        #expect(listed.stdout.hasPrefix(try rev(clone, "main") + "\t"), "\(listed)", sourceLocation: sourceLocation)
    }

    /// The resource and mapping rows of a dump: what an import writes per resource.
    static func resourceRows(_ dump: String) -> [String] {
        dump.split(separator: "\n").filter { $0.hasPrefix("resource ") || $0.hasPrefix("mapping ") }.map(String.init)
    }

    /// A man page's source with runs of blanks made one space, so a sentence can be
    /// looked for across the source's line breaks.
    static func manPage(_ name: String) throws -> String {
        let text = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("man/\(name)"), encoding: .utf8)
        return text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
    }

    // MARK: - Symbolic links and submodules (gitlinks)

    struct LinkCase: CustomStringConvertible, Sendable {
        var name: String
        /// 120000 (a symbolic link, whose blob is its target) or 160000 (a submodule).
        var mode: String
        var path: String
        /// The link's target text (ignored for a submodule, which points at a commit).
        var target = "/etc/passwd"
        /// Index paths removed first (the file or directory the entry replaces).
        var removing: [String] = []
        var diagnostic: String
        var description: String { name }
    }

    static let linkCases: [LinkCase] = [
        LinkCase(name: "symlink as a new definition", mode: "120000", path: "workflows/evil/definition.yml", target: "../../../etc/passwd",
                 diagnostic: "workflows/evil/definition.yml:1:1: error: a symbolic link where a workflow belongs; commit the file itself"),
        LinkCase(name: "symlink replacing a definition", mode: "120000", path: "workflows/triage/definition.yml",
                 removing: ["workflows/triage/definition.yml"],
                 diagnostic: "workflows/triage/definition.yml:1:1: error: a symbolic link where a workflow belongs; commit the file itself"),
        LinkCase(name: "symlink as a variable", mode: "120000", path: "variables/evil.yml",
                 diagnostic: "variables/evil.yml:1:1: error: a symbolic link where a variable belongs; commit the file itself"),
        LinkCase(name: "symlink as the workflows root", mode: "120000", path: "workflows", target: "/etc", removing: ["workflows"],
                 diagnostic: "workflows:1:1: error: a symbolic link where the directory of the workflows root 'workflows/' belongs; commit the directory itself"),
        LinkCase(name: "symlink inside a root", mode: "120000", path: "workflows/etc", target: "/etc",
                 diagnostic: "workflows/etc:1:1: error: not a canonical workflow path (a workflow is workflows/<id>/definition.yml); it would not be imported"),
        LinkCase(name: "symlink as the manifest", mode: "120000", path: "workspace.json",
                 target: #"{"version": 1, "resources": {"workflows": "workflows/"}}"#, removing: ["workspace.json"],
                 diagnostic: "workspace.json:1:1: error: a symbolic link where the manifest belongs; commit the file itself"),
        LinkCase(name: "submodule as a definition", mode: "160000", path: "workflows/sub/definition.yml",
                 diagnostic: "workflows/sub/definition.yml:1:1: error: a submodule where a workflow belongs; commit the file itself"),
        LinkCase(name: "submodule as the workflows root", mode: "160000", path: "workflows", removing: ["workflows"],
                 diagnostic: "workflows:1:1: error: a submodule where the directory of the workflows root 'workflows/' belongs; commit the directory itself"),
        LinkCase(name: "submodule inside a root", mode: "160000", path: "workflows/vendored",
                 diagnostic: "workflows/vendored:1:1: error: not a canonical workflow path (a workflow is workflows/<id>/definition.yml); it would not be imported"),
        LinkCase(name: "submodule as the manifest", mode: "160000", path: "workspace.json", removing: ["workspace.json"],
                 diagnostic: "workspace.json:1:1: error: a submodule where the manifest belongs; commit the file itself"),
    ]

    @Test(arguments: linkCases)
    func aLinkOrSubmoduleWhereAFileOrARootBelongsIsRefused(_ link: LinkCase) throws {
        let (ws, clone) = try Self.workspace("link")
        let before = try ws.dump()
        let id = link.mode == "160000" ? try Self.rev(clone, "HEAD") : try Self.blob(clone, link.target)
        try Self.commit(clone, [Entry(mode: link.mode, id: id, path: link.path)], removing: link.removing, message: link.name)
        try Self.expectRefused(try Self.push(clone), ws, before: before, [link.diagnostic])
        // The other doors judge it alike: the commit (what pre-push checks) and the index
        // (what the pre-commit hook checks).
        for target in ["HEAD", "--staged"] {
            let validated = try clone.git("workspace", "validate", target)
            #expect(validated.status == 1 && validated.stderr.split(separator: "\n").contains { $0.hasPrefix(link.diagnostic) },
                    "validate \(target): \(validated)")
        }
    }

    @Test func aSymlinkedRootOnDiskIsRefusedByValidateAndThePreCommitHook() throws {
        let (ws, clone) = try Self.workspace("disk-link")
        let before = try ws.dump()
        let elsewhere = clone.directory.deletingLastPathComponent().appendingPathComponent("elsewhere")
        try FileManager.default.moveItem(at: clone.directory.appendingPathComponent("workflows"), to: elsewhere)
        try FileManager.default.createSymbolicLink(atPath: clone.directory.appendingPathComponent("workflows").path,
                                                   withDestinationPath: elsewhere.path)
        let diagnostic = "workflows:1:1: error: a symbolic link where the directory of the workflows root 'workflows/' belongs; commit the directory itself"
        let validated = try clone.git("workspace", "validate")
        #expect(validated.status == 1 && validated.stderr.contains(diagnostic + "\n"), "\(validated)")
        #expect(try clone.git("workspace", "install-hooks").status == 0)
        #expect(try clone.git("add", "-A").status == 0)
        let committed = try clone.git("commit", "-q", "-m", "link the root")
        #expect(committed.status != 0 && committed.stderr.contains(diagnostic + "\n"), "\(committed)")
        #expect(try ws.dump() == before)
    }

    @Test func linksAndSubmodulesOutsideTheRootsAreKeptAndNeverFollowed() throws {
        let (ws, clone) = try Self.workspace("outside-links")
        let rows = Self.resourceRows(try ws.dump())
        let target = try Self.blob(clone, "/etc/passwd")
        let commit = try Self.rev(clone, "HEAD")
        try Self.commit(clone, [
            Entry(mode: "120000", id: target, path: "docs/passwd"),
            Entry(mode: "120000", id: target, path: "workflows/.hidden-link"),
            Entry(mode: "160000", id: commit, path: "vendor/lib"),
        ])
        try Self.expectAccepted(try Self.push(clone), ws, clone, summary: "no resource changed")
        #expect(Self.resourceRows(try ws.dump()) == rows)
        // The link's text is stored, never what it points at.
        let rootLine = Array("root:x:0:0".utf8).map { String(format: "%02x", $0) }.joined()
        #expect(!(try ws.dump()).contains(rootLine))

        // A clone gets the link and the submodule back as git keeps them.
        let other = try ws.clone("other")
        let tree = try other.git("ls-tree", "-r", "HEAD").stdout
        #expect(tree.contains("120000 blob \(target)\tdocs/passwd\n"), "\(tree)")
        #expect(tree.contains("120000 blob \(target)\tworkflows/.hidden-link\n"), "\(tree)")
        #expect(tree.contains("160000 commit \(commit)\tvendor/lib\n"), "\(tree)")
        #expect(try Self.manPage("git-workspace.1").contains(
            "Outside the roots, symbolic links and submodules are kept in the commit as git keeps them and never followed or read"))
    }

    // MARK: - The executable bit

    @Test func anExecutableDefinitionIsAcceptedAndTheNextApplicationEditWritesAnOrdinaryFile() throws {
        let (ws, clone) = try Self.workspace("exec")
        let path = "workflows/tool/definition.yml"
        try ws.write(clone, path, Self.workflowDocument("tool"))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: clone.directory.appendingPathComponent(path).path)
        try #require(try clone.git("add", path).status == 0)
        try #require(try clone.git("commit", "-qm", "An executable definition").status == 0)
        try Self.expectAccepted(try Self.push(clone), ws, clone, summary: "1 created")
        #expect(try ws.show("tool")["archived"] as? Bool == false)
        // The branch is the pushed commit, mode and all.
        #expect(try clone.git("ls-tree", "origin/main", path).stdout.hasPrefix("100755 blob "))

        // The application's next edit of the resource writes it as an ordinary file.
        try ws.put("id: tool\n" + appWorkflow(title: "Tool 2"))
        try #require(try clone.git("pull", "-q", "--no-rebase").status == 0)
        #expect(try clone.git("ls-tree", "HEAD", path).stdout.hasPrefix("100644 blob "))
        #expect(try Self.manPage("git-workspace.1").contains(
            "the pushed commit keeps its mode (the branch is the pushed commit), and the application's next edit of that resource writes it as an ordinary file (mode 100644)"))
    }

    // MARK: - A definition that is a directory

    struct DirectoryCase: CustomStringConvertible, Sendable {
        var name: String
        var path: String
        var removing: [String]
        var diagnostic: String
        var description: String { name }
    }

    static let directoryCases: [DirectoryCase] = [
        DirectoryCase(name: "workflow definition as a directory", path: "workflows/triage/definition.yml/definition.yml",
                      removing: ["workflows/triage/definition.yml"],
                      diagnostic: "workflows/triage/definition.yml/definition.yml:1:1: error: a directory where a workflow file belongs (a workflow is workflows/<id>/definition.yml); it would not be imported; did you mean workflows/triage/definition.yml?"),
        DirectoryCase(name: "variable as a directory", path: "variables/slack.yml/values.yml", removing: ["variables/slack.yml"],
                      diagnostic: "variables/slack.yml/values.yml:1:1: error: a directory where a variable file belongs (a variable is variables/<id>.yml); it would not be imported; did you mean variables/slack.yml?"),
        DirectoryCase(name: "new definition as a directory", path: "workflows/new/definition.yml/README",
                      removing: [],
                      diagnostic: "workflows/new/definition.yml/README:1:1: error: a directory where a workflow file belongs (a workflow is workflows/<id>/definition.yml); it would not be imported; did you mean workflows/new/definition.yml?"),
    ]

    @Test(arguments: directoryCases)
    func aDirectoryWhereADefinitionBelongsIsRefused(_ directory: DirectoryCase) throws {
        let (ws, clone) = try Self.workspace("dir")
        let before = try ws.dump()
        let id = try Self.blob(clone, Self.workflowDocument("triage"))
        try Self.commit(clone, [Entry(mode: "100644", id: id, path: directory.path)], removing: directory.removing)
        try Self.expectRefused(try Self.push(clone), ws, before: before, [directory.diagnostic])
    }

    /// An empty tree at a definition's path (only plumbing can make one: no file under it
    /// says anything) is a mistake, not a removal: the resource is not archived.
    @Test func anEmptyTreeWhereADefinitionWasIsRefusedNotArchived() throws {
        let (ws, clone) = try Self.workspace("emptytree")
        let before = try ws.dump()
        func mktree(_ listing: String) throws -> String {
            let made = try clone.run(["git", "mktree"], stdin: listing)
            try #require(made.status == 0, "\(made)")
            return made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let empty = try mktree("")
        let triage = try mktree("040000 tree \(empty)\tdefinition.yml\n")
        let workflows = try mktree("040000 tree \(triage)\ttriage\n")
        var top = try clone.git("ls-tree", "HEAD").stdout.split(separator: "\n").filter { !$0.hasSuffix("\tworkflows") }.map(String.init)
        top.append("040000 tree \(workflows)\tworkflows")
        let root = try mktree(top.joined(separator: "\n") + "\n")
        let commit = try clone.git("commit-tree", root, "-p", "HEAD", "-m", "definition.yml as an empty tree")
        try #require(commit.status == 0, "\(commit)")
        try #require(try clone.git("update-ref", "refs/heads/main", commit.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).status == 0)
        try Self.expectRefused(try Self.push(clone), ws, before: before,
                               ["workflows/triage/definition.yml:1:1: error: a directory where a workflow belongs; commit the file itself"])
    }

    // MARK: - Size: many files, a huge blob, a deep tree

    @Test func tenThousandFilesInOnePushAreImported() throws {
        let (ws, clone) = try Self.workspace("many")
        let files = (1...10_000).map { index in
            (path: "workflows/w\(index)/definition.yml", text: Self.workflowDocument("w\(index)"))
        }
        try Self.fastImport(clone, files: files, message: "Ten thousand workflows")
        let started = Date()
        try Self.expectAccepted(try Self.push(clone), ws, clone, summary: "10000 created")
        let seconds = Date().timeIntervalSince(started)
        #expect(seconds < 120, "10 000 files took \(seconds) s")
        let listed = try ws.run.run(["git", "workspace", "app", "ls", ws.store])
        #expect(listed.lines.filter { $0.contains(" workflow ") }.count == 10_001, "\(listed.lines.count) lines")
    }

    struct BigCase: CustomStringConvertible, Sendable {
        var name: String
        /// Where the 100 MB blob goes; with `removedAgain` a second commit removes it.
        var path: String
        var removedAgain = false
        /// Pushed with `-o merge` after the workspace moved on: refused before the merge reads it.
        var merging = false
        var description: String { name }
    }

    static let bigCases: [BigCase] = [
        BigCase(name: "outside the roots", path: "assets/big.bin"),
        BigCase(name: "as a definition", path: "workflows/big/definition.yml"),
        BigCase(name: "in history only", path: "assets/big.bin", removedAgain: true),
        BigCase(name: "as a definition changed on both sides, merged", path: "workflows/triage/definition.yml", merging: true),
    ]

    /// A 100 MB blob (streamed from /dev/zero into git) is refused from its object header,
    /// wherever it is in the pushed commits: the helper never holds it.
    @Test(arguments: bigCases)
    func aHundredMegabyteBlobIsRefusedUnread(_ big: BigCase) throws {
        let (ws, clone) = try Self.workspace("big")
        if big.merging { try ws.put("id: triage\n" + appWorkflow(alias: "triage", title: "Triage moved on")) }
        let before = try ws.dump()
        let hashed = try clone.run(["sh", "-c", "head -c 100000000 /dev/zero | git hash-object -w --stdin"])
        try #require(hashed.status == 0, "\(hashed)")
        let id = hashed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try Self.commit(clone, [Entry(mode: "100644", id: id, path: big.path)], message: "A big file")
        if big.removedAgain { try Self.commit(clone, [], removing: [big.path], message: "Remove it again") }
        let pushed = big.merging ? try Self.push(clone, "-o", "merge") : try Self.push(clone)
        try Self.expectRefused(pushed, ws, before: before, reason: "over the workspace's limits: 1 error",
                               ["\(big.path):1:1: error: the file is 100000000 bytes, more than the 16777216 a workspace keeps; keep large files out of the workspace's repository"])
        #expect(try Self.manPage("git-remote-workspace.1").contains("a file (blob) larger than 16 MiB anywhere in them"))
    }

    /// A definition over YAML's 8 MiB (and within the store's 16 MiB) is refused with the
    /// parser's words, its size read from the blob's header.
    @Test func aTwelveMegabyteDefinitionIsRefusedByTheYAMLLimit() throws {
        let (ws, clone) = try Self.workspace("yamlsize")
        let before = try ws.dump()
        let hashed = try clone.run(["sh", "-c", "head -c 12000000 /dev/zero | tr '\\0' '#' | git hash-object -w --stdin"])
        try #require(hashed.status == 0, "\(hashed)")
        let id = hashed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try Self.commit(clone, [Entry(mode: "100644", id: id, path: "workflows/big/definition.yml")])
        try Self.expectRefused(try Self.push(clone), ws, before: before,
                               ["workflows/big/definition.yml:1:1: error: the document is 12000000 bytes, more than the 8388608 allowed"])
    }

    /// `docs/d/d/.../f.txt` with `directories` directories above the file.
    static func deepPath(_ top: String, directories: Int, file: String) -> String {
        ([top] + Array(repeating: "d", count: directories - 1) + [file]).joined(separator: "/")
    }

    @Test func aTreeTwoHundredLevelsDeepOutsideTheRootsIsKeptAndClonedBack() throws {
        let (ws, clone) = try Self.workspace("deep")
        let rows = Self.resourceRows(try ws.dump())
        let path = Self.deepPath("docs", directories: 200, file: "f.txt")
        try Self.fastImport(clone, files: [(path, "deep\n")], message: "Two hundred levels")
        try Self.expectAccepted(try Self.push(clone), ws, clone, summary: "no resource changed")
        #expect(Self.resourceRows(try ws.dump()) == rows)
        let other = try ws.clone("other")
        #expect(try Self.rev(other, "HEAD:\(path)") == (try Self.rev(clone, "main:\(path)")))
    }

    @Test func aTreeTwoHundredLevelsDeepInsideARootIsRefused() throws {
        let (ws, clone) = try Self.workspace("deep-root")
        let before = try ws.dump()
        let path = Self.deepPath("workflows", directories: 200, file: "definition.yml")
        try Self.fastImport(clone, files: [(path, Self.workflowDocument("d"))], message: "Two hundred levels in a root")
        try Self.expectRefused(try Self.push(clone), ws, before: before,
                               ["\(path):1:1: error: not a canonical workflow path (a workflow is workflows/<id>/definition.yml); it would not be imported"])
    }

    /// Deeper than git itself can check out (a 50 000-deep tree once killed the helper on
    /// every later clone): refused at the directory past the limit.
    @Test func aTreeDeeperThanTheLimitIsRefused() throws {
        let (ws, clone) = try Self.workspace("too-deep")
        let before = try ws.dump()
        let path = Self.deepPath("docs", directories: 1_025, file: "f.txt")
        try Self.fastImport(clone, files: [(path, "deep\n")], message: "Too deep")
        let tooDeep = String(path.dropLast("/f.txt".count))
        try Self.expectRefused(try Self.push(clone), ws, before: before, reason: "over the workspace's limits: 1 error",
                               ["\(tooDeep):1:1: error: directories nest more than 1024 deep here; a workspace keeps no deeper tree"])
    }

    /// A tree within the limit used again below other directories, in the same push or in a
    /// later one (the store has it then): the depth counts where each use of it stands.
    @Test(arguments: [false, true])
    func aSubtreeUsedAgainDeeperIsRefused(laterPush: Bool) throws {
        let (ws, clone) = try Self.workspace(laterPush ? "deep-reused-later" : "deep-reused")
        let chain = Self.deepPath("docs", directories: 1_000, file: "f.txt")
        // The same `docs` tree (its 999 directories and the file) 42 directories down.
        let above = Self.deepPath("deeper", directories: 41, file: "")
        if laterPush {
            try Self.fastImport(clone, files: [(chain, "deep\n")], message: "A thousand levels")
            try Self.expectAccepted(try Self.push(clone), ws, clone, summary: "no resource changed")
        }
        let before = try ws.dump()
        try Self.fastImport(clone, files: (laterPush ? [] : [(chain, "deep\n")]) + [(above + chain, "deep\n")], message: "Again, deeper")
        try Self.expectRefused(try Self.push(clone), ws, before: before, reason: "over the workspace's limits: 1 error",
                               ["\(above)docs:1:1: error: directories nest more than 1024 deep here; a workspace keeps no deeper tree"])
    }

    // MARK: - File names with newlines and control characters

    struct NameCase: CustomStringConvertible, Sendable {
        var name: String
        var path: String
        /// The diagnostic as it must print: the path quoted as git quotes it.
        var diagnostic: String
        var description: String { name }
    }

    static let nameCases: [NameCase] = [
        NameCase(name: "newline in a resource directory", path: "workflows/a\nb/definition.yml",
                 diagnostic: #""workflows/a\nb/definition.yml":1:1: error: the path's source id is not valid: a source id must not contain control characters"#),
        NameCase(name: "escape sequence in a resource directory", path: "workflows/c\u{1B}[2Jd/definition.yml",
                 diagnostic: #""workflows/c\033[2Jd/definition.yml":1:1: error: the path's source id is not valid: a source id must not contain control characters"#),
        NameCase(name: "tab in a resource directory", path: "workflows/t\tab/definition.yml",
                 diagnostic: #""workflows/t\tab/definition.yml":1:1: error: the path's source id is not valid: a source id must not contain control characters"#),
        NameCase(name: "DEL and a C1 control", path: "workflows/x\u{7F}\u{9B}y/definition.yml",
                 diagnostic: #""workflows/x\177\302\233y/definition.yml":1:1: error: the path's source id is not valid: a source id must not contain control characters"#),
        NameCase(name: "newline after a definition's name", path: "workflows/triage/definition.yml\n",
                 diagnostic: #""workflows/triage/definition.yml\n":1:1: error: not a canonical workflow path (a workflow is workflows/<id>/definition.yml); it would not be imported"#),
        NameCase(name: "bell and carriage return in a variable's name", path: "variables/v\u{07}\r.yml",
                 diagnostic: #""variables/v\a\r.yml":1:1: error: the path's source id is not valid: a source id must not contain control characters"#),
    ]

    @Test(arguments: nameCases)
    func aControlCharacterInAResourcePathIsRefusedAndPrintedQuoted(_ name: NameCase) throws {
        let (ws, clone) = try Self.workspace("names")
        let before = try ws.dump()
        let id = try Self.blob(clone, name.path.hasPrefix("variables/")
            ? "version: 1\ntype: variable\nid: v\nname: v\nvalues:\n  default: {a: 1}\n" : Self.workflowDocument("triage"))
        try Self.commit(clone, [Entry(mode: "100644", id: id, path: name.path)], message: name.name)
        let pushed = try Self.push(clone)
        try Self.expectRefused(pushed, ws, before: before, [name.diagnostic])
        // A message quoting the name escapes it too; no line starts with a fragment of it.
        #expect(!pushed.stderr.split(separator: "\n").contains { $0.hasPrefix("b/definition.yml") || $0.hasPrefix(":1:1") }, "\(pushed)")
    }

    @Test func controlCharactersInNamesOutsideTheRootsAreKeptAsData() throws {
        let (ws, clone) = try Self.workspace("names-outside")
        let rows = Self.resourceRows(try ws.dump())
        let id = try Self.blob(clone, "notes\n")
        let path = "docs/x\ny\u{1B}[31mz\t.md"
        try Self.commit(clone, [Entry(mode: "100644", id: id, path: path)])
        try Self.expectAccepted(try Self.push(clone), ws, clone, summary: "no resource changed")
        #expect(Self.resourceRows(try ws.dump()) == rows)
        let other = try ws.clone("other")
        let listed = try other.git("ls-tree", "-z", "-r", "--name-only", "HEAD").stdout
        #expect(listed.split(separator: "\u{0}").map(String.init).contains(path), "\(listed)")
    }

    // MARK: - Unicode normalization twins and case twins

    /// `café` in NFC and in NFD: two directories to git, one name to a reader. Ids are
    /// ASCII, so both are refused for what they are, and neither is called a case twin.
    @Test func unicodeNormalizationTwinsAreRefusedByName() throws {
        let (ws, clone) = try Self.workspace("nfc")
        let before = try ws.dump()
        let nfc = "caf\u{E9}", nfd = "cafe\u{301}"
        #expect(nfc == nfd, "Swift compares them by canonical equivalence")
        #expect(Array(nfc.utf8) != Array(nfd.utf8))
        let id = try Self.blob(clone, Self.workflowDocument("triage"))
        try Self.commit(clone, [
            Entry(mode: "100644", id: id, path: "workflows/\(nfc)/definition.yml"),
            Entry(mode: "100644", id: id, path: "workflows/\(nfd)/definition.yml"),
        ])
        let pushed = try Self.push(clone)
        try Self.expectRefused(pushed, ws, before: before, [
            "workflows/\(nfc)/definition.yml:1:1: error: the path's source id is not valid: a source id uses only letters a-z, A-Z, digits, '.', '_' and '-': '\(nfc)' contains '\u{E9}' (U+00E9)",
            "workflows/\(nfd)/definition.yml:1:1: error: the path's source id is not valid: a source id uses only letters a-z, A-Z, digits, '.', '_' and '-': '\(nfd)' contains '\u{301}' (U+0301)",
        ])
        #expect(!pushed.stderr.contains("only by case"), "\(pushed)")
    }

    /// A root spelt in NFC in the manifest and a directory spelt in NFD beside it are two
    /// directories, as git sees them: the NFD one is outside the roots (never read, kept).
    @Test func aDirectoryThatIsARootsNormalizationTwinIsNotThatRoot() throws {
        let (ws, clone) = try Self.workspace("nfc-root")
        let nfc = "fl\u{F6}ws", nfd = "flo\u{308}ws"
        let manifest = #"{"version": 1, "resources": {"workflows": "\#(nfc)/", "variables": "variables/"}}"# + "\n"
        try ws.write(clone, "workspace.json", manifest)
        try #require(try clone.git("mv", "workflows", nfc).status == 0)
        try #require(try clone.git("commit", "-qam", "Move the workflows root").status == 0)
        try Self.expectAccepted(try Self.push(clone), ws, clone, summary: "no resource changed (2 unchanged)")
        let rows = Self.resourceRows(try ws.dump())

        let id = try Self.blob(clone, Self.workflowDocument("twin"))
        try Self.commit(clone, [Entry(mode: "100644", id: id, path: "\(nfd)/twin/definition.yml")])
        try Self.expectAccepted(try Self.push(clone), ws, clone, summary: "no resource changed")
        #expect(Self.resourceRows(try ws.dump()) == rows)
        #expect(try Self.manPage("git-workspace.1").contains(
            "a directory whose name differs from a root's by letter case or by Unicode normalization"))
    }

    @Test func caseTwinResourcesInOnePushAreRefused() throws {
        let (ws, clone) = try Self.workspace("case")
        let before = try ws.dump()
        try Self.commit(clone, [
            Entry(mode: "100644", id: try Self.blob(clone, Self.workflowDocument("Report")), path: "workflows/Report/definition.yml"),
            Entry(mode: "100644", id: try Self.blob(clone, Self.workflowDocument("report")), path: "workflows/report/definition.yml"),
        ])
        try Self.expectRefused(try Self.push(clone), ws, before: before, [
            "workflows/report/definition.yml:1:1: error: source id 'report' differs from 'Report' only by case (one directory on a case-insensitive file system)",
        ])
    }

    // MARK: - A manifest whose root leaves the tree

    struct RootCase: CustomStringConvertible, Sendable {
        /// The root as JSON text (escapes allowed).
        var root: String
        var message: String
        var description: String { root }
    }

    static let rootCases: [RootCase] = [
        RootCase(root: "../x/", message: "root '../x/' must not contain '.' or '..'"),
        RootCase(root: "flows/../../etc/", message: "root 'flows/../../etc/' must not contain '.' or '..'"),
        RootCase(root: "/etc", message: "a root is relative to the repository: '/etc' starts with '/'"),
        RootCase(root: ".git", message: "root '.git' must not be inside .git"),
        RootCase(root: ".git/hooks/", message: "root '.git/hooks/' must not be inside .git"),
        RootCase(root: ".GIT/hooks", message: "root '.GIT/hooks' must not be inside .git"),
        RootCase(root: "x/.git./y", message: "root 'x/.git./y' must not be inside .git"),
        RootCase(root: "Git~1", message: "root 'Git~1' must not be inside .git"),
        RootCase(root: #"wf\u001b[2J/"#, message: #"root 'wf\033[2J/' contains a control character or a backslash"#),
        RootCase(root: #"wf\nx/"#, message: #"root 'wf\nx/' contains a control character or a backslash"#),
    ]

    @Test(arguments: rootCases)
    func aRootOutsideTheTreeOrInsideGitIsRefused(_ root: RootCase) throws {
        let (ws, clone) = try Self.workspace("root")
        let before = try ws.dump()
        try ws.write(clone, "workspace.json", #"{"version": 1, "resources": {"workflows": "\#(root.root)", "variables": "variables/"}}"# + "\n")
        try #require(try clone.git("commit", "-qam", "A root elsewhere", "--no-verify").status == 0)
        try Self.expectRefused(try Self.push(clone), ws, before: before, ["workspace.json:1:43: error: \(root.message)"])
    }

    // MARK: - YAML: foreign tags, anchors across documents, several documents

    struct YAMLCase: CustomStringConvertible, Sendable {
        var name: String
        var text: String
        /// `line:column: error: message` after the path.
        var diagnostic: String
        var description: String { name }
    }

    static let yamlCases: [YAMLCase] = [
        YAMLCase(name: "!!python/object on a mapping",
                 text: "version: 1\ntype: workflow\nid: y\ndefinition: !!python/object:os.system\n  title: T\n  actions:\n    - ref: a\n      action: core.noop\n",
                 diagnostic: "4:13: error: the tag tag:yaml.org,2002:python/object:os.system is not supported on a mapping"),
        YAMLCase(name: "!!python/object/apply on a sequence",
                 text: "version: 1\ntype: workflow\nid: y\ndefinition:\n  title: !!python/object/apply:os.system [\"rm -rf /\"]\n  actions:\n    - ref: a\n      action: core.noop\n",
                 diagnostic: "5:10: error: the tag tag:yaml.org,2002:python/object/apply:os.system is not supported on a sequence"),
        YAMLCase(name: "!!python/name on a scalar",
                 text: "version: 1\ntype: workflow\nid: y\ndefinition:\n  title: !!python/name:os.system\n  actions:\n    - ref: a\n      action: core.noop\n",
                 diagnostic: "5:10: error: the tag tag:yaml.org,2002:python/name:os.system is not supported on a scalar"),
        YAMLCase(name: "a local !ruby/object tag",
                 text: "version: 1\ntype: workflow\nid: y\ndefinition: !ruby/object:Gem::Installer\n  title: T\n",
                 diagnostic: "4:13: error: the tag !ruby/object:Gem::Installer is not supported on a mapping"),
        YAMLCase(name: "a %TAG shorthand for python",
                 text: "%TAG !py! tag:yaml.org,2002:python/\n---\nversion: !py!object:x 1\n",
                 diagnostic: "3:10: error: the tag tag:yaml.org,2002:python/object:x is not supported on a scalar"),
        YAMLCase(name: "an anchor used in the next document",
                 text: "version: 1\ntype: workflow\nid: y\ndefinition: &d\n  title: T\n  actions:\n    - ref: a\n      action: core.noop\n---\nversion: 1\ndefinition: *d\n",
                 diagnostic: "9:1: error: a second document starts here; only one is allowed"),
        YAMLCase(name: "an anchored document aliased by the next",
                 text: "--- &x\nversion: 1\n...\n--- *x\n",
                 diagnostic: "4:1: error: a second document starts here; only one is allowed"),
        YAMLCase(name: "two workflows in one file",
                 text: "version: 1\ntype: workflow\nid: y\ndefinition:\n  title: T\n  actions:\n    - ref: a\n      action: core.noop\n---\nversion: 1\ntype: workflow\nid: y2\n",
                 diagnostic: "9:1: error: a second document starts here; only one is allowed"),
        YAMLCase(name: "two empty documents", text: "---\n---\n",
                 diagnostic: "2:1: error: a second document starts here; only one is allowed"),
    ]

    @Test(arguments: yamlCases)
    func yamlWithForeignTagsOrSeveralDocumentsIsRefusedAtItsPlace(_ yaml: YAMLCase) throws {
        let (ws, clone) = try Self.workspace("yaml")
        let before = try ws.dump()
        try ws.write(clone, "workflows/y/definition.yml", yaml.text)
        try #require(try clone.git("add", "-A").status == 0)
        try #require(try clone.git("commit", "-qm", yaml.name, "--no-verify").status == 0)
        try Self.expectRefused(try Self.push(clone), ws, before: before, ["workflows/y/definition.yml:\(yaml.diagnostic)"])
    }
}
