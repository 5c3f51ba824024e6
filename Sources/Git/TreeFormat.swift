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

    /// git's tree order: names compared bytewise, a directory's as if it ended in `/`.
    public static func gitOrder(_ a: TreeEntry, _ b: TreeEntry) -> Bool {
        func key(_ entry: TreeEntry, _ index: Int) -> UInt8? {
            index < entry.name.count ? entry.name[index] : index == entry.name.count && entry.isTree ? UInt8(ascii: "/") : nil
        }
        var index = 0
        while true {
            switch (key(a, index), key(b, index)) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case let (left?, right?) where left != right: return left < right
            default: index += 1
            }
        }
    }
}
