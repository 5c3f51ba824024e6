import Crypto
import Glibc

/// The framing of a pack (version 2), which `PackSpool` writes and `Repository.writePack`
/// indexes: whole objects, and deltas the store already keeps (REF_DELTA entries). No delta
/// is searched for.
///
/// Measured on this project's machines (NOTES.md): indexing a non-delta pack of 20 000
/// objects takes about 0.16 s, while libgit2's packbuilder spends about 1 s on delta search.
/// An object that comes with a zlib stream of its content (`RawObject.deflated`, what the
/// store keeps) has that stream copied as its entry; the others are deflated at level 1
/// (stored as they are when smaller than `storedBelow` bytes): the pack is written once
/// into the client's repository, where a later `git gc` may repack it.
public enum PackWriter {
    /// A pack's first 12 bytes: signature, version 2, the number of objects.
    static func header(count: Int) -> [UInt8] {
        var out: [UInt8] = Array("PACK".utf8)
        appendBigEndian(UInt32(2), to: &out)
        appendBigEndian(UInt32(count), to: &out)
        return out
    }

    static func appendBigEndian(_ value: UInt32, to out: inout [UInt8]) {
        out += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    /// Objects smaller than this go into a pack uncompressed (`Zlib.stored`).
    static let storedBelow = 128

    /// The entry type of a delta against an object named by its id.
    static let refDelta = 7

    /// Type in bits 4-6 of the first byte, size as a little-endian base-128 number.
    static func appendHeader(type: Int, size: Int, to out: inout [UInt8]) {
        var remaining = size >> 4
        var byte = UInt8((type << 4) | (size & 0x0F))
        while remaining > 0 {
            out.append(byte | 0x80)
            byte = UInt8(remaining & 0x7F)
            remaining >>= 7
        }
        out.append(byte)
    }
}

/// A pack built in an unlinked temporary file, object by object, with the id, offset and
/// CRC-32 of each entry for its index (`PackIndex`), each object checked against its id on
/// another thread (`ObjectVerifier`); then put into a repository
/// (`Repository.writePack(_:progress:midway:)`): a fetch holds each object only
/// while it reads it, whatever the number of objects. (A pack's header states its number
/// of objects, known only at the end; the file is patched then, before it is read back.)
public final class PackSpool {
    private let file: UnsafeMutablePointer<FILE>
    private var ids: Set<ObjectID> = []
    /// Bytes of entries written (the header not counted).
    private(set) var entryBytes = 0
    /// Every entry written, in the pack's order, for its index (`PackIndex`).
    private(set) var entries: [PackIndex.Entry] = []
    /// Checks each object's stream or content against its id while the walk goes on.
    let verifier = ObjectVerifier()

    /// The number of objects spooled.
    public var count: Int { ids.count }

    /// Whether `id` is spooled already.
    public func contains(_ id: ObjectID) -> Bool { ids.contains(id) }

