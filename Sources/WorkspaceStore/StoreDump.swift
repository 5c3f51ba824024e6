import Foundation
import GRDB
import WorkspaceSpec
import YAML

/// The deterministic text of every row of one workspace, for byte-for-byte state comparisons.
///
/// One line per row, tables in a fixed order, rows by key. Text values are JSON-quoted (so a
/// newline or quote inside one cannot fake a line), NULL is `null`, blobs are lowercase hex,
/// specs are their stored canonical JSON. The workspace's internal row id is left out:
/// it never changes and means nothing outside the file. Every column of every table is
/// written, so a write that changes anything shows in the dump; objects are the exception:
/// each is written decoded (`objectLine`), as its id, type and content, not as the row
/// that encodes it (compressed or a delta: `ObjectCodec`). The dump states what the store
/// holds, so a store migrated from raw rows and one written compressed dump alike; rows
/// are never rewritten, so a write that changes an object's row adds an object and shows.
enum StoreDump {
    static func text(of workspace: SQLiteWorkspace) throws -> String {
        let db = workspace.db
        let id = workspace.id
        var lines: [String] = []
        if let row = try Row.fetchOne(db, sql: "SELECT * FROM workspaces WHERE id = ?", arguments: [id]) {
            lines.append("workspace " + fields(row, skipping: ["id"]))
        }
        let tables: [(name: String, order: String)] = [
            ("resources", "created_seq, uuid"),
            ("mappings", "uuid"),
            ("objects", "oid"),
            ("changes", "seq"),
        ]
        for table in tables {
            if table.name == "objects" {
                for oid in try String.fetchAll(db, sql: "SELECT oid FROM objects WHERE workspace_id = ? ORDER BY oid",
                                               arguments: [id]) {
                    lines.append(try objectLine(workspace.object(oid)))
                }
                continue
            }
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(table.name) WHERE workspace_id = ? ORDER BY \(table.order)",
                                        arguments: [id])
            let singular = String(table.name.dropLast())
            for row in rows {
                lines.append(singular + " " + fields(row, skipping: ["workspace_id"]))
            }
        }
        // The application's outbox rows for this workspace (keyed by its name).
        for row in try Row.fetchAll(db, sql: "SELECT * FROM workspace_outbox WHERE workspace = ? ORDER BY id",
                                    arguments: [workspace.name]) {
            lines.append("outbox " + fields(row, skipping: ["workspace"]))
        }
        return lines.map { $0 + "\n" }.joined()
    }

    /// An object's line: its id, type and decoded content, whichever way its row encodes it.
    static func objectLine(_ object: GitObject?) -> String {
        guard let object else { return "object missing" }
        return "object oid=\(text(object.oid.databaseValue)) type=\(object.type.rawValue) data=\(text(Data(object.data).databaseValue))"
    }

    /// `column=value` pairs in the table's column order.
    private static func fields(_ row: Row, skipping skipped: Set<String>) -> String {
        var parts: [String] = []
        for (column, value) in row where !skipped.contains(column) {
            parts.append("\(column)=\(text(value))")
        }
        return parts.joined(separator: " ")
    }

    private static func text(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .null: return "null"
        case .int64(let int): return String(int)
        case .double(let double): return String(double)
        case .string(let string): return String(decoding: JSONEmitter.canonical(.string(string)), as: UTF8.self)
        case .blob(let data): return "x" + data.lowercaseHex
        }
    }
}
