import Git
import WorkspaceStore

/// Fetch: the objects a client lacks for a workspace commit. No projection work happens
/// here: the branch already holds every commit (DESIGN.md section 4, Fetch / clone).
public enum Fetcher {
    /// Adds to `spool` the objects `client` lacks for `commit`.
    public static func missingObjects(from commit: ObjectID, in reader: any WorkspaceReading,
                                      client: Repository, into spool: PackSpool) throws {
        try Transfer.missingInClient(from: commit, store: StoreObjects(reader: reader), client: client, into: spool)
    }
}
