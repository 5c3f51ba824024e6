import ArgumentParser
import Foundation
import Git
import WorkspaceSpec
import YAML

extension GitWorkspace {
    /// `git workspace validate [<rev> | --staged | <path>...]`.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
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
                let repository = try openRepository()
                // Like every git command, honour GIT_INDEX_FILE: `git commit -a` runs the
                // pre-commit hook with its temporary index there, not in .git/index.
                let indexFile = ProcessInfo.processInfo.environment["GIT_INDEX_FILE"].flatMap { $0.isEmpty ? nil : $0 }
                let files = try gitCall { try repository.indexFiles(indexFile: indexFile) }
                return [treeUnit(label: "index", files: files, repository: repository)]
            }
            if arguments.isEmpty {
                let top = (try? Repository(discoveringFrom: FileManager.default.currentDirectoryPath))?.workdir
                    ?? FileManager.default.currentDirectoryPath
                return [try DiskTree.validate(directory: top, displayPrefix: "")]
            }
            let fileManager = FileManager.default
            if !explicitPaths, arguments.count == 1, !fileManager.fileExists(atPath: arguments[0]) {
                let repository = try openRepository()
                let revision = arguments[0]
                let commit: ObjectID
                do { commit = try repository.commitID(revision) } catch {
                    throw CommandFailure(message: "'\(revision)' is neither a file nor a revision (\(error.message))")
                }
                let tree = try gitCall { try repository.treeID(ofCommit: commit) }
                let files = try gitCall { try repository.files(inTree: tree) }
                return [treeUnit(label: revision, files: files, repository: repository)]
            }
            var units: [Unit] = []
            for path in arguments {
                var isDirectory: ObjCBool = false
                guard fileManager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                    throw CommandFailure(message: "no such file or directory: \(path)")
                }
                if isDirectory.boolValue {
                    let prefix = path.hasSuffix("/") ? path : path + "/"
                    units.append(try DiskTree.validate(directory: path, displayPrefix: prefix))
                } else {
                    units.append(try DiskTree.validateFile(path))
                }
            }
            return units
        }

        static func treeUnit(label: String, files: [TreeFile], repository: Repository) -> Unit {
            let byPath = Dictionary(files.compactMap { file in file.path.map { ($0, file) } }) { first, _ in first }
            let report = TreeValidator.validate(paths: files.map(\.pathBytes)) { path in
                guard let file = byPath[path] else { throw CommandFailure(message: "no such path") }
                return try repository.blob(file.id)
            }
            return Unit(label: label, resources: report.resources, diagnostics: report.diagnostics)
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
                        Value.object([
                            "path": .string(item.path),
                            "kind": .string(item.spec.kindName),
                            "id": .string(item.spec.sourceID),
                            "spec_hash": .string(item.spec.specHash),
                        ])
                    } }),
                    "diagnostics": .array(diagnostics.map(\.jsonValue)),
                ]))
            }
            return errors == 0 ? ExitStatus.success : ExitStatus.invalid
        }
    }
}
