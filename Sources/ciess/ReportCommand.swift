import ArgumentParser
import Foundation
import Harness

/// `ciess report`: results/P/REPORT.md, our numbers beside the paper's with a verdict per number.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write results/P/REPORT.md: every Table 1 and Table 2 number of the paper beside ours, with a verdict.",
        discussion: """
        Reads the CSVs of `ciess aggregate`, the paper's numbers in --reported (table1.csv, table2.csv, README.md) \
        and the result files (failures, over-budget cells, provenance). Verdicts: reproduced (the paper's value in \
        our test-selected 95 % CI, or within ±5 %), deviates, protocol differs (only a P-clean result), not run, \
        paper value ambiguous. Deterministic: the same inputs give the same file.
        """)

    @Option(help: "Profile (its results live in <results>/<profile>).") var profile: String
    @Option(help: "Results directory (default: $CIESS_RESULTS_DIR or results).") var results: String?
    @Option(help: "The profiles file: results whose config hash is not the profile's current one are stale and left out.")
    var profiles: String = ExperimentProfiles.defaultPath
    @Option(help: "Directory of the paper's reported numbers.") var reported: String = "experiments/reported"

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
        let current = try loadPlan(profile: profile, profiles: profiles).currentConfigHashes
        let writer = ReportWriter(profile: profile, profileDirectory: dir, reportedDirectory: URL(fileURLWithPath: reported),
                                  currentHashes: current)
        print("report: \(try writer.write().path)")
    }
}
