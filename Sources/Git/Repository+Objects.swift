internal import CGit2
import Crypto

extension Repository {
    /// The object with `id`, or nil when the repository does not have it.
    public func object(_ id: ObjectID) throws(GitError) -> RawObject? {
        let odb = try database()
        var oid = id.raw
        var object: OpaquePointer?
        let result = git_odb_read(&object, odb, &oid)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check("read object \(id)", result)
        defer { git_odb_object_free(object) }
        guard let type = ObjectType(git_odb_object_type(object)) else {
            throw GitError(code: -1, operation: "read object \(id)", message: "unknown object type")
        }
        let size = git_odb_object_size(object)
        let data = size == 0 ? [] : Array(UnsafeRawBufferPointer(start: git_odb_object_data(object), count: size))
        return RawObject(id: id, type: type, data: data)
    }

    /// The type and size of an object without reading its content (libgit2 inflates only
    /// the header), or nil when the repository does not have it. Lets a caller refuse a
    /// 100 MB blob before holding a byte of it.
    public func objectHeader(_ id: ObjectID) throws(GitError) -> (type: ObjectType, size: Int)? {
        let odb = try database()
        var oid = id.raw
        var size = 0
        var raw = GIT_OBJECT_INVALID
        let result = git_odb_read_header(&size, &raw, odb, &oid)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check("read object header \(id)", result)
        guard let type = ObjectType(raw) else {
            throw GitError(code: -1, operation: "read object header \(id)", message: "unknown object type")
        }
        return (type, size)
    }

    /// True when the repository has the object.
    public func hasObject(_ id: ObjectID) throws(GitError) -> Bool {
        let odb = try database()
        var oid = id.raw
        return git_odb_exists(odb, &oid) == 1
    }

    /// Which of `ids` the repository has. The pack directory is read again once (so a pack
    /// written since the repository was opened counts), then every id is looked up without
    /// `git_odb_exists`' rescan of the pack directory after each miss: a clone's walk asks
    /// about thousands of objects an empty repository lacks, and those rescans were a
    /// quarter of its time.
    public func objects(among ids: [ObjectID]) throws(GitError) -> Set<ObjectID> {
        let odb = try database()
        try check("read the object directory", git_odb_refresh(odb))
        var found: Set<ObjectID> = []
        for id in ids {
            var oid = id.raw
            if git_odb_exists_ext(odb, &oid, UInt32(GIT_ODB_LOOKUP_NO_REFRESH.rawValue)) == 1 { found.insert(id) }
        }
        return found
    }

    /// Writes `objects` into the repository as one pack (indexed by libgit2), each whole,
    /// calling `progress` with (objects indexed, total) as the indexer goes, and `midway`
    /// when half of the pack's bytes are written (a fault point: a process killed there
    /// leaves a partial pack that libgit2 never indexed, which the repository ignores).
    public func writePack(_ objects: [RawObject], progress: ((Int, Int) -> Void)? = nil,
                          midway: (() -> Void)? = nil) throws(GitError) {
        let spool = try packSpool()
        for var object in objects {
            object.delta = nil
            try spool.add(object)
        }
        try writePack(spool, progress: progress, midway: midway)
    }

    /// A spool for a pack this repository will take (`writePack(_:progress:midway:)`), kept
    /// beside its packs.
    public func packSpool() throws(GitError) -> PackSpool {
        try PackSpool(in: gitDir + "objects/pack")
    }

    /// Indexes the pack `spool` holds into the repository. It is handed to the indexer a
    /// megabyte at a time, its checksum computed on the way.
    public func writePack(_ spool: PackSpool, progress: ((Int, Int) -> Void)? = nil,
                          midway: (() -> Void)? = nil) throws(GitError) {
        guard spool.count > 0 else { return }
        let odb = try database()
        final class Context { var progress: ((Int, Int) -> Void)?; init(_ p: ((Int, Int) -> Void)?) { progress = p } }
        let context = Unmanaged.passRetained(Context(progress))
        defer { context.release() }
        var writer: UnsafeMutablePointer<git_odb_writepack>?
        try check("start writing a pack", git_odb_write_pack(&writer, odb, { stats, payload in
            guard let stats, let payload else { return 0 }
            let context = Unmanaged<Context>.fromOpaque(payload).takeUnretainedValue()
            context.progress?(Int(stats.pointee.indexed_objects), Int(stats.pointee.total_objects))
            return 0
        }, context.toOpaque()))
        guard let writer else { throw GitError(code: -1, operation: "write pack", message: "no pack writer") }
        defer { writer.pointee.free(writer) }
        var stats = git_indexer_progress()
        var checksum = Insecure.SHA1()
        func append(_ bytes: [UInt8]) throws(GitError) {
            let result = bytes.withUnsafeBytes { writer.pointee.append(writer, $0.baseAddress, $0.count, &stats) }
            try check("write pack", result)
        }
        let half = (12 + spool.entryBytes) / 2
        var written = 0
        try spool.read { (chunk: [UInt8]) throws(GitError) in
            checksum.update(data: chunk)
            if written < half && written + chunk.count >= half {
                // A process killed here leaves a partial pack that libgit2 never indexed.
                let cut = half - written
                try append(Array(chunk[..<cut]))
                midway?()
                try append(Array(chunk[cut...]))
            } else {
                try append(chunk)
            }
            written += chunk.count
        }
        try append(Array(checksum.finalize()))
        try check("index pack", writer.pointee.commit(writer, &stats))
    }

    /// True when `commit` has `ancestor` in its history (or is it).
    public func isDescendant(_ commit: ObjectID, of ancestor: ObjectID) throws(GitError) -> Bool {
        if commit == ancestor { return true }
        var a = commit.raw, b = ancestor.raw
        let result = git_graph_descendant_of(handle, &a, &b)
        try check("compare history", result)
        return result == 1
    }
}
