internal import CYAML
import Glibc

/// Writes a `Value` as canonical YAML: the same value always gives the same bytes.
///
/// Block style, indent 2, no `---`, no line width limit, unicode written raw, exactly one
/// trailing newline; empty mappings and sequences as `{}` and `[]`.
///
/// Strings are plain when the plain text reads back as the same string both under the
/// YAML 1.2 core schema and under YAML 1.1 readers such as PyYAML (so `yes`, `on`, `0755`,
/// `12:30`, `2024-01-01`, `1.0` are quoted), double-quoted otherwise. A string holding
/// `\n` is a literal block (`|`, `|-`, `|+`). Where YAML's grammar does not allow the
/// chosen style (`- a`, `a: b`, `#x` plain; trailing spaces in a block) libyaml picks a
/// quoted style itself. Strings holding CR, NEL, LS or PS are always double-quoted,
/// because a block scalar would turn those line breaks into `\n`.
public enum YAMLEmitter {
    /// Orders a mapping's keys; `path` is the keys from the root down to this mapping, with "[]" for a sequence element.
    ///
    /// Keys the callback leaves out are written after the ones it returns, in
    /// `sortedKeys` order; keys it returns that the mapping lacks, or repeats, are ignored.
    public typealias KeyOrder = @Sendable (_ path: [String], _ keys: [String]) -> [String]

    /// Plain byte-wise (UTF-8) sort.
    public static let sortedKeys: KeyOrder = { _, keys in keys.sorted(by: utf8Less) }

