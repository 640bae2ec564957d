import ArgumentParser
import Foundation
import Harness
import Linalg
import RecData

/// `ciess determinism`: recompute one stored cell per method at its own and at another thread count.
struct DeterminismCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "determinism",
        abstract: "Retrain one stored cell per method without caches, at the stored and at another thread count, and write determinism.md.",
        discussion: "Writes <results>/<profile>/determinism.json and determinism.md (linked from REPORT.md). Exits with status 1 when a recomputation differs.")

    @Option(help: "Profile (as defined in --profiles).") var profile: String
    @Option(help: "The profiles file.") var profiles: String = ExperimentProfiles.defaultPath
    @Option(help: "Results directory (default: $CIESS_RESULTS_DIR or results).") var results: String?
    @Option(help: "The other thread count to recompute at.") var threads: Int = 2

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads).") }
    }

    func run() throws {
        let plan = try loadPlan(profile: profile, profiles: profiles)
        let layout = ResultLayout(resultsDirectory: ResultLayout.resultsDirectory(option: results), profile: profile)
        let check = DeterminismCheck(plan: plan, layout: layout)
        let progress = ProgressReporter(label: "determinism")
        guard !check.cells().isEmpty else {
            throw ValidationError("no stored cell of profile '\(profile)' to recompute; run `make reproduce PROFILE=\(profile)` first.")
        }
        var entries = try check.run(alternativeThreads: threads, load: { try DatasetRegistry.load($0, progress: { progress.log($0) }) },
                                    progress: progress)
        if let (cell, stored) = check.kernelPinCell() {
            progress.log("recomputing \(cell) in a child process asked for OpenBLAS kernel \(DeterminismCheck.otherKernel)")
            entries.append(try check.kernelPinCheck(cell, stored: stored, binary: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0],
                                                     profilesPath: profiles))
        }
        let url = try check.write(entries)
        for e in entries {
            print("\(e.identical ? "identical" : "DIFFERS  ")  \(e.cell)  threads \(e.storedThreads) → \(e.freshThreads)"
                  + (e.environment.map { "  under \($0)" } ?? "")
                  + (e.identical ? "" : String(format: "  (max metric difference %.3g)", e.maxMetricDifference)))
        }
        print("determinism: \(entries.filter(\.identical).count) of \(entries.count) bit-identical; report in \(url.path)")
        if entries.contains(where: { !$0.identical }) { throw ExitCode(1) }
    }
}
