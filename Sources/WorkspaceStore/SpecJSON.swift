import YAML

/// Reads back the canonical JSON the store writes for specs, exactly.
///
/// Specs are stored as `JSONEmitter.canonical` text. Reading them with `YAMLParser` would
/// be shorter but not exact: libyaml refuses some characters JSON allows raw in strings
/// (DEL, C1 controls, U+FEFF), and the canonical form's `NaN`/`Infinity` tokens are not
/// JSON. This reader accepts what the emitter writes, plus ordinary JSON whitespace and
/// escapes: a number with `.`, `e` or `E` is a double and any other is an int, so `1.0`
/// stays a double and `1` an int.
enum SpecJSON {
    /// The canonical JSON bytes of `value`, as stored.
    static func encode(_ value: Value) -> String {
        String(decoding: JSONEmitter.canonical(value), as: UTF8.self)
    }

    /// Parses stored text; any flaw is a `corrupt` error naming the byte offset.
    static func decode(_ text: String) throws -> Value {
        var reader = Reader(bytes: Array(text.utf8))
        reader.skipSpace()
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.index == reader.bytes.count else { throw reader.fail("trailing text") }
        return value
    }

    /// Deeper than the YAML parser ever produces (128), shallow enough for the stack.
    static let maxDepth = 512

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        func fail(_ what: String) -> StoreError {
            StoreError.damaged("a stored spec is not valid JSON (\(what) at byte \(index))")
        }

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
        }

        mutating func literal(_ word: String) -> Bool {
            let utf8 = Array(word.utf8)
            guard bytes.count - index >= utf8.count, Array(bytes[index..<index + utf8.count]) == utf8 else { return false }
            index += utf8.count
            return true
        }

        mutating func value(depth: Int) throws -> Value {
            guard depth < SpecJSON.maxDepth else { throw fail("nesting too deep") }
            guard let byte = peek else { throw fail("unexpected end") }
            switch byte {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "n") where literal("null"): return .null
            case UInt8(ascii: "t") where literal("true"): return .bool(true)
            case UInt8(ascii: "f") where literal("false"): return .bool(false)
            case UInt8(ascii: "N") where literal("NaN"): return .double(.nan)
            case UInt8(ascii: "I") where literal("Infinity"): return .double(.infinity)
            case UInt8(ascii: "-") where literal("-Infinity"): return .double(-.infinity)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw fail("unexpected character")
            }
        }

        mutating func object(depth: Int) throws -> Value {
            index += 1
            var members: [String: Value] = [:]
            skipSpace()
            if peek == UInt8(ascii: "}") { index += 1; return .object(members) }
            while true {
                skipSpace()
                guard peek == UInt8(ascii: "\"") else { throw fail("expected a key") }
                let key = try string()
                skipSpace()
                guard peek == UInt8(ascii: ":") else { throw fail("expected ':'") }
                index += 1
                skipSpace()
                guard members.updateValue(try value(depth: depth + 1), forKey: key) == nil else {
                    throw fail("duplicate key")
                }
                skipSpace()
                switch peek {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"): index += 1; return .object(members)
                default: throw fail("expected ',' or '}'")
                }
            }
        }

        mutating func array(depth: Int) throws -> Value {
            index += 1
            var elements: [Value] = []
            skipSpace()
            if peek == UInt8(ascii: "]") { index += 1; return .array(elements) }
            while true {
                skipSpace()
                elements.append(try value(depth: depth + 1))
                skipSpace()
                switch peek {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"): index += 1; return .array(elements)
                default: throw fail("expected ',' or ']'")
                }
            }
        }

        mutating func number() throws -> Value {
            let start = index
            var isDouble = false
            while let byte = peek, Reader.isNumberByte(byte) {
                if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { isDouble = true }
                index += 1
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if isDouble, let double = Double(text) { return .double(double) }
            if !isDouble, let int = Int(text) { return .int(int) }
            index = start
            throw fail("bad number '\(text)'")
        }

        static func isNumberByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"),
                 UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): return true
            default: return false
            }
        }

        mutating func string() throws -> String {
            index += 1
            // Most strings have no escape: their text is the bytes up to the closing quote,
            // taken whole; from the first escape on, bytes are copied one at a time.
            let start = index
            while let byte = peek, byte >= 0x20, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") { index += 1 }
            if peek == UInt8(ascii: "\"") {
                index += 1
                guard let text = String(validating: bytes[start..<(index - 1)], as: UTF8.self) else { throw fail("invalid UTF-8") }
                return text
            }
            var out = Array(bytes[start..<index])
            while true {
                guard let byte = peek else { throw fail("unterminated string") }
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    guard let text = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8") }
                    return text
                case UInt8(ascii: "\\"):
                    try escape(into: &out)
                case 0x00..<0x20:
                    throw fail("raw control character in a string")
                default:
                    out.append(byte)
                }
            }
        }

        mutating func escape(into out: inout [UInt8]) throws {
            guard let byte = peek else { throw fail("unterminated escape") }
            index += 1
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(byte)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard literal("\\u") else { throw fail("lone surrogate") }
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("lone surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape") }
                out += Array(String(Character(unicode)).utf8)
            default: throw fail("unknown escape")
            }
        }

        mutating func hex4() throws -> UInt32 {
            guard bytes.count - index >= 4 else { throw fail("short \\u escape") }
            var result: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = Character(Unicode.Scalar(bytes[index])).hexDigitValue else { throw fail("bad \\u escape") }
                result = result << 4 | UInt32(digit)
                index += 1
            }
            return result
        }
    }
}
