internal import CGit2
import Crypto

/// The four kinds of git object, with git's own type numbers (as in packs).
public enum ObjectType: Int, Sendable, Hashable {
    case commit = 1
    case tree = 2
    case blob = 3
    case tag = 4

    /// The name in an object header (`blob 12\0...`).
    public var name: String {
        switch self {
        case .commit: return "commit"
        case .tree: return "tree"
        case .blob: return "blob"
        case .tag: return "tag"
        }
    }

    var raw: git_object_t { git_object_t(rawValue: Int32(rawValue)) }

    init?(_ raw: git_object_t) { self.init(rawValue: Int(raw.rawValue)) }
}

/// A git object's id, type and content (without the `type size\0` header).
///
/// Equality and hashing look at id, type and content only: `deflated` is `Incidental`.
public struct RawObject: Hashable, Sendable {
    public var id: ObjectID
    public var type: ObjectType
    public var data: [UInt8]
    /// A complete zlib stream of `data` when one is at hand (the store keeps most objects
    /// compressed): `PackWriter` copies it into a pack entry instead of deflating again.
    /// Whoever sets it vouches that it inflates to `data`; a pack checks it anyway
    /// (`ObjectVerifier`).
    @Incidental public var deflated: [UInt8]?
    /// A delta that makes `data` from another object, when one is at hand (the store keeps
    /// a tree that differs from an earlier one by a few entries so): `PackSpool` may carry it
    /// in a pack instead of the whole object. Whoever sets it vouches that it makes `data`.
    @Incidental public var delta: ObjectDelta?
    /// The content's size when `data` was left out, `deflated` standing for it (a blob read
    /// only to go into a pack); nil when `data` is the content.
    @Incidental public var omittedSize: Int?

    public init(id: ObjectID, type: ObjectType, data: [UInt8], deflated: [UInt8]? = nil, delta: ObjectDelta? = nil) {
        self.id = id
        self.type = type
        self.data = data
        self.deflated = deflated
        self.delta = delta
    }

    /// An object whose id is computed from its content, as git does.
    public init(type: ObjectType, data: [UInt8]) {
        self.init(id: RawObject.hash(type: type, data: data), type: type, data: data)
    }

    /// The id git gives `data` as an object of `type`: the SHA-1 of `type size\0` and the
    /// content.
    ///
    /// BoringSSL's SHA-1 (swift-crypto), not libgit2's `git_odb_hash`: Debian's libgit2 hashes
    /// with collision detection, about three times the instructions (5% of an initial push,
    /// which hashes every document's canonical text), and needs libgit2 started. The ids are
    /// the same for every input but a crafted SHA-1 collision, which git itself refuses.
    public static func hash(type: ObjectType, data: [UInt8]) -> ObjectID {
        var hasher = Insecure.SHA1()
        hasher.update(data: Array("\(type.name) \(data.count)\0".utf8))
        hasher.update(data: data)
        return hasher.finalize().withUnsafeBytes { ObjectID(bytes: $0)! }
    }
}

/// An object as a delta against another: `base`, and a zlib stream of git's delta format
/// (`Delta`) that turns it into the object.
public struct ObjectDelta: Sendable {
    public var base: ObjectID
    public var deflated: [UInt8]

    public init(base: ObjectID, deflated: [UInt8]) {
        self.base = base
        self.deflated = deflated
    }
}

/// A value carried along with another that is no part of its identity (a cache, such as
/// an object's compressed form): every two are equal and hashing ignores them, so a type
/// that synthesizes `Hashable` compares as if the property were not there.
@propertyWrapper
public struct Incidental<Value: Sendable>: Hashable, Sendable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    public static func == (a: Incidental, b: Incidental) -> Bool { true }

    public func hash(into hasher: inout Hasher) {}
}
