import Foundation

/// Why aggregation or the report could not read an input. Every case names the file (and line or
/// column where it applies) and what was expected there.
public enum ReportError: Error, CustomStringConvertible, Equatable {
    /// A file exists but its content is not what the contract says (e.g. not a `CellResult`).
    case malformed(file: String, expected: String)
    /// A CSV lacks a column the reader needs.
    case missingColumn(file: String, column: String)
    /// A CSV field that must be a number (or empty) is not one.
    case badNumber(file: String, line: Int, column: String, value: String)
    /// A CSV row has a different number of fields than its header.
    case ragged(file: String, line: Int, expected: Int, found: Int)
    /// A required input is missing.
    case missing(file: String, what: String)

    public var description: String {
        switch self {
        case .malformed(let f, let e): return "\(f): malformed (expected \(e))"
        case .missingColumn(let f, let c): return "\(f): missing column '\(c)' in the header row"
        case .badNumber(let f, let l, let c, let v):
            return "\(f):\(l): column '\(c)' must be a number or empty, found '\(v)'"
        case .ragged(let f, let l, let e, let n): return "\(f):\(l): expected \(e) fields like the header, found \(n)"
        case .missing(let f, let w): return "\(f): missing (\(w))"
        }
    }
}