    public static func emit(_ value: Value, keyOrder: KeyOrder = sortedKeys) -> String {
        let emitter = LibYAMLEmitter()
        var event = yaml_event_t()
        check(yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING))
        emitter.emit(&event)
        check(yaml_document_start_event_initialize(&event, nil, nil, nil, 1))
        emitter.emit(&event)
        var path: [String] = []
        emitNode(value, into: emitter, path: &path, keyOrder: keyOrder)
        check(yaml_document_end_event_initialize(&event, 1))
        emitter.emit(&event)
        check(yaml_stream_end_event_initialize(&event))
        emitter.emit(&event)
        var bytes = emitter.output.bytes
        if containsBackslashU(bytes) && !mentionsBackslashU(value) { bytes = unescapeAstral(bytes) }
        // libyaml may close an open-ended document (a root `|+` block) with `...`: keep
        // that, it is what makes the trailing newlines part of the value. Otherwise the
        // output already ends in exactly one newline.
        if bytes.last != UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// libyaml 0.2.5 counts characters past U+FFFF (emoji, ...) as unprintable, so it
    /// double-quotes their strings and writes them as `\UXXXXXXXX`. Those escapes are put
    /// back as raw UTF-8 (still inside the double quotes, where YAML allows them). When no
    /// string holds the text `\U` itself, every `\U` in the output is such an escape;
    /// otherwise the escapes are left alone (rare, and still correct).
    static func unescapeAstral(_ bytes: [UInt8]) -> [UInt8] {
        let backslash = UInt8(ascii: "\\"), capitalU = UInt8(ascii: "U")
        guard bytes.contains(backslash) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == backslash, index + 10 <= bytes.count, bytes[index + 1] == capitalU {
                let digits = bytes[(index + 2)..<(index + 10)]
                var scalarValue: UInt32 = 0
                var valid = true
                for digit in digits {
                    guard let value = ScalarResolver.digitValue(digit) else { valid = false; break }
                    scalarValue = scalarValue << 4 | UInt32(value)
                }
                if valid, let scalar = Unicode.Scalar(scalarValue) {
                    out += String(Character(scalar)).utf8
                    index += 10
                    continue
                }
            }
            out.append(bytes[index])
            index += 1
        }
        return out
    }

    /// True when `bytes` (UTF-8) hold the text `\U`: the output is looked at first, as
    /// almost none does, and only then every string of the value.
    static func containsBackslashU<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        let backslash = UInt8(ascii: "\\"), capitalU = UInt8(ascii: "U")
        var previous: UInt8 = 0
        for byte in bytes {
            if previous == backslash && byte == capitalU { return true }
            previous = byte
        }
        return false
    }

    static func mentionsBackslashU(_ value: Value) -> Bool {
        switch value {
        case .string(let string): return containsBackslashU(string.utf8)
        case .array(let elements): return elements.contains(where: mentionsBackslashU)
        case .object(let members): return members.contains { containsBackslashU($0.key.utf8) || mentionsBackslashU($0.value) }
        default: return false
        }
    }

    /// libyaml's event constructors fail only when memory runs out.
    private static func check(_ result: Int32) {
        precondition(result == 1, "libyaml could not allocate an event")
    }

    /// Byte order of the UTF-8 texts, compared as memory (`memcmp`) rather than through the
    /// strings' UTF-8 views, which cost tens of instructions a byte (every mapping of every
    /// rendered document sorts its keys with this).
    static func utf8Less(_ lhs: String, _ rhs: String) -> Bool {
        var lhs = lhs, rhs = rhs
        return lhs.withUTF8 { left in
            rhs.withUTF8 { right in
                let common = min(left.count, right.count)
                let order = common == 0 ? 0 : memcmp(left.baseAddress!, right.baseAddress!, common)
                return order != 0 ? order < 0 : left.count < right.count
            }
        }
    }

    private static func emitNode(_ value: Value, into emitter: LibYAMLEmitter, path: inout [String],
                                 keyOrder: KeyOrder) {
        switch value {
        case .null:
            emitScalar("null", style: YAML_PLAIN_SCALAR_STYLE, into: emitter)
        case .bool(let bool):
            emitScalar(bool ? "true" : "false", style: YAML_PLAIN_SCALAR_STYLE, into: emitter)
        case .int(let int):
            emitScalar(String(int), style: YAML_PLAIN_SCALAR_STYLE, into: emitter)
        case .double(let double):
            emitScalar(yamlText(double), style: YAML_PLAIN_SCALAR_STYLE, into: emitter)
        case .string(let string):
            emitScalar(string, style: style(for: string), into: emitter)
        case .array(let elements):
            var event = yaml_event_t()
            check(yaml_sequence_start_event_initialize(
                &event, nil, nil, 1, elements.isEmpty ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE))
            emitter.emit(&event)
            path.append("[]")
            for element in elements { emitNode(element, into: emitter, path: &path, keyOrder: keyOrder) }
            path.removeLast()
            check(yaml_sequence_end_event_initialize(&event))
            emitter.emit(&event)
        case .object(let members):
            var event = yaml_event_t()
            check(yaml_mapping_start_event_initialize(
                &event, nil, nil, 1, members.isEmpty ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE))
            emitter.emit(&event)
            for key in orderedKeys(members, path: path, keyOrder: keyOrder) {
                emitScalar(key, style: style(for: key), into: emitter)
                path.append(key)
                emitNode(members[key]!, into: emitter, path: &path, keyOrder: keyOrder)
                path.removeLast()
            }
            check(yaml_mapping_end_event_initialize(&event))
            emitter.emit(&event)
        }
    }

    /// The callback's order, made into a permutation of the mapping's keys: what it names
    /// that is a key (as `members[key]` would find it), once, then the keys it left out.
    ///
    /// Each named key is found in the sorted keys by a binary search on the bytes, so marking
    /// it placed costs no hashing (sets of keys here were a tenth of a canonical render).
    static func orderedKeys(_ members: [String: Value], path: [String], keyOrder: KeyOrder) -> [String] {
        let keys = members.keys.sorted(by: utf8Less)
        var placed = [Bool](repeating: false, count: keys.count)
        var ordered: [String] = []
        ordered.reserveCapacity(keys.count)
        for key in keyOrder(path, keys) {
            guard let index = position(of: key, in: keys), !placed[index] else { continue }
            placed[index] = true
            ordered.append(key)
        }
        for (index, key) in keys.enumerated() where !placed[index] { ordered.append(key) }
        return ordered
    }

    /// The index of `key` in `keys` (sorted by `utf8Less`): by its bytes, else (a string
    /// equal to a key but not byte for byte, as Unicode equivalence allows) by `==`.
    private static func position(of key: String, in keys: [String]) -> Int? {
        var low = 0, high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if utf8Less(keys[middle], key) { low = middle + 1 } else { high = middle }
        }
        if low < keys.count, keys[low].utf8.elementsEqual(key.utf8) { return low }
        return keys.firstIndex(of: key)
    }

    static func style(for string: String) -> yaml_scalar_style_t {
        // One pass: a line break a literal block would not keep (CR, NEL, LS, PS) needs
        // quotes; otherwise a newline makes a literal block.
        var newline = false
        for scalar in string.unicodeScalars {
            switch scalar.value {
            case 0x0D, 0x85, 0x2028, 0x2029: return YAML_DOUBLE_QUOTED_SCALAR_STYLE
            case 0x0A: newline = true
            default: continue
            }
        }
        if newline { return YAML_LITERAL_SCALAR_STYLE }
        return ScalarResolver.isPlainSafe(string) ? YAML_PLAIN_SCALAR_STYLE : YAML_DOUBLE_QUOTED_SCALAR_STYLE
    }

    /// A double as a core-schema float that reads back bit for bit: Swift's shortest
    /// round-trip digits, with a `.` in the mantissa (`1.0`, `1.0e+20`) so YAML 1.1
    /// readers see a float too.
    static func yamlText(_ double: Double) -> String {
        if double.isNaN { return ".nan" }
        if double.isInfinite { return double < 0 ? "-.inf" : ".inf" }
        let text = double.description
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return text }
        let mantissa = text[..<e]
        return mantissa.contains(".") ? text : mantissa + ".0" + text[e...]
    }

    private static func emitScalar(_ text: String, style: yaml_scalar_style_t, into emitter: LibYAMLEmitter) {
        var bytes = Array(text.utf8)
        let length = Int32(bytes.count)
        bytes.append(0)
        var event = yaml_event_t()
        let ok = bytes.withUnsafeBufferPointer { buffer in
            yaml_scalar_event_initialize(&event, nil, nil, buffer.baseAddress, length, 1, 1, style)
        }
        check(ok)
        emitter.emit(&event)
    }
}
