internal import CGit2
import Foundation

/// Reading git configuration through libgit2: the repository's config (found from the
/// current directory or `GIT_DIR`) layered over the global and system files, or those
/// alone outside a repository.
public enum GitConfig {
    /// The value of `key` (`remote.origin.url`, `workspace.author`), or nil when unset.
    public static func value(_ key: String) -> String? {
        _ = libgit2Ready
        var config: OpaquePointer?
        if let repository = try? Repository(discoveringFrom: FileManager.default.currentDirectoryPath) {
            guard git_repository_config_snapshot(&config, repository.handle) == 0 else { return nil }
        } else {
            var base: OpaquePointer?
            guard git_config_open_default(&base) == 0 else { return nil }
            defer { git_config_free(base) }
            guard git_config_snapshot(&config, base) == 0 else { return nil }
        }
        defer { git_config_free(config) }
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        guard git_config_get_string_buf(&buffer, config, key) == 0, let pointer = buffer.ptr else { return nil }
        return String(cString: pointer)
    }
}
