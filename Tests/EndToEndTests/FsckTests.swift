import Foundation
import Testing
import WorkspaceTestSupport

/// `git workspace fsck`: a workspace every door wrote is clean; each kind of damage made
/// with SQL behind the store's back is reported with its code (exit 1); `--repair` fixes
/// what it can without losing data, in one transaction, and leaves the rest reported.
@Suite struct FsckTests {
    /// `git workspace fsck <arguments>` on the fixture's runner.
    func fsck(_ ws: WorkspaceFixture, _ arguments: String...) throws -> RunResult {
        try ws.run.run(["git", "workspace", "fsck"] + arguments)
    }

    /// The codes of the findings fsck printed (`error: ... [code]; hint`).
    func codes(_ result: RunResult) -> [String] {
        result.lines.filter { $0.hasPrefix("error: ") }.compactMap { line in
            guard let open = line.range(of: " [", options: .backwards),
                  let close = line.range(of: "]", range: open.upperBound..<line.endIndex) else { return nil }
            return String(line[open.upperBound..<close.lowerBound])
        }
    }

    /// A workspace `main` holding `triage` (put by the application), its clone, and the blob
    /// id of the triage file in the head.
    func triage(_ label: String) throws -> (ws: WorkspaceFixture, clone: Runner) {
        let ws = try WorkspaceFixture(label)
        try ws.put(triageWorkflow)
        return (ws, try ws.clone("c"))
    }

