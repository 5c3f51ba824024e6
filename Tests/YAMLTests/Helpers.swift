import Testing
import YAML

/// Parses `text` expecting a failure, and returns it (nil, with a recorded issue, if it parsed).
func parseError(_ text: String, limits: YAMLLimits = .default,
                sourceLocation: SourceLocation = #_sourceLocation) -> YAMLError? {
    parseError(Array(text.utf8), limits: limits, sourceLocation: sourceLocation)
}

func parseError(_ bytes: [UInt8], limits: YAMLLimits = .default,
                sourceLocation: SourceLocation = #_sourceLocation) -> YAMLError? {
    do {
        let node = try YAMLParser.parse(bytes, limits: limits)
        Issue.record("expected an error, parsed \(node.value)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// Expects `text` to fail with `code` at `line`:`column` (column unchecked when nil).
func expectError(_ text: String, _ code: YAMLError.Code, line: Int, column: Int? = nil,
                 limits: YAMLLimits = .default, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let error = parseError(text, limits: limits, sourceLocation: sourceLocation) else { return }
    #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    #expect(error.mark.line == line, "\(error)", sourceLocation: sourceLocation)
    if let column {
        #expect(error.mark.column == column, "\(error)", sourceLocation: sourceLocation)
    }
}
