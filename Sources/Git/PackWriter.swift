import Glibc

/// The framing of a pack (version 2) of whole objects, without deltas, which `PackSpool`
/// writes and `Repository.writePack` indexes.
///
/// Measured on this project's machines (NOTES.md): indexing a non-delta pack of 20 000
/// objects takes about 0.16 s, while libgit2's packbuilder spends about 1 s on delta search.
/// An object that comes with a zlib stream of its content (`RawObject.deflated`, what the
/// store keeps) has that stream copied as its entry; the others are deflated at level 1:
/// the pack is written once into the client's repository, where a later `git gc` may
/// repack it.
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

/// A pack built in an unlinked temporary file, object by object, then indexed into a
/// repository (`Repository.writePack(_:progress:midway:)`): a fetch holds each object only
/// while it reads it, whatever the number of objects. (A pack's header states its number
/// of objects, known only at the end; the file is patched then, before it is read back.)
public final class PackSpool {
    private let file: UnsafeMutablePointer<FILE>
    private var ids: Set<ObjectID> = []
    /// Bytes of entries written (the header not counted).
    private(set) var entryBytes = 0

    /// The number of objects spooled.
    public var count: Int { ids.count }

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
    public func add(_ object: RawObject) throws(GitError) {
        guard ids.insert(object.id).inserted else { return }
        var entry: [UInt8] = []
        PackWriter.appendHeader(type: object.type.rawValue, size: object.data.count, to: &entry)
        entry += object.deflated ?? Zlib.deflate(object.data, level: Zlib.packLevel)
        try write(entry)
        entryBytes += entry.count
    }

    private func write(_ bytes: [UInt8]) throws(GitError) {
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == bytes.count else {
            throw GitError(code: -1, operation: "write pack", message: "cannot write the temporary pack (errno \(errno))")
        }
    }

    /// Calls `body` with the pack's bytes (the header with the final count first) in
    /// chunks of about a megabyte, in order.
    func read(_ body: ([UInt8]) throws(GitError) -> Void) throws(GitError) {
        let header = PackWriter.header(count: count)
        guard fflush(file) == 0, fseek(file, 0, SEEK_SET) == 0, fwrite(header, 1, header.count, file) == header.count,
              fflush(file) == 0, fseek(file, 0, SEEK_SET) == 0 else {
            throw GitError(code: -1, operation: "write pack", message: "cannot rewind the temporary pack (errno \(errno))")
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let got = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if got > 0 { try body(Array(chunk[..<got])) }
            if got < chunk.count {
                guard ferror(file) == 0 else {
                    throw GitError(code: -1, operation: "write pack", message: "cannot read the temporary pack back")
                }
                return
            }
        }
    }
}
