// libFuzzer target: a resource document read, normalized and judged as `git workspace validate`
// reads a tree (`TreeValidator`), the bytes placed at a canonical path: once as a workflow
// (`workflows/fuzz/definition.yml`), once as a variable (`variables/fuzz.yml`).
// Built and run by scripts/fuzz.sh (`-sanitize=fuzzer,address`).
//
// Properties checked:
// - every diagnostic names the file and a position from 1:1 on, and renders;
// - a document judged valid has a spec; its canonical text (what a projection writes) is judged
//   valid again, gives the same normalized value and spec hash, and renders to the same bytes.
import WorkspaceSpec
import YAML

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResource(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? []
    judge(bytes, at: "workflows/fuzz/definition.yml")
    judge(bytes, at: "variables/fuzz.yml")
    return 0
}

func validate(_ bytes: [UInt8], at path: String) -> TreeValidator.Report {
    let tree = ListedTree(items: [TreeItem(path: path)]) { $0 == path ? bytes : nil }
    do { return try TreeValidator.validate(tree) } catch {
        fatalError("validating a tree held in memory threw: \(error)")
    }
}

func judge(_ bytes: [UInt8], at path: String) {
    let report = validate(bytes, at: path)
    for diagnostic in report.diagnostics {
        require(diagnostic.path == path, "a diagnostic names another file: \(diagnostic)")
        if let mark = diagnostic.mark {
            require(mark.line >= 1 && mark.column >= 1, "a diagnostic before 1:1: \(diagnostic)")
        }
        _ = diagnostic.description
        _ = JSONEmitter.canonical(diagnostic.jsonValue)
    }
    guard report.isValid else { return }
    guard let (resourcePath, spec) = report.resources.first, report.resources.count == 1, resourcePath == path else {
        fatalError("a valid document gave no spec, or another: \(report.resources.map(\.path))")
    }
    let hash = spec.specHash
    let canonical = spec.canonicalText()
    let again = validate(Array(canonical.utf8), at: path)
    guard again.isValid, let respec = again.resources.first?.spec else {
        fatalError("the canonical text of a valid document is refused: \(again.diagnostics)\n--- canonical\n\(canonical)")
    }
    require(respec.value == spec.value || hasNaN(spec.value),
                 "the canonical text reads back as another value\n--- canonical\n\(canonical)")
    require(respec.specHash == hash, "the canonical text has another spec hash\n--- canonical\n\(canonical)")
    require(respec.canonicalText() == canonical,
                 "the canonical text is not a fixed point\n--- first\n\(canonical)--- second\n\(respec.canonicalText())")
}

func hasNaN(_ value: Value) -> Bool {
    switch value {
    case .double(let double): return double.isNaN
    case .array(let elements): return elements.contains(where: hasNaN)
    case .object(let members): return members.values.contains(where: hasNaN)
    default: return false
    }
}

/// `precondition` that keeps its message in an optimized build (scripts/fuzz.sh builds -c release,
/// where a failed precondition says only "precondition failure").
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
