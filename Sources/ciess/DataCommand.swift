import ArgumentParser
import Foundation
import RecData

/// `ciess data …`: fetch, verify, split and inspect the datasets (library: RecData).
///
/// The data root is `$CIESS_DATA_DIR` or `./datasets`; the offline mirror is `$DATA_MIRROR`.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Fetch, verify, split and inspect the datasets.",
        subcommands: [DataPrepareCommand.self, DataStatsCommand.self, DataSplitCommand.self])
}

/// The dataset names known to this build (the manifest may list them; load checks it).
private let knownDatasets = ["ml-1m", "yelp2018"]

private func validateDataset(_ name: String, allowAll: Bool) throws {
    let valid = allowAll ? knownDatasets + ["all"] : knownDatasets
    guard valid.contains(name) else {
        throw ValidationError("--dataset must be one of \(valid.joined(separator: ", ")); got '\(name)'.")
    }
}

private func names(_ dataset: String) -> [String] { dataset == "all" ? knownDatasets : [dataset] }

private func stderrLine(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

struct DataPrepareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare", abstract: "Fetch and verify the raw files, split, and cache the split.")

    @Option(help: "ml-1m, yelp2018 or all.") var dataset = "all"

    func validate() throws { try validateDataset(dataset, allowAll: true) }

    func run() throws {
        for name in names(dataset) {
            let start = Date()
            let p = try DatasetRegistry.prepare(name, progress: stderrLine)
            print("\(name): \(p.statistics.all.interactions) interactions, \(p.statistics.all.users) users, "
                  + "\(p.statistics.all.items) items; split \(p.dataset.splitDigest); "
                  + "\(p.cacheHit ? "cache hit" : "built") \(p.cacheFile.path) in \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
        }
    }
}

struct DataStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Print counts overall and per split role, and the raw and split digests.")

    @Option(help: "ml-1m, yelp2018 or all.") var dataset = "all"
    @Flag(help: "Print one JSON object per dataset instead of a table.") var json = false

    func validate() throws { try validateDataset(dataset, allowAll: true) }

    func run() throws {
        for name in names(dataset) {
            let start = Date()
            let p = try DatasetRegistry.prepare(name, progress: stderrLine)
            let seconds = Date().timeIntervalSince(start)
            if json {
                print(DataStatsReport(p, seconds: seconds).jsonLine())
            } else {
                print(DataStatsReport(p, seconds: seconds).table())
            }
        }
    }
}

struct DataSplitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split", abstract: "Write train.tsv, valid.tsv, test.tsv (raw ids, user<TAB>item, sorted) to a directory.")

    @Option(help: "ml-1m or yelp2018.") var dataset: String
    @Option(help: "Output directory (created if missing).") var out: String

    func validate() throws {
        try validateDataset(dataset, allowAll: false)
        guard !out.isEmpty else { throw ValidationError("--out must be a directory path, e.g. --out splits/ml-1m.") }
        if let problem = OutputLocation.problem(directory: out) { throw ValidationError("--out: \(problem).") }
    }

    func run() throws {
        let d = try DatasetRegistry.load(dataset, progress: stderrLine)
        for url in try SplitExport.writeTSV(d, to: URL(fileURLWithPath: out)) { print(url.path) }
    }
}
