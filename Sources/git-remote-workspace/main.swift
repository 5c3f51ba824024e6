import Foundation

// The remote helper (gitremote-helpers(7)) is not part of this version yet: say so plainly
// instead of speaking a protocol it cannot keep. git shows this message and fails the command.
FileHandle.standardError.write(Data("git-remote-workspace: this version does not serve workspaces yet (see README: Status)\n".utf8))
exit(128)
