import Foundation
import Git
import WorkspaceStore
import WorkspaceSync

/// One run of `git-remote-workspace`: reads commands from git until a blank line or the
/// end of input and answers each (gitremote-helpers(7)). Capabilities: `fetch`, `push`,
/// `option`, `check-connectivity`. Everything for people goes to stderr.
public final class Session {
    let channel: Channel
    let address: String
    var options = HelperOptions()
    private var openedStore: (any WorkspaceStore)?
    private var openedClient: Repository?

    /// The workspace a clone checks out when the store has it.
    public static let defaultWorkspace = "main"

    public init(address: String, channel: Channel) {
        self.address = address
        self.channel = channel
    }

    /// The store address from the helper's arguments: `<remote> <url>` or `<url>` alone
    /// (with or without the `workspace::` prefix); a remote name alone is looked up in
    /// `remote.<name>.url`. Nil when there is none.
    public static func address(from arguments: [String], config: (String) -> String?) -> String? {
        let prefix = "workspace::"
        func strip(_ text: String) -> String { text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text }
        if arguments.count >= 2 { return strip(arguments[1]) }
        guard let first = arguments.first else { return nil }
        if first.hasPrefix(prefix) { return strip(first) }
        if let url = config("remote.\(first).url") { return strip(url) }
        return first
    }

    /// Runs the command loop; returns the process exit status.
    public func run() -> Int32 {
        while let line = channel.readLine() {
            if line.isEmpty { return 0 }
            do {
                try dispatch(line)
            } catch let error as SessionFailure {
                Log.error("git-remote-workspace: \(error.message)")
                return 128
            } catch {
                Log.error("git-remote-workspace: \(error)")
                return 128
            }
        }
        return 0
    }

    func dispatch(_ line: String) throws {
        let words = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        switch words[0] {
        case "capabilities":
            channel.write("fetch\npush\noption\ncheck-connectivity\n\n")
        case "list":
            try list(forPush: words.count > 1 && words[1] == "for-push")
        case "option":
            guard words.count >= 3 else { channel.write("error option needs a name and a value\n"); return }
            let reply = options.set(words[1], words[2])
            if reply.hasPrefix("error ") { Log.error("git-remote-workspace: \(reply.dropFirst("error ".count))") }
            channel.write(reply + "\n")
        case "fetch":
            var batch = [line]
            while let next = channel.readLine(), !next.isEmpty { batch.append(next) }
            try fetch(batch)
        case "push":
            var batch = [line]
            while let next = channel.readLine(), !next.isEmpty { batch.append(next) }
            try push(batch)
        default:
            throw SessionFailure(message: "unknown command '\(line)' from git")
        }
    }

    // MARK: - list

    func list(forPush: Bool) throws {
        let store = try self.store()
        var out = ""
        var heads: [String: String] = [:]
        // What the client has fetched (its refs' tips), read once for the whole listing.
        let client = forPush ? try? clientRepository() : nil
        let tips = (try? client?.referenceTips()) ?? []
        func fetched(_ head: String) -> Bool {
            guard let client, let id = ObjectID(hex: head) else { return false }
            return (try? client.isReachable(id, from: tips)) ?? false
        }
        for name in try store.workspaceNames() {
            drainOutbox(store, name, wait: false)
            if let head = try store.read(name, { $0.head }) {
                heads[name] = head
                // For a push, a head the client has not fetched is listed as unknown: git then
                // leaves the decision to the helper, which names the resources changed on the
                // workspace side ("fetch first") or merges them (`-o merge`); the reply tells
                // git the old value. A fetched head (reachable from one of the client's refs;
                // objects a refused merge left behind do not count) is listed as is, so git's own checks
                // (fast-forward, --force-with-lease) work as with any remote.
                out += "\(!forPush || fetched(head) ? head : "?") refs/heads/\(name)\n"
            }
        }
        let names = heads.keys.sorted()
        if let target = heads[Session.defaultWorkspace] != nil ? Session.defaultWorkspace : names.first {
            out += "@refs/heads/\(target) HEAD\n"
        }
        channel.write(out + "\n")
    }

    // MARK: - fetch

    func fetch(_ lines: [String]) throws {
        let client = try clientRepository()
        let store = try self.store()
        // Every workspace's missing objects go into one pack, each object once.
        let spool = try client.packSpool()
        for line in lines {
            let words = line.split(separator: " ")
            guard words.count >= 3, let id = ObjectID(hex: String(words[1])) else {
                throw SessionFailure(message: "malformed fetch line '\(line)'")
            }
            let ref = String(words[2])
            guard ref.hasPrefix("refs/heads/") else { throw SessionFailure(message: "cannot fetch '\(ref)'") }
            let workspace = String(ref.dropFirst("refs/heads/".count))
            drainOutbox(store, workspace, wait: false)
            try store.read(workspace) { reader in
                try Fetcher.missingObjects(from: id, in: reader, client: client, into: spool)
            }
        }
        let total = spool.count
        let progress = options.progress
        try client.writePack(spool, progress: { done, all in
            if progress && (done == all || done % 1000 == 0) {
                FileHandle.standardError.write(Data("\rReceiving objects: \(all == 0 ? 100 : done * 100 / all)% (\(done)/\(all))\(done == all ? ", done.\n" : "")".utf8))
            }
        }, midway: { FaultPoint.hit("fetch.pack") })
        FaultPoint.hit("fetch.written")
        if options.verbosity > 1 { Log.error("workspace: \(total) objects fetched") }
        channel.write("\n")
    }

