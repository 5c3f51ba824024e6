import Foundation
import Git

// How sync talks to git: fetching one branch, pushing one commit and judging the push
// from `git push --porcelain`, writing its merge commits.

extension Subprocess {
    /// git's exit status for its fatal errors (`die()`): for a push, the remote could not be
    /// reached or read, before any reference had a status.
    public static let gitFatal: Int32 = 128
}

/// One status line of `git push --porcelain` (git-push(1), OUTPUT):
/// `<flag> TAB <from>:<to> TAB <summary> (<reason>)`.
public struct PushStatusLine: Equatable, Sendable {
    /// ` ` fast-forward, `+` forced, `-` deleted, `*` new, `=` up to date, `!` rejected.
    public var flag: Character
    /// The pushed source as written in the refspec (a commit id, for sync).
    public var source: String
    /// The remote reference.
    public var destination: String
    /// `3ae5520..8091e1f`, `[new branch]`, `[rejected]`, `[remote rejected]`, `[remote failure]`.
    public var summary: String
    /// The text in parentheses after the summary (`fetch first`, `pre-receive hook declined`).
    public var reason: String?

    /// Parses one line; nil for the other lines of the output (`To <url>`, `Done`).
    public init?(_ line: Substring) {
        let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, fields[0].count == 1, let flag = fields[0].first,
              " +-*=!".contains(flag), let colon = fields[1].lastIndex(of: ":") else { return nil }
        self.flag = flag
        source = String(fields[1][..<colon])
        destination = String(fields[1][fields[1].index(after: colon)...])
        let text = fields[2]
        // git prints "%s (%s)": the reason runs from the first " (" to the final ")", and may
        // itself hold parentheses (a helper's message).
        if text.hasSuffix(")"), let open = text.range(of: " (") {
            summary = String(text[..<open.lowerBound])
            reason = String(text[open.upperBound..<text.index(before: text.endIndex)])
        } else {
            summary = String(text)
            reason = nil
        }
    }

    /// Every status line in `output` (git push's stdout), in order.
    public static func parse(_ output: String) -> [PushStatusLine] {
        output.split(separator: "\n").compactMap { PushStatusLine($0) }
    }

    /// True when the remote now holds the pushed value.
    public var succeeded: Bool { flag != "!" }
}

/// How one push of one commit to one reference ended.
enum PushResult {
    /// The remote holds the commit.
    case pushed
    /// The remote moved since it was fetched (`fetch first`, `non-fast-forward`,
    /// `stale info`): the run starts over with fresh tips.
    case raced(FailedPush)
    /// The remote refused it (a hook, a validation, a policy), or the repository's
    /// pre-push hook stopped it: it stays refused until someone acts.
    case refused(FailedPush)
    /// git could not talk to the remote (its fatal exit, a `[remote failure]`): transient.
    case failed(FailedPush)
}

/// `git push --porcelain` of one commit to one reference, judged from the porcelain status
/// line and the exit status only; stderr is kept to be quoted, never read for meaning.
enum GitPush {
    /// The reasons git gives when the remote's reference is not what the push expected.
    static let raceReasons: Set<String> = ["fetch first", "non-fast-forward", "stale info"]

    /// Pushes `commit` to `ref` of `remote` (never forced) and says how it went.
    static func push(_ commit: ObjectID, to remote: String, ref: String) throws -> PushResult {
        // The advice hints say what a person should do after a rejection; sync decides itself.
        let result = try Subprocess.git(["-c", "advice.pushUpdateRejected=false", "push", "--porcelain",
                                         remote, "\(commit.hex):\(ref)"])
        return classify(result, commit: commit, remote: remote, ref: ref)
    }

    /// The judgement behind `push`, from its porcelain output and exit status.
    static func classify(_ result: Subprocess.Result, commit: ObjectID, remote: String, ref: String) -> PushResult {
        let line = PushStatusLine.parse(String(decoding: result.stdout, as: UTF8.self)).last { $0.destination == ref }
        if let line, line.succeeded { return .pushed }
        let failure = FailedPush(remote: remote, ref: ref, commit: commit, exitStatus: result.status,
                                 summary: line?.summary, reason: line?.reason, output: result.stderrLines)
        guard let line else {
            // No status for the ref: git stopped before the remote answered. Its fatal exit
            // means the remote could not be reached; anything else is the pre-push hook (or
            // git itself) refusing locally. An exit 0 without a status is not a success.
            return result.status == Subprocess.gitFatal || result.status == 0 ? .failed(failure) : .refused(failure)
        }
        if let reason = line.reason, raceReasons.contains(reason) { return .raced(failure) }
        // A workspace that was busy (another writer held its store) is worth a retry, not a refusal.
        if line.summary == "[remote failure]" || line.reason?.hasPrefix(SyncError.busyReasonPrefix) == true { return .failed(failure) }
        return .refused(failure)
    }
}

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
