internal import CGit2

/// A SHA-1 object id.
public struct ObjectID: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The 20 raw bytes.
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 20 else { return nil }
        self.bytes = bytes
    }

    /// Parses 40 hex digits.
    public init?(hex: String) {
        let chars = Array(hex.utf8)
        guard chars.count == 40 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(20)
        var index = 0
        while index < 40 {
            guard let high = ObjectID.nibble(chars[index]), let low = ObjectID.nibble(chars[index + 1]) else {
                return nil
            }
            out.append(high << 4 | low)
            index += 2
        }
        bytes = out
    }

    /// The 20 bytes hashed at once (an array's own hashing feeds the hasher byte by byte,
    /// and a walk hashes ids by the ten thousand).
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public static func == (lhs: ObjectID, rhs: ObjectID) -> Bool {
        lhs.bytes == rhs.bytes
    }

    init(_ oid: git_oid) {
        var copy = oid
        bytes = withUnsafeBytes(of: &copy.id) { Array($0) }
    }

    var raw: git_oid {
        var oid = git_oid()
        withUnsafeMutableBytes(of: &oid.id) { $0.copyBytes(from: bytes) }
        return oid
    }

    /// The all-zero id git uses for "no object".
    public static let zero = ObjectID(bytes: [UInt8](repeating: 0, count: 20))!

    public var isZero: Bool { bytes.allSatisfy { $0 == 0 } }

    /// 40 lowercase hex digits.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(40)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }

    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    private static func nibble(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return char - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return char - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
