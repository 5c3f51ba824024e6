import Foundation
import GRDB

/// Turns an SQLite error on one store into a `StoreError` that says what failed, why, and
/// what to do next.
///
/// The rules the messages keep:
/// - a lock held past the busy timeout is `busy`, naming the holder when it can be found;
///   nothing was changed and the user retries;
/// - "corrupt" is said only after `PRAGMA quick_check` found a problem; SQLite reporting a
///   damaged page alone is not enough (the check may pass: then it is a `databaseError`);
/// - a file that is not an SQLite database is `notAStore`;
/// - everything else is a `databaseError` with SQLite's own words and the likely cause;
/// - every hint names something that exists (a file, a command of this build).
struct SQLiteFailure {
    let path: String
    let busyTimeout: TimeInterval

    /// The `StoreError` for `error`, raised while trying to `operation` ("open the store",
    /// "read workspace 'main'", …).
    func storeError(_ error: DatabaseError, operation: String) -> StoreError {
        let said = error.message ?? "error \(error.extendedResultCode.rawValue)"
        let cannot = "\(path): cannot \(operation)"
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return busy(operation: operation)
        case .SQLITE_NOTADB:
            return StoreError(.notAStore, "\(cannot): the file is not an SQLite database (SQLite: \(said)); "
                              + "give the path of a workspace store (`git workspace init` creates one at a new path)")
        case .SQLITE_CORRUPT:
            switch integrityCheck() {
            case .failed(let findings):
                return StoreError(.corrupt, "\(cannot): the store is corrupt, its integrity check (PRAGMA quick_check) "
                                  + "failed: \(findings.joined(separator: "; ")); it cannot be read safely, restore it "
                                  + "from a backup")
            case .passed:
                return StoreError(.databaseError, "\(cannot): SQLite reported a damaged page (\(said)), but the "
                                  + "store's integrity check (PRAGMA quick_check) passed; retry, and if it happens "
                                  + "again keep a copy of the store for a bug report")
            case .couldNotRun(let why):
                return StoreError(.databaseError, "\(cannot): SQLite reported a damaged page (\(said)) and the "
                                  + "integrity check (PRAGMA quick_check) could not run (\(why)); retry, and if it "
                                  + "happens again check the file with `sqlite3 \(path) 'PRAGMA integrity_check'`")
            }
        case .SQLITE_FULL:
            return StoreError(.databaseError, "\(cannot): the disk is full (SQLite: \(said)); nothing was "
                              + "changed, free some space and retry")
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN, .SQLITE_AUTH:
            return StoreError(.databaseError, "\(cannot): SQLite could not open or write the file (\(said)); "
                              + "check that you may read and write it and its directory (SQLite keeps "
                              + "\(path)-wal and \(path)-shm beside it)")
        case .SQLITE_IOERR:
            return StoreError(.databaseError, "\(cannot): an I/O error (SQLite: \(said)); check the disk "
                              + "and retry")
        default:
            return StoreError(.databaseError, "\(cannot): SQLite failed (\(said), code "
                              + "\(error.extendedResultCode.rawValue)); retry, and report it if it happens again")
        }
    }

    /// The `busy` error: the store, who holds its write lock (when that can be found), how
    /// long this process waited, and that nothing was changed.
    func busy(operation: String) -> StoreError {
        let holder = WriteLockHolder.current(ofStoreAt: path)
        let who = holder.map(\.description) ?? "another process"
        return StoreError(.busy, "the store \(path) is busy: \(who) has held its write lock for longer than "
                          + "the busy timeout (\(Self.seconds(busyTimeout))); could not \(operation), nothing was "
                          + "changed: retry when that has finished")
    }

    /// What `PRAGMA quick_check` says about the store, on a connection of its own (read-only,
    /// so it never waits for a writer).
    enum IntegrityCheck {
        case passed
        case failed([String])
        case couldNotRun(String)
    }

    func integrityCheck() -> IntegrityCheck {
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let rows = try DatabaseQueue(path: path, configuration: configuration).read { db in
                try String.fetchAll(db, sql: "PRAGMA quick_check(5)")
            }
            if rows == ["ok"] { return .passed }
            // One finding a line, without SQLite's "*** in database main ***" headings; the
            // first three are enough to show the damage and keep the message short.
            let findings = rows.flatMap { $0.split(separator: "\n") }
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("***") }
            return .failed(findings.count > 3 ? findings.prefix(3) + ["…"] : findings)
        } catch let error as DatabaseError {
            if error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB {
                return .failed([error.message ?? "the database disk image is malformed"])
            }
            return .couldNotRun(error.message ?? "error \(error.extendedResultCode.rawValue)")
        } catch {
            return .couldNotRun("\(error)")
        }
    }

    /// "10 s", "0.5 s".
    static func seconds(_ interval: TimeInterval) -> String {
        interval == interval.rounded() && interval < 1e9 ? "\(Int(interval)) s" : "\(interval) s"
    }
}
