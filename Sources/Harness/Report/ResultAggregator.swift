import Foundation
import RecData

/// `ciess aggregate`: reads a profile's result directory and writes every aggregated CSV into it,
/// each atomically. The output depends only on the result files (no times, stable order, fixed
/// number formats), so identical inputs give byte-identical CSVs.
public enum ResultAggregator {
    public static let outputs = ["table-1.csv", "table-2.csv", "figure-3.csv", "figure-3-seeds.csv",
                                 "figure-4.csv", "figure-5.csv", "figure-6.csv"]

    /// Every CSV by file name, without writing anything.
    /// `currentHashes` (the profile's `currentConfigHashes`) leaves stale results out of every table.
    public static func tables(profileDirectory: URL, currentHashes: [String: String]? = nil) throws -> [(name: String, table: TidyCSV)] {
        let scan = try ResultScanner.scan(profileDirectory: profileDirectory, currentHashes: currentHashes)
        let episodes = try Figure3Aggregation.points(profileDirectory: profileDirectory)
        return [
            ("table-1.csv", Table1Aggregation.table(scan)),
            ("table-2.csv", Table2Aggregation.table(scan)),
            ("figure-3.csv", Figure3Aggregation.summaryTable(episodes)),
            ("figure-3-seeds.csv", Figure3Aggregation.seedTable(episodes)),
            ("figure-4.csv", FigureAggregation.figure4(scan)),
            ("figure-5.csv", FigureAggregation.figure5(scan)),
            ("figure-6.csv", FigureAggregation.figure6(scan)),
        ]
    }

    /// Writes every CSV into `profileDirectory`; returns (file name, data rows) per file.
    @discardableResult
    public static func run(profileDirectory: URL, currentHashes: [String: String]? = nil) throws -> [(name: String, rows: Int)] {
        let all = try tables(profileDirectory: profileDirectory, currentHashes: currentHashes)
        for (name, table) in all {
            try AtomicFile.write(Data(table.rendered().utf8), to: profileDirectory.appendingPathComponent(name))
        }
        return all.map { ($0.name, $0.table.rows.count) }
    }
}
