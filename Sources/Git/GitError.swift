internal import CGit2

/// A failed libgit2 call: its return code, libgit2's error class and message, and what was being done.
public struct GitError: Error, Sendable, CustomStringConvertible {
    /// The libgit2 return code (`GIT_ENOTFOUND` = -3, ...).
    public var code: Int32
    /// What the wrapper was doing ("open repository", "read blob", ...).
    public var operation: String
    /// libgit2's own message, read right after the failing call.
    public var message: String

    public init(code: Int32, operation: String, message: String) {
        self.code = code
        self.operation = operation
        self.message = message
    }

    /// True when libgit2 said the thing does not exist.
    public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }

    public var description: String { "\(operation): \(message)" }

    /// Wraps the last libgit2 error (thread-local, so read at once).
    static func last(_ code: Int32, _ operation: String) -> GitError {
        var message = "libgit2 error \(code)"
        if let error = git_error_last(), let text = error.pointee.message {
            message = String(cString: text)
        }
        return GitError(code: code, operation: operation, message: message)
    }
}

/// Calls a libgit2 function and throws its error when it fails.
@inline(__always)
func check(_ operation: @autoclosure () -> String, _ result: Int32) throws(GitError) {
    if result < 0 { throw GitError.last(result, operation()) }
}

/// libgit2 is initialised once per process, before the first call.
///
/// Pack files are mapped in windows of `packWindow` bytes, at most `packWindowsMapped` at
/// once (libgit2's defaults on 64 bits: 1 GiB windows, 8 GiB mapped). Every page read
/// through a mapping counts in the process's memory until it is unmapped, so reading a
/// 100 000-workflow pushed history (a 45 MB pack) made the helper hold the whole pack on
/// top of its own memory; with these windows it holds at most 32 MiB of it.
let libgit2Ready: Bool = {
    git_libgit2_init()
    _ = cgit2_set_pack_windows(packWindow, packWindowsMapped)
    return true
}()

let packWindow = 8 << 20
let packWindowsMapped = 32 << 20
