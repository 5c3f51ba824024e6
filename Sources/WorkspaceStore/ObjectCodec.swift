import Git

/// One row of the `objects` table as it is stored (schema v3), without its workspace.
struct ObjectRow: Sendable {
    var oid: String
    /// git's type number (1 commit, 2 tree, 3 blob, 4 tag).
    var type: Int
    var encoding: ObjectCodec.Encoding
    /// The object this one is a delta against (`delta` rows only).
    var base: String?
    /// Where the row sits in its delta chain's numbering (0 for a whole object; see `ObjectCodec`).
    var generation: Int
    /// The object's content size; nil on `raw` rows, whose data is the content.
    var size: Int?
    var data: [UInt8]
}

/// How the store keeps git objects small: the one place rows are encoded and decoded,
/// shared by the SQLite and the PostgreSQL store.
///
/// A row's `encoding` says what its `data` is:
/// - `raw` (0): the content itself (every row written before schema v3);
/// - `zlib` (1): a zlib stream of the content, which a fetch copies into its pack as it is;
/// - `delta` (2): a zlib stream of a git delta (`Delta`) that turns the object `base_oid`
///   (stored in the same workspace) into the content.
///
/// Deltas are made only for trees of at least `minDeltaSize` bytes, against a base the
/// writer names (the tree at the same path in the previous head: `putObjects(_:deltaBases:)`),
/// and only when the delta is under a quarter of the tree. A flat `workflows/` tree of
/// 100 000 entries is 3.5 MB; one changed entry is a delta of about 30 bytes.
///
/// Chains stay short with skip-deltas (as Subversion stores revisions): the versions of a
/// tree along the writer's hints are numbered by `generation`, 0 for a whole object. Version
/// `g` is a delta against the version numbered `g` with its lowest set bit cleared, which
/// is always on the chain of version `g - 1`. So reading any version applies at most
/// `generationBits` deltas (the ones in `g`), each delta spans the changes of at most
/// 2^k versions, and a whole object is written again every 2^`generationBits` versions.
/// Per one-resource commit that stores about `generationBits / 2` entries' worth of delta
/// plus a 1/1024th share of a whole tree.
enum ObjectCodec {
    enum Encoding: Int, Sendable {
        case raw = 0
        case zlib = 1
        case delta = 2
    }

    /// Version numbers run below 2^10: a whole tree at least every 1024 versions, at most
    /// 10 deltas applied per read.
    static let generationBits = 10
    /// Smaller trees are only compressed: a delta saves little and costs a second row read.
    static let minDeltaSize = 2048
    /// A chain longer than this is damage (a cycle, or rows not written by this codec).
    static let chainLimit = 64

    // MARK: Reading

    /// The statement that reads objects' rows and, for deltas, their bases: one question
    /// for any number of objects (a round trip on PostgreSQL). `workspace` spells the
    /// workspace id's placeholder and `starts` the condition on `oid` that picks the
    /// objects (`oid IN (…)`, `oid = ANY(…)`). Columns: the object asked for (`start`), then
    /// `ObjectRow`'s, in its order; rows by `start`, each chain nearest first.
    static func chainsQuery(workspace: String, starts: String) -> String {
        """
        WITH RECURSIVE chain(start, depth, oid, type, encoding, base_oid, generation, size, data) AS (
            SELECT oid, 0, oid, type, encoding, base_oid, generation, size, data
            FROM objects WHERE workspace_id = \(workspace) AND \(starts)
            UNION ALL
            SELECT chain.start, chain.depth + 1, o.oid, o.type, o.encoding, o.base_oid, o.generation, o.size, o.data
            FROM chain JOIN objects o ON o.workspace_id = \(workspace) AND o.oid = chain.base_oid
            WHERE chain.encoding = \(Encoding.delta.rawValue) AND chain.depth < \(chainLimit)
        )
        SELECT start, oid, type, encoding, base_oid, generation, size, data FROM chain ORDER BY start, depth
        """
    }

    /// At most this many objects are asked for in one question: a level of a 100 000-entry
    /// tree is read in a few dozen questions, each holding a bounded number of rows.
    static let batch = 2048

