import Foundation
import Git

/// The entry point of `git-remote-workspace`, kept here so the executable is a few lines.
public enum RemoteHelperMain {
    public static func run(arguments: [String]) -> Int32 {
        guard let address = Session.address(from: arguments, config: GitConfig.value) else {
            Log.error("usage: git-remote-workspace <remote> [workspace::]<store>  (git runs this for workspace::<store> URLs)")
            return 64
        }
        let absolute = address.contains("://") || address.hasPrefix("/")
            ? address : FileManager.default.currentDirectoryPath + "/" + address
        let trace = (Environment.value("GIT_REMOTE_WORKSPACE_TRACE") ?? "").isEmpty == false
        return Session(address: absolute, channel: Channel(trace: trace)).run()
    }
}
