import Foundation
import Crypto
import YAML

/// A resource as a tree says it: its kind, source id and normalized document.
///
/// `value` is the normal form (nulls and schema defaults dropped, free-form data kept), so
/// two files that say the same thing in different words give equal specs, equal canonical
/// bytes and equal hashes.
public struct ResourceSpec: Hashable, Sendable {
    public var kindName: String
    public var sourceID: String
    public var value: Value

    public init(kindName: String, sourceID: String, value: Value) {
        self.kindName = kindName
        self.sourceID = sourceID
        self.value = value
    }

    /// The kind, when this build knows it.
    public var kind: (any ResourceKind.Type)? { ResourceKinds.named(kindName) }

    /// `v1:` + SHA-256 (hex) of the canonical JSON of the normalized document.
    public var specHash: String { SpecHash.of(value) }

    /// The canonical file bytes: block YAML, the kind's key order, one trailing newline.
    public func canonicalText() -> String {
        guard let kind else { return YAMLEmitter.emit(value) }
        return CanonicalText.render(value, schema: kind.schema)
    }
}

/// The spec hash: a version prefix, so the normal form can change later, and a SHA-256.
public enum SpecHash {
    public static let prefix = "v1:"

    public static func of(_ value: Value) -> String {
        of(canonicalJSON: JSONEmitter.canonical(value))
    }

    /// The hash of the value whose `JSONEmitter.canonical` bytes are `json`: for a caller that
    /// has them already (the text a store keeps), so they are not made twice.
    public static func of(canonicalJSON json: [UInt8]) -> String {
        prefix + SHA256.hash(data: json).lowercaseHex
    }
}

extension Sequence where Element == UInt8 {
    /// The bytes as lowercase hex digits, two per byte (written directly: `String(format:)`
    /// per byte cost more than the hash it formats).
    public var lowercaseHex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Writing documents canonically.
public enum CanonicalText {
    /// `value` as canonical YAML, keys ordered as `schema` declares them, then the rest sorted.
    public static func render(_ value: Value, schema: Shape) -> String {
        YAMLEmitter.emit(value) { path, keys in schema.keyOrder(at: path, keys: keys) }
    }
}
