import ArgumentParser
import Foundation
import Git
import WorkspaceSpec
import WorkspaceSync

extension GitWorkspace {
    /// `git workspace merge-driver <base> <ours> <theirs> <path>`: git's custom merge driver.
    ///
    /// Git runs it (configured as `merge.workspace.driver = git workspace merge-driver %O %A
    /// %B %P`) from the top of the work tree for every file whose attributes say
    /// `merge=workspace` and that changed on both sides. The result replaces `<ours>` (git's
    /// `%A`), as git requires. Resource documents merge key by key (`DocumentMerge`); every
    /// other file, and a resource side that cannot be read, merges as text.
    ///
    /// Git 2.39 hands a driver no conflict labels (`%S`, `%X`, `%Y` arrived in git 2.44), so
    /// the markers say `HEAD` and the merged branch's name when `git merge` exported it
    /// (`GITHEAD_<id>=<name>`, the same name git's own markers use), else `ours`/`theirs`.
    struct MergeDriver: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge-driver",
            abstract: "Merge one file for git: resource documents key by key, other files as text.",
            discussion: """
            Configure with `git config merge.workspace.driver 'git workspace merge-driver %O %A %B %P'` \
            and `merge=workspace` in .gitattributes. The merge is written to <ours>: a clean merge \
            of a resource document combining both sides is written canonically; a conflict carries \
            markers around exactly the conflicting keys, which are also listed on stderr as \
            `<path>: <key path>: ...`. Exit status: 0 merged cleanly, 1 conflicts, 2 could not \
            read or write a file, 64 usage error.
            """
        )

        @Argument(help: "The common ancestor's version (git's %O); an empty file when there is none.")
        var base: String
        @Argument(help: "Our version (git's %A); replaced by the merge.")
        var ours: String
        @Argument(help: "Their version (git's %B).")
        var theirs: String
        @Argument(help: "The path in the repository (git's %P), which decides whether it is a resource.")
        var path: String

        mutating func run() throws {
            let files = (base: base, ours: ours, theirs: theirs), path = self.path
            try ParsableCommandRunner.run {
                let base = try MergeDriver.read(files.base)
                let ours = try MergeDriver.read(files.ours)
                let theirs = try MergeDriver.read(files.theirs)
                let role = try MergeDriver.manifest().role(of: path)
                // Git passes an empty ancestor when both sides added the file: no base.
                let isResource = if case .resource = role { true } else { false }
                let ancestor = isResource && base.isEmpty ? nil : base
                let outcome: DocumentMerge.Outcome
                do {
                    outcome = try DocumentMerge.merge(path: path, role: role, base: ancestor, ours: ours,
                                                      theirs: theirs, labels: MergeDriver.labels())
                } catch let error as GitError {
                    throw CommandFailure(message: "cannot merge \(path): \(error.description)")
                }
                switch outcome {
                case .clean(let merged):
                    try MergeDriver.write(merged ?? [], to: files.ours)
                    return ExitStatus.success
                case .conflicted(let marked, let details):
                    try MergeDriver.write(marked, to: files.ours)
                    for detail in details { Output.err("\(path): \(detail)\n") }
                    return ExitStatus.invalid
                }
            }
        }

        static func read(_ file: String) throws -> [UInt8] {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CommandFailure(message: "cannot read \(file)")
            }
            return Array(data)
        }

        static func write(_ bytes: [UInt8], to file: String) throws {
            do { try Data(bytes).write(to: URL(fileURLWithPath: file)) } catch {
                throw CommandFailure(message: "cannot write \(file): \(error.localizedDescription)")
            }
        }

        /// The work tree's manifest (the default roots when it has none; a broken one is an
        /// error, and git then leaves the file conflicted). Git runs drivers from the top of
        /// the work tree; outside a repository, the current directory is taken as the top.
        static func manifest() throws -> Manifest {
            let current = FileManager.default.currentDirectoryPath
            let top = (try? Repository(discoveringFrom: current))?.workdir ?? current
            return try Validate.manifest(of: DiskTree(directory: top))
        }

        /// Marker labels: `HEAD` and the merged branch's name when `git merge` exported exactly
        /// one `GITHEAD_<id>` variable (it does for the commit it merges), else ours/theirs.
        static func labels() -> DocumentMerge.Labels {
            let names = ProcessInfo.processInfo.environment.filter { $0.key.hasPrefix("GITHEAD_") }.map(\.value)
            guard names.count == 1, let name = names.first, !name.isEmpty else { return ("base", "ours", "theirs") }
            return ("base", "HEAD", name)
        }
    }
}