    /// A spool in `directory` (a repository's `objects/pack`, where the pack will land and
    /// which must be writable anyway; the system's temporary directory when it cannot be
    /// used). The file is unlinked at once: it is gone when closed, even after a crash.
    public init(in directory: String) throws(GitError) {
        var template = Array((directory + "/tmp_spool_XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        var opened: UnsafeMutablePointer<FILE>?
        if descriptor >= 0 {
            template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
            opened = fdopen(descriptor, "w+")
            if opened == nil { close(descriptor) }
        }
        guard let file = opened ?? tmpfile() else {
            throw GitError(code: -1, operation: "write pack", message: "cannot create a temporary file in \(directory) (errno \(errno))")
        }
        self.file = file
        try write(PackWriter.header(count: 0))
    }

    deinit { fclose(file) }

    /// Appends `object`'s entry, once per id: its header (type and size), then its
    /// `deflated` stream when it has one, else its content deflated at `Zlib.packLevel`.
    /// An object that comes with a `delta` waits for `settleDeltas`, which knows whether
    /// the pack has its base; one whose base is not in it yet is kept whole meanwhile (a
    /// fetch's first tree, based on the client's own: reading it again would cost a store
    /// question). Bases mostly come first (`Transfer.Walk.objects`), so few are kept.
    ///
    /// A delta's object is checked by its content (`ObjectVerifier`), which the store made
    /// from that delta and its base.
    public func add(_ object: RawObject) throws(GitError) {
        guard ids.insert(object.id).inserted else { return }
        if let delta = object.delta, delta.base != object.id {
            var content = object
            content.deflated = nil
            content.delta = nil
            verifier.add(content)
            let keep = !ids.contains(delta.base) && object.omittedSize == nil
            waiting.append((object.id, delta, keep ? content : nil))
            return
        }
        try addWhole(object)
    }

    private func addWhole(_ object: RawObject, checked: Bool = false) throws(GitError) {
        var entry: [UInt8] = []
        if object.omittedSize != nil && object.deflated == nil {
            throw GitError(code: -1, operation: "write pack", message: "object \(object.id.hex) has neither its content nor its stream")
        }
        PackWriter.appendHeader(type: object.type.rawValue, size: object.omittedSize ?? object.data.count, to: &entry)
        if let deflated = object.deflated {
            entry += deflated
        } else {
            // A small object (a workflow's directory, holding its one file) gains nothing from
            // compression, and setting zlib up cost most of a clone's deflating.
            entry += object.data.count < PackWriter.storedBelow ? Zlib.stored(object.data) : Zlib.deflate(object.data, level: Zlib.packLevel)
        }
        if !checked { verifier.add(object) }
        try write(entry, id: object.id)
    }

    /// Objects added with a delta, not yet written.
    private var waiting: [(id: ObjectID, delta: ObjectDelta, content: RawObject?)] = []

    /// Writes the objects `add` took with a delta. Each goes in as that delta (a REF_DELTA
    /// entry: the delta's stream copied as it is, nothing rebuilt or deflated) when its base
    /// is in the pack, in any order (git finds a REF_DELTA's base by its id); any other goes
    /// in whole: as `add` kept it, or as `whole` reads it.
    ///
    /// Packs are never thin (a delta against an object only the receiving repository has):
    /// a thin pack must be completed by an indexer, which reads the base back from the
    /// repository, applies the delta, hashes the result and appends the base deflated again
    /// (libgit2's, at 100 000 workflows, did that to a 3.5 MB tree on every fetch). The
    /// whole object is less work, and the pack is then indexed here (`PackIndex`).
    public func settleDeltas(whole: (ObjectID) throws -> RawObject) throws {
        guard !waiting.isEmpty else { return }
        let pending = waiting
        waiting = []
        for (id, delta, content) in pending {
            guard ids.contains(delta.base), let instructions = try? Zlib.inflate(delta.deflated, size: nil) else {
                if let content {
                    try addWhole(content, checked: true)
                } else {
                    var object = try whole(id)
                    object.delta = nil
                    try addWhole(object)
                }
                continue
            }
            var entry: [UInt8] = []
            PackWriter.appendHeader(type: PackWriter.refDelta, size: instructions.count, to: &entry)
            delta.base.withUnsafeBytes { entry += $0 }
            entry += delta.deflated
            try write(entry, id: id)
        }
    }

    /// Appends the entry of the object `id` (nil: the pack's header).
    private func write(_ bytes: [UInt8], id: ObjectID? = nil) throws(GitError) {
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == bytes.count else {
            throw GitError(code: -1, operation: "write pack", message: "cannot write the temporary pack (errno \(errno))")
        }
        guard let id else { return }
        entries.append(PackIndex.Entry(id: id, offset: UInt64(12 + entryBytes), crc: Zlib.crc32(bytes)))
        entryBytes += bytes.count
    }

    /// Hands the pack's bytes to `body` (the header with the final count first) in chunks
    /// of about a megabyte, in order, with how many bytes have gone with each; calls `midway`
    /// once, when half have gone. Returns the pack's checksum (its trailer, not handed over).
    func stream(midway: (() -> Void)?, _ body: ([UInt8], _ written: Int) throws(GitError) -> Void) throws(GitError) -> [UInt8] {
        guard waiting.isEmpty else {
            throw GitError(code: -1, operation: "write pack", message: "\(waiting.count) objects added as deltas were never settled")
        }
        let header = PackWriter.header(count: count)
        guard fflush(file) == 0, fseek(file, 0, SEEK_SET) == 0, fwrite(header, 1, header.count, file) == header.count,
              fflush(file) == 0, fseek(file, 0, SEEK_SET) == 0 else {
            throw GitError(code: -1, operation: "write pack", message: "cannot rewind the temporary pack (errno \(errno))")
        }
        var checksum = Insecure.SHA1()
        let half = (12 + entryBytes) / 2
        var written = 0
        func hand(_ bytes: [UInt8]) throws(GitError) {
            checksum.update(data: bytes)
            written += bytes.count
            try body(bytes, written)
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let got = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if got > 0 {
                if written < half && written + got >= half {
                    // A process killed here leaves a partial pack that was never indexed.
                    let cut = half - written
                    try hand(Array(chunk[..<cut]))
                    midway?()
                    try hand(Array(chunk[cut..<got]))
                } else {
                    try hand(Array(chunk[..<got]))
                }
            }
            if got < chunk.count {
                guard ferror(file) == 0 else {
                    throw GitError(code: -1, operation: "write pack", message: "cannot read the temporary pack back")
                }
                return Array(checksum.finalize())
            }
        }
    }
}

/// A file made under a unique name in a directory, written, then renamed into place
/// read-only (as git leaves its packs and indexes); removed if it never is.
final class PlacedFile {
    private let descriptor: Int32
    private var path: String?

    init(in directory: String, prefix: String) throws(GitError) {
        var template = Array((directory + "/" + prefix + "XXXXXX").utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw GitError(code: -1, operation: "write pack", message: "cannot create a file in \(directory) (errno \(errno))")
        }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    deinit {
        close(descriptor)
        if let path { unlink(path) }
    }

    func write(_ bytes: [UInt8]) throws(GitError) {
        var done = 0
        while done < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + done, $0.count - done) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                throw GitError(code: -1, operation: "write pack", message: "cannot write \(path ?? "a pack file") (errno \(errno))")
            }
            done += result
        }
    }

    /// Makes the file read-only and renames it to `name`.
    func place(as name: String) throws(GitError) {
        guard let path else { return }
        guard fchmod(descriptor, 0o444) == 0, rename(path, name) == 0 else {
            throw GitError(code: -1, operation: "write pack", message: "cannot move \(path) to \(name) (errno \(errno))")
        }
        self.path = nil
    }
}
