// libFuzzer target: the YAML reader (`YAMLParser`) and the canonical emitters, on any bytes.
// Built and run by scripts/fuzz.sh (`-sanitize=fuzzer,address`); a crash, a sanitizer report or
// a broken property below is a finding.
//
// Properties checked on every input the reader accepts:
// - canonical YAML (`YAMLEmitter.emit`) reads back as the same value, and emitting that
//   again gives the same bytes (the canonical form is a fixed point);
// - pretty JSON (`JSONEmitter.pretty`) reads back as the same value when every number is finite
//   and no string holds a character YAML reads otherwise raw (`readableAsJSON`);
// - a refusal carries a position inside the text (line and column from 1).
// The same bytes are read again under small limits, so the depth, node and alias-expansion
// refusals are reached by small inputs too.
import YAML

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAML(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = start.map { Array(UnsafeRawBufferPointer(start: $0, count: count)) } ?? []
    roundTrip(bytes, limits: .default)
    roundTrip(bytes, limits: YAMLLimits(maxBytes: 4096, maxDepth: 6, maxNodes: 64))
    return 0
}

func roundTrip(_ bytes: [UInt8], limits: YAMLLimits) {
    let node: Node
    do {
        node = try YAMLParser.parse(bytes, limits: limits)
    } catch {
        require(error.mark.line >= 1 && error.mark.column >= 1, "refusal without a position: \(error)")
        require(error.mark.line <= bytes.count + 2 && error.mark.column <= bytes.count + 2,
                     "refusal past the end of the text: \(error)")
        return
    }
    let value = node.value
    // An alias-expanded document may be a million nodes: bounded (not a finding), but too slow
    // to write out on every run.
    guard size(value) <= 20_000 else { return }
    let yaml = YAMLEmitter.emit(value)
    let reread: Node
    do { reread = try YAMLParser.parse(yaml) } catch {
        fatalError("canonical YAML does not read back: \(error)\n--- emitted\n\(yaml)")
    }
    require(same(reread.value, value), "canonical YAML reads back as another value\n--- emitted\n\(yaml)")
    let again = YAMLEmitter.emit(reread.value)
    require(again == yaml, "canonical YAML is not a fixed point\n--- first\n\(yaml)--- second\n\(again)")
    if allFinite(value) && readableAsJSON(value) {
        let json = JSONEmitter.pretty(value)
        do {
            let fromJSON = try YAMLParser.parse(json)
            require(same(fromJSON.value, value), "JSON reads back as another value\n--- emitted\n\(json)")
        } catch {
            fatalError("JSON does not read back: \(error)\n--- emitted\n\(json)")
        }
    }
}

/// Equality that tells -0.0 from 0.0 and takes NaN as itself (what "the same value" means for
/// a round trip).
func same(_ a: Value, _ b: Value) -> Bool {
    switch (a, b) {
    case (.double(let x), .double(let y)): return x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN)
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
    case (.object(let x), .object(let y)):
        return x.count == y.count && x.allSatisfy { key, value in y[key].map { same(value, $0) } ?? false }
    default: return a == b
    }
}

func size(_ value: Value) -> Int {
    switch value {
    case .array(let elements): return 1 + elements.reduce(0) { $0 + size($1) }
    case .object(let members): return 1 + members.values.reduce(0) { $0 + size($1) }
    default: return 1
    }
}

/// Whether no string holds a character JSONEmitter writes raw that YAMLParser does not read
/// back as itself: DEL and C1 controls (libyaml refuses them raw, and reads NEL as a line break),
/// U+2028 and U+2029 (line breaks to YAML), U+FEFF, U+FFFE and U+FFFF. A known limit, not a
/// finding: the store reads its JSON with its own reader (SpecJSON), and a manifest refuses
/// such roots (`Manifest.isUnwritable`).
func readableAsJSON(_ value: Value) -> Bool {
    func plain(_ text: String) -> Bool {
        !text.unicodeScalars.contains { [0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF].contains($0.value) || (0x7F...0x9F).contains($0.value) }
    }
    switch value {
    case .string(let text): return plain(text)
    case .array(let elements): return elements.allSatisfy(readableAsJSON)
    // YAML reads a flow mapping's key only when it ends within 1024 characters of where it
    // starts (libyaml's simple-key limit): a longer key written as JSON is valid JSON that is
    // not YAML. Found by this target: a 1 300-character key.
    case .object(let members):
        return members.allSatisfy { plain($0.key) && keyFitsYAML($0.key) && readableAsJSON($0.value) }
    default: return true
    }
}

/// True when `key`, written as a JSON string, is short enough for YAML to read it as a key.
func keyFitsYAML(_ key: String) -> Bool {
    String(decoding: JSONEmitter.canonical(.string(key)), as: UTF8.self).unicodeScalars.count < 1024
}

func allFinite(_ value: Value) -> Bool {
    switch value {
    case .double(let double): return double.isFinite
    case .array(let elements): return elements.allSatisfy(allFinite)
    case .object(let members): return members.values.allSatisfy(allFinite)
    default: return true
    }
}

/// `precondition` that keeps its message in an optimized build (scripts/fuzz.sh builds -c release,
/// where a failed precondition says only "precondition failure").
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
