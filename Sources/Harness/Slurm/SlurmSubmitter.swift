import Foundation
import RecData

/// Options passed through to every sbatch call.
public struct SbatchPassthrough: Sendable, Equatable {
    public var partition: String?
    public var account: String?
    /// Further sbatch options, verbatim (e.g. "--qos=long").
    public var extra: [String]

    public init(partition: String? = nil, account: String? = nil, extra: [String] = []) {
        self.partition = partition
        self.account = account
        self.extra = extra
    }

    var arguments: [String] {
        (partition.map { ["--partition=\($0)"] } ?? []) + (account.map { ["--account=\($0)"] } ?? []) + extra
    }

    /// The `SBATCH_*` variables of `environment` (sbatch applies them itself; listed for the user).
    public static func environmentOverrides(_ environment: [String: String]) -> [String] {
        environment.keys.filter { $0.hasPrefix("SBATCH_") }.sorted().map { "\($0)=\(environment[$0]!)" }
    }
}

/// Writes a submission's files and runs (or, for a dry run, only renders) its sbatch commands.
///
/// Files, all written atomically into `results/<P>/slurm/<submission>/`: tasks.txt, search.sbatch,
/// retrain.sbatch, aggregate.sbatch, out/ (Slurm's stdout of each task), submission.json (rewritten
/// after each accepted sbatch). sbatch runs with `--parsable`; arrays are submitted in order, so the
/// search array's job id is known when its dependants are submitted. The aggregation job depends
/// `afterany` on every array.
public struct SlurmSubmitter {
    public let submission: SlurmSubmission
    public let context: SlurmScriptContext
    public let resources: SlurmProfileResources
    public let passthrough: SbatchPassthrough

    public init(submission: SlurmSubmission, context: SlurmScriptContext, resources: SlurmProfileResources,
                passthrough: SbatchPassthrough) {
        self.submission = submission
        self.context = context
        self.resources = resources
        self.passthrough = passthrough
    }

    public static func scriptName(_ kind: SlurmStageKind) -> String { "\(kind.rawValue).sbatch" }
    public static let aggregateScriptName = "aggregate.sbatch"

    /// The scripts by file name.
    public var scripts: [(name: String, text: String)] {
        SlurmStageKind.allCases.map { (Self.scriptName($0), SlurmScript.stage($0, resources: resources.resources($0), context: context)) }
            + [(Self.aggregateScriptName, SlurmScript.aggregate(resources: resources.aggregate, context: context))]
    }

    /// The sbatch arguments of an array, with the search array's job id (a placeholder in dry runs).
    public func arguments(_ a: SlurmSubmission.Array, searchJob: String) -> [String] {
        let dependency = SlurmSubmission.dependency(a.dependency, searchJob: searchJob)
        return ["--parsable", "--job-name=ciess-\(context.profile)-\(a.kind.rawValue)",
                "--array=\(a.range.lowerBound)-\(a.range.upperBound)"]
            + (dependency.isEmpty ? [] : ["--dependency=\(dependency)"])
            + passthrough.arguments + ["\(context.submissionDirectory)/\(Self.scriptName(a.kind))"]
    }

    /// The sbatch arguments of the aggregation job after the jobs `jobs`.
    public func aggregateArguments(after jobs: [String]) -> [String] {
        ["--parsable", "--job-name=ciess-\(context.profile)-aggregate"]
            + (jobs.isEmpty ? [] : ["--dependency=afterany:" + jobs.joined(separator: ":")])
            + passthrough.arguments + ["\(context.submissionDirectory)/\(Self.aggregateScriptName)"]
    }

    /// The commands a submission would run, as a bash script; job ids are shell variables
    /// ${JOB_<array name>}.
    public func dryRunCommands() -> [String] {
        func variable(_ a: SlurmSubmission.Array) -> String { "JOB_" + a.name.replacingOccurrences(of: "-", with: "_") }
        func shell(_ args: [String]) -> String {
            args.map { $0.contains("${JOB_") ? "\"\($0)\"" : SlurmScript.quote($0) }.joined(separator: " ")
        }
        let lines = submission.arrays.map { a in
            "\(variable(a))=$(sbatch \(shell(arguments(a, searchJob: "${JOB_search}"))))"
        }
        let jobs = submission.arrays.map { "${\(variable($0))}" }
        return lines + ["sbatch " + shell(aggregateArguments(after: jobs))]
    }

    /// Writes the files and submits. Returns the final record. When an sbatch call fails it throws,
    /// keeping the record of the jobs already accepted (or, when none was, removing the directory).
    public func submit(runner: SlurmCommandRunner, submissionID: String, now: Date = Date()) throws -> SlurmRecord {
        let dir = URL(fileURLWithPath: context.submissionDirectory)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("out"), withIntermediateDirectories: true)
        try AtomicFile.write(Data(submission.taskList.utf8), to: dir.appendingPathComponent(SlurmRecord.tasksFileName))
        for (name, text) in scripts { try AtomicFile.write(Data(text.utf8), to: dir.appendingPathComponent(name)) }
        var record = SlurmRecord(
            submission: submissionID, profile: context.profile, created: ISO8601DateFormatter().string(from: now),
            arrays: submission.arrays.map {
                .init(name: $0.name, kind: $0.kind, first: $0.range.lowerBound, last: $0.range.upperBound, dependency: "", jobID: nil)
            }, aggregateJobID: nil)
        try record.write(to: dir)
        var searchJob = ""
        for (i, a) in submission.arrays.enumerated() {
            let args = arguments(a, searchJob: searchJob)
            record.arrays[i].dependency = SlurmSubmission.dependency(a.dependency, searchJob: searchJob)
            let job: String
            do {
                job = try Self.sbatch(args, what: "the \(a.name) array", runner: runner)
            } catch {
                if i == 0 { try? FileManager.default.removeItem(at: dir) }  // nothing was queued: leave no record
                throw error
            }
            record.arrays[i].jobID = job
            if a.name == "search" { searchJob = job }
            try record.write(to: dir)
        }
        record.aggregateJobID = try Self.sbatch(aggregateArguments(after: record.arrays.compactMap(\.jobID)),
                                                what: "the aggregation job", runner: runner)
        try record.write(to: dir)
        return record
    }

    /// Runs sbatch --parsable and returns the job id ("123" or "123;cluster" → "123").
    static func sbatch(_ args: [String], what: String, runner: SlurmCommandRunner) throws -> String {
        let out = try runner.run("sbatch", args)
        if out.status == 127 { throw SlurmError.sbatchMissing }
        guard out.status == 0 else { throw SlurmError.sbatchFailed(what, out.status, out.stderr) }
        let text = out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let job = String(text.split(separator: ";").first ?? "")
        guard !job.isEmpty, job.allSatisfy(\.isSlurmDigit) else { throw SlurmError.unparsableJobID(text) }
        return job
    }

    /// "20261129T112000Z-1a2b": sorts by time, unique per call.
    public static func newSubmissionID(now: Date = Date()) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.string(from: now) + "-" + UUID().uuidString.prefix(4).lowercased()
    }
}
