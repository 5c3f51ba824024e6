/// Scalar resolution: what a plain scalar's text means.
///
/// The parser follows the YAML 1.2 core schema. The emitter additionally asks whether a
/// YAML 1.1 reader (PyYAML, older libyaml bindings) would read a plain text as something
/// other than a string, so that the files it writes mean the same thing to both.
enum ScalarResolver {
    /// The core-schema value of a plain, untagged scalar.
    static func resolvePlain(_ text: String) -> Value {
        // Every reading but a string starts with one of these bytes (or is empty); most text
        // does not, and is known a string without the four readers' comparisons.
        if let first = text.utf8.first, !mayReadAsOtherThanString(first) { return .string(text) }
        if let null = null(text) { return null }
        if let bool = bool(text) { return .bool(bool) }
        if let number = integer(text) { return number }
        if let double = float(text) { return .double(double) }
        return .string(text)
    }

    /// True for the first bytes of what `null`, `bool`, `integer` and `float` accept: `~`,
    /// `n`/`N`, `t`/`T`, `f`/`F`, a sign, `.` or a digit.
    static func mayReadAsOtherThanString(_ first: UInt8) -> Bool {
        switch first {
        case UInt8(ascii: "~"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"),
             UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return false
        }
    }

    /// `~`, `null`, `Null`, `NULL` or the empty text.
    static func null(_ text: String) -> Value? {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        default: return nil
        }
    }

    static func bool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`; too big for `Int` gives `.double`.
    static func integer(_ text: String) -> Value? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "o") || bytes[1] == UInt8(ascii: "x") {
            let radix = bytes[1] == UInt8(ascii: "o") ? 8 : 16
            let digits = bytes[2...]
            guard digits.allSatisfy({ digitValue($0).map { $0 < radix } ?? false }) else { return nil }
            let body = String(decoding: digits, as: UTF8.self)
            if let value = Int(body, radix: radix) { return .int(value) }
            var value = 0.0
            for digit in digits { value = value * Double(radix) + Double(digitValue(digit)!) }
            return .double(value)
        }
        var index = 0
        if bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-") { index = 1 }
        guard index < bytes.count, bytes[index...].allSatisfy(isDigit) else { return nil }
        if let value = Int(text) { return .int(value) }
        return Double(text).map(Value.double)
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?\.inf` (three spellings),
    /// `\.nan` (three spellings).
    static func float(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        let bytes = Array(text.utf8)
        // Rebuilt with a digit on each side of the dot, which Swift's parser wants.
        var normalized: [UInt8] = []
        var index = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            normalized.append(bytes[index])
            index += 1
        }
        let integerStart = index
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        let integerDigits = index - integerStart
        normalized += integerDigits == 0 ? [UInt8(ascii: "0")] : Array(bytes[integerStart..<index])
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            let fractionDigits = index - fractionStart
            // `.` alone needs digits after it; `1.` is fine.
            if integerDigits == 0 && fractionDigits == 0 { return nil }
            normalized.append(UInt8(ascii: "."))
            normalized += fractionDigits == 0 ? [UInt8(ascii: "0")] : Array(bytes[fractionStart..<index])
        } else if integerDigits == 0 {
            return nil
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            let exponentStart = index
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            let digitsStart = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            if index == digitsStart { return nil }
            normalized += bytes[exponentStart..<index]
        }
        guard index == bytes.count else { return nil }
        return Double(String(decoding: normalized, as: UTF8.self))
    }

    /// True when `text` may be written as a plain scalar and read back as the same string
    /// by a core-schema reader and by a YAML 1.1 reader such as PyYAML.
    ///
    /// Only the meaning of the text is judged here; whether YAML's grammar allows it plain
    /// (indicators, `: `, ` #`, ...) is libyaml's call when emitting.
    static func isPlainSafe(_ text: String) -> Bool {
        plainSafeByFirstByte(text) ?? plainSafeByRules(text)
    }

    /// The answer from the first byte alone, when it settles it (nil otherwise): a core-schema
    /// null, bool, int or float, a YAML 1.1 word and a YAML 1.1 number all begin with an ASCII
    /// letter, a digit or one of `+-.~<=`, so any other first byte leaves a string; after a
    /// letter only the words can be something else. Most text a workflow holds (names,
    /// expressions, URLs) is judged here without the parsing `plainSafeByRules` does.
    static func plainSafeByFirstByte(_ text: String) -> Bool? {
        guard let first = text.utf8.first, let last = text.utf8.last else { return false }
        if first == UInt8(ascii: " ") || last == UInt8(ascii: " ") || hasLineBreak(text) { return false }
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "~"), UInt8(ascii: "<"), UInt8(ascii: "="):
            return nil
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return !yaml11Words.contains(text)
        default:
            return true
        }
    }

    /// The full judgement: not blank-edged, one line, a string to the core schema, and
    /// neither a YAML 1.1 word nor a YAML 1.1 number.
    static func plainSafeByRules(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        if first == " " || last == " " { return false }
        if hasLineBreak(text) { return false }
        guard case .string = resolvePlain(text) else { return false }
        if yaml11Words.contains(text) { return false }
        if looksNumericInYAML11(text) { return false }
        return true
    }

    /// True when `text` holds a character Swift counts as a newline (`Character.isNewline`):
    /// LF, VT, FF, CR, NEL, LS or PS.
    static func hasLineBreak(_ text: String) -> Bool {
        text.unicodeScalars.contains { scalar in
            switch scalar.value {
            case 0x0A...0x0D, 0x85, 0x2028, 0x2029: return true
            default: return false
            }
        }
    }

    /// YAML 1.1 booleans, nulls, the merge key and the value key.
    static let yaml11Words: Set<String> = [
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF",
        "~", "null", "Null", "NULL", "<<", "=",
    ]

    /// A deliberately broad test for YAML 1.1 ints (binary, octal `0755`, `1_000`,
    /// sexagesimal `12:30`), floats (`1.`, `.5`, `1_0.5`) and timestamps (`2024-01-01`,
    /// `2001-12-14 21:59:43.10 -5`): after an optional sign, a digit (or `.` and a digit or
    /// `_`) first, and nothing but characters those forms use. Some harmless strings
    /// (`1.2.3`) are quoted too; that costs two characters, never a changed value.
    static func looksNumericInYAML11(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        guard let head = bytes.first else { return false }
        if head == UInt8(ascii: ".") {
            guard bytes.count > 1 else { return false }
            let next = bytes[bytes.startIndex + 1]
            guard isDigit(next) || next == UInt8(ascii: "_") else { return false }
        } else if !isDigit(head) {
            return false
        }
        return text.utf8.allSatisfy { numericCharacters.contains($0) }
    }

    static let numericCharacters: Set<UInt8> = Set("0123456789abcdefABCDEFxXoObB_.:+-tTzZ ".utf8)

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func digitValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }
}