    /// The objects among `oids` that `chains` (reading `chainsQuery`) finds, decoded, by id.
    static func objects(_ oids: [String], blobContent: Bool = true, cache: Cache,
                        chains: ([String]) throws -> [String: [ObjectRow]]) throws -> [String: GitObject] {
        var found: [String: GitObject] = [:]
        found.reserveCapacity(oids.count)
        for start in stride(from: 0, to: oids.count, by: batch) {
            for (oid, chain) in try chains(Array(oids[start..<min(start + batch, oids.count)])) {
                found[oid] = try decode(chain, blobContent: blobContent, cache: cache)
            }
        }
        return found
    }

    /// `chainsQuery`'s rows, as one chain per object asked for.
    static func chains(_ rows: [(start: String, row: ObjectRow)]) -> [String: [ObjectRow]] {
        var chains: [String: [ObjectRow]] = [:]
        for (start, row) in rows { chains[start, default: []].append(row) }
        return chains
    }

    /// The object `chain` (one of `chainsQuery`'s chains) holds, or nil for an empty chain (no
    /// such object). A zlib row's stream comes along as `deflated`, and a delta row's base and
    /// stream as `delta`, for a fetch's pack. Without `blobContent`, a zlib blob is not
    /// inflated: it comes with an empty `data` and its `omittedSize`.
    ///
    /// Throws `corrupt` when a row does not decode (an unknown type or encoding, a stream
    /// that is not its recorded size, a delta that does not apply) and `deltaBaseMissing`
    /// when a delta's base is not stored.
    static func decode(_ chain: [ObjectRow], blobContent: Bool = true, cache: Cache) throws -> GitObject? {
        guard let first = chain.first else { return nil }
        guard let type = GitObject.Kind(rawValue: first.type) else {
            throw StoreError.damaged("object \(first.oid) has type \(first.type)")
        }
        if !blobContent, type == .blob, first.encoding == .zlib, let size = first.size, size >= 0 {
            var object = GitObject(oid: first.oid, type: type, data: [], deflated: first.data)
            object.omittedSize = size
            return object
        }
        let content = try content(chain[...], cache: cache)
        let deflated = first.encoding == .zlib ? first.data : nil
        let delta = first.encoding == .delta ? first.base.flatMap(ObjectID.init(hex:)).map { ObjectDelta(base: $0, deflated: first.data) } : nil
        return GitObject(oid: first.oid, type: type, data: content, deflated: deflated, delta: delta)
    }

    /// Decoded contents of large objects, kept for one transaction (each store's accessor
    /// has one). Versions of a tree share most of their chain, so walking a history, or
    /// reading a tree and then writing its successor, applies one or two deltas per tree
    /// rather than the whole chain, and inflates the whole tree once.
    ///
    /// A write decodes into a cache of its own over the transaction's (`init(over:)`): it
    /// finds what reads decoded, and what it decodes itself is let go when it returns. A push
    /// of 100 000 workflows writes its trees a batch at a time; the bases it decoded on the
    /// way would otherwise stay held (tens of MB) through the rest of the push.
    final class Cache {
        private var contents: [String: [UInt8]] = [:]
        private var order: [String] = []
        private var bytes = 0
        private let shared: Cache?
        /// At most this many bytes of content: a few versions of a 100 000-entry tree.
        static let capacity = 64 << 20

        /// An empty cache that also finds what `shared` holds, and keeps only in itself.
        init(over shared: Cache? = nil) {
            self.shared = shared
        }

        subscript(oid: String) -> [UInt8]? { contents[oid] ?? shared?[oid] }

        /// Keeps `content` when it is large enough to be worth it, forgetting the oldest first.
        func keep(_ oid: String, _ content: [UInt8]) {
            guard content.count >= minDeltaSize, content.count <= Self.capacity / 4, contents[oid] == nil else { return }
            contents[oid] = content
            order.append(oid)
            bytes += content.count
            while bytes > Self.capacity, !order.isEmpty {
                let oldest = order.removeFirst()
                bytes -= contents.removeValue(forKey: oldest)?.count ?? 0
            }
        }
    }

