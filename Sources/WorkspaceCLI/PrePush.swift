import Foundation
import Git
import WorkspaceSpec
import WorkspaceSync

/// The pre-push check: judge what the push would make true, the tip of each pushed ref.
///
/// git writes one line per ref on the hook's stdin:
/// `<local ref> <local oid> <remote ref> <remote oid>`. A deletion (local oid all zeros)
/// carries nothing to judge. Otherwise the commits the push adds are `<remote oid>..<local oid>`
/// when the remote had the ref and this repository has that commit, else (a new branch, or
/// a remote tip we never fetched) those not reachable from any `refs/remotes/<remote>/*`
/// reference, like `git rev-list <local oid> --not --remotes=<remote>`. A URL that is a
/// configured remote's URL stands for that remote; any other URL has no tracking references.
///
/// Only the tip is validated, as a whole tree: after the push the remote's ref *is* that
/// tree, while the commits before it are history. A broken commit that a later one fixes
/// therefore never blocks a push (the user could not fix it without rewriting published
/// history, and `git workspace sync` would be blocked for good); how many earlier commits
/// went unjudged is said on the summary line. A tip the remote already has (no commit is
/// added: a branch made at a pushed commit, a tag of an old one) is not judged again.
/// Two refs with the same tree are validated once.
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

    /// Validates the tip of every ref the updates in `input` push to `remote`; prints the
    /// invalid ones (short id and subject, then their diagnostics) and returns the exit status.
    static func check(remote: String, input: Data) throws -> Int32 {
        let updates = try parse(input)
        let repository = try GitWorkspace.Validate.openRepository()
        // `git push <url>` passes the URL as the remote's name; a configured remote with
        // that URL still has tracking references that say what the remote holds.
        let remoteName = try GitConfigCommand.remoteURLs().first { $0.url == remote }?.name ?? remote
        var unitsByTree: [ObjectID: GitWorkspace.Validate.Unit] = [:]
        var tips = 0, invalid = 0, earlier = Set<ObjectID>(), judged = Set<ObjectID>()
        for update in updates where !update.localID.isZero {
            let commits = try GitWorkspace.Validate.gitCall { try commitsPushed(update, to: remoteName, in: repository) }
            // The walk lists parents first: the tip is the last commit, and only the tip
            // is a state the remote will be in.
            guard let tip = commits.last else { continue }
            earlier.formUnion(commits.dropLast())
            judged.insert(tip)
            tips += 1
            let tree = try GitWorkspace.Validate.gitCall { try repository.treeID(ofCommit: tip) }
            let known = unitsByTree[tree]
            let unit: GitWorkspace.Validate.Unit
            if let known {
                unit = known
            } else {
                // Judged against what the remote holds now, when this repository has it: a
                // root that would empty a kind the remote has resources of is then an error.
                let replaced = try GitWorkspace.Validate.gitCall { () throws(GitError) -> ObjectID? in
                    update.remoteID.isZero ? nil : try repository.peeledCommit(update.remoteID)
                }
                let baseline = try replaced.map { commit in
                    try GitWorkspace.Validate.gitCall { try TreeValidator.resourceCounts(GitTree(repository: repository, commit: commit)) }
                }
                unit = try GitWorkspace.Validate.unit(label: tip.hex, source: try GitWorkspace.Validate.gitCall {
                    try GitTree(repository: repository, tree: tree)
                }, baseline: baseline)
                unitsByTree[tree] = unit
            }
            guard unit.diagnostics.contains(where: { $0.severity == .error }) else { continue }
            invalid += 1
            let subject = try GitWorkspace.Validate.gitCall { try repository.commitSubject(tip) }
            let name = "pre-push: commit \(tip.hex.prefix(7)) \(subject) (\(update.localRef) -> \(update.remoteRef)) is invalid"
            if let known {
                // The same tree was reported above under its first tip.
                Output.err("\(name): same tree as commit \(known.label.prefix(7))\n")
            } else {
                Output.err("\(name):\n")
                _ = GitWorkspace.Validate.report([unit], json: false)
            }
        }
        let noun = tips == 1 ? "pushed tip" : "pushed tips"
        guard invalid == 0 else {
            Output.err("pre-push: push blocked: \(invalid) of \(tips) \(noun) invalid; fix them in a new commit (or git commit --amend before anyone has them) or push with --no-verify to skip this check\n")
            return ExitStatus.invalid
        }
        if tips > 0 {
            let unjudged = earlier.subtracting(judged).count
            Output.err("pre-push: \(tips) \(noun) valid" + (unjudged == 0 ? "" : "; \(unjudged) earlier \(unjudged == 1 ? "commit" : "commits") not judged (only a tip becomes the remote's state)") + "\n")
        }
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
