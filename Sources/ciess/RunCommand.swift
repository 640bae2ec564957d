import ArgumentParser
import Foundation
import Harness
import Linalg
import RecData

/// `ciess run`: one stage of a profile's plan (a search or a retrain cell), with the profile's settings.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one stage of a profile: a retrain cell id or a search id (…/seed<N>/search).",
        discussion: """
        Idempotent: a finished search or a valid result.json is left alone. With --verify, a cell is retrained \
        afresh (no caches) into a temporary directory and its metrics are compared with the stored result.json. \
        With --record-failure, only writes failed.json (exit status and the tail of --log) for the stage.
        """)

    @Option(help: "Profile (as defined in --profiles).") var profile: String
    @Option(help: "Stage id: <dataset>/<backbone>/<method>/<variant>/c<0.xx>|cnone/seed<N>/clean|code, or …/seed<N>/search.")
    var cell: String
    @Option(help: "The profiles file.") var profiles: String = ExperimentProfiles.defaultPath
    @Option(help: "Results directory (default: $CIESS_RESULTS_DIR or results).") var results: String?
    @Flag(help: "Retrain the cell without caches into a temporary directory and compare with its result.json.") var verify = false
    @Option(help: "Record a failure of the stage with this exit status (used by cells.mk).") var recordFailure: Int32?
    @Option(help: "The stage's log file (its tail goes into failed.json).") var log: String?
    @Flag(help: "Wait while another process writes the same stage (Slurm tasks), instead of refusing.") var waitForLock = false
    @Flag(help: "Move the stage's directory aside (<dir>.set-aside-<time>, nothing deleted) and run it afresh: the recovery for state that cannot be resumed.") var restart = false

    func validate() throws {
        do { _ = try StageID.parse(cell) } catch let e as StageIDError { throw ValidationError(e.description) }
        if verify, case .search = try StageID.parse(cell) {
            throw ValidationError("--verify takes a retrain cell id (ending in /clean or /code), not a search id.")
        }
        if verify && recordFailure != nil { throw ValidationError("--verify and --record-failure exclude each other.") }
        if restart && (verify || recordFailure != nil) { throw ValidationError("--restart runs the stage; it excludes --verify and --record-failure.") }
    }

    func run() throws {
        let id = try StageID.parse(cell)
        let layout = ResultLayout(resultsDirectory: ResultLayout.resultsDirectory(option: results), profile: profile)
        if let status = recordFailure {
            try CellRunner.recordFailure(id, layout: layout, exitStatus: status, log: log.map { URL(fileURLWithPath: $0) })
            return
        }
        let plan = try loadPlan(profile: profile, profiles: profiles)
        Threads.set(plan.profile.threadsPerCell)
        let progress = ProgressReporter(label: "run[\(cell)]")
        let runner = CellRunner(plan: plan, layout: layout)
        let load: (String) throws -> SplitDataset = { try DatasetRegistry.load($0, progress: { progress.log($0) }) }
        if verify {
            try runVerify(id, runner: runner, load: load, progress: progress)
            return
        }
        let started = Date()
        switch try runner.run(id, load: load, progress: progress, waitForLock: waitForLock, restart: restart) {
        case .cached: print("cached  \(id)")
        case .ran(let summary): print(String(format: "done    %@  (%@; %.0f s)", id.description, summary, Date().timeIntervalSince(started)))
        }
    }

    func runVerify(_ id: StageID, runner: CellRunner, load: (String) throws -> SplitDataset, progress: ProgressReporter) throws {
        guard case .cell(let c) = id else { return }
        let storedURL = runner.layout.doneFile(id)
        guard let data = FileManager.default.contents(atPath: storedURL.path),
              let stored = try? JSONOutput.decoder.decode(CellResult.self, from: data) else {
            throw ValidationError("\(storedURL.path) is missing or unreadable; run the cell first (make reproduce).")
        }
        let fresh = try runner.retrain(c, dataset: try load(c.dataset), useCache: false, progress: progress)
        let tmp = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ciess-verify-\(UUID().uuidString)/result.json")
        try AtomicFile.write(Data((try JSONOutput.encode(fresh) + "\n").utf8), to: tmp)
        let differences = VerifyComparison.differences(stored: stored, fresh: fresh)
        print("verify \(c): fresh result in \(tmp.path)")
        if differences.isEmpty {
            print("verify: identical metrics, sparsity, status and chunks (\(stored.configHash == fresh.configHash ? "same" : "DIFFERENT") config hash)")
        } else {
            for d in differences { print("verify: \(d)") }
            throw ExitCode(1)
        }
    }
}