    /// The content of `chain.first`, applying deltas from the whole object at its end, or
    /// from the nearest row whose content `cache` holds.
    private static func content(_ chain: ArraySlice<ObjectRow>, cache: Cache) throws -> [UInt8] {
        guard let last = chain.last else { return [] }
        if let first = chain.first, let known = cache[first.oid] { return known }
        var start = chain.endIndex - 1
        var content: [UInt8]
        if let hit = chain.indices.dropFirst().first(where: { cache[chain[$0].oid] != nil }), let known = cache[chain[hit].oid] {
            start = hit
            content = known
        } else {
            guard last.encoding != .delta else {
                if chain.count > chainLimit {
                    throw StoreError.damaged("object \(chain.first?.oid ?? "") has a delta chain longer than \(chainLimit) rows")
                }
                throw StoreError(.deltaBaseMissing, "the store holds damaged data: object \(last.oid) is stored as a delta "
                                 + "against \(last.base ?? "nothing"), which is not stored; restore the store from a backup")
            }
            content = try whole(last)
            cache.keep(last.oid, content)
        }
        for row in chain[chain.startIndex..<start].reversed() {
            let instructions = try inflate(row, size: nil)
            do { content = try Delta.apply(instructions, to: content) } catch {
                throw StoreError.damaged("object \(row.oid)'s delta does not apply to \(row.base ?? "its base"): \(error)")
            }
            guard content.count == row.size else {
                throw StoreError.damaged("object \(row.oid) decodes to \(content.count) bytes, not its recorded \(row.size ?? 0)")
            }
            cache.keep(row.oid, content)
        }
        return content
    }

    /// The content of a row that is not a delta.
    private static func whole(_ row: ObjectRow) throws -> [UInt8] {
        switch row.encoding {
        case .raw: return row.data
        case .zlib:
            guard let size = row.size else { throw StoreError.damaged("object \(row.oid) is compressed but has no size") }
            return try inflate(row, size: size)
        case .delta: throw StoreError.damaged("object \(row.oid) is a delta where a whole object was expected")
        }
    }

    private static func inflate(_ row: ObjectRow, size: Int?) throws -> [UInt8] {
        do { return try Zlib.inflate(row.data, size: size) } catch {
            throw StoreError.damaged("object \(row.oid)'s stored data does not inflate: \(error)")
        }
    }

    // MARK: Writing

    /// The rows to insert for `objects`, in order. `bases` names, per object id, the object
    /// a tree should be a delta against when that pays (see the type's description);
    /// `chains` reads stored objects' chains (`chainsQuery`). The chains of every named
    /// base are read in one question, whatever the trees' sizes, so a write costs the same
    /// number of round trips at any workspace size. A base that is missing or cannot be
    /// read is not used: the object is then stored whole, so a damaged store never gets a
    /// new row that depends on the damage.
    static func encode(_ objects: [GitObject], bases: [String: String], cache: Cache,
                       chains: ([String]) throws -> [String: [ObjectRow]]) throws -> [ObjectRow] {
        // An object read for a pack only (`objects(_:blobContent: false)`) has no content to store.
        if let bare = objects.first(where: { $0.omittedSize != nil }) {
            throw StoreError(.invalidArgument, "object \(bare.oid) comes without its content and cannot be stored")
        }
        let named = Set(objects.compactMap { $0.type == .tree ? bases[$0.oid] : nil }).filter(GitObject.isValidID)
        var stored: [String: ArraySlice<ObjectRow>] = [:]
        for chain in try named.isEmpty ? [:] : chains(named.sorted()) {
            // Every row's own chain is the rest of the chain it is on.
            for index in chain.value.indices where stored[chain.value[index].oid] == nil {
                stored[chain.value[index].oid] = chain.value[index...]
            }
        }
        let chain: (String) throws -> [ObjectRow] = { oid in
            if let known = stored[oid] { return Array(known) }
            return try chains([oid])[oid] ?? []
        }
        // Bases decoded for this write only (see `Cache`).
        let scratch = Cache(over: cache)
        var rows: [ObjectRow] = []
        // Rows and contents of this batch, so an object may be a delta against one of them.
        var batch: [String: ObjectRow] = [:]
        var contents: [String: [UInt8]] = [:]
        var index: [String: Int] = [:]
        for (position, object) in objects.enumerated() where index[object.oid] == nil { index[object.oid] = position }
        for start in objects.indices where batch[objects[start].oid] == nil {
            // A base in the batch is encoded before the objects that name it (a pushed
            // history lists newer trees first), so every one of them can be a delta.
            var pending = [start]
            while let base = bases[objects[pending[pending.count - 1]].oid], let position = index[base],
                  batch[base] == nil, !pending.contains(position) {
                pending.append(position)
            }
            for position in pending.reversed() {
                let object = objects[position]
                var row: ObjectRow?
                if mayBeDelta(object, base: bases[object.oid]), let base = bases[object.oid] {
                    do {
                        row = try delta(object, against: base, batch: batch, contents: contents, cache: scratch, chain: chain)
                    } catch let error
                        as StoreError where error.code == .corrupt || error.code == .deltaBaseMissing { row = nil }
                }
                let encoded = row ?? whole(object)
                rows.append(encoded)
                batch[object.oid] = encoded
                if object.type == .tree, object.data.count >= minDeltaSize { contents[object.oid] = object.data }
            }
        }
        return rows
    }

