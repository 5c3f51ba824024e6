import Foundation

/// A fresh directory for one test, removed when the value is released.
public final class ScratchDirectory: @unchecked Sendable {
    public let url: URL

    public init(_ label: String = "test") throws {
        let base = FileManager.default.temporaryDirectory
            .appendingPathComponent("gitws-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        url = base.resolvingSymlinksInPath()
    }

    /// Work to do when the directory goes (a test database to drop), last added first.
    private var cleanups: [() -> Void] = []
    private let cleanupLock = NSLock()

    deinit {
        for cleanup in cleanups.reversed() { cleanup() }
        try? FileManager.default.removeItem(at: url)
    }

    /// Runs `cleanup` when the directory is released (after the test that owns it).
    public func onRelease(_ cleanup: @escaping () -> Void) {
        cleanupLock.withLock { cleanups.append(cleanup) }
    }

    /// A path inside the scratch directory.
    public func path(_ relative: String) -> String { url.appendingPathComponent(relative).path }

    /// Writes `text` to `relative`, creating parent directories.
    @discardableResult
    public func write(_ relative: String, _ text: String) throws -> String {
        try write(relative, bytes: Array(text.utf8))
    }

    /// Writes raw bytes to `relative`, creating parent directories.
    @discardableResult
    public func write(_ relative: String, bytes: [UInt8]) throws -> String {
        let target = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(
            at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: target)
        return target.path
    }
}
