import Git
import YAML

/// A resource as the store holds it: its workspace-local UUID, kind and normalized document.
///
/// The UUID never leaves the store (no projected file names it). `createdSeq` and
/// `updatedSeq` come from the workspace's own sequence counter, not from a clock, so two
/// stores given the same operations hold the same values.
public struct StoredResource: Hashable, Sendable {
    /// Lowercase UUID text, made by the store when the resource was inserted.
    public var uuid: String
    /// The kind name (`workflow`, `variable`, …).
    public var kind: String
    /// The normalized document, exactly as it was stored.
    public var spec: Value
    /// True after deletion: archived resources are kept, with their mapping, so a restore reuses the UUID.
    public var archived: Bool
    /// The workspace sequence number of the insert; resources are listed in this order.
    public var createdSeq: Int
    /// The workspace sequence number of the last update, archive or restore.
    public var updatedSeq: Int

    public init(uuid: String, kind: String, spec: Value, archived: Bool, createdSeq: Int, updatedSeq: Int) {
        self.uuid = uuid
        self.kind = kind
        self.spec = spec
        self.archived = archived
        self.createdSeq = createdSeq
        self.updatedSeq = updatedSeq
    }
}

/// Source id <-> UUID for one resource, with the two hashes that tell real edits from rewording.
///
/// Source ids are unique per kind ignoring case (two ids that differ by case would be one
/// directory on a case-insensitive file system). Each UUID has at most one mapping.
public struct Mapping: Hashable, Sendable {
    public var kind: String
    /// The path-safe name in the repository; see `SourceID` for the rules.
    public var sourceID: String
    public var uuid: String
    /// The spec hash of the resource as the repository file says it, at the last sync; nil before one.
    public var lastSyncedSpecHash: String?
    /// The spec hash of the resource as the workspace renders it, at the last sync; nil before one.
    public var lastProjectedSpecHash: String?

    public init(kind: String, sourceID: String, uuid: String,
                lastSyncedSpecHash: String? = nil, lastProjectedSpecHash: String? = nil) {
        self.kind = kind
        self.sourceID = sourceID
        self.uuid = uuid
        self.lastSyncedSpecHash = lastSyncedSpecHash
        self.lastProjectedSpecHash = lastProjectedSpecHash
    }
}

/// One raw git object: its id, type and content without git's `<type> <size>\0` header.
///
/// The store does not hash `data`: the Git layer computes `oid` and is trusted to.
public struct GitObject: Hashable, Sendable {
    /// The numbering libgit2 uses (`GIT_OBJECT_COMMIT` = 1 …), so conversion is a cast.
    public enum Kind: Int, Hashable, Sendable, CaseIterable {
        case commit = 1
        case tree = 2
        case blob = 3
        case tag = 4
    }

    /// 40 lowercase hex digits.
    public var oid: String
    public var type: Kind
    public var data: [UInt8]
    /// The zlib stream of `data` the store keeps, when it keeps the object compressed
    /// (nil otherwise): a fetch copies it into its pack instead of deflating again. Not part
    /// of the object's identity (`==` and hashing ignore it).
    @Incidental public var deflated: [UInt8]?
    /// The delta the store keeps the object as (a tree like an earlier one), when it keeps it
    /// so: a fetch may copy it into its pack (`RawObject.delta`). Not part of the identity.
    @Incidental public var delta: ObjectDelta?
    /// The content's size when `data` was left out (`WorkspaceReading.objects(_:blobContent:)`);
    /// nil when `data` is the content.
    @Incidental public var omittedSize: Int?

    public init(oid: String, type: Kind, data: [UInt8], deflated: [UInt8]? = nil, delta: ObjectDelta? = nil) {
        self.oid = oid
        self.type = type
        self.data = data
        self.deflated = deflated
        self.delta = delta
    }

    /// True when `text` is 40 lowercase hex digits, the only spelling the store accepts.
    public static func isValidID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == 40 && bytes.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}

/// One entry of a workspace's change log: what the application (or a push) did, by whom, when.
///
/// The helper turns the log into commits; author, time and message come from here and never
/// from a clock at fetch time, so every machine builds the same commit ids (invariant 4).
public struct Change: Hashable, Sendable {
    /// What happened to the resource.
    public enum Action: String, Hashable, Sendable, CaseIterable {
        /// The application created or changed the resource.
        case put
        /// The application deleted (archived) the resource.
        case archive
        /// A `git push` was imported; `uuid` is nil.
        case push
    }

    /// Assigned by the store on append from the workspace sequence; ignored on input.
    public var seq: Int
    /// The resource changed, or nil for a change that is not about one resource (a push).
    public var uuid: String?
    public var action: Action
    public var authorName: String
    public var authorEmail: String
    /// Unix seconds.
    public var time: Int
    /// The author's offset from UTC in minutes, as git records it (`+0130` is 90).
    public var tzOffsetMinutes: Int
    public var message: String
    /// The commit that records this change, once the helper has made it.
    public var commit: String?

    public init(seq: Int = 0, uuid: String?, action: Action, authorName: String, authorEmail: String,
                time: Int, tzOffsetMinutes: Int = 0, message: String, commit: String? = nil) {
        self.seq = seq
        self.uuid = uuid
        self.action = action
        self.authorName = authorName
        self.authorEmail = authorEmail
        self.time = time
        self.tzOffsetMinutes = tzOffsetMinutes
        self.message = message
        self.commit = commit
    }
}

/// One row of `workspace_outbox`: a change an application asks for by inserting a row with
/// plain SQL, in the same transaction as its own save (the transactional outbox). The
/// workspace turns each pending row into one commit by its author (`WorkspaceOutbox`).
///
/// The application writes `workspace`, `action`, `document` or `sourceID`, the author and
/// optionally `message` and `created_at`; the workspace writes `id` (ascending), `state`,
/// `commit_oid` and `error`. The table is a public interface, documented in
/// git-workspace(1).
public struct OutboxEntry: Hashable, Sendable {
    /// Where a row is in its life.
    public enum State: String, Hashable, Sendable, CaseIterable {
        case pending, applied, rejected
    }

    /// What a row asks for.
    public enum Action: String, Hashable, Sendable {
        /// Create or update the resource `document` describes.
        case put
        /// Archive the resource `sourceID` names.
        case archive
    }

    public var id: Int64
    public var workspace: String
    /// The action as written; nil when the row holds something this build does not know
    /// (the row is then rejected, saying so).
    public var action: Action?
    public var rawAction: String
    public var document: String?
    public var sourceID: String?
    public var authorName: String
    public var authorEmail: String
    public var message: String?
    /// When the application wrote the row, in Unix seconds (UTC): the commit's time.
    public var createdAt: Int
    public var state: State
    public var commit: String?
    public var error: String?

    public init(id: Int64, workspace: String, rawAction: String, document: String?, sourceID: String?,
                authorName: String, authorEmail: String, message: String?, createdAt: Int,
                state: State, commit: String? = nil, error: String? = nil) {
        self.id = id
        self.workspace = workspace
        self.rawAction = rawAction
        self.action = Action(rawValue: rawAction)
        self.document = document
        self.sourceID = sourceID
        self.authorName = authorName
        self.authorEmail = authorEmail
        self.message = message
        self.createdAt = createdAt
        self.state = state
        self.commit = commit
        self.error = error
    }
}
