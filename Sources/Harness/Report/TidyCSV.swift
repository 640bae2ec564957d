import Foundation

/// A tidy CSV table: one header row, then one observation per row. Rendering is deterministic
/// (fields are quoted only when they contain a comma, a quote or a line break; lines end in "\n");
/// parsing reads the same dialect back and reports `file:line` for every problem.
public struct TidyCSV: Sendable, Equatable {
    public var header: [String]
    public var rows: [[String]]
    /// The 1-based line of each row in the parsed file (empty for tables built in code).
    public var lines: [Int] = []
    /// Where the table was read from, for error messages.
    public var file: String = "<csv>"

    public init(header: [String], rows: [[String]] = []) {
        self.header = header
        self.rows = rows
    }

    // MARK: - Writing

    public func rendered() -> String {
        var out = Self.line(header)
        for row in rows {
            precondition(row.count == header.count, "CSV row has \(row.count) fields, header \(header.count)")
            out += Self.line(row)
        }
        return out
    }

    static func line(_ fields: [String]) -> String { fields.map(quoted).joined(separator: ",") + "\n" }

    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: - Reading

    public static func parse(_ text: String, file: String) throws -> TidyCSV {
        var records: [(line: Int, fields: [String])] = []
        var fields: [String] = [], field = "", inQuotes = false, line = 1, recordLine = 1, fieldQuoted = false
        var chars = Array(text.unicodeScalars)[...]
        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty && !fieldQuoted) { records.append((recordLine, fields)) }
            fields = []; field = ""; fieldQuoted = false
        }
        while let c = chars.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if chars.first == "\"" { chars.removeFirst(); field.unicodeScalars.append("\"") } else { inQuotes = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                inQuotes = true; fieldQuoted = true
            } else if c == "," {
                fields.append(field); field = ""; fieldQuoted = false
            } else if c == "\n" {
                endRecord(); line += 1; recordLine = line
            } else if c != "\r" {
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes { throw ReportError.malformed(file: "\(file):\(recordLine)", expected: "a closing quote") }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        guard let head = records.first else { throw ReportError.malformed(file: file, expected: "a header row") }
        var table = TidyCSV(header: head.fields)
        table.file = file
        for r in records.dropFirst() {
            guard r.fields.count == head.fields.count else {
                throw ReportError.ragged(file: file, line: r.line, expected: head.fields.count, found: r.fields.count)
            }
            table.rows.append(r.fields)
            table.lines.append(r.line)
        }
        return table
    }

    public static func read(_ url: URL) throws -> TidyCSV {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw ReportError.missing(file: url.path, what: "a readable UTF-8 CSV file")
        }
        return try parse(text, file: url.path)
    }

    /// The index of `column`, or an error naming the file and the column.
    public func column(_ name: String) throws -> Int {
        guard let i = header.firstIndex(of: name) else { throw ReportError.missingColumn(file: file, column: name) }
        return i
    }

    /// Checks that every column in `names` is present.
    public func require(_ names: [String]) throws { for n in names { _ = try column(n) } }

    /// Field `name` of row `r`.
    public func string(_ r: Int, _ name: String) throws -> String { rows[r][try column(name)] }

    /// Field `name` of row `r` as a number; empty and "NA" read as nil, anything else unparsable is an error.
    public func number(_ r: Int, _ name: String) throws -> Double? {
        let v = try string(r, name).trimmingCharacters(in: .whitespaces)
        if v.isEmpty || v == "NA" { return nil }
        guard let d = Double(v), d.isFinite || v == "inf" || v == "-inf" else {
            throw ReportError.badNumber(file: file, line: lines.indices.contains(r) ? lines[r] : r + 2, column: name, value: v)
        }
        return d
    }
}

/// Fixed number formats of every aggregated CSV (no locale, no "-0").
public enum CSVNumber {
    /// Metrics, their sd and CI: %.4f.
    public static func metric(_ x: Double?) -> String { x.map { fixed($0, 4) } ?? "" }
    /// Sparsity: %.6f.
    public static func sparsity(_ x: Double?) -> String { x.map { fixed($0, 6) } ?? "" }
    /// A statistic that can be undefined although data exist (sd and CI with n = 1, t and p with
    /// fewer than 2 pairs): "NA".
    public static func orNA(_ x: Double?, _ digits: Int) -> String { x.map { fixed($0, digits) } ?? "NA" }
    /// The target c: %.2f, empty for uncontrolled methods.
    public static func target(_ c: Double?) -> String { c.map { String(format: "%.2f", $0) } ?? "" }
    /// λ: %g.
    public static func lambda(_ l: Double?) -> String { l.map { String(format: "%g", $0) } ?? "" }

    public static func fixed(_ x: Double, _ digits: Int) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        let s = String(format: "%.\(digits)f", x)
        return s.hasPrefix("-") && s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) ? String(s.dropFirst()) : s
    }
}
