import Crypto
import Dispatch
import Glibc

/// The index (`.idx`, version 2) of a pack whose every entry `PackSpool` wrote itself, so
/// the id, offset and CRC-32 of each are known without reading the pack again.
///
/// libgit2's indexer (which wrote them before) learns them by inflating and hashing every
/// object after the pack is written, on one thread, and resolves each delta the same way:
/// at 10 000 workflows that was a third of a clone's instructions, after the walk that read
/// the objects. Here the objects are checked against their ids on another core while the
/// walk goes on (`ObjectVerifier`), so nothing reaches the repository that the indexer
/// would have refused. Every delta's base is in the same pack (`PackSpool.settleDeltas`).
enum PackIndex {
    /// In this order, 32 bytes (a clone of 100 000 workflows has 200 000 entries).
    struct Entry {
        var id: ObjectID
        var crc: UInt32
        var offset: UInt64

        init(id: ObjectID, offset: UInt64, crc: UInt32) {
            self.id = id
            self.crc = crc
            self.offset = offset
        }
    }

    /// The index's bytes for `entries` (each id once) of the pack whose checksum is `pack`:
    /// the fan-out table, the sorted ids, their CRC-32s, their offsets (those past 2 GiB in
    /// a table of their own), the pack's checksum, and the index's own.
    static func bytes(of entries: [Entry], pack: [UInt8]) -> [UInt8] {
        let sorted = entries.sorted { $0.id < $1.id }
        var out: [UInt8] = [0xFF, 0x74, 0x4F, 0x63]
        PackWriter.appendBigEndian(2, to: &out)
        var fanout = [UInt32](repeating: 0, count: 256)
        for entry in sorted { fanout[Int(entry.id.withUnsafeBytes { $0[0] })] += 1 }
        var total: UInt32 = 0
        for byte in 0..<256 {
            total += fanout[byte]
            PackWriter.appendBigEndian(total, to: &out)
        }
        out.reserveCapacity(out.count + sorted.count * 28 + 40)
        for entry in sorted { entry.id.withUnsafeBytes { out += $0 } }
        for entry in sorted { PackWriter.appendBigEndian(entry.crc, to: &out) }
        var large: [UInt64] = []
        for entry in sorted {
            if entry.offset < 0x8000_0000 {
                PackWriter.appendBigEndian(UInt32(entry.offset), to: &out)
            } else {
                PackWriter.appendBigEndian(0x8000_0000 | UInt32(large.count), to: &out)
                large.append(entry.offset)
            }
        }
        for offset in large {
            PackWriter.appendBigEndian(UInt32(offset >> 32), to: &out)
            PackWriter.appendBigEndian(UInt32(offset & 0xFFFF_FFFF), to: &out)
        }
        out += pack
        out += Array(Insecure.SHA1.hash(data: out))
        return out
    }
}

/// Checks, on a thread of its own, that objects going into a pack are what their ids say:
/// the zlib stream that goes into the pack when there is one (inflated to the size it
/// claims), else the content. The first object that is not is reported by `finish`.
///
/// At most `inFlight` batches of about `batchBytes` wait for the checking thread, so a walk
/// that outpaces it waits rather than holding every object it read.
final class ObjectVerifier: @unchecked Sendable {
    private let queue = DispatchQueue(label: "git-remote-workspace.verify")
    private let group = DispatchGroup()
    private let slots = DispatchSemaphore(value: ObjectVerifier.inFlight)
    private var pending: [RawObject] = []
    private var pendingBytes = 0
    /// Written on `queue` only, read after `group` is waited for.
    private var failure: String?

    static let inFlight = 4
    static let batchBytes = 1 << 20
    static let batchCount = 512

    func add(_ object: RawObject) {
        pending.append(object)
        pendingBytes += object.deflated?.count ?? object.data.count
        if pending.count >= Self.batchCount || pendingBytes >= Self.batchBytes { submit() }
    }

    private func submit() {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending = []
        pendingBytes = 0
        slots.wait()
        group.enter()
        queue.async { [self] in
            if failure == nil {
                for object in batch {
                    if let problem = Self.problem(with: object) {
                        failure = problem
                        break
                    }
                }
            }
            slots.signal()
            group.leave()
        }
    }

    /// Waits until every object added is checked; throws for the first that failed.
    func finish() throws(GitError) {
        submit()
        group.wait()
        if let failure { throw GitError(code: -1, operation: "write pack", message: failure) }
    }

    /// Why `object` may not go into a pack under its id, or nil.
    static func problem(with object: RawObject) -> String? {
        var content = object.data
        if let deflated = object.deflated {
            do {
                content = try Zlib.inflate(deflated, size: object.omittedSize ?? object.data.count)
            } catch {
                return "object \(object.id.hex) does not inflate: \(error)"
            }
        } else if object.omittedSize != nil {
            return "object \(object.id.hex) has neither its content nor its stream"
        }
        let actual = RawObject.hash(type: object.type, data: content)
        return actual == object.id ? nil : "object \(object.id.hex) is damaged: its content hashes to \(actual.hex)"
    }
}