    // MARK: - push

    func push(_ lines: [String]) throws {
        let client = try clientRepository()
        let store = try self.store()
        let workspaces = Set(try store.workspaceNames())
        var requests: [PushRequest] = []
        var replies: [String: String] = [:]
        for line in lines {
            var spec = String(line.dropFirst("push ".count))
            let force = spec.hasPrefix("+")
            if force { spec.removeFirst() }
            guard let colon = spec.lastIndex(of: ":") else { throw SessionFailure(message: "malformed push line '\(line)'") }
            let source = String(spec[..<colon]), destination = String(spec[spec.index(after: colon)...])
            if source.isEmpty {
                replies[destination] = "error \(destination) deleting a workspace branch is not supported"
                continue
            }
            guard let commit = try? client.commitID(source) else {
                replies[destination] = "error \(destination) cannot resolve '\(source)'"
                continue
            }
            let request = PushRequest(source: commit, destination: destination, force: force)
            guard let workspace = request.workspace else {
                replies[destination] = "error \(destination) only branches (refs/heads/<workspace>) can be pushed"
                continue
            }
            guard workspaces.contains(workspace) else {
                replies[destination] = "error \(destination) no workspace '\(workspace)' in this store (create it with: git workspace init STORE --workspace \(workspace))"
                continue
            }
            requests.append(request)
        }
        // The application's rows first, so a push meets the workspace as it really is (and
        // gets "fetch first" when they moved it).
        for request in requests { drainOutbox(store, request.workspace!, wait: true) }
        let runner = PushRunner(store: store, client: client, options: options)
        if options.atomic && !replies.isEmpty {
            // One refusal refuses the whole atomic push.
            for request in requests { replies[request.destination] = "error \(request.destination) atomic push failed" }
        } else {
            for (destination, reply) in runner.run(requests) { replies[destination] = reply }
        }
        var out = ""
        for line in lines {
            guard let colon = line.lastIndex(of: ":") else { continue }
            let destination = String(line[line.index(after: colon)...])
            if let reply = replies.removeValue(forKey: destination) { out += reply + "\n" }
        }
        channel.write(out + "\n")
    }

    // MARK: - the outbox

    /// Applies the workspace's pending outbox rows (`WorkspaceOutbox`) before git sees it.
    /// A failure to apply them is said on stderr and leaves them pending for the next
    /// operation; it never fails the listing, fetch or push itself. Readers (`wait` false)
    /// skip it while another writer holds the workspace.
    func drainOutbox(_ store: any WorkspaceStore, _ workspace: String, wait: Bool) {
        do {
            for outcome in try WorkspaceOutbox.drain(store, workspace: workspace, wait: wait) where outcome.error != nil {
                Log.error("workspace \(workspace): outbox row \(outcome.entry.id) rejected (see git workspace app outbox)")
            }
        } catch {
            Log.error("workspace \(workspace): the application's outbox rows stay pending: \(error)")
        }
    }

    // MARK: - resources

    func store() throws -> any WorkspaceStore {
        if let openedStore { return openedStore }
        let isURL = address.contains("://")
        if !isURL && !FileManager.default.fileExists(atPath: address) {
            throw SessionFailure(message: "no workspace store at '\(address)' (create one with: git workspace init \(address); a relative store path is resolved from the directory git runs in, so remotes should name stores by absolute path)")
        }
        do {
            let store = try WorkspaceStores.open(url: address)
            openedStore = store
            return store
        } catch let error as StoreError {
            // Its message names the store and says what to do (busy: retry; not a store: check the URL).
            throw SessionFailure(message: error.message)
        } catch {
            throw SessionFailure(message: "cannot open the store at '\(StoreAddress.redacted(address))': \(error)")
        }
    }

    func clientRepository() throws -> Repository {
        if let openedClient { return openedClient }
        guard let gitDir = Environment.value("GIT_DIR") else {
            throw SessionFailure(message: "fetch and push need a repository (GIT_DIR is not set)")
        }
        do {
            let client = try Repository(gitDir: gitDir)
            openedClient = client
            return client
        } catch {
            throw SessionFailure(message: "cannot open the repository at \(gitDir): \(error)")
        }
    }
}

/// A failure that ends the session (the protocol cannot go on).
struct SessionFailure: Error {
    var message: String
}
