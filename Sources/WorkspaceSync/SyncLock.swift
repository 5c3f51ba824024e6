import Foundation

extension SyncError.Code {
    /// The sync lock file cannot be opened (permissions, a missing directory).
    public static let lock = SyncError.Code("lock")
}

/// An exclusive, non-blocking `flock(2)` on a file: the lock a sync run holds in
/// `$GIT_DIR/workspace-sync.lock`, so two runs in one repository never interleave.
///
/// The kernel releases it on `release()` or when the process ends, so a crashed run never
/// leaves a stale lock behind; the file itself stays and holds nothing.
public final class SyncLock {
    let descriptor: Int32
    private var released = false

    /// Takes the lock on `path` (created when missing); nil when another process holds it.
    /// A file that cannot be opened is an error, not a busy lock: a run that cannot lock
    /// must not report `busy` forever.
    public init?(path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw SyncError(.lock, "cannot open the sync lock \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        descriptor = fd
    }

    /// Lets the next run in; calling it again does nothing.
    public func release() {
        guard !released else { return }
        released = true
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    deinit { release() }
}
