import Foundation
import RecData

/// `ciess aggregate`: reads a profile's result directory and writes every aggregated CSV into it,
/// each atomically. The output depends only on the result files and the paper's numbers (no times, stable
/// order, fixed number formats), so identical inputs give byte-identical CSVs.
public enum ResultAggregator {
    public static let outputs = ["table-1.csv", "table-2.csv", "figure-3.csv", "figure-3-seeds.csv",
                                 "figure-4.csv", "figure-5.csv", "figure-6.csv", "figure-7.csv"]

    /// Every CSV by file name, without writing anything. `reportedDirectory` holds the paper's numbers
    /// (`experiments/reported`: table1.csv, table2.csv), which Figure 7 sets our Table 1 and Table 2 against.
    /// `currentHashes` (the profile's `currentConfigHashes`) leaves stale results out of every table.
    public static func tables(profileDirectory: URL, reportedDirectory: URL,
                              currentHashes: [String: String]? = nil) throws -> [(name: String, table: TidyCSV)] {
        let reported1 = try ReportedNumbers.table1(reportedDirectory.appendingPathComponent("table1.csv"))
        let reported2 = try ReportedNumbers.table2(reportedDirectory.appendingPathComponent("table2.csv"))
        let scan = try ResultScanner.scan(profileDirectory: profileDirectory, currentHashes: currentHashes)
        let episodes = try Figure3Aggregation.points(profileDirectory: profileDirectory)
        let table1 = Table1Aggregation.table(scan), table2 = Table2Aggregation.table(scan)
        return [
            ("table-1.csv", table1),
            ("table-2.csv", table2),
            ("figure-3.csv", Figure3Aggregation.summaryTable(episodes)),
            ("figure-3-seeds.csv", Figure3Aggregation.seedTable(episodes)),
            ("figure-4.csv", FigureAggregation.figure4(scan)),
            ("figure-5.csv", FigureAggregation.figure5(scan)),
            ("figure-6.csv", FigureAggregation.figure6(scan)),
            ("figure-7.csv", try Figure7Aggregation.table(table1: table1, table2: table2, reported1: reported1, reported2: reported2)),
        ]
    }

    /// Writes every CSV into `profileDirectory`; returns (file name, data rows) per file.
    @discardableResult
    public static func run(profileDirectory: URL, reportedDirectory: URL,
                           currentHashes: [String: String]? = nil) throws -> [(name: String, rows: Int)] {
        let all = try tables(profileDirectory: profileDirectory, reportedDirectory: reportedDirectory, currentHashes: currentHashes)
        for (name, table) in all {
            try AtomicFile.write(Data(table.rendered().utf8), to: profileDirectory.appendingPathComponent(name))
        }
        return all.map { ($0.name, $0.table.rows.count) }
    }
}
