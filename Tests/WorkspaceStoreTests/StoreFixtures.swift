import Foundation
import Testing
import WorkspaceStore
import WorkspaceTestSupport
import YAML

/// A kind of store the contract tests run against: every contract test runs on each.
struct StoreKind: Sendable, CustomTestStringConvertible {
    let name: String
    let makeFixture: @Sendable () throws -> StoreFixture

    var testDescription: String { name }

    static let sqlite = StoreKind(name: "sqlite") {
        let scratch = try ScratchDirectory("store")
        let path = scratch.path("workspace.db")
        return StoreFixture(keepAlive: scratch) { try SQLiteStore(path: path) }
    }

    /// A new database on the test server (`WORKSPACE_TEST_POSTGRES_URL`; ./test.sh starts one).
    static let postgres = StoreKind(name: "postgres") {
        let scratch = try ScratchDirectory("store")
        let url = try TestStore.withPassword(try TestStore.newDatabase(in: scratch, dropOnRelease: false))
        return StoreFixture(keepAlive: scratch) { try PostgresStore(url: url, create: true) }
    }

    /// SQLite always; PostgreSQL when a test server is configured.
    static let all: [StoreKind] = TestStore.hasServer ? [.sqlite, .postgres] : [.sqlite]
}

/// One fresh, empty store location; `open()` opens it again as a new connection each call.
final class StoreFixture: @unchecked Sendable {
    private let keepAlive: AnyObject
    private let opener: () throws -> any WorkspaceStore

    init(keepAlive: AnyObject, opener: @escaping () throws -> any WorkspaceStore) {
        self.keepAlive = keepAlive
        self.opener = opener
    }

    func open() throws -> any WorkspaceStore { try opener() }
}

/// A well-formed, distinct fake object id for `n`.
func oid(_ n: Int) -> String {
    let hex = String(n, radix: 16)
    return String(repeating: "0", count: 40 - hex.count) + hex
}

/// A commit object with id `oid(n)`; the store does not hash contents, so any bytes do.
func commit(_ n: Int) -> GitObject {
    GitObject(oid: oid(n), type: .commit, data: Array("tree \(oid(1000 + n))\n\ncommit \(n)\n".utf8))
}

/// A small workflow-like document.
func workflowSpec(_ title: String) -> Value {
    .object(["title": .string(title), "actions": .array([.object(["ref": .string("a"), "args": .null])])])
}

/// Expects `body` to throw a `StoreError` with `code`.
func expectStoreError(_ code: StoreError.Code, sourceLocation: SourceLocation = #_sourceLocation,
                      _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected \(code), nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as StoreError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(code), got \(error)", sourceLocation: sourceLocation)
    }
}

/// A test failure raised from inside a transaction body, to force a rollback.
struct Boom: Error {}
