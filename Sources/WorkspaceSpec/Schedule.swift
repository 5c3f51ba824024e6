import Foundation

/// Checks of schedule syntax: cron expressions and `every` intervals.
public enum ScheduleSyntax {
    /// Why a cron expression is invalid, or nil.
    ///
    /// Five fields (minute hour day-of-month month day-of-week), each `*` or a comma list of
    /// values and ranges with an optional `/step`; month and weekday names (`JAN`, `MON`)
    /// accepted; or one of `@yearly @annually @monthly @weekly @daily @midnight @hourly`.
    public static func cronProblem(_ expression: String) -> String? {
        let trimmed = expression.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("@") {
            let macros: Set<String> = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]
            return macros.contains(trimmed) ? nil : "unknown cron macro '\(trimmed)'"
        }
        let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count == 5 else {
            return "a cron expression has 5 fields (minute hour day-of-month month day-of-week), '\(trimmed)' has \(fields.count)"
        }
        let specs: [(String, ClosedRange<Int>, [String])] = [
            ("minute", 0...59, []),
            ("hour", 0...23, []),
            ("day-of-month", 1...31, []),
            ("month", 1...12, ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]),
            ("day-of-week", 0...7, ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]),
        ]
        for (field, spec) in zip(fields, specs) {
            if let problem = fieldProblem(String(field), name: spec.0, range: spec.1, names: spec.2) {
                return problem
            }
        }
        return nil
    }

    private static func fieldProblem(_ field: String, name: String, range: ClosedRange<Int>, names: [String]) -> String? {
        for item in field.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2, let base = parts.first, !base.isEmpty else {
                return "cron \(name) field '\(field)' is malformed"
            }
            if parts.count == 2 {
                guard let step = Int(parts[1]), step > 0 else {
                    return "cron \(name) step '\(parts[1])' must be a positive number"
                }
            }
            if base == "*" { continue }
            let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count <= 2 else { return "cron \(name) range '\(base)' is malformed" }
            var values: [Int] = []
            for bound in bounds {
                let text = bound.uppercased()
                if let number = Int(text) {
                    values.append(number)
                } else if let index = names.firstIndex(of: text) {
                    values.append(index + (name == "month" ? 1 : 0))
                } else {
                    return "cron \(name) value '\(bound)' is not a number" + (names.isEmpty ? "" : " or a name")
                }
            }
            for value in values where !range.contains(value) {
                return "cron \(name) value \(value) is out of range \(range.lowerBound)-\(range.upperBound)"
            }
            if values.count == 2 && values[0] > values[1] {
                return "cron \(name) range '\(base)' runs backwards"
            }
        }
        return nil
    }

    /// Why an interval is invalid, or nil.
    ///
    /// An ISO 8601 duration (`PT1H`, `P1DT12H`, `PT30M`) or a sum of `<number><unit>` parts
    /// with units `s m h d w` (`90s`, `1h30m`). Zero is refused.
    public static func intervalProblem(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("P") {
            return isoDuration(trimmed) ? nil : "'\(trimmed)' is not an ISO 8601 duration such as PT1H or P1DT12H"
        }
        var total = 0
        var digits = ""
        for char in trimmed {
            if char.isASCII && char.isNumber {
                digits.append(char)
                continue
            }
            let unit: Int
            switch char {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86_400
            case "w": unit = 604_800
            default: return "'\(trimmed)' is not an interval such as 30m, 1h30m or PT1H"
            }
            guard let number = Int(digits) else { return "'\(trimmed)' is not an interval such as 30m, 1h30m or PT1H" }
            total += number * unit
            digits = ""
        }
        if !digits.isEmpty || trimmed.isEmpty { return "'\(trimmed)' is not an interval such as 30m, 1h30m or PT1H" }
        return total > 0 ? nil : "an interval must be longer than zero"
    }

    private static func isoDuration(_ text: String) -> Bool {
        var sawTime = false, sawAny = false, nonZero = false
        var digits = ""
        for char in text.dropFirst() {
            if char == "T" {
                if sawTime || !digits.isEmpty { return false }
                sawTime = true
                continue
            }
            if char.isASCII && (char.isNumber || char == ".") {
                digits.append(char)
                continue
            }
            let allowed: Set<Character> = sawTime ? ["H", "M", "S"] : ["Y", "M", "W", "D"]
            guard allowed.contains(char), let number = Double(digits) else { return false }
            if number > 0 { nonZero = true }
            sawAny = true
            digits = ""
        }
        return sawAny && digits.isEmpty && nonZero
    }
}
