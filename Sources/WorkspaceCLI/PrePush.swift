import Foundation
import WorkspaceSync
import Git

/// The pre-push check: every commit a push would give the remote must be a valid tree.
///
/// git writes one line per ref on the hook's stdin:
/// `<local ref> <local oid> <remote ref> <remote oid>`. A deletion (local oid all zeros)
/// carries no commits. Otherwise the commits are `<remote oid>..<local oid>` when the remote
/// had the ref and this repository has that commit, else (a new branch, or a remote tip we
/// never fetched) those not reachable from any `refs/remotes/<remote>/*` reference, like
/// `git rev-list <local oid> --not --remotes=<remote>`. A URL that is a configured remote's
/// URL stands for that remote; any other URL has no tracking references, so the whole
/// history of the new ref is checked. Each commit's whole tree is validated, because a
/// tree is what the remote will hold at that commit; a tree shared by several commits is
/// validated once.
enum PrePush {
    /// One line of git's input.
    struct Update: Equatable {
        var localRef: String
        var localID: ObjectID
        var remoteRef: String
        var remoteID: ObjectID
    }

    /// Parses git's stdin; a malformed line means we were not run by git as documented.
    static func parse(_ input: Data) throws -> [Update] {
        let text = String(decoding: input, as: UTF8.self)
        return try text.split(separator: "\n").compactMap { line -> Update? in
            let fields = line.split(separator: " ")
            if fields.isEmpty { return nil }
            guard fields.count == 4, let local = ObjectID(hex: String(fields[1])),
                  let remote = ObjectID(hex: String(fields[3])) else {
                throw CommandFailure(message: "pre-push: cannot read git's input line '\(line)' (expected '<local ref> <local oid> <remote ref> <remote oid>')",
                                     status: ExitStatus.usage)
            }
            return Update(localRef: String(fields[0]), localID: local, remoteRef: String(fields[2]), remoteID: remote)
        }
    }

    /// Validates every commit the updates in `input` push to `remote`; prints the invalid
    /// ones (short id and subject, then their diagnostics) and returns the exit status.
    static func check(remote: String, input: Data) throws -> Int32 {
        let updates = try parse(input)
        let repository = try GitWorkspace.Validate.openRepository()
        // `git push <url>` passes the URL as the remote's name; a configured remote with
        // that URL still has tracking references that say what the remote holds.
        let remoteName = try GitConfigCommand.remoteURLs().first { $0.url == remote }?.name ?? remote
        var seenCommits = Set<ObjectID>()
        var unitsByTree: [ObjectID: GitWorkspace.Validate.Unit] = [:]
        var checked = 0
        var invalid = 0
        for update in updates where !update.localID.isZero {
            let commits = try GitWorkspace.Validate.gitCall { try commitsPushed(update, to: remoteName, in: repository) }
            for commit in commits where seenCommits.insert(commit).inserted {
                checked += 1
                let tree = try GitWorkspace.Validate.gitCall { try repository.treeID(ofCommit: commit) }
                let known = unitsByTree[tree]
                let unit: GitWorkspace.Validate.Unit
                if let known {
                    unit = known
                } else {
                    let files = try GitWorkspace.Validate.gitCall { try repository.files(inTree: tree) }
                    unit = GitWorkspace.Validate.treeUnit(label: commit.hex, files: files, repository: repository)
                    unitsByTree[tree] = unit
                }
                guard unit.diagnostics.contains(where: { $0.severity == .error }) else { continue }
                invalid += 1
                let subject = try GitWorkspace.Validate.gitCall { try repository.commitSubject(commit) }
                let name = "pre-push: commit \(commit.hex.prefix(7)) \(subject) (\(update.localRef) -> \(update.remoteRef)) is invalid"
                if let known {
                    // The same tree was reported above under its first commit.
                    Output.err("\(name): same tree as commit \(known.label.prefix(7))\n")
                } else {
                    Output.err("\(name):\n")
                    _ = GitWorkspace.Validate.report([unit], json: false)
                }
            }
        }
        let noun = checked == 1 ? "commit" : "commits"
        guard invalid == 0 else {
            Output.err("pre-push: push blocked: \(invalid) of \(checked) \(noun) invalid; fix them (git commit --amend, git rebase -i) or push with --no-verify to skip this check\n")
            return ExitStatus.invalid
        }
        if checked > 0 { Output.err("pre-push: \(checked) \(noun) valid\n") }
        return ExitStatus.success
    }

    /// The commits `update` gives the remote, parents first.
    static func commitsPushed(_ update: Update, to remote: String, in repository: Repository) throws(GitError) -> [ObjectID] {
        // A tag of a tree or a blob carries no commit to validate.
        guard let tip = try repository.peeledCommit(update.localID) else { return [] }
        if !update.remoteID.isZero, let base = try repository.peeledCommit(update.remoteID) {
            return try repository.commits(from: [tip], hiding: [base])
        }
        return try repository.commits(from: [tip], hidingReferences: ["refs/remotes/\(remote)/*"])
    }
}
