import Foundation

/// `figure-7.csv`: one point per number of the paper's Table 1 and Table 2 that has both a value in
/// `experiments/reported/` and a mean of ours: x = the paper's value, y = ours. Ours is the value REPORT.md's
/// diff column uses (`OurValue.compared`): the test-selected P-code mean when P-code has a result, else the
/// P-clean mean; `ours_protocol` says which. Paper rows are matched to `table-1.csv` / `table-2.csv` rows exactly
/// as `ReportWriter` matches them, and the numbers are read back from those tables, so a point always equals
/// the report's line. A paper value that is ambiguous, a cell we have not run, and a P-code target that was
/// not reached give no point. Rows are sorted by (table, dataset, backbone, method, variant, c, metric); the
/// fields carry no commas, so gnuplot reads them with a plain "," separator.
public enum Figure7Aggregation {
    public static let header = ["table", "dataset", "backbone", "method", "variant", "c", "metric", "series", "paper",
                                "ours", "ours_protocol", "ours_ci95", "ours_n", "diff", "rel_diff", "verdict"]

    /// The order of the metrics within a grid point (and of the figure's panels).
    public static let metricOrder = ["recall@5", "recall@10", "recall@20", "ndcg@5", "ndcg@10", "ndcg@20"]

    public static func table(table1: TidyCSV, table2: TidyCSV, reported1: [ReportedRow], reported2: [ReportedRow]) throws -> TidyCSV {
        let points = try self.points("table-1", reported1, table1, ReportedNumbers.table1Metrics)
            + self.points("table-2", reported2, table2, ReportedNumbers.table2Metrics)
        return TidyCSV(header: header, rows: points.sorted { SeedGroup.keyPrecedes($0.sortKey, $1.sortKey) }.map(\.fields))
    }

    /// The series a point is coloured by: the method for Table 1, "ciess/<variant>" for Table 2's exploration
    /// variants (no spaces: the figure splits series lists on blanks).
    public static func series(table: String, _ row: ReportedRow) -> String {
        table == "table-2" ? "\(row.method)/\(row.variant)" : row.method
    }

    struct Point {
        var sortKey: [String]
        var fields: [String]
    }

    static func points(_ table: String, _ reported: [ReportedRow], _ ours: TidyCSV, _ metrics: [String]) throws -> [Point] {
        try ours.require(ReportWriter.keyColumns + ["status", "n_seeds"] + metrics.flatMap { ["\($0)_mean", "\($0)_ci95"] })
        let index = try ReportWriter.rowIndex(ours)
        var out: [Point] = []
        for row in reported {
            let key = ReportWriter.key(row)
            let codeRow = index[key + ["code"]], cleanRow = index[key + ["clean"]]
            for (metric, paperValue) in row.values where metrics.contains(metric) {
                guard let paper = paperValue else { continue }
                let code = try codeRow.map { try ReportWriter.value(ours, $0, metric) }
                let clean = try cleanRow.map { try ReportWriter.value(ours, $0, metric) }
                guard let chosen = OurValue.compared(testSelected: code, clean: clean), let mean = chosen.value.mean else { continue }
                let verdict = Verdict.judge(paper: paper, testSelected: code, clean: clean)
                let diff = mean - paper
                let metricRank = metricOrder.firstIndex(of: metric) ?? metricOrder.count
                out.append(Point(
                    sortKey: [table, row.dataset, row.backbone, row.method, row.variant, row.target, "\(metricRank)", metric,
                              "\(row.line)"],
                    fields: [table, row.dataset, row.backbone, row.method, row.variant, row.target, metric,
                             series(table: table, row), CSVNumber.metric(paper), CSVNumber.metric(mean), chosen.protocol,
                             CSVNumber.orNA(chosen.value.ci, 4), "\(chosen.value.n)", CSVNumber.fixed(diff, 4),
                             paper == 0 ? "NA" : CSVNumber.fixed(diff / paper, 4), verdict.rawValue]))
            }
        }
        return out
    }
}
