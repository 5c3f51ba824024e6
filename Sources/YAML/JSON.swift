/// Writes a `Value` as JSON.
///
/// Both forms sort object keys by their UTF-8 bytes and escape strings minimally: `\"`,
/// `\\`, `\b \f \n \r \t`, other control characters as `\u00xx` (lowercase hex), everything
/// else raw UTF-8. Ints are decimal; finite doubles use Swift's shortest round-trip text,
/// which always keeps a `.` or an exponent (`1.0`, `1e-05`).
///
/// Non-finite doubles are written as the bare tokens `NaN`, `Infinity` and `-Infinity`.
/// That is not JSON: the canonical form exists for hashing, where a stable, distinct
/// spelling matters and no JSON reader is involved.
///
/// There is no JSON parser: JSON is YAML 1.2 flow, so `YAMLParser` reads it.
public enum JSONEmitter {
    /// No whitespace at all.
    public static func canonical(_ value: Value) -> [UInt8] {
        var out: [UInt8] = []
        write(value, into: &out, indent: nil)
        return out
    }

    /// Two-space indentation, `"key": value`, one trailing newline.
    public static func pretty(_ value: Value) -> String {
        var out: [UInt8] = []
        write(value, into: &out, indent: 0)
        out.append(UInt8(ascii: "\n"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `indent` is the current depth when pretty, nil when canonical.
    private static func write(_ value: Value, into out: inout [UInt8], indent: Int?) {
        switch value {
        case .null: out += "null".utf8
        case .bool(let bool): out += (bool ? "true" : "false").utf8
        case .int(let int): out += String(int).utf8
        case .double(let double): out += text(double).utf8
        case .string(let string): writeString(string, into: &out)
        case .array(let elements):
            writeContainer(open: "[", close: "]", count: elements.count, into: &out, indent: indent) { index, out in
                write(elements[index], into: &out, indent: indent.map { $0 + 1 })
            }
        case .object(let members):
            let keys = members.keys.sorted(by: YAMLEmitter.utf8Less)
            writeContainer(open: "{", close: "}", count: keys.count, into: &out, indent: indent) { index, out in
                writeString(keys[index], into: &out)
                out.append(UInt8(ascii: ":"))
                if indent != nil { out.append(UInt8(ascii: " ")) }
                write(members[keys[index]]!, into: &out, indent: indent.map { $0 + 1 })
            }
        }
    }

    private static func writeContainer(open: Unicode.Scalar, close: Unicode.Scalar, count: Int,
                                       into out: inout [UInt8], indent: Int?,
                                       element: (Int, inout [UInt8]) -> Void) {
        out.append(UInt8(ascii: open))
        if count == 0 {
            out.append(UInt8(ascii: close))
            return
        }
        for index in 0..<count {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            if let indent { newline(indent + 1, into: &out) }
            element(index, &out)
        }
        if let indent { newline(indent, into: &out) }
        out.append(UInt8(ascii: close))
    }

    private static func newline(_ depth: Int, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\n"))
        out += repeatElement(UInt8(ascii: " "), count: depth * 2)
    }

    static func text(_ double: Double) -> String {
        if double.isNaN { return "NaN" }
        if double.isInfinite { return double < 0 ? "-Infinity" : "Infinity" }
        return double.description
    }

    private static func writeString(_ string: String, into out: inout [UInt8]) {
        var string = string
        out.append(UInt8(ascii: "\""))
        // Runs of bytes that need no escape are appended whole, from the string's own storage.
        string.withUTF8 { bytes in
            var run = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index]))
                run = index + 1
                switch byte {
                case UInt8(ascii: "\""): out += #"\""#.utf8
                case UInt8(ascii: "\\"): out += #"\\"#.utf8
                case 0x08: out += #"\b"#.utf8
                case 0x0C: out += #"\f"#.utf8
                case 0x0A: out += #"\n"#.utf8
                case 0x0D: out += #"\r"#.utf8
                case 0x09: out += #"\t"#.utf8
                default:
                    out += #"\u00"#.utf8
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0xF)])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
