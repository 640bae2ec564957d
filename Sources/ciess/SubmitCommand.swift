import ArgumentParser
import Foundation
import Harness

/// `ciess submit`: the pending stages of a profile's plan as Slurm job arrays (see `SlurmSubmission`).
struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit the unfinished stages of a profile to Slurm as job arrays, then an aggregation job.",
        discussion: """
        One array task per stage: the searches in one array, each search's retrain cells in an array that waits \
        (afterok) for that search's task only; an aggregation job (aggregate, report, figures, status) runs after \
        all of them (afterany). Finished stages and stages still queued or running are skipped; --only-failed \
        sends only the failed ones (failed.json, or FAILED/CANCELLED/TIMEOUT in Slurm) and the cells waiting for \
        them. Results land in the same results directory as a local run (a shared file system), written \
        atomically under a per-stage lock. Per-task resources come from the profile's optional "slurm" object \
        (search/retrain/aggregate: cpus, memory, time); SBATCH_* environment variables override them. \
        Files of each submission: <results>/<profile>/slurm/<submission>/.
        """)

    @Option(help: "Profile (as defined in --profiles).") var profile: String
    @Option(help: "The profiles file.") var profiles: String = ExperimentProfiles.defaultPath
    @Option(help: "Results directory on the shared file system (default: $CIESS_RESULTS_DIR or results).") var results: String?
    @Option(help: "Slurm partition (sbatch --partition).") var partition: String?
    @Option(help: "Slurm account (sbatch --account).") var account: String?
    @Option(name: .customLong("sbatch-option"), help: "A further sbatch option for every job, e.g. --sbatch-option=--qos=long (repeatable).")
    var sbatchOptions: [String] = []
    @Option(help: "The ciess binary the tasks run (default: this one).") var ciess: String?
    @Option(help: "The cluster's MaxArraySize (array indices must stay below it).") var maxArraySize: Int = 1001
    @Flag(help: "Print the scripts and sbatch commands without submitting or writing anything.") var dryRun = false
    @Flag(help: "Submit only failed stages (and the cells waiting for them).") var onlyFailed = false
    @Flag(help: "Show the Slurm state of every submitted stage that is not finished; submit nothing.") var status = false

    func validate() throws {
        for (name, value) in [("--partition", partition), ("--account", account)] {
            if let v = value, v.isEmpty || v.contains(where: \.isWhitespace) {
                throw ValidationError("\(name) needs a non-empty name without spaces, e.g. \(name) compute.")
            }
        }
        for o in sbatchOptions where !o.hasPrefix("-") {
            throw ValidationError("--sbatch-option takes an sbatch option such as --qos=long, not '\(o)'.")
        }
        if maxArraySize < 1 { throw ValidationError("--max-array-size must be at least 1 (Slurm's default is 1001).") }
        if let c = ciess, !FileManager.default.isExecutableFile(atPath: c) {
            throw ValidationError("--ciess must name an executable ciess binary; '\(c)' is not one (build it with `make build`).")
        }
        if status && (dryRun || onlyFailed) {
            throw ValidationError("--status only reports; use it without --dry-run and --only-failed.")
        }
    }

    func run() throws {
        let plan = try loadPlan(profile: profile, profiles: profiles)
        let resultsDir = ResultLayout.resultsDirectory(option: results).standardizedFileURL
        let layout = ResultLayout(resultsDirectory: absolute(resultsDir.path), profile: profile)
        let report = StatusReport(plan: plan, layout: layout)
        let commands = ProcessSlurmCommandRunner()
        if status {
            let text = SlurmStatus.render(layout: layout, report: report, runner: commands)
            print(text.isEmpty ? "slurm: nothing submitted for profile \(profile) yet (\(SlurmHistory.directory(layout).path))" : text)
            return
        }
        let history = SlurmHistory(layout: layout)
        let queue = SlurmQueue.query(jobIDs: history.jobIDs, runner: commands)
        let selection = SlurmSelection(report: report, latestTask: history.latestTask, queue: queue,
                                       mode: onlyFailed ? .onlyFailed : .pending)
        let skipped = selection.skippedSummary
        guard !selection.isEmpty else {
            print("submit \(profile): nothing to submit\(skipped.isEmpty ? "" : " (\(skipped))")")
            return
        }
        let submission = SlurmSubmission(selection)
        guard submission.tasks.count <= maxArraySize else { throw SlurmError.tooManyTasks(submission.tasks.count, maxArraySize) }
        let submitter = try makeSubmitter(submission, plan: plan, layout: layout)
        let summary = "\(selection.searches.count) search tasks, \(selection.cells.count) retrain tasks in \(submission.arrays.count) arrays"
            + (skipped.isEmpty ? "" : "; skipped: \(skipped)")
        if dryRun {
            printDryRun(submitter, summary: summary)
            return
        }
        let record: SlurmRecord
        do {
            record = try submitter.submit(runner: commands, submissionID: URL(fileURLWithPath: submitter.context.submissionDirectory).lastPathComponent)
        } catch let e as SlurmError {
            let recordFile = "\(submitter.context.submissionDirectory)/\(SlurmRecord.fileName)"
            guard FileManager.default.fileExists(atPath: recordFile) else { throw ValidationError("\(e). Nothing was queued.") }
            throw ValidationError("\(e). The jobs accepted before the error are listed in \(recordFile) "
                                  + "(cancel them with scancel, or let them run and submit again).")
        }
        for a in record.arrays {
            print("submitted \(a.name): job \(a.jobID ?? "?") tasks \(a.first)-\(a.last)\(a.dependency.isEmpty ? "" : " after \(a.dependency)")")
        }
        print("submit \(profile): \(summary); aggregation job \(record.aggregateJobID ?? "?")")
        print("record: \(submitter.context.submissionDirectory); follow with `ciess submit --profile \(profile) --status`")
    }

    func makeSubmitter(_ submission: SlurmSubmission, plan: ExperimentPlan, layout: ResultLayout) throws -> SlurmSubmitter {
        let profilesURL = absolute(profiles)
        let data = FileManager.default.contents(atPath: profilesURL.path) ?? Data()
        let resources = try SlurmProfileResources.load(profilesData: data, profile: profile, threadsPerCell: plan.profile.threadsPerCell,
                                                       source: profiles)
        let dir = SlurmHistory.directory(layout).appendingPathComponent(SlurmSubmitter.newSubmissionID())
        let context = SlurmScriptContext(
            profile: profile, profiles: profilesURL.path, results: layout.root.deletingLastPathComponent().path,
            workingDirectory: FileManager.default.currentDirectoryPath, ciess: ciessBinary(),
            submissionDirectory: dir.path, threadsPerCell: plan.profile.threadsPerCell)
        return SlurmSubmitter(submission: submission, context: context, resources: resources,
                              passthrough: SbatchPassthrough(partition: partition, account: account, extra: sbatchOptions))
    }

    func printDryRun(_ s: SlurmSubmitter, summary: String) {
        print("# ciess submit --dry-run: nothing written, nothing submitted. \(summary).")
        print("# Files of the submission: \(s.context.submissionDirectory)/")
        print("# ---- \(SlurmRecord.tasksFileName)")
        print(s.submission.taskList, terminator: "")
        for (name, text) in s.scripts {
            print("# ---- \(name)")
            print(text, terminator: "")
        }
        print("# ---- commands")
        for line in s.dryRunCommands() { print(line) }
        let env = SbatchPassthrough.environmentOverrides(ProcessInfo.processInfo.environment)
        if !env.isEmpty { print("# sbatch also applies these environment variables: \(env.joined(separator: " "))") }
    }

    /// The binary the tasks run: --ciess, else this process's executable.
    func ciessBinary() -> String {
        if let c = ciess { return absolute(c).path }
        return Bundle.main.executableURL?.resolvingSymlinksInPath().path ?? absolute(CommandLine.arguments[0]).path
    }

    func absolute(_ path: String) -> URL {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/")).standardizedFileURL
    }
}
