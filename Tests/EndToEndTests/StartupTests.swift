import Foundation
import Testing
import WorkspaceTestSupport

/// Both programs start libgit2 without parsing the system's certificate bundle: libgit2's
/// call to mbedTLS's `mbedtls_x509_crt_parse_file` binds to the programs' own stand-in
/// (Certificates.swift in the Git module), which the dynamic linker must find first.
@Suite struct StartupTests {
    @Test(arguments: ["git-remote-workspace", "git-workspace"])
    func libgit2CallsTheProgramsOwnCertificateLoader(program: String) throws {
        let scratch = try ScratchDirectory("startup")
        let path = TestPaths.binDirectory.appendingPathComponent(program).path
        // Every symbol is bound at start and each binding reported on stderr, whatever the
        // program then does with its argument.
        let ran = try Runner(scratch: scratch).run([path, "--version"],
                                                   extraEnvironment: ["LD_BIND_NOW": "1", "LD_DEBUG": "bindings"])
        let bindings = ran.stderr.split(separator: "\n").filter { $0.contains("symbol `mbedtls_x509_crt_parse_file'") }
        let fromLibgit2 = try #require(bindings.first { $0.contains("binding file") && $0.contains("libgit2") },
                                       "libgit2 does not call mbedtls_x509_crt_parse_file: \(bindings)")
        #expect(fromLibgit2.contains("to \(path) [0]"), "\(fromLibgit2)")
    }
}
