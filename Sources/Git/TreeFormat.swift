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
            out += entry.id.bytes
        }
        return out
    }

    public static func parse(_ data: [UInt8]) throws -> [TreeEntry] {
        guard let spans = spans(data) else { throw Malformed() }
        var entries: [TreeEntry] = []
        entries.reserveCapacity(spans.count)
        for span in spans {
            guard let mode = octal(data[span.start..<span.space]),
                  let id = ObjectID(bytes: Array(data[(span.nul + 1)...(span.nul + 20)]))
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
        var index = 0
        while index < data.count {
            guard let space = data[index...].firstIndex(of: UInt8(ascii: " ")),
                  let nul = data[space...].firstIndex(of: 0), nul + 21 <= data.count
            else { return nil }
            spans.append(Span(start: index, space: space, nul: nul))
            index = nul + 21
        }
        return spans
    }

    /// The entries of tree `new` that tree `old` does not hold under the same name with the
    /// same id, each with its namesake in `old`: the entry of that name when it is of the
    /// same kind (both directories, or neither), else nil, as for a new name. In `new`'s
    /// order; every entry of `new` when `old` is nil.
    ///
    /// Both trees list their entries in git's order, so each entry's namesake is found by
    /// walking the two lists together, and only the entries returned are decoded: a tree of
    /// 100 000 entries with one changed costs a comparison of bytes per entry and no
    /// allocation for the others. (A tree not in that order only loses matches: its entries
    /// then come back as changed.) Throws `Malformed` as `parse` does for the entries of
    /// `new` it decodes; an entry whose bytes equal its namesake's in `old` (the receiver's,
    /// checked when it was stored) is taken as that one was, and `old` is read only as far
    /// as the walk needs.
    public static func changed(_ new: [UInt8], from old: [UInt8]?) throws -> [(entry: TreeEntry, old: TreeEntry?)] {
        let oldData = old ?? []
        var changed: [(entry: TreeEntry, old: TreeEntry?)] = []
        var oldSpan = try span(in: oldData, at: 0)
        var oldMode: UInt32?
        var next = 0
        while let span = try span(in: new, at: next) {
            next = span.end
            // The same bytes as the old entry at the cursor: same name, mode and id.
            if let candidate = oldSpan, candidate.end - candidate.start == span.end - span.start,
               oldData[candidate.start..<candidate.end].elementsEqual(new[span.start..<span.end]) {
                oldSpan = try self.span(in: oldData, at: candidate.end)
                oldMode = nil
                continue
            }
            guard let mode = octal(new[span.start..<span.space]) else { throw Malformed() }
            let name = new[(span.space + 1)..<span.nul]
            while let candidate = oldSpan {
                if oldMode == nil {
                    guard let parsed = octal(oldData[candidate.start..<candidate.space]) else { throw Malformed() }
                    oldMode = parsed
                }
                guard precedes(oldData[(candidate.space + 1)..<candidate.nul], oldMode == TreeEntry.directory,
                               name, mode == TreeEntry.directory) else { break }
                oldSpan = try self.span(in: oldData, at: candidate.end)
                oldMode = nil
            }
            var namesake: TreeEntry?
            if let candidate = oldSpan, let candidateMode = oldMode,
               (candidateMode == TreeEntry.directory) == (mode == TreeEntry.directory),
               oldData[(candidate.space + 1)..<candidate.nul].elementsEqual(name) {
                if oldData[(candidate.nul + 1)..<candidate.end].elementsEqual(new[(span.nul + 1)..<span.end]) { continue }
                namesake = try entry(oldData, candidate, mode: candidateMode)
            }
            changed.append((try entry(new, span, mode: mode), namesake))
        }
        return changed
    }

    /// The entry of `data` that starts at `index`; nil at the end; throws `Malformed` when
    /// what starts there is not laid out as an entry.
    private static func span(in data: [UInt8], at index: Int) throws -> Span? {
        guard index < data.count else { return nil }
        guard let space = data[index...].firstIndex(of: UInt8(ascii: " ")),
              let nul = data[space...].firstIndex(of: 0), nul + 21 <= data.count else { throw Malformed() }
        return Span(start: index, space: space, nul: nul)
    }

    private static func entry(_ data: [UInt8], _ span: Span, mode: UInt32) throws -> TreeEntry {
        guard let id = ObjectID(bytes: Array(data[(span.nul + 1)..<span.end])) else { throw Malformed() }
        return TreeEntry(name: Array(data[(span.space + 1)..<span.nul]), mode: mode, id: id)
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
