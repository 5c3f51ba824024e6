import ArgumentParser
import Foundation
import WorkspaceSpec
import WorkspaceStore
import WorkspaceSync
import YAML

extension GitWorkspace {
    /// `git workspace app ...`: change resources the way the application does.
    struct App: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "app",
            abstract: "Change and inspect resources as the application would.",
            discussion: """
            Each change is one transaction that writes the resource and its mapping, adds one \
            commit to the workspace branch (only that resource's file changes; the author is \
            the acting user) and advances the cursor. STORE[#WORKSPACE] names the workspace \
            (default main). Every command first applies the workspace's pending outbox rows \
            (see `app outbox`).
            """,
            subcommands: [Put.self, Remove.self, List.self, Show.self, Dump.self, Outbox.self]
        )
    }
}

extension GitWorkspace.App {
    /// `app put STORE[#WS] --file F [--author "Name <email>"]`.
    struct Put: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "put",
            abstract: "Create or update one resource from a resource document (YAML or JSON).",
            discussion: "Prints the UUID and the source id. With an 'id' the resource with that source id is updated; without one a new resource gets an id from its alias, title or kind."
        )
        @Argument(help: "STORE[#WORKSPACE]") var target: String
        @Option(name: .long, help: "The resource document ('-' for stdin).") var file: String
        @Option(name: .long, help: "The acting user, \"Name <email>\".") var author: String?

        mutating func run() throws {
            let target = StoreArgument(self.target), file = self.file, author = self.author
            try ParsableCommandRunner.run {
                let data: Data?
                if file == "-" { data = FileHandle.standardInput.readDataToEndOfFile() }
                else { data = FileManager.default.contents(atPath: file) }
                guard let data else { throw CommandFailure(message: "cannot read \(file)") }
                let store = try target.openDrained(wait: true)
                let who = try actor(author)
                // Diagnostics name the user's own file, with its lines and columns.
                let name = file == "-" ? "<stdin>" : file
                let result = try storeCall {
                    try WorkspaceApp(store: store, workspace: target.workspace).put(document: Array(data), path: name, by: who)
                }
                for warning in result.warnings { Output.err(warning.description + "\n") }
                Output.out("\(result.uuid) \(result.sourceID)\n")
                Output.err("\(result.action.rawValue) \(result.kind) \(result.sourceID)\(result.commit.map { " in commit \($0)" } ?? "")\n")
                return ExitStatus.success
            }
        }
    }

    /// `app rm STORE[#WS] ID [--author ...]`.
    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Archive a resource (by UUID or source id); restorable.")
        @Argument(help: "STORE[#WORKSPACE]") var target: String
        @Argument(help: "UUID or source id.") var id: String
        @Option(name: .long, help: "The acting user, \"Name <email>\".") var author: String?

        mutating func run() throws {
            let target = StoreArgument(self.target), id = self.id, author = self.author
            try ParsableCommandRunner.run {
                let store = try target.openDrained(wait: true)
                let who = try actor(author)
                let result = try storeCall { try WorkspaceApp(store: store, workspace: target.workspace).archive(id, by: who) }
                Output.err("\(result.action.rawValue) \(result.kind) \(result.sourceID)\n")
                return ExitStatus.success
            }
        }
    }

    /// `app ls STORE[#WS] [--archived] [--json]`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List resources: UUID, kind, source id.")
        @Argument(help: "STORE[#WORKSPACE]") var target: String
        @Flag(name: .long, help: "Include archived resources.") var archived = false
        @Flag(name: .long, help: "Print JSON.") var json = false

        mutating func run() throws {
            let target = StoreArgument(self.target), archived = self.archived, json = self.json
            try ParsableCommandRunner.run {
                let store = try target.openDrained(wait: false)
                let rows = try storeCall {
                    try store.read(target.workspace) { reader in
                        try reader.resources(includeArchived: archived).map { resource in
                            (resource, try reader.mapping(uuid: resource.uuid))
                        }
                    }
                }
                if json {
                    Output.json(.array(rows.map { resource, mapping in
                        .object(["uuid": .string(resource.uuid), "kind": .string(resource.kind),
                                 "id": mapping.map { .string($0.sourceID) } ?? .null, "archived": .bool(resource.archived)])
                    }))
                } else {
                    for (resource, mapping) in rows {
                        Output.out("\(resource.uuid) \(resource.kind) \(mapping?.sourceID ?? "-")\(resource.archived ? " (archived)" : "")\n")
                    }
                }
                return ExitStatus.success
            }
        }
    }

    /// `app show STORE[#WS] ID [--json]`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show one resource: UUID, source id, kind, archived flag, both hashes, the normalized spec.")
        @Argument(help: "STORE[#WORKSPACE]") var target: String
        @Argument(help: "UUID or source id.") var id: String
        @Flag(name: .long, help: "Print JSON.") var json = false

        mutating func run() throws {
            let target = StoreArgument(self.target), id = self.id, json = self.json
            try ParsableCommandRunner.run {
                let store = try target.openDrained(wait: false)
                let found = try storeCall {
                    try store.read(target.workspace) { reader -> (StoredResource, Mapping)? in
                        guard let mapping = try WorkspaceApp.find(id, in: reader),
                              let resource = try reader.resource(uuid: mapping.uuid) else { return nil }
                        return (resource, mapping)
                    }
                }
                guard let (resource, mapping) = found else {
                    throw CommandFailure(message: "no resource '\(id)' in workspace '\(target.workspace)'")
                }
                let spec = ResourceSpec(kindName: resource.kind, sourceID: mapping.sourceID, value: resource.spec)
                if json {
                    Output.json(.object([
                        "uuid": .string(resource.uuid), "id": .string(mapping.sourceID), "kind": .string(resource.kind),
                        "archived": .bool(resource.archived), "spec_hash": .string(spec.specHash),
                        "last_synced_spec_hash": mapping.lastSyncedSpecHash.map { .string($0) } ?? .null,
                        "last_projected_spec_hash": mapping.lastProjectedSpecHash.map { .string($0) } ?? .null,
                        "spec": resource.spec,
                    ]))
                } else {
                    Output.out("""
                    uuid: \(resource.uuid)
                    id: \(mapping.sourceID)
                    kind: \(resource.kind)
                    archived: \(resource.archived)
                    spec_hash: \(spec.specHash)
                    last_synced_spec_hash: \(mapping.lastSyncedSpecHash ?? "-")
                    last_projected_spec_hash: \(mapping.lastProjectedSpecHash ?? "-")
                    ---
                    \(spec.canonicalText())
                    """)
                }
                return ExitStatus.success
            }
        }
    }
}

extension GitWorkspace.App {
    /// `app dump STORE[#WS]`: every row of one workspace as deterministic text.
    struct Dump: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dump",
            abstract: "Print every row of one workspace as deterministic text (for before/after comparisons).")
        @Argument(help: "STORE[#WORKSPACE]") var target: String

        mutating func run() throws {
            let target = StoreArgument(self.target)
            try ParsableCommandRunner.run {
                let store = try target.openDrained(wait: false)
                Output.out(try storeCall { try store.dump(target.workspace) })
                return ExitStatus.success
            }
        }
    }
}
