import Glibc

/// One variable of the process's environment, read with `getenv`. `ProcessInfo.environment`
/// builds a dictionary of every variable on each use (about 0.7 M instructions, 5% of the
/// helper's start), for programs that want one or two of them. Here, in the module every
/// other one imports, so that each such read is this one.
public enum Environment {
    public static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
