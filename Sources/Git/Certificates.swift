/// Keeps libgit2 from reading the system's certificate bundle at start-up.
///
/// Debian's libgit2 1.5 is built with mbedTLS, and `git_libgit2_init` parses every
/// certificate of the bundle at a path compiled into it (`/etc/ssl/certs/ca-certificates.crt`)
/// before any option can be set: about 55 M instructions, a third of a one-change push at
/// 1 000 workflows. libgit2 offers no way around it. This project never lets libgit2 reach a
/// network: git does the transport, and libgit2 only reads and writes local repositories.
///
/// So the executable defines the mbedTLS function libgit2 calls for it. The dynamic linker
/// looks a symbol up in the executable before the libraries (ELF interposition), so
/// libgit2's call lands here and loads nothing. Were libgit2 ever asked for HTTPS, it would
/// trust no certificate and refuse every server: the failure is closed, not open.
/// `CertificateTests` checks that the call does land here.
@_cdecl("mbedtls_x509_crt_parse_file")
public func skippedCertificateBundle(_ chain: UnsafeMutableRawPointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    0
}
