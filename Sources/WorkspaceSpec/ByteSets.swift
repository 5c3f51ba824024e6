// Small fixed-size byte tables for scanning text without building strings
// (the credential scan looks at every byte of every string of every document).

/// A set of ASCII bytes, tested with two shifts: the literal scan never builds strings.
struct ByteClass: Sendable {
    private var low: UInt64 = 0
    private var high: UInt64 = 0

    /// The bytes a pattern such as `A-Za-z0-9_-` names: `x-y` is a range, a `-` at the end is itself.
    init(_ pattern: String) {
        let bytes = Array(pattern.utf8)
        var index = 0
        while index < bytes.count {
            if index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "-") {
                for byte in bytes[index]...bytes[index + 2] { insert(byte) }
                index += 3
            } else {
                insert(bytes[index])
                index += 1
            }
        }
    }

    private mutating func insert(_ byte: UInt8) {
        if byte < 64 { low |= 1 << UInt64(byte) } else if byte < 128 { high |= 1 << UInt64(byte - 64) }
    }

    /// True when `byte` is in the class (never for a byte of a multi-byte UTF-8 sequence).
    func contains(_ byte: UInt8) -> Bool {
        if byte < 64 { return low >> UInt64(byte) & 1 == 1 }
        if byte < 128 { return high >> UInt64(byte - 64) & 1 == 1 }
        return false
    }

    static let alnum = ByteClass("A-Za-z0-9")
    static let word = ByteClass("A-Za-z0-9_")
    static let token = ByteClass("A-Za-z0-9_-")
    static let hex = ByteClass("a-fA-F0-9")
    static let base64 = ByteClass("A-Za-z0-9+/=")
    static let digit = ByteClass("0-9")
    static let base32 = ByteClass("A-Z2-7")
}

/// Which of the 128 ASCII bytes were seen (for counting distinct characters without allocating).
struct ByteSet {
    private var low: UInt64 = 0
    private var high: UInt64 = 0

    /// Adds an ASCII byte; true when it was not there yet.
    mutating func insert(_ byte: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(byte & 63)
        if byte < 64 {
            defer { low |= bit }
            return low & bit == 0
        }
        defer { high |= bit }
        return high & bit == 0
    }
}

/// A set of two-byte sequences (a 65 536-bit table).
struct BytePairSet: Sendable {
    private var words = [UInt64](repeating: 0, count: 1024)

    /// Adds the first two bytes of `bytes` (every prefix has at least two).
    mutating func insert(_ bytes: [UInt8]) {
        guard bytes.count >= 2 else { return }
        let bit = Int(bytes[0]) << 8 | Int(bytes[1])
        words[bit >> 6] |= 1 << UInt64(bit & 63)
    }

    /// True when `first` then `second` begin some prefix.
    func contains(_ first: UInt8, _ second: UInt8) -> Bool {
        let bit = Int(first) << 8 | Int(second)
        return words[bit >> 6] >> UInt64(bit & 63) & 1 == 1
    }
}
