// libFuzzer target: the remote helper's command reader. The input is what git writes on the
// helper's stdin (gitremote-helpers(7)); a `Session` reads it through `Channel(bytes:)`, a
// few bytes at a time as a pipe may deliver them, and answers against a fixture: a SQLite store
// whose workspace `main` holds one resource, and a client repository (GIT_DIR) that already
// has its objects, as after a clone. Nothing an input can say changes either (its one commit
// can only be pushed onto itself), so every run meets the same state.
// Built and run by scripts/fuzz.sh (`-sanitize=fuzzer,address`); the helper's messages on
// stderr are silenced there with -close_fd_mask=2.
//
// Properties checked: the session ends with status 0 or 128, and every reply is whole lines.
import Foundation
import Git
import RemoteHelper
import WorkspaceStore
import WorkspaceSync

/// The fixture's directory, removed at exit.
nonisolated(unsafe) var fixtureDirectory = ""

/// The fixture store's path, made on first use. Its head is deterministic (a fixed author and
/// time), so seeds can name it: the seeds in Fuzz/seeds/protocol use the id the target prints
/// at start (4d0275a7dc58812771d5aea704598c4d8c54a48b today; a change to projection changes it).
let storePath: String = {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-protocol-\(getpid())").path
    try? FileManager.default.removeItem(atPath: directory)
    try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    fixtureDirectory = directory
    atexit { try? FileManager.default.removeItem(atPath: fixtureDirectory) }
    let path = directory + "/store.db"
    let store = try! WorkspaceStores.open(url: path, create: true)
    try! store.createWorkspace("main")
    let document = """
    version: 1
    type: workflow
    id: triage
    definition:
      title: Triage
      actions:
        - ref: a
          action: core.noop

    """
    let actor = Signature(name: "App User", email: "app@example.com", time: 1_767_225_600)
    _ = try! WorkspaceApp(store: store, workspace: "main").put(document: Array(document.utf8), by: actor)
    let head = try! store.read("main") { $0.head }!
    let client = directory + "/client.git"
    _ = try! Repository.create(at: client, bare: true)
    setenv("GIT_DIR", client, 1)
    // The client fetches everything once, as a clone would.
    let status = session("fetch \(head) refs/heads/main\n\n", store: path)
    require(status == 0, "the fixture's first fetch failed")
    FileHandle.standardError.write(Data("FuzzProtocol: fixture store \(path), main at \(head)\n".utf8))
    return path
}()

func session(_ text: String, store: String) -> Int32 {
    Session(address: store, channel: Channel(bytes: Array(text.utf8), write: { _ in })).run()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProtocol(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? []
    var replies: [[UInt8]] = []
    let channel = Channel(bytes: bytes, chunkSize: 7, write: { replies.append($0) })
    let status = Session(address: storePath, channel: channel).run()
    require(status == 0 || status == 128, "the session ended with status \(status)")
    for reply in replies {
        require(reply.last == UInt8(ascii: "\n"), "a reply that is not whole lines: \(String(decoding: reply, as: UTF8.self))")
    }
    return 0
}

/// `precondition` that keeps its message in an optimized build (scripts/fuzz.sh builds -c release,
/// where a failed precondition says only "precondition failure").
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
