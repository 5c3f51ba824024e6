import Glibc

/// git's delta format (the body of a pack's delta entries, `Documentation/gitformat-pack`):
/// the base's size and the result's size as base-128 numbers, then instructions that
/// either copy a range of the base or insert literal bytes.
///
/// The store keeps a tree that differs from an earlier one by a few entries as such a delta
/// (`ObjectCodec` in WorkspaceStore). Making one is cheap here because trees are lists of
/// entries: unchanged entries are copied, changed ones inserted, without git's general
/// block search.
public enum Delta {
    /// A delta that does not apply: not git's format, another base, or a range outside it.
    public struct Malformed: Error, CustomStringConvertible {
        public var description: String
    }

    /// The longest copy one instruction can say (three size bytes).
    static let maxCopy = 0xFF_FFFF
    /// The longest insert one instruction can say.
    static let maxInsert = 0x7F

    /// A delta that turns tree object `base` into tree object `target`, or nil when either
    /// is not laid out as a tree (`TreeFormat.spans`).
    ///
    /// Entries of `target` whose mode and name `base` has are copied from it (the id too
    /// when it is the same; otherwise only the id is inserted); other entries are inserted
    /// whole. Neighbouring copies merge, so a tree with one changed entry is three
    /// instructions, about 30 bytes, whatever its size.
    ///
    /// Both trees list their entries in git's order, so each entry's namesake is found by
    /// walking the two together (as `TreeFormat.differences` does), comparing bytes: no
    /// table of the base's names (hashing each name byte by byte was a tenth of the
    /// single-threaded start of an initial push). A tree not in git's order only loses
    /// matches; what is not matched is inserted, so the delta still makes `target`.
    public static func betweenTrees(_ base: [UInt8], _ target: [UInt8]) -> [UInt8]? {
        guard let baseSpans = TreeFormat.spans(base), let targetSpans = TreeFormat.spans(target) else { return nil }
        var writer = Writer(baseSize: base.count, resultSize: target.count)
        var next = 0
        for span in targetSpans {
            let name = TreeFormat.Key(target, span)
            while next < baseSpans.count, TreeFormat.Key(base, baseSpans[next]).precedes(name) { next += 1 }
            guard next < baseSpans.count, case let match = baseSpans[next],
                  sameBytes(base, match.start, target, span.start, count: span.nul + 1 - span.start, and: match.nul + 1 - match.start) else {
                writer.insert(target[span.start..<span.end])
                continue
            }
            next += 1
            if sameBytes(base, match.nul + 1, target, span.nul + 1, count: 20, and: 20) {
                writer.copy(offset: match.start, count: match.end - match.start)
            } else {
                writer.copy(offset: match.start, count: match.nul + 1 - match.start)
                writer.insert(target[(span.nul + 1)..<span.end])
            }
        }
        return writer.finish()
    }

    /// True when `count` bytes of `a` at `i` equal `other` bytes of `b` at `j` (false when
    /// the lengths differ).
    private static func sameBytes(_ a: [UInt8], _ i: Int, _ b: [UInt8], _ j: Int, count: Int, and other: Int) -> Bool {
        guard count == other else { return false }
        return a.withUnsafeBytes { left in b.withUnsafeBytes { right in memcmp(left.baseAddress! + i, right.baseAddress! + j, count) == 0 } }
    }

    /// The result of applying `delta` to `base`; throws when the delta is not for this base
    /// or does not hold together.
    public static func apply(_ delta: [UInt8], to base: [UInt8]) throws(Malformed) -> [UInt8] {
        var index = 0
        func number() throws(Malformed) -> Int {
            var value = 0, shift = 0
            while true {
                guard index < delta.count, shift < 56 else { throw Malformed(description: "the delta's header is cut short") }
                let byte = delta[index]
                index += 1
                value |= Int(byte & 0x7F) << shift
                shift += 7
                if byte & 0x80 == 0 { return value }
            }
        }
        let baseSize = try number(), resultSize = try number()
        guard baseSize == base.count else {
            throw Malformed(description: "the delta is for a base of \(baseSize) bytes, not \(base.count)")
        }
        var result: [UInt8] = []
        result.reserveCapacity(min(resultSize, base.count + delta.count * 128))
        while index < delta.count {
            let op = delta[index]
            index += 1
            if op & 0x80 != 0 {
                var offset = 0, count = 0
                for bit in 0..<7 where op & (1 << bit) != 0 {
                    guard index < delta.count else { throw Malformed(description: "a copy instruction is cut short") }
                    let byte = Int(delta[index])
                    index += 1
                    if bit < 4 { offset |= byte << (8 * bit) } else { count |= byte << (8 * (bit - 4)) }
                }
                if count == 0 { count = 0x10000 }
                guard offset + count <= base.count else {
                    throw Malformed(description: "a copy reaches past the base's \(base.count) bytes")
                }
                result += base[offset..<(offset + count)]
            } else if op != 0 {
                let count = Int(op)
                guard index + count <= delta.count else { throw Malformed(description: "an insert is cut short") }
                result += delta[index..<(index + count)]
                index += count
            } else {
                throw Malformed(description: "the delta has the reserved instruction 0")
            }
            guard result.count <= resultSize else { break }
        }
        guard result.count == resultSize else {
            throw Malformed(description: "the delta makes \(result.count) bytes, not the \(resultSize) it says")
        }
        return result
    }

    /// Collects instructions, merging neighbouring copies and inserts.
    struct Writer {
        private var out: [UInt8] = []
        private var copyStart = 0, copyCount = 0
        private var pending: [UInt8] = []

        init(baseSize: Int, resultSize: Int) {
            Self.appendNumber(baseSize, to: &out)
            Self.appendNumber(resultSize, to: &out)
        }

        mutating func copy(offset: Int, count: Int) {
            flushInsert()
            if copyCount > 0, copyStart + copyCount == offset {
                copyCount += count
                return
            }
            flushCopy()
            copyStart = offset
            copyCount = count
        }

        mutating func insert(_ bytes: ArraySlice<UInt8>) {
            flushCopy()
            pending += bytes
        }

        mutating func finish() -> [UInt8] {
            flushCopy()
            flushInsert()
            return out
        }

        private mutating func flushCopy() {
            while copyCount > 0 {
                let count = min(copyCount, Delta.maxCopy)
                var op: UInt8 = 0x80
                var operands: [UInt8] = []
                for byte in 0..<4 where (copyStart >> (8 * byte)) & 0xFF != 0 {
                    op |= 1 << byte
                    operands.append(UInt8((copyStart >> (8 * byte)) & 0xFF))
                }
                for byte in 0..<3 where (count >> (8 * byte)) & 0xFF != 0 {
                    op |= 1 << (4 + byte)
                    operands.append(UInt8((count >> (8 * byte)) & 0xFF))
                }
                out.append(op)
                out += operands
                copyStart += count
                copyCount -= count
            }
        }

        private mutating func flushInsert() {
            var start = 0
            while start < pending.count {
                let count = min(pending.count - start, Delta.maxInsert)
                out.append(UInt8(count))
                out += pending[start..<(start + count)]
                start += count
            }
            pending.removeAll(keepingCapacity: true)
        }

        static func appendNumber(_ value: Int, to out: inout [UInt8]) {
            var remaining = value
            while remaining >= 0x80 {
                out.append(UInt8(remaining & 0x7F) | 0x80)
                remaining >>= 7
            }
            out.append(UInt8(remaining))
        }
    }
}
