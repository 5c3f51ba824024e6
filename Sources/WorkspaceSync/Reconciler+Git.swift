import Foundation
import Git

/// One branch of one remote, as sync and status fetch it.
public enum RemoteBranch {
    /// `git fetch` of one branch into its remote-tracking ref with an explicit refspec
    /// (`+refs/heads/B:refs/remotes/R/B`), so a clone's narrow fetch configuration does not
    /// matter. Tags and FETCH_HEAD are left alone. The caller judges the status.
    public static func fetch(_ remote: String, branch: String) throws -> Subprocess.Result {
        try Subprocess.git(["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", remote,
                            "+refs/heads/\(branch):\(tracking(remote, branch: branch))"])
    }

    /// `refs/remotes/<remote>/<branch>`.
    public static func tracking(_ remote: String, branch: String) -> String { "refs/remotes/\(remote)/\(branch)" }
}

extension Reconciler {
    /// A side's tip as a fetch found it.
    enum Tip {
        case at(ObjectID)
        /// The remote answered and has no such branch.
        case absent
        /// The remote could not be fetched; the first line git printed, quoted.
        case failed(String)
    }

    /// Fetches `branch` from `remote`. A failed fetch is told apart from a missing branch by
    /// `git ls-remote --exit-code` (status 2: the remote answered without the ref).
    func fetch(_ remote: String) throws -> Tip {
        let fetched = try RemoteBranch.fetch(remote, branch: branch)
        if fetched.status == 0 { return .at(try repository.commitID(RemoteBranch.tracking(remote, branch: branch))) }
        let listed = try Subprocess.git(["ls-remote", "--exit-code", remote, ref])
        if listed.status == 2 { return .absent }
        return .failed(fetched.stderrLines.first ?? "git fetch exit \(fetched.status)")
    }

    /// Pushes `commit` to `destination` (the synced branch by default) and, when it went
    /// through to the synced branch, moves the remote-tracking ref to it so that the next
    /// fetch finds it in step (git does too when the remote's fetch refspec covers it).
    func push(_ commit: ObjectID, to remote: String, as destination: String? = nil,
              _ report: inout SyncReport) throws -> PushResult {
        let result = try GitPush.push(commit, to: remote, ref: destination ?? ref)
        if case .pushed = result, destination == nil {
            let tracking = RemoteBranch.tracking(remote, branch: branch)
            let updated = try Subprocess.git(["update-ref", tracking, commit.hex])
            if updated.status != 0 {
                // The next fetch repairs it; worth a line, not a failure.
                report.warnings.append("cannot update \(tracking): \(updated.stderrLines.first ?? "exit \(updated.status)")")
            }
        }
        return result
    }

    /// A commit by the sync identity, written into the repository.
    func mergeCommit(tree: ObjectID, parents: [ObjectID], message: String) throws -> ObjectID {
        let identity = try syncIdentity()
        let commit = CommitData(tree: tree, parents: parents, author: identity, committer: identity, message: message)
        return try repository.write(RawObject(type: .commit, data: commit.serialize()))
    }

    /// Who commits sync's merges: git's committer identity, else a fixed one.
    func syncIdentity() throws -> Signature {
        let ident = try Subprocess.git(["var", "GIT_COMMITTER_IDENT"])
        if ident.status == 0, let signature = CommitData.parseSignature(ident.text) { return signature }
        return Signature(name: "git-workspace sync", email: "sync@workspace.invalid", time: Int64(now().timeIntervalSince1970))
    }

    /// `20261121T093000Z`: UTC, sortable, valid in a ref name.
    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }
}
