import Foundation

/// The process that holds a SQLite store's write lock, as far as this machine can tell.
///
/// In WAL mode SQLite's writer lock is not a lock on the database file: it is a POSIX
/// `fcntl` byte-range lock on byte 120 of the `-shm` file beside it (the first of the
/// WAL-index lock slots, `UNIX_SHM_BASE` in SQLite's `os_unix.c`; readers lock bytes
/// 123–127 and 128, never 120). `fcntl(F_GETLK)` asks the kernel who holds a conflicting
/// lock there and answers with the holder's pid, and `/proc/<pid>/cmdline` says what that
/// process is. Checked on Debian 12 with SQLite 3.40: a `sqlite3` shell inside
/// `BEGIN IMMEDIATE` holds a write lock on byte 120 and nothing else there.
///
/// A lock held by this very process is not reported (POSIX locks never conflict with their
/// own process), nor one held from another pid namespace (the kernel reports pid 0): then
/// the holder is unknown and messages say "another process".
public struct WriteLockHolder: Sendable, Hashable, CustomStringConvertible {
    /// The holder's process id.
    public var pid: Int32
    /// What the process is, from its command line: "`git workspace app put`", "a push by
    /// git-remote-workspace", "the sqlite3 shell"; nil when `/proc` does not say.
    /// Only the program name and subcommand words are used: never arguments, which may
    /// hold URLs with credentials.
    public var kind: String?

    /// Creates a holder record.
    public init(pid: Int32, kind: String?) {
        self.pid = pid
        self.kind = kind
    }

    /// "`git workspace app put` (pid 4242)", or "process 4242" when its kind is unknown.
    public var description: String { kind.map { "\($0) (pid \(pid))" } ?? "process \(pid)" }

    /// Byte offset of SQLite's WAL writer lock in the `-shm` file (`UNIX_SHM_BASE`).
    static let walWriteLockOffset: Int = 120

    /// The process holding the write lock of the SQLite store at `databasePath` now, or nil
    /// when no other process holds it or it cannot be told (no `-shm` file, no permission,
    /// a holder in another pid namespace).
    public static func current(ofStoreAt databasePath: String) -> WriteLockHolder? {
        let descriptor = open(databasePath + "-shm", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var request = flock()
        request.l_type = Int16(F_WRLCK)
        request.l_whence = Int16(SEEK_SET)
        request.l_start = off_t(walWriteLockOffset)
        request.l_len = 1
        guard fcntl(descriptor, F_GETLK, &request) == 0, request.l_type != Int16(F_UNLCK), request.l_pid > 0 else {
            return nil
        }
        return WriteLockHolder(pid: request.l_pid, kind: ProcessDescription.kind(of: request.l_pid))
    }
}

/// What a process is, read from `/proc` (Linux). Nil wherever `/proc` is missing or unreadable.
enum ProcessDescription {
    /// The process's arguments, `argv[0]` first.
    static func arguments(of pid: Int32) -> [String]? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
        return data.split(separator: 0, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
            .filter { !$0.isEmpty }
    }

    /// The parent's pid, from `/proc/<pid>/stat` (the field after the parenthesised name,
    /// which may itself hold spaces and parentheses).
    static func parent(of pid: Int32) -> Int32? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat"),
              let close = data.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = data[data.index(after: close)...].split(separator: UInt8(ascii: " "))
        guard fields.count >= 2, let parent = Int32(String(decoding: fields[1], as: UTF8.self)), parent > 0 else { return nil }
        return parent
    }

    /// The program name and subcommand words of `arguments`, e.g. "git workspace app put".
    static func command(_ arguments: [String]) -> (program: String, words: [String])? {
        guard let first = arguments.first else { return nil }
        let program = String(first.split(separator: "/").last ?? Substring(first))
        // Subcommand words are lowercase words at the front; options and operands end them.
        let words = arguments.dropFirst().prefix { word in
            !word.isEmpty && word.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || $0 == UInt8(ascii: "-") }
                && !word.hasPrefix("-")
        }
        return (program, Array(words))
    }

    /// A short description of `pid` for messages: which of our tools (and which command),
    /// or the program's name.
    static func kind(of pid: Int32) -> String? {
        guard let arguments = arguments(of: pid) else { return nil }
        return describe(arguments, underSync: { syncAncestor(of: pid) != nil })
    }

    /// Describes a process by its `arguments`; `underSync` says whether `git workspace sync`
    /// started it (asked only for the helper).
    static func describe(_ arguments: [String], underSync: () -> Bool) -> String? {
        guard let (program, words) = command(arguments) else { return nil }
        switch program {
        case "git-remote-workspace":
            return underSync() ? "a push by `git workspace sync`" : "a push by git-remote-workspace"
        case "git-workspace":
            let depth = ["app", "hook"].contains(words.first ?? "") ? 2 : 1
            return "`" + (["git workspace"] + words.prefix(depth)).joined(separator: " ") + "`"
        case "sqlite3":
            return "the sqlite3 shell"
        default:
            let safe = program.unicodeScalars.filter { $0.value > 0x20 && $0.value < 0x7F && $0 != "`" }
            return safe.isEmpty ? nil : "`" + String(String.UnicodeScalarView(safe.prefix(40))) + "`"
        }
    }

    /// The nearest `git workspace sync` among the first few ancestors of `pid`, if any:
    /// sync pushes with `git push`, which runs the helper.
    static func syncAncestor(of pid: Int32) -> Int32? {
        var current = pid
        for _ in 0..<4 {
            guard let parent = parent(of: current), parent > 1 else { return nil }
            if let arguments = arguments(of: parent), let (program, words) = command(arguments),
               program == "git-workspace", words.first == "sync" {
                return parent
            }
            current = parent
        }
        return nil
    }
}
