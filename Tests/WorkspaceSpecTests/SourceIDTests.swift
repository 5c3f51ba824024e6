import Testing
import WorkspaceSpec

@Suite struct SourceIDTests {
    @Test func slugs() {
        #expect(SourceID.slug("Triage: Phishing Emails!") == "triage-phishing-emails")
        #expect(SourceID.slug("  ") == nil)
        #expect(SourceID.slug("Ünïcode only") == "unicode-only")
        #expect(SourceID.slug("Café Überwachung") == "cafe-uberwachung")
        #expect(SourceID.slug("Straße Œuvre Ærø Łódź") == "strasse-oeuvre-aero-lodz")
        // A decomposed é (e + combining acute) slugs like the composed one.
        #expect(SourceID.slug("Cafe\u{301} Noir") == "cafe-noir")
        #expect(SourceID.slug("日本 workflow") == "workflow")
        #expect(SourceID.slug(String(repeating: "ab ", count: 40))!.count <= SourceID.maxSlugLength)
    }

    @Test func aliasThenTitleThenKind() {
        #expect(SourceID.base(from: ["My Alias", "Title"], kind: "workflow") == "my-alias")
        #expect(SourceID.base(from: ["   ", "Title Here"], kind: "workflow") == "title-here")
        #expect(SourceID.base(from: [nil, nil], kind: "workflow") == "workflow")
        #expect(SourceID.base(from: ["!!!", "???"], kind: "variable") == "variable")
    }

    @Test func deduplicationIsDeterministicAndCaseInsensitive() {
        var allocator = SourceIDAllocator(taken: ["Triage"])
        #expect(allocator.allocate("triage") == "triage-2")
        #expect(allocator.allocate("triage") == "triage-3")
        #expect(allocator.allocate("other") == "other")
        #expect(allocator.isTaken("OTHER"))
    }

    @Test(arguments: [
        ("..", "names a directory"), (".", "names a directory"), ("a/b", "path separator"),
        ("a\\b", "path separator"), ("", "empty"), ("tab\there", "control characters"),
        (".hidden", "must not start with '.'"), ("-x", "must not start with '-'"), ("sp ace", "contains ' '"),
    ])
    func invalidIDs(_ id: String, _ fragment: String) {
        let problem = SourceID.problem(with: id)
        #expect(problem?.contains(fragment) == true, "\(id): \(problem ?? "accepted")")
    }

    @Test func validIDs() {
        for id in ["triage", "Triage_2", "a.b-c", "x"] { #expect(SourceID.problem(with: id) == nil) }
    }
}
