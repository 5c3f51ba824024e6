import Foundation

/// The entry point of `git-remote-workspace`, kept here so the executable is a few lines.
public enum RemoteHelperMain {
    public static func run(arguments: [String]) -> Int32 {
        let environment = ProcessInfo.processInfo.environment
        guard let address = Session.address(from: arguments, config: gitConfig) else {
            Log.error("usage: git-remote-workspace <remote> [workspace::]<store>  (git runs this for workspace::<store> URLs)")
            return 64
        }
        let absolute = address.contains("://") || address.hasPrefix("/")
            ? address : FileManager.default.currentDirectoryPath + "/" + address
        let trace = (environment["GIT_REMOTE_WORKSPACE_TRACE"] ?? "").isEmpty == false
        return Session(address: absolute, channel: Channel(trace: trace)).run()
    }

    /// `git config --get <key>`, or nil.
    static func gitConfig(_ key: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "config", "--get", key]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
