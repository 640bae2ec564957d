import Foundation

/// One row of the paper's reported numbers (`experiments/reported/table1.csv` or `table2.csv`).
public struct ReportedRow: Sendable, Equatable {
    public var dataset: String
    /// Our backbone name (the paper's "ncf" is our "neumf").
    public var backbone: String
    public var method: String
    /// Our variant name (Table 1's CIESS is g-rw; baselines "default"; Table 2 from noise and random walk).
    public var variant: String
    /// "0.80" style; "" for the uncontrolled methods.
    public var target: String
    public var reportedSparsity: Double?
    /// Metric name ("recall@20") → the paper's value; nil where the extraction is ambiguous.
    public var values: [(metric: String, value: Double?)]
    /// The README's flag for an ambiguous cell (empty if none).
    public var note: String
    public var line: Int

    public static func == (a: ReportedRow, b: ReportedRow) -> Bool {
        a.dataset == b.dataset && a.backbone == b.backbone && a.method == b.method && a.variant == b.variant
            && a.target == b.target && a.reportedSparsity == b.reportedSparsity && a.note == b.note && a.line == b.line
            && a.values.map(\.metric) == b.values.map(\.metric) && a.values.map(\.value) == b.values.map(\.value)
    }
}

/// Reads the paper's numbers. A missing column or a field that is neither empty nor a number is an
/// error naming the file, line and column. Empty values (ambiguous extraction) stay nil and keep
/// their note.
public enum ReportedNumbers {
    public static let table1Metrics = ["recall@5", "recall@20", "ndcg@5", "ndcg@20"]
    public static let table2Metrics = ["recall@20", "ndcg@20"]

    /// The paper's backbone names → ours.
    public static func backbone(_ paper: String) -> String { paper == "ncf" ? "neumf" : paper }

    public static func table1(_ url: URL) throws -> [ReportedRow] { try table1(TidyCSV.read(url)) }

    public static func table1(_ t: TidyCSV) throws -> [ReportedRow] {
        try t.require(["dataset", "backbone", "method", "target_sparsity", "reported_sparsity", "note"] + table1Metrics)
        return try t.rows.indices.map { r in
            let method = try t.string(r, "method")
            return ReportedRow(dataset: try t.string(r, "dataset"), backbone: backbone(try t.string(r, "backbone")),
                               method: method, variant: method == "ciess" ? Table1Aggregation.ciessVariant : "default",
                               target: CSVNumber.target(try t.number(r, "target_sparsity")),
                               reportedSparsity: try t.number(r, "reported_sparsity"),
                               values: try table1Metrics.map { ($0, try t.number(r, $0)) },
                               note: try t.string(r, "note"), line: t.lines.indices.contains(r) ? t.lines[r] : r + 2)
        }
    }

    public static func table2(_ url: URL) throws -> [ReportedRow] { try table2(TidyCSV.read(url)) }

    public static func table2(_ t: TidyCSV) throws -> [ReportedRow] {
        try t.require(["dataset", "backbone", "target_sparsity", "noise", "random_walk"] + table2Metrics)
        let hasNote = t.header.contains("note")
        return try t.rows.indices.map { r in
            let noise = try t.string(r, "noise"), rw = try t.string(r, "random_walk")
            let line = t.lines.indices.contains(r) ? t.lines[r] : r + 2
            guard let variant = Table2Aggregation.variants.first(where: { $0.value.noise == noise && $0.value.randomWalk == rw })?.key else {
                throw ReportError.malformed(file: "\(t.file):\(line)", expected:
                    "noise gaussian, ou or uniform with random_walk yes, or gaussian with random_walk no; found \(noise)/\(rw)")
            }
            guard let c = try t.number(r, "target_sparsity") else {
                throw ReportError.badNumber(file: t.file, line: line, column: "target_sparsity", value: "")
            }
            return ReportedRow(dataset: try t.string(r, "dataset"), backbone: backbone(try t.string(r, "backbone")),
                               method: "ciess", variant: variant, target: CSVNumber.target(c), reportedSparsity: c,
                               values: try table2Metrics.map { ($0, try t.number(r, $0)) },
                               note: hasNote ? try t.string(r, "note") : "", line: line)
        }
    }

    /// The README's prose (without its title), shown in the report beside the flagged cells.
    public static func readme(_ directory: URL) -> String? {
        guard let text = try? String(contentsOf: directory.appendingPathComponent("README.md"), encoding: .utf8) else { return nil }
        let body = text.split(separator: "\n", omittingEmptySubsequences: false).drop { $0.hasPrefix("#") || $0.isEmpty }
        return body.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
