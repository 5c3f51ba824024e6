import Glibc
/// One entry of a tree object.
public struct TreeEntry: Hashable, Sendable {
    /// One path segment, raw bytes.
    public var name: [UInt8]
    public var mode: UInt32
    public var id: ObjectID

    public init(name: [UInt8], mode: UInt32, id: ObjectID) {
        self.name = name
        self.mode = mode
        self.id = id
    }

    public init(name: String, mode: UInt32, id: ObjectID) {
        self.init(name: Array(name.utf8), mode: mode, id: id)
    }

    public var isTree: Bool { mode == TreeEntry.directory }

    public static let file: UInt32 = 0o100644
    public static let executable: UInt32 = 0o100755
    public static let directory: UInt32 = 0o040000
    public static let symlink: UInt32 = 0o120000
    public static let submodule: UInt32 = 0o160000
}

/// Reading and writing tree objects: `<octal mode> <name>\0<20-byte id>` per entry, in
/// git's order (names compared bytewise, a directory as if its name ended in `/`).
///
/// Written here rather than through libgit2's tree builder because the workspace builds
/// trees from objects held in its store, outside any repository; the format is fixed by git.
public enum TreeFormat {
    public struct Malformed: Error, CustomStringConvertible {
        public var description: String { "malformed tree object" }
    }

    public static func serialize(_ entries: [TreeEntry]) -> [UInt8] {
        var out: [UInt8] = []
        for entry in entries.sorted(by: gitOrder) {
            out += Array(String(entry.mode, radix: 8).utf8)
            out.append(UInt8(ascii: " "))
            out += entry.name
            out.append(0)
            entry.id.withUnsafeBytes { out += $0 }
        }
        return out
    }

    public static func parse(_ data: [UInt8]) throws -> [TreeEntry] {
        guard let spans = spans(data) else { throw Malformed() }
        var entries: [TreeEntry] = []
        entries.reserveCapacity(spans.count)
        for span in spans {
            guard let mode = octal(data[span.start..<span.space]),
                  let id = ObjectID(bytes: data[(span.nul + 1)...(span.nul + 20)])
            else { throw Malformed() }
            entries.append(TreeEntry(name: Array(data[(span.space + 1)..<span.nul]), mode: mode, id: id))
        }
        return entries
    }

