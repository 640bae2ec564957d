import Foundation
import RecData

/// `results/<P>/slurm/<submission>/submission.json`: what one `ciess submit` sent to Slurm. Line
/// k + 1 of `tasks.txt` (same directory) is the stage id of array index k in every array of the
/// submission. Rewritten atomically after each successful sbatch, so a submission that stopped
/// halfway still records the jobs it created.
public struct SlurmRecord: Sendable, Codable, Equatable {
    public struct Array: Sendable, Codable, Equatable {
        public var name: String
        public var kind: SlurmStageKind
        public var first: Int
        public var last: Int
        /// The `--dependency` value given to sbatch ("" when none).
        public var dependency: String
        /// nil until sbatch accepted it.
        public var jobID: String?

        /// "jobId" so that JSONOutput's snake_case coding round-trips ("job_id").
        enum CodingKeys: String, CodingKey { case name, kind, first, last, dependency, jobID = "jobId" }
    }

    public var submission: String
    public var profile: String
    public var created: String
    public var arrays: [Array]
    public var aggregateJobID: String?

    enum CodingKeys: String, CodingKey { case submission, profile, created, arrays, aggregateJobID = "aggregateJobId" }

    public static let fileName = "submission.json"
    public static let tasksFileName = "tasks.txt"

    /// Every task of the accepted arrays with its stage id (`tasks`: the lines of tasks.txt).
    public func taskRefs(tasks: [String]) -> [(stage: String, ref: SlurmTaskRef)] {
        arrays.flatMap { a -> [(stage: String, ref: SlurmTaskRef)] in
            guard let job = a.jobID else { return [] }
            return (a.first...a.last).compactMap { i in i < tasks.count ? (tasks[i], SlurmTaskRef(job: job, index: i)) : nil }
        }
    }

    public func write(to directory: URL) throws {
        try AtomicFile.write(Data((try JSONOutput.encode(self) + "\n").utf8), to: directory.appendingPathComponent(Self.fileName))
    }
}

/// The submissions of a profile (`results/<P>/slurm/*/`), oldest first (directory names start with
/// a UTC timestamp), and for each stage the task of the newest submission that ran it.
public struct SlurmHistory: Sendable {
    public var records: [SlurmRecord]
    /// Stage id → its newest task.
    public var latestTask: [String: SlurmTaskRef]
    /// Submission directories whose record or task list could not be read (skipped).
    public var unreadable: [String]

    public static func directory(_ layout: ResultLayout) -> URL { layout.root.appendingPathComponent("slurm") }

    public init(layout: ResultLayout) {
        let dir = Self.directory(layout)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0 != "locks" }.sorted()
        var records: [SlurmRecord] = []
        var latest: [String: SlurmTaskRef] = [:]
        var unreadable: [String] = []
        for name in names {
            let sub = dir.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: sub.appendingPathComponent(SlurmRecord.fileName).path),
                  let record = try? JSONOutput.decoder.decode(SlurmRecord.self, from: data),
                  let tasks = try? String(contentsOf: sub.appendingPathComponent(SlurmRecord.tasksFileName), encoding: .utf8) else {
                unreadable.append(sub.path)
                continue
            }
            records.append(record)
            for (stage, ref) in record.taskRefs(tasks: tasks.split(separator: "\n").map(String.init)) { latest[stage] = ref }
        }
        self.records = records
        self.latestTask = latest
        self.unreadable = unreadable
    }

    /// Every job id of every submission (arrays and aggregation jobs).
    public var jobIDs: [String] {
        records.flatMap { r in r.arrays.compactMap(\.jobID) + (r.aggregateJobID.map { [$0] } ?? []) }
    }
}
