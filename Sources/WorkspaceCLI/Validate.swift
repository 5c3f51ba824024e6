import ArgumentParser
import Foundation
import Git
import WorkspaceSpec
import WorkspaceSync
import YAML

extension GitWorkspace {
    /// `git workspace validate [<rev> | --staged | <path>...]`.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "validate",
            abstract: "Check resource definitions: a commit, the index, or files on disk.",
            discussion: """
            With no argument, validates the work tree (files on disk at the top of the \
            repository, or the current directory outside one). A revision validates that \
            commit's tree; --staged validates the index; paths validate those files or \
            directories (a directory is validated as a tree with its own workspace.json). \
            An argument that exists on disk is a path, otherwise a revision; put paths after \
            `--` to be explicit.

            Diagnostics go to stderr as `path:line:column: error: message`, all in one run. \
            Exit status: 0 valid, 1 invalid, 2 could not validate, 64 usage error.
            """
        )

        @Flag(name: .long, help: "Validate the index (what `git commit` would record).")
        var staged = false

        @Flag(name: .long, help: "Print a JSON report on stdout.")
        var json = false

        @Argument(parsing: .captureForPassthrough, help: "A revision, or paths to files or directories.")
        var targets: [String] = []

        mutating func run() throws {
            let staged = self.staged, json = self.json, targets = self.targets
            // Arguments pass through untouched (paths may look like options after `--`), so
            // help is recognised here, as every other command recognises it.
            let beforeSeparator = targets.prefix { $0 != "--" }
            if beforeSeparator.contains("--help") || beforeSeparator.contains("-h") {
                throw CleanExit.helpRequest(self)
            }
            try ParsableCommandRunner.run {
                let reports = try Validate.collect(staged: staged, targets: targets)
                return Validate.report(reports, json: json)
            }
        }

        /// One validated unit: a tree (commit, index, directory) or a single file.
        struct Unit {
            var label: String
            var resources: [(path: String, spec: ResourceSpec)]
            var diagnostics: [Diagnostic]
        }

        static func collect(staged: Bool, targets: [String]) throws -> [Unit] {
            var explicitPaths = false
            var arguments = targets
            if let separator = arguments.firstIndex(of: "--") {
                explicitPaths = true
                arguments.remove(at: separator)
            }
            if let option = arguments.first(where: { $0.hasPrefix("-") && !explicitPaths }) {
                throw CommandFailure(message: "unknown option '\(option)'", status: ExitStatus.usage)
            }
            if staged {
                guard arguments.isEmpty else {
                    throw CommandFailure(message: "--staged takes no revision or path", status: ExitStatus.usage)
                }
                return [try stagedUnit(try openRepository()).unit]
            }
            if arguments.isEmpty {
                let repository = try? Repository(discoveringFrom: FileManager.default.currentDirectoryPath)
                let top = repository?.workdir ?? FileManager.default.currentDirectoryPath
                let baseline = try repository.map { try headBaseline($0) } ?? nil
                return [try unit(label: top, source: DiskTree(directory: top), baseline: baseline)]
            }
            let fileManager = FileManager.default
            if !explicitPaths, arguments.count == 1, !fileManager.fileExists(atPath: arguments[0]) {
                let repository = try openRepository()
                let revision = arguments[0]
                let commit: ObjectID
                do { commit = try repository.commitID(revision) } catch {
                    throw CommandFailure(message: "'\(revision)' is neither a file nor a revision (\(error.message))")
                }
                return [try treeUnit(label: revision, commit: commit, repository: repository)]
            }
            var units: [Unit] = []
            for path in arguments {
                var isDirectory: ObjCBool = false
                guard fileManager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                    throw CommandFailure(message: "no such file or directory: \(path)")
                }
                if isDirectory.boolValue {
                    let prefix = path.hasSuffix("/") ? path : path + "/"
                    units.append(try unit(label: path, source: DiskTree(directory: path), baseline: nil, displayPrefix: prefix))
                } else {
                    units.append(try LoneFile.validate(path))
                }
            }
            return units
        }

        /// Judges a tree from any source (`TreeValidator`); paths in diagnostics get `displayPrefix`.
        static func unit(label: String, source: some WorkspaceTreeSource, baseline: TreeValidator.Baseline?,
                         displayPrefix: String = "") throws -> Unit {
            let report: TreeValidator.Report
            do { report = try TreeValidator.validate(source, baseline: baseline) } catch let error as GitError {
                throw CommandFailure(message: error.description)
            } catch let error as CocoaError {
                throw CommandFailure(message: "cannot read \(error.userInfo[NSFilePathErrorKey] ?? "a file"): \(error.localizedDescription)")
            }
            let diagnostics = report.diagnostics.map { diagnostic -> Diagnostic in
                var copy = diagnostic
                copy.path = displayPrefix + diagnostic.path
                return copy
            }
            return Unit(label: label, resources: report.resources.map { (displayPrefix + $0.path, $0.spec) }, diagnostics: diagnostics)
        }

        /// A commit's tree, judged against its first parent (the tree it replaces).
        static func treeUnit(label: String, commit: ObjectID, repository: Repository) throws -> Unit {
            let parent = try gitCall { try repository.commit(commit).parents.first }
            let baseline = try gitCall { try TreeValidator.resourceCounts(GitTree(repository: repository, commit: parent)) }
            return try unit(label: label, source: try gitCall { try GitTree(repository: repository, commit: commit) }, baseline: baseline)
        }

        /// The index (honouring `GIT_INDEX_FILE`, which `git commit -a` and `git commit <paths>`
        /// use for the pre-commit hook), judged against HEAD, and the paths it changes there.
        static func stagedUnit(_ repository: Repository) throws -> (unit: Unit, changed: Set<String>) {
            let indexFile = Environment.value("GIT_INDEX_FILE").flatMap { $0.isEmpty ? nil : $0 }
            let index = try gitCall { try IndexTree(repository: repository, indexFile: indexFile) }
            let head = try gitCall { try GitTree(repository: repository, commit: try repository.reference("HEAD")) }
            let unit = try unit(label: "index", source: index, baseline: try gitCall { try TreeValidator.resourceCounts(head) })
            let manifest = (try? Manifest.read(from: index).manifest()) ?? .default
            let committed = Dictionary(try gitCall { try head.listing(under: manifest.listedDirectories) }
                .map { ($0.pathBytes, $0) }) { first, _ in first }
            let changed = Set(index.all.compactMap { file -> String? in
                if let known = committed[file.pathBytes], known.id == file.id, known.mode == file.mode { return nil }
                return file.displayPath
            })
            return (unit, changed)
        }

        /// The manifest of a tree, for a command that needs one to work: a broken manifest
        /// stops it (exit 2) after printing what is wrong, as it would stop a push.
        static func manifest(of source: some WorkspaceTreeSource) throws -> Manifest {
            do { return try Manifest.read(from: source).manifest() } catch let error as ManifestError {
                for diagnostic in error.diagnostics { Output.err(diagnostic.description + "\n") }
                throw CommandFailure(message: "\(Manifest.fileName) is not a valid manifest; fix it first (git workspace validate shows every problem)")
            }
        }

        /// The pre-commit check: the index judged whole (errors anywhere block the commit),
        /// warnings only for the paths the commit changes.
        static func preCommit() throws -> Int32 {
            var (unit, changed) = try stagedUnit(try openRepository())
            unit.diagnostics = unit.diagnostics.filter { $0.severity == .error || changed.contains($0.path) }
            return report([unit], json: false)
        }

        /// The live resources per kind at HEAD; nil on an unborn branch.
        static func headBaseline(_ repository: Repository) throws -> TreeValidator.Baseline? {
            guard let head = try gitCall({ try repository.reference("HEAD") }) else { return nil }
            return try gitCall { try TreeValidator.resourceCounts(GitTree(repository: repository, commit: head)) }
        }

        static func openRepository() throws -> Repository {
            do {
                return try Repository(discoveringFrom: FileManager.default.currentDirectoryPath)
            } catch {
                throw CommandFailure(message: "not in a git repository (\(error.message))")
            }
        }

        static func gitCall<T>(_ body: () throws -> T) throws -> T {
            do { return try body() } catch let error as GitError { throw CommandFailure(message: error.description) }
        }

        static func report(_ units: [Unit], json: Bool) -> Int32 {
            let diagnostics = units.flatMap(\.diagnostics)
            let errors = diagnostics.filter { $0.severity == .error }.count
            let warnings = diagnostics.count - errors
            let resources = units.reduce(0) { $0 + $1.resources.count }
            for diagnostic in diagnostics { Output.err(diagnostic.description + "\n") }
            Output.err("\(errors == 0 ? "valid" : "invalid"): \(resources) resource\(resources == 1 ? "" : "s"), \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")\n")
            if json {
                Output.json(.object([
                    "valid": .bool(errors == 0),
                    "resources": .array(units.flatMap { unit in unit.resources.map { item in
                        // No hash of a document holding a credential: it would let anyone
                        // who reads the report guess a weak secret offline.
                        let leaks = diagnostics.contains { $0.path == item.path && $0.rule.hasPrefix("credential-") }
                        return Value.object([
                            "path": .string(item.path),
                            "kind": .string(item.spec.kindName),
                            "id": .string(item.spec.sourceID),
                            "spec_hash": leaks ? .null : .string(item.spec.specHash),
                        ])
                    } }),
                    "diagnostics": .array(diagnostics.map(\.jsonValue)),
                ]))
            }
            return errors == 0 ? ExitStatus.success : ExitStatus.invalid
        }
    }
}