    /// An entry's mode: octal digits read straight from the bytes; anything else (a sign,
    /// other characters) is left to `UInt32(_:radix:)`, so what is accepted stays what it was.
    static func octal(_ digits: ArraySlice<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "7"), value <= UInt32.max >> 3 else {
                return UInt32(String(decoding: digits, as: UTF8.self), radix: 8)
            }
            value = value << 3 | UInt32(digit - UInt8(ascii: "0"))
        }
        return digits.isEmpty ? nil : value
    }

    /// Where one entry lies in a tree object: it starts at `start`, its mode ends at the
    /// space at `space`, its name at the NUL at `nul`, and its 20-byte id follows (so the
    /// entry ends at `nul + 21`).
    public struct Span: Sendable {
        public var start: Int
        public var space: Int
        public var nul: Int
        public var end: Int { nul + 21 }
    }

    /// The entries' places in `data`, or nil when it is not laid out as a tree (the modes
    /// are not checked here; `parse` checks them).
    public static func spans(_ data: [UInt8]) -> [Span]? {
        var spans: [Span] = []
        do {
            while let span = try span(in: data, at: spans.last?.end ?? 0) { spans.append(span) }
        } catch {
            return nil
        }
        return spans
    }

    /// The entries of tree `new` that tree `old` does not hold under the same name with the
    /// same id, each with its namesake in `old` (`differences`); every entry of `new` when
    /// `old` is nil. In `new`'s order.
    public static func changed(_ new: [UInt8], from old: [UInt8]?) throws -> [(entry: TreeEntry, old: TreeEntry?)] {
        try differences(from: old, to: new).compactMap { pair in
            guard let now = pair.now, pair.was?.id != now.id else { return nil }
            return (now, pair.was)
        }
    }

    /// The entries in which trees `old` (nil: the empty tree) and `new` differ, in git's
    /// order: each pair is an entry of `old` and its namesake in `new` (same name, same kind:
    /// both directories or neither), either nil when the other tree has none. Entries whose
    /// bytes are the same in both are left out.
    ///
    /// Both trees list their entries in git's order, so namesakes are found by walking the
    /// two together, and only the entries returned are decoded: a tree of 100 000 entries
    /// with one changed costs a comparison of bytes per entry and no allocation for the
    /// others. (A tree not in that order only loses matches: its entries then come back as
    /// removed and added.) Throws `Malformed` as `parse` does for the entries it decodes; an
    /// entry the same as in the other tree is taken as it is.
    public static func differences(from old: [UInt8]?, to new: [UInt8]) throws -> [(was: TreeEntry?, now: TreeEntry?)] {
        var a = try Cursor(old ?? []), b = try Cursor(new)
        var found: [(was: TreeEntry?, now: TreeEntry?)] = []
        while true {
            // Which side the next difference has: -1 only `old`, 1 only `new`, 0 both.
            let side: Int
            switch (a.span, b.span) {
            case (nil, nil): return found
            case (_?, nil): side = -1
            case (nil, _?): side = 1
            default:
                if sameEntry(a, b) {
                    try a.advance()
                    try b.advance()
                    continue
                }
                let aTree = try a.isTree(), bTree = try b.isTree()
                side = precedes(a.name, aTree, b.name, bTree) ? -1 : precedes(b.name, bTree, a.name, aTree) ? 1 : 0
            }
            let was: TreeEntry? = try side <= 0 ? a.entry() : nil
            let now: TreeEntry? = try side >= 0 ? b.entry() : nil
            found.append((was, now))
            if side <= 0 { try a.advance() }
            if side >= 0 { try b.advance() }
        }
    }

    /// A place in a tree's entries, for `differences`: the entry's span, its mode decoded
    /// only when asked.
    private struct Cursor {
        let data: [UInt8]
        private(set) var span: Span?
        private var mode: UInt32?

        init(_ data: [UInt8]) throws {
            self.data = data
            span = try TreeFormat.span(in: data, at: 0)
        }

        mutating func advance() throws {
            span = try span.flatMap { try TreeFormat.span(in: data, at: $0.end) }
            mode = nil
        }

        var name: ArraySlice<UInt8> { span.map { data[($0.space + 1)..<$0.nul] } ?? [] }

        mutating func isTree() throws -> Bool { try decodedMode() == TreeEntry.directory }

        mutating func decodedMode() throws -> UInt32 {
            if let mode { return mode }
            guard let span, let parsed = TreeFormat.octal(data[span.start..<span.space]) else { throw Malformed() }
            mode = parsed
            return parsed
        }

        mutating func entry() throws -> TreeEntry {
            let mode = try decodedMode()
            guard let span, let id = ObjectID(bytes: data[(span.nul + 1)..<span.end]) else { throw Malformed() }
            return TreeEntry(name: Array(name), mode: mode, id: id)
        }
    }

    /// The entry of `data` that starts at `index`; nil at the end; throws `Malformed` when
    /// what starts there is not laid out as an entry.
    private static func span(in data: [UInt8], at index: Int) throws -> Span? {
        guard index < data.count else { return nil }
        // memchr, not a search through the array's elements: a diff of two versions of a
        // 100 000-entry tree finds 200 000 spans.
        let found: Span? = data.withUnsafeBytes { bytes in
            let base = bytes.baseAddress!
            guard let space = memchr(base + index, Int32(UInt8(ascii: " ")), bytes.count - index).map({ base.distance(to: UnsafeRawPointer($0)) }),
                  let nul = memchr(base + space, 0, bytes.count - space).map({ base.distance(to: UnsafeRawPointer($0)) }), nul + 21 <= bytes.count else { return nil }
            return Span(start: index, space: space, nul: nul)
        }
        guard let found else { throw Malformed() }
        return found
    }

    /// True when the entries at `a` and `b` are the same bytes (name, mode and id).
    private static func sameEntry(_ a: Cursor, _ b: Cursor) -> Bool {
        guard let x = a.span, let y = b.span, x.end - x.start == y.end - y.start else { return false }
        return a.data.withUnsafeBytes { left in
            b.data.withUnsafeBytes { right in memcmp(left.baseAddress! + x.start, right.baseAddress! + y.start, x.end - x.start) == 0 }
        }
    }

    /// An entry's place in git's order, read from its span: its name, and whether its mode
    /// says directory (decoded as `Cursor.isTree` decodes it).
    struct Key {
        let name: ArraySlice<UInt8>
        let isTree: Bool

        init(_ data: [UInt8], _ span: Span) {
            name = data[(span.space + 1)..<span.nul]
            isTree = TreeFormat.octal(data[span.start..<span.space]) == TreeEntry.directory
        }

        /// True when this entry sorts before `other` (`precedes`).
        func precedes(_ other: Key) -> Bool { TreeFormat.precedes(name, isTree, other.name, other.isTree) }
    }

    /// `gitOrder` on names as bytes: true when the entry named `a` (a directory when
    /// `aIsTree`) sorts before the one named `b`.
    static func precedes(_ a: ArraySlice<UInt8>, _ aIsTree: Bool, _ b: ArraySlice<UInt8>, _ bIsTree: Bool) -> Bool {
        var left = a.startIndex, right = b.startIndex
        while true {
            let l: UInt8? = left < a.endIndex ? a[left] : left == a.endIndex && aIsTree ? UInt8(ascii: "/") : nil
            let r: UInt8? = right < b.endIndex ? b[right] : right == b.endIndex && bIsTree ? UInt8(ascii: "/") : nil
            switch (l, r) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case let (x?, y?) where x != y: return x < y
            default:
                left += 1
                right += 1
            }
        }
    }

    /// git's tree order: names compared bytewise, a directory's as if it ended in `/`.
    public static func gitOrder(_ a: TreeEntry, _ b: TreeEntry) -> Bool {
        precedes(a.name[...], a.isTree, b.name[...], b.isTree)
    }
}
