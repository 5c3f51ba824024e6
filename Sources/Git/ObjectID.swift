internal import CGit2

/// A SHA-1 object id.
///
/// The 20 bytes are held inline (two 64-bit words and a 32-bit one, in memory order), not in
/// an array: a walk of 100 000 trees keeps hundreds of thousands of ids in sets and lists,
/// and an array would cost each a heap allocation and a reference count.
public struct ObjectID: Hashable, Sendable, CustomStringConvertible, Comparable {
    private var head: UInt64
    private var middle: UInt64
    private var tail: UInt32

    /// The 20 raw bytes.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Calls `body` with the 20 raw bytes, without copying them.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        var copy = self
        return try Swift.withUnsafeBytes(of: &copy) { try body(UnsafeRawBufferPointer(rebasing: $0[0..<20])) }
    }

    /// The id whose bytes are `bytes`; nil unless there are exactly 20.
    public init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count == 20 else { return nil }
        self.init(raw: UnsafeRawBufferPointer.self) { $0.copyBytes(from: bytes) }
    }

    /// An id made by `fill`, which writes its 20 bytes.
    private init(raw _: UnsafeRawBufferPointer.Type, fill: (UnsafeMutableRawBufferPointer) -> Void) {
        head = 0
        middle = 0
        tail = 0
        Swift.withUnsafeMutableBytes(of: &self) { fill(UnsafeMutableRawBufferPointer(rebasing: $0[0..<20])) }
    }

    /// Parses 40 hex digits.
    public init?(hex: String) {
        var hex = hex
        let parsed: ObjectID?? = hex.withUTF8 { chars in
            guard chars.count == 40 else { return nil }
            var valid = true
            let id = ObjectID(raw: UnsafeRawBufferPointer.self) { out in
                for index in 0..<20 {
                    guard let high = ObjectID.nibble(chars[2 * index]), let low = ObjectID.nibble(chars[2 * index + 1]) else {
                        valid = false
                        return
                    }
                    out[index] = high << 4 | low
                }
            }
            return valid ? id : nil
        }
        guard let parsed, let parsed else { return nil }
        self = parsed
    }

    init(_ oid: git_oid) {
        var copy = oid
        self.init(raw: UnsafeRawBufferPointer.self) { out in
            Swift.withUnsafeBytes(of: &copy.id) { out.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<20])) }
        }
    }

    var raw: git_oid {
        var oid = git_oid()
        withUnsafeBytes { bytes in Swift.withUnsafeMutableBytes(of: &oid.id) { $0.copyMemory(from: bytes) } }
        return oid
    }

    /// The all-zero id git uses for "no object".
    public static let zero = ObjectID(bytes: [UInt8](repeating: 0, count: 20))!

    public var isZero: Bool { head == 0 && middle == 0 && tail == 0 }

    /// 40 lowercase hex digits.
    public var hex: String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 40) { out in
            withUnsafeBytes { bytes in
                digits.withUTF8Buffer { digits in
                    for (index, byte) in bytes.enumerated() {
                        out[2 * index] = digits[Int(byte >> 4)]
                        out[2 * index + 1] = digits[Int(byte & 0xF)]
                    }
                }
            }
            return 40
        }
    }

    public var description: String { hex }

    /// Byte order: the words compared as big-endian numbers are the bytes compared in turn.
    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool {
        if lhs.head != rhs.head { return lhs.head.bigEndian < rhs.head.bigEndian }
        if lhs.middle != rhs.middle { return lhs.middle.bigEndian < rhs.middle.bigEndian }
        return lhs.tail.bigEndian < rhs.tail.bigEndian
    }

    private static func nibble(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return char - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return char - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
