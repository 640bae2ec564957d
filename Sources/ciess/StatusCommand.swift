import ArgumentParser
import Foundation
import Harness
import Linalg
import RecData

/// `ciess status`: cached / pending / failed per stage, and the core-hours left.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each stage of a profile as cached, pending, failed or stale, and the estimated core-hours left.",
        discussion: """
        The estimate comes from a cost model calibrated by a short measurement at 1 thread (a few training \
        batches and one evaluation per dataset × backbone), cached in <results>/calibration.json. \
        Exits with status 1 when a stage failed or is stale (made with other settings).
        """)

    @Option(help: "Profile (as defined in --profiles).") var profile: String
    @Option(help: "The profiles file.") var profiles: String = ExperimentProfiles.defaultPath
    @Option(help: "Results directory (default: $CIESS_RESULTS_DIR or results).") var results: String?
    @Flag(help: "List only pending, failed and stale stages.") var brief = false
    @Flag(help: "Skip the calibration and the core-hour estimate.") var noEstimate = false
    @OptionGroup var sliceOptions: SliceOptions

    func run() throws {
        let plan = try loadPlan(profile: profile, profiles: profiles)
        let resultsDir = ResultLayout.resultsDirectory(option: results)
        let layout = ResultLayout(resultsDirectory: resultsDir, profile: profile)
        let report = StatusReport(plan: plan, layout: layout, slice: try sliceOptions.slice(of: plan))
        var cost: CostModel?
        if !noEstimate {
            let pairs = Set(report.rows.map { row -> String in
                switch row.id {
                case .search(let s): return Calibration.key(dataset: s.dataset, backbone: s.backbone)
                case .cell(let c): return Calibration.key(dataset: c.dataset, backbone: c.backbone)
                }
            }).sorted().map { key -> (dataset: String, backbone: String) in
                let parts = key.split(separator: "/").map(String.init)
                return (parts[0], parts[1])
            }
            let progress = ProgressReporter(label: "status")
            let calibration = try Calibration.loadOrMeasure(
                resultsDir.appendingPathComponent("calibration.json"), pairs: pairs,
                load: { try DatasetRegistry.load($0, progress: { progress.log($0) }) }, log: { progress.log($0) })
            cost = CostModel(plan: plan, calibration: calibration)
        }
        print(report.render(plan: plan, layout: layout, cost: cost, verbose: !brief))
        let slurm = SlurmStatus.render(layout: layout, report: report)
        if !slurm.isEmpty { print(slurm) }
        if !report.failures.isEmpty || !report.stale.isEmpty { throw ExitCode(1) }
    }
}
