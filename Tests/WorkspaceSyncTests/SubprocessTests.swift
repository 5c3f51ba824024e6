import Foundation
import Testing
@testable import WorkspaceSync
import WorkspaceTestSupport

/// `Subprocess` finds a program on `PATH` itself (no `/usr/bin/env` started in between),
/// the way a shell does.
@Suite struct SubprocessTests {
    @Test func locateTakesTheFirstExecutableFileOnThePath() throws {
        let scratch = try ScratchDirectory("locate")
        // first/: a directory named like the program; second/: the file, not executable;
        // third/: the program; fourth/: another one, later on the path.
        try FileManager.default.createDirectory(atPath: scratch.path("first/tool"), withIntermediateDirectories: true)
        try scratch.write("second/tool", "#!/bin/sh\necho second\n")
        for directory in ["third", "fourth"] {
            try scratch.write("\(directory)/tool", "#!/bin/sh\necho \(directory)\n")
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scratch.path("\(directory)/tool"))
        }
        let path = ["first", "second", "third", "fourth"].map { scratch.path($0) }.joined(separator: ":")
        #expect(Subprocess.locate("tool", path: path) == scratch.path("third/tool"))
        #expect(Subprocess.locate("tool", path: scratch.path("first") + ":" + scratch.path("second")) == nil)
        #expect(Subprocess.locate("no-such-tool", path: path) == nil)

        let ran = try Subprocess.run(try #require(Subprocess.locate("tool", path: path)), [])
        #expect(ran.status == 0 && ran.text == "third", "\(ran)")
        #expect(Subprocess.locate("git") != nil)
    }

    @Test func aProgramNotOnThePathIsAFailureNamingIt() throws {
        #expect {
            try Subprocess.run("no-such-program-\(getpid())", [])
        } throws: { error in
            (error as? Subprocess.Failure)?.message == "cannot run no-such-program-\(getpid()): not found on PATH"
        }
    }
}