    func rev(_ clone: Runner, _ spec: String) throws -> String {
        let parsed = try clone.git("rev-parse", spec)
        try #require(parsed.status == 0, "\(parsed)")
        return parsed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aWorkspaceEveryDoorWroteIsClean() throws {
        let ws = try WorkspaceFixture("fsck-clean", workspaces: ["main", "staging", "empty"])
        try ws.put(triageWorkflow)
        try ws.put(appWorkflow(alias: "enrich", title: "Enrich"))
        try ws.put("type: variable\nname: slack\nvalues:\n  default:\n    channel: alerts\n")
        let clone = try ws.clone("c")
        // A hand-written push: a comment and another key order are the same spec.
        try ws.write(clone, "workflows/triage/definition.yml", "# hand written\n" + triageWorkflow
            .replacingOccurrences(of: "title: Triage", with: "title: Triage by hand"))
        try ws.write(clone, "workflows/new/definition.yml",
                     "definition:\n  actions:\n    - ref: a\n      action: core.noop\n  title: New\nid: new\ntype: workflow\nversion: 1\n")
        try clone.git("add", "-A")
        try #require(try clone.git("commit", "-qm", "Edit by hand").status == 0)
        let pushed = try clone.git("push", "-q", "origin", "main", "main:staging")
        try #require(pushed.status == 0, "\(pushed)")
        // An application's outbox row, applied by the next command; an archive.
        _ = try ws.sql("""
            INSERT INTO workspace_outbox (workspace, action, document, author_name, author_email)
            VALUES ('main', 'put', 'type: workflow' || char(10) || 'alias: weekly' || char(10) || 'definition: {title: Weekly, actions: [{ref: a, action: core.noop}]}', 'Ada', 'ada@example.com')
            """.replacingOccurrences(of: "char(10)", with: TestStore.isPostgres ? "chr(10)" : "char(10)"))
        try #require(try ws.run.run(["git", "workspace", "app", "rm", ws.store, "enrich"]).status == 0)
        #expect(try ws.sql("SELECT state FROM workspace_outbox") == "applied\n")

        let checked = try fsck(ws, ws.store)
        #expect(checked.status == 0, "\(checked)")
        #expect(checked.stdout.isEmpty, "\(checked)")
        #expect(checked.stderr == "fsck: 3 workspaces: clean\n", "\(checked)")
        let one = try fsck(ws, ws.store + "#staging")
        #expect(one.status == 0 && one.stderr == "fsck: workspace 'staging': clean\n", "\(one)")
        let repaired = try fsck(ws, "--repair", ws.store)
        #expect(repaired.status == 0 && repaired.stdout.isEmpty, "\(repaired)")
        #expect(repaired.stderr == "fsck: 3 workspaces: 0 repaired, nothing left\n", "\(repaired)")
    }

    @Test func aMissingMappingIsRepairedFromTheDocumentsID() throws {
        let (ws, _) = try triage("fsck-mapping")
        let before = try ws.show("triage")
        _ = try ws.sql("DELETE FROM mappings WHERE source_id = 'triage'")

        let found = try fsck(ws, ws.store)
        #expect(found.status == 1, "\(found)")
        #expect(codes(found).sorted() == ["file-without-resource", "resource-without-mapping"], "\(found)")
        #expect(found.stdout.contains("error: main: workflow \(before["uuid"] as? String ?? "?"): the live workflow has no mapping"), "\(found)")
        #expect(found.stdout.contains("git workspace fsck --repair will map workflow"), "\(found)")
        #expect(found.stderr == "fsck: workspace 'main': 2 findings (1 repairable with --repair)\n", "\(found)")

        let repaired = try fsck(ws, "--repair", ws.store)
        #expect(repaired.status == 0, "\(repaired)")
        #expect(repaired.stdout.hasPrefix("repaired: main: workflow "), "\(repaired)")
        #expect(repaired.stdout.contains("to source id 'triage'"), "\(repaired)")
        #expect(repaired.stderr == "fsck: workspace 'main': 1 repaired, nothing left\n", "\(repaired)")
        let after = try ws.show("triage")
        for key in ["uuid", "last_synced_spec_hash", "last_projected_spec_hash", "spec_hash"] {
            #expect(after[key] as? String == before[key] as? String, "\(key)")
        }
        #expect(try fsck(ws, ws.store).status == 0)
    }

    @Test func aMappingWhoseResourceIsGoneIsReportedAndLeftAlone() throws {
        let (ws, _) = try triage("fsck-resource")
        ws.skipFsckAtEnd("the resource row is deleted on purpose")
        let uuid = try #require(try ws.show("triage")["uuid"] as? String)
        if TestStore.isPostgres {
            // The schema forbids it; a foreign key dropped behind the store's back allows it.
            for table in ["mappings", "resource_names"] {
                let constraint = try ws.sql("SELECT conname FROM pg_constraint WHERE conrelid = '\(table)'::regclass AND contype = 'f'")
                _ = try ws.sql("ALTER TABLE \(table) DROP CONSTRAINT \(constraint.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
        }
        // sqlite3 leaves foreign keys unenforced unless asked (PRAGMA foreign_keys).
        _ = try ws.sql("DELETE FROM resources WHERE uuid = '\(uuid)'")

        let found = try fsck(ws, ws.store)
        #expect(found.status == 1, "\(found)")
        #expect(codes(found).sorted() == ["change-resource-missing", "file-without-resource", "mapping-without-resource"], "\(found)")
        #expect(found.stdout.contains("error: main: workflow triage: the mapping names resource \(uuid), which the workspace does not have"), "\(found)")
        #expect(found.stdout.contains("restore the store from a backup"), "\(found)")
        let repaired = try fsck(ws, "--repair", ws.store)
        #expect(repaired.status == 1, "\(repaired)")
        #expect(codes(repaired) == codes(found), "\(repaired)")
        #expect(repaired.stderr == "fsck: workspace 'main': 0 repaired, 3 findings\n", "\(repaired)")
    }

    /// The name index (what every change is judged by) lost a row and gained a wrong one:
    /// fsck names the resource, --repair rebuilds its rows, and judgement is right again.
    @Test func aStaleNameIndexIsFoundAndRebuilt() throws {
        let ws = try WorkspaceFixture("fsck-names")
        try ws.put(appWorkflow(alias: "triage", title: "Triage"))
        _ = try ws.sql("DELETE FROM resource_names")
        _ = try ws.sql("""
            INSERT INTO resource_names (workspace_id, uuid, role, name_key)
            SELECT workspace_id, uuid, 0, '["workflow-alias","stale"]' FROM resources
            """)
        let found = try fsck(ws, ws.store)
        #expect(found.status == 1 && codes(found) == ["name-index-stale"], "\(found)")
        #expect(found.stdout.contains("error: main: workflow triage: the name index"), "\(found)")
        #expect(found.stdout.contains("git workspace fsck --repair will rebuild the name index rows of"), "\(found)")
        let repaired = try fsck(ws, "--repair", ws.store)
        #expect(repaired.status == 0 && repaired.stderr == "fsck: workspace 'main': 1 repaired, nothing left\n", "\(repaired)")
        // A second workflow offering the alias triage is refused again.
        let duplicate = try ws.run.run(["git", "workspace", "app", "put", ws.store, "--file", "-"],
                                       stdin: appWorkflow(alias: "triage", title: "Another"))
        #expect(duplicate.status == 1 && duplicate.stderr.contains("'triage' is already used by workflow triage"), "\(duplicate)")
    }

    @Test func objectsTheHeadNeedsAreRebuiltFromTheStoredResources() throws {
        let (ws, clone) = try triage("fsck-objects")
        try ws.put(appWorkflow(alias: "enrich", title: "Enrich"))
        try #require(try clone.git("pull", "-q").status == 0)
        let blob = try rev(clone, "HEAD:workflows/triage/definition.yml")
        let root = try rev(clone, "HEAD^{tree}")
        let workflows = try rev(clone, "HEAD:workflows")
        _ = try ws.sql("DELETE FROM objects WHERE oid IN ('\(blob)', '\(root)', '\(workflows)')")

        let found = try fsck(ws, ws.store)
        #expect(found.status == 1, "\(found)")
        // The head's root tree is gone, so what is below it cannot be seen yet.
        #expect(codes(found).contains("object-missing"), "\(found)")
        #expect(found.stdout.contains("error: main: object \(root): the tree of the head (a tree) is not stored"), "\(found)")
        #expect(found.stdout.contains("git workspace fsck --repair will store tree \(root) rebuilt from the stored resources"), "\(found)")

        let repaired = try fsck(ws, "--repair", ws.store)
        #expect(repaired.status == 0, "\(repaired)")
        for id in [blob, root, workflows] { #expect(repaired.stdout.contains("store ") && repaired.stdout.contains(id), "\(id): \(repaired)") }
        #expect(try fsck(ws, ws.store).status == 0)
        // A clone made now gets the same commit, all of it.
        let fresh = try ws.clone("fresh")
        #expect(try rev(fresh, "HEAD") == (try rev(clone, "HEAD")))
        #expect(try fresh.git("fsck", "--strict").status == 0)
    }

    @Test func aMissingCommitOfTheHistoryCannotBeRebuilt() throws {
        let (ws, clone) = try triage("fsck-history")
        ws.skipFsckAtEnd("a commit is deleted on purpose")
        try ws.put(appWorkflow(alias: "enrich", title: "Enrich"))
        try #require(try clone.git("pull", "-q").status == 0)
        let first = try rev(clone, "HEAD^")
        _ = try ws.sql("DELETE FROM objects WHERE oid = '\(first)'")

        let found = try fsck(ws, ws.store)
        #expect(found.status == 1, "\(found)")
        #expect(codes(found) == ["object-missing"], "\(found)")
        #expect(found.stdout.contains("object \(first): a commit of the branch's history (a commit) is not stored [object-missing]; restore the store from a backup"), "\(found)")
        let repaired = try fsck(ws, "--repair", ws.store)
        #expect(repaired.status == 1 && codes(repaired) == ["object-missing"], "\(repaired)")
    }

    @Test func aCorruptObjectIsReported() throws {
        let (ws, clone) = try triage("fsck-corrupt")
        ws.skipFsckAtEnd("an object's data is overwritten on purpose")
        let blob = try rev(clone, "HEAD:workflows/triage/definition.yml")
        let garbage = TestStore.isPostgres ? "'\\x000102'::bytea" : "X'000102'"
        _ = try ws.sql("UPDATE objects SET data = \(garbage), encoding = 0, size = NULL WHERE oid = '\(blob)'")

        let found = try fsck(ws, ws.store)
        #expect(found.status == 1, "\(found)")
        #expect(codes(found) == ["object-corrupt"], "\(found)")
        #expect(found.stdout.contains("error: main: object \(blob) (workflows/triage/definition.yml): the file workflows/triage/definition.yml of the head is stored with data whose git hash is "), "\(found)")
        let repaired = try fsck(ws, "--repair", ws.store)
        #expect(repaired.status == 1 && codes(repaired) == ["object-corrupt"], "\(repaired)")
    }

    /// A compressed row whose stream does not inflate to its recorded size cannot be read.
    @Test func aCompressedObjectThatDoesNotInflateIsReported() throws {
        let (ws, clone) = try triage("fsck-inflate")
        ws.skipFsckAtEnd("an object's stream is overwritten on purpose")
        let blob = try rev(clone, "HEAD:workflows/triage/definition.yml")
        #expect(try ws.sql("SELECT encoding FROM objects WHERE oid = '\(blob)'") == "1\n", "the file is stored compressed")
        let garbage = TestStore.isPostgres ? "'\\x789c000102'::bytea" : "X'789c000102'"
        _ = try ws.sql("UPDATE objects SET data = \(garbage) WHERE oid = '\(blob)'")
        let found = try fsck(ws, ws.store)
        #expect(found.status == 1 && codes(found) == ["object-malformed"], "\(found)")
        #expect(found.stdout.contains("does not inflate"), "\(found)")
    }

    /// A tree stored as a delta whose base row was deleted is named as such; `--repair`
    /// changes nothing it cannot prove (the old tree is history, not rebuildable).
    @Test func aDeltaWhoseBaseIsGoneIsNamed() throws {
        let ws = try WorkspaceFixture("fsck-delta")
        ws.skipFsckAtEnd("a delta's base is deleted on purpose")
        try ws.put(triageWorkflow)
        let clone = try ws.clone("c")
        for index in 0..<80 {
            try ws.write(clone, "workflows/workflow-number-\(index)/definition.yml",
                         "definition:\n  actions:\n    - ref: a\n      action: core.noop\n  title: Flow \(index)\nid: workflow-number-\(index)\ntype: workflow\nversion: 1\n")
        }
        try clone.git("add", "-A")
        try #require(try clone.git("commit", "-qm", "Eighty workflows").status == 0)
        let pushed = try clone.git("push", "-q", "origin", "main")
        try #require(pushed.status == 0, "\(pushed)")
        try ws.put(appWorkflow(alias: "enrich", title: "Enrich"))
        try #require(try clone.git("pull", "-q").status == 0)
        let base = try rev(clone, "HEAD^:workflows"), tree = try rev(clone, "HEAD:workflows")
        #expect(try ws.sql("SELECT encoding, base_oid FROM objects WHERE oid = '\(tree)'")
                    .replacingOccurrences(of: "|", with: " ") == "2 \(base)\n", "the new workflows/ tree is a delta")
        // The clone got the delta expanded: its objects are whole and sound.
        #expect(try clone.git("fsck", "--strict").status == 0)
        _ = try ws.sql("DELETE FROM objects WHERE oid = '\(base)'")

        let found = try fsck(ws, ws.store)
        #expect(found.status == 1, "\(found)")
        #expect(codes(found).sorted() == ["object-delta-base-missing", "object-missing"], "\(found)")
        #expect(found.stdout.contains("object \(tree) (workflows/): "), "\(found)")
        #expect(found.stdout.contains("is stored as a delta against \(base), which is not stored"), "\(found)")
        let repaired = try fsck(ws, "--repair", ws.store)
        #expect(repaired.status == 1 && codes(repaired).sorted() == codes(found).sorted(), "\(repaired)")
    }

    /// The schema forbids two source ids of a kind that differ only by case (a unique index
    /// on the folded id); with that index dropped behind the store's back, fsck finds them.
    @Test func sourceIDsThatDifferOnlyByCaseAreReported() throws {
        let (ws, _) = try triage("fsck-case")
        ws.skipFsckAtEnd("source ids are made to collide on purpose")
        try ws.put(appWorkflow(alias: "other", title: "Other"))
        _ = try ws.sql("DROP INDEX mappings_source")
        _ = try ws.sql("UPDATE mappings SET source_id = 'TRIAGE' WHERE source_id = 'other'")

        let found = try fsck(ws, ws.store)
        #expect(found.status == 1, "\(found)")
        #expect(codes(found).contains("source-id-duplicate"), "\(found)")
        #expect(found.stdout.contains("2 workflows have source ids that differ only by case: "), "\(found)")
        // The renamed mapping's file is not where its id says, and the old file has no resource.
        #expect(codes(found).contains("file-missing") && codes(found).contains("file-without-resource"), "\(found)")
    }

    @Test func aStoredSpecThatNoLongerReprojectsIsReportedUntilOneSideIsPut() throws {
        let (ws, clone) = try triage("fsck-spec")
        _ = try ws.sql("UPDATE resources SET spec = replace(spec, 'Triage', 'Changed behind its back')")

        let found = try fsck(ws, ws.store)
        #expect(found.status == 1, "\(found)")
        // Reported once, as the difference; the mapping's hashes are not called stale on top.
        #expect(codes(found) == ["file-differs"], "\(found)")
        #expect(found.stdout.contains("error: main: workflow triage (workflows/triage/definition.yml): the branch's file has spec hash v1:"), "\(found)")
        let repaired = try fsck(ws, "--repair", ws.store)
        #expect(repaired.status == 1 && codes(repaired) == ["file-differs"], "\(repaired)")

        // What the hint says: app put of the version to keep writes it to both sides.
        let put = try ws.run.run(["git", "workspace", "app", "put", ws.store, "--file", "-"],
                                 stdin: try ws.read(clone, "workflows/triage/definition.yml"))
        #expect(put.status == 0, "\(put)")
        let after = try fsck(ws, ws.store)
        #expect(after.status == 0, "\(after)")
    }

    @Test func aStaleHashIsRecomputed() throws {
        let (ws, _) = try triage("fsck-hash")
        let before = try ws.show("triage")
        _ = try ws.sql("UPDATE mappings SET last_projected_spec_hash = 'v1:stale', last_synced_spec_hash = NULL")

        let found = try fsck(ws, ws.store)
        #expect(found.status == 1 && codes(found) == ["hash-stale"], "\(found)")
        #expect(found.stdout.contains("the mapping's last synced hash is missing, not the document's v1:"), "\(found)")
        #expect(found.stdout.contains("its last projected hash is v1:stale, not its projection's v1:"), "\(found)")
        let repaired = try fsck(ws, "--repair", ws.store)
        #expect(repaired.status == 0, "\(repaired)")
        #expect(repaired.stdout.contains("record the hashes of workflow triage's stored document"), "\(repaired)")
        let after = try ws.show("triage")
        #expect(after["last_synced_spec_hash"] as? String == before["last_synced_spec_hash"] as? String)
        #expect(after["last_projected_spec_hash"] as? String == before["last_projected_spec_hash"] as? String)
    }

    @Test func jsonOutput() throws {
        let (ws, _) = try triage("fsck-json")
        _ = try ws.sql("UPDATE mappings SET last_projected_spec_hash = 'v1:stale'")
        func object(_ result: RunResult) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result)")
        }
        let found = try fsck(ws, "--json", ws.store)
        #expect(found.status == 1, "\(found)")
        let report = try object(found)
        #expect(Set(report.keys) == ["clean", "workspaces", "findings"])
        #expect(report["clean"] as? Bool == false)
        #expect(report["workspaces"] as? [String] == ["main"])
        let findings = try #require(report["findings"] as? [[String: Any]])
        #expect(findings.count == 1)
        let finding = try #require(findings.first)
        #expect(Set(finding.keys) == ["workspace", "code", "subject", "path", "message", "repairable", "repair", "hint"])
        #expect(finding["workspace"] as? String == "main")
        #expect(finding["code"] as? String == "hash-stale")
        #expect(finding["subject"] as? String == "workflow triage")
        #expect(finding["path"] is NSNull)
        #expect(finding["repairable"] as? Bool == true)
        #expect(finding["repair"] as? String == "record the hashes of workflow triage's stored document")
        #expect(finding["hint"] is NSNull)

        let repaired = try fsck(ws, "--repair", "--json", ws.store + "#main")
        #expect(repaired.status == 0, "\(repaired)")
        let after = try object(repaired)
        #expect(after["clean"] as? Bool == true)
        #expect((after["findings"] as? [Any])?.isEmpty == true)
        #expect((after["repaired"] as? [[String: Any]])?.map { $0["code"] as? String } == ["hash-stale"])
    }

    @Test func exitStatuses() throws {
        let (ws, _) = try triage("fsck-status")
        let missing = try ws.run.run(["git", "workspace", "fsck", ws.scratch.path("nothing.db")])
        #expect(missing.status == 2 && missing.stderr.contains("no workspace store at"), "\(missing)")
        let unknown = try fsck(ws, ws.store + "#nope")
        #expect(unknown.status == 2 && unknown.stderr.contains("no workspace named 'nope'"), "\(unknown)")
        let usage = try fsck(ws, "--bogus", ws.store)
        #expect(usage.status == 64, "\(usage)")

        // Without --repair nothing waits for a writer; --repair is busy like any writer.
        let lock = try HeldWriteLock(store: ws.store)
        defer { lock.release() }
        var waiting = ws.run
        waiting.environment["GIT_WORKSPACE_BUSY_TIMEOUT"] = "0"
        let read = try waiting.run(["git", "workspace", "fsck", ws.store + "#main"])
        #expect(read.status == 0, "\(read)")
        let busy = try waiting.run(["git", "workspace", "fsck", "--repair", ws.store + "#main"])
        #expect(busy.status == 5 && busy.stderr.contains("busy"), "\(busy)")
    }
}
