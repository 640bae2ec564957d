import Foundation

/// The Slurm side of `status`: for every stage a submission sent and that is not finished on disk,
/// the state of its newest task (PENDING with the reason, RUNNING, FAILED …, or "unknown" when
/// Slurm has forgotten the job and accounting is off), and counts per state.
public struct SlurmStatus: Sendable {
    public struct Row: Sendable, Equatable {
        public var stage: String
        public var task: SlurmTaskRef
        /// Slurm's state, or "UNKNOWN".
        public var state: String
        public var detail: String
    }

    /// Stages sent to Slurm and not finished, in plan order.
    public var rows: [Row]
    /// Stages sent to Slurm that are finished on disk.
    public var finished: Int
    public var submissions: Int
    public var notes: [String]

    public init(report: StatusReport, history: SlurmHistory, queue: SlurmQueue) {
        var rows: [Row] = []
        var finished = 0
        for r in report.rows {
            let key = r.id.description
            guard let ref = history.latestTask[key] else { continue }
            if r.state == .cached { finished += 1; continue }
            let s = queue.state(ref)
            rows.append(Row(stage: key, task: ref, state: s?.state ?? "UNKNOWN", detail: s?.detail ?? ""))
        }
        self.rows = rows
        self.finished = finished
        submissions = history.records.count
        notes = queue.notes + history.unreadable.map { "unreadable submission record in \($0)" }
    }

    /// The Slurm lines of a profile for `status` ("" when nothing was ever submitted; then Slurm is
    /// not queried at all, so machines without Slurm see no difference).
    public static func render(layout: ResultLayout, report: StatusReport,
                              runner: SlurmCommandRunner = ProcessSlurmCommandRunner()) -> String {
        let history = SlurmHistory(layout: layout)
        guard !history.records.isEmpty || !history.unreadable.isEmpty else { return "" }
        return SlurmStatus(report: report, history: history, queue: SlurmQueue.query(jobIDs: history.jobIDs, runner: runner)).render()
    }

    /// One line per unfinished submitted stage, then the summary (empty when nothing was submitted).
    public func render() -> String {
        guard submissions > 0 || !notes.isEmpty else { return "" }
        var lines = rows.map { r in
            "slurm \(r.state.padding(toLength: 13, withPad: " ", startingAt: 0)) \(r.stage)  (task \(r.task)"
                + (r.detail.isEmpty || r.detail == "None" ? ")" : "; \(r.detail))")
        }
        let counts = Dictionary(grouping: rows, by: \.state).map { "\($0.value.count) \($0.key)" }.sorted()
        lines.append("slurm: \(submissions) submissions; \(finished) submitted stages finished"
                     + (counts.isEmpty ? "" : ", " + counts.joined(separator: ", ")))
        lines += notes.map { "slurm: note: \($0)" }
        return lines.joined(separator: "\n")
    }
}
