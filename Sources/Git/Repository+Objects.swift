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

    /// Writes `objects` into the repository as one pack, each whole, calling `progress` with
    /// (objects in, total) as it goes, and `midway` when half of the pack's bytes are
    /// written (a fault point: a process killed there leaves a partial pack file without an
    /// index, which the repository ignores).
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

    /// Puts the pack `spool` holds into the repository, once every object in it is known to
    /// be what its id says (`ObjectVerifier`): the pack into `objects/pack`, then the index
    /// `PackSpool` made on the way (`PackIndex`), each under its final name only once
    /// complete. `progress` is told how many of the objects are in; `midway` is called once,
    /// half-way through writing the pack.
    public func writePack(_ spool: PackSpool, progress: ((Int, Int) -> Void)? = nil,
                          midway: (() -> Void)? = nil) throws(GitError) {
        guard spool.count > 0 else { return }
        try spool.verifier.finish()
        let directory = gitDir + "objects/pack"
        let pack = try PlacedFile(in: directory, prefix: "tmp_pack_")
        let entries = spool.entries
        var counted = 0
        let checksum = try spool.stream(midway: midway) { (chunk: [UInt8], written: Int) throws(GitError) in
            try pack.write(chunk)
            let before = counted
            while counted < entries.count && entries[counted].offset < UInt64(written) { counted += 1 }
            if counted / 1000 > before / 1000 { progress?(counted / 1000 * 1000, entries.count) }
        }
        try pack.write(checksum)
        let name = directory + "/pack-" + ObjectID(bytes: checksum)!.hex
        // Both written before either is named: git reads a pack through its index.
        let index = try PlacedFile(in: directory, prefix: "tmp_idx_")
        try index.write(PackIndex.bytes(of: entries, pack: checksum))
        try pack.place(as: name + ".pack")
        try index.place(as: name + ".idx")
        progress?(entries.count, entries.count)
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