    /// True when `encode` tries `object` as a delta against `base` before storing it whole.
    static func mayBeDelta(_ object: GitObject, base: String?) -> Bool {
        object.type == .tree && object.data.count >= minDeltaSize && base != nil && base != object.oid
    }

    /// A whole object: compressed, unless compressing does not make it smaller.
    static func whole(_ object: GitObject) -> ObjectRow {
        let stream = object.deflated ?? Zlib.deflate(object.data, level: Zlib.storeLevel)
        if stream.count < object.data.count {
            return ObjectRow(oid: object.oid, type: object.type.rawValue, encoding: .zlib, base: nil, generation: 0,
                             size: object.data.count, data: stream)
        }
        return ObjectRow(oid: object.oid, type: object.type.rawValue, encoding: .raw, base: nil, generation: 0,
                         size: nil, data: object.data)
    }

    /// `object` as the next version after `hint`: a delta against the version its generation
    /// says, on `hint`'s chain; nil when a whole object is due or a delta does not pay.
    private static func delta(_ object: GitObject, against hint: String, batch: [String: ObjectRow],
                              contents: [String: [UInt8]], cache: Cache,
                              chain: (String) throws -> [ObjectRow]) throws -> ObjectRow? {
        // The hint's chain: rows of this batch first, then the store's.
        var rows: [ObjectRow] = []
        var next: String? = hint
        while let oid = next, let row = batch[oid] {
            rows.append(row)
            next = row.encoding == .delta ? row.base : nil
            if rows.count > chainLimit { return nil }
        }
        if let next { rows += try chain(next) }
        guard let first = rows.first, first.type == object.type.rawValue else { return nil }
        let generation = first.generation + 1
        guard generation < 1 << generationBits else { return nil }
        let target = generation & (generation - 1)
        guard let index = rows.firstIndex(where: { $0.generation == target }) else { return nil }
        let base = rows[index]
        let baseContent = try contents[base.oid] ?? content(rows[index...], cache: cache)
        guard let instructions = Delta.betweenTrees(baseContent, object.data),
              instructions.count <= object.data.count / 4 else { return nil }
        return ObjectRow(oid: object.oid, type: object.type.rawValue, encoding: .delta, base: base.oid,
                         generation: generation, size: object.data.count,
                         data: Zlib.deflate(instructions, level: Zlib.storeLevel))
    }
}

extension GitObject {
    /// The object with the zlib stream the store keeps when it stores it whole
    /// (`ObjectCodec.whole`), made now, so a writer may make the streams of many objects on
    /// every core before a `putObjects` that runs on one. A tree that may be stored as a
    /// delta against `deltaBase` is left as it is (its stream would go unused).
    public func compressedForStore(deltaBase: String?) -> GitObject {
        guard deflated == nil, !ObjectCodec.mayBeDelta(self, base: deltaBase) else { return self }
        var object = self
        object.deflated = Zlib.deflate(data, level: Zlib.storeLevel)
        return object
    }
}
