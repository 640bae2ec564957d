import ArgumentParser
import Foundation
import Harness

/// `ciess aggregate`: the tidy CSVs of a profile (tables, figure data) from its result files.
struct AggregateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregate",
        abstract: "Write results/P/table-1.csv, table-2.csv and figure-N.csv from the profile's result files.",
        discussion: """
        Reads cells/**/result.json (and failed.json) and the finished CIESS searches under search/; groups cells \
        by (dataset, backbone, method, variant, c, protocol) over seeds with mean, sd and 95 % CI (t quantile), \
        provenance columns and paired t-tests of CIESS against each baseline. Over-budget cells never enter a \
        table. figure-7.csv sets every Table 1 and Table 2 number of the paper (--reported) beside ours, as \
        REPORT.md does. The same result files always give byte-identical CSVs.
        """)

    @Option(help: "Profile (its results live in <results>/<profile>).") var profile: String
    @Option(help: "Results directory (default: $CIESS_RESULTS_DIR or results).") var results: String?
    @Option(help: "The profiles file: results whose config hash is not the profile's current one are stale and left out.")
    var profiles: String = ExperimentProfiles.defaultPath
    @Option(help: "Directory of the paper's reported numbers (for figure-7.csv).") var reported: String = "experiments/reported"

    func validate() throws {
        guard !profile.isEmpty, !profile.contains("/"), profile != ".", profile != ".." else {
            throw ValidationError("--profile must be a profile name such as smoke, quick or paper (no '/'), got '\(profile)'.")
        }
        guard FileManager.default.fileExists(atPath: (reported as NSString).appendingPathComponent("table1.csv")) else {
            throw ValidationError("--reported must be a directory holding table1.csv and table2.csv (the paper's numbers), got '\(reported)'.")
        }
    }

    func run() throws {
        let dir = ResultLayout(resultsDirectory: ResultLayout.resultsDirectory(option: results), profile: profile).root
        guard FileManager.default.fileExists(atPath: dir.path) else {
            throw ReportError.missing(file: dir.path, what: "plan and run the profile first: make reproduce PROFILE=\(profile)")
        }
        let current = try loadPlan(profile: profile, profiles: profiles).currentConfigHashes
        for (name, rows) in try ResultAggregator.run(profileDirectory: dir, reportedDirectory: URL(fileURLWithPath: reported),
                                                     currentHashes: current) {
            print("aggregate: \(dir.appendingPathComponent(name).path) (\(rows) rows)")
        }
        let stale = try ResultScanner.scan(profileDirectory: dir, currentHashes: current).stale
        if !stale.isEmpty {
            print("aggregate: left out \(stale.count) stale result(s), made with other settings: "
                  + stale.map(\.id).joined(separator: ", ") + " (make reproduce recomputes them)")
        }
    }
}
