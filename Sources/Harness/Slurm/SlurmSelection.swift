import Foundation

/// Which stages of a plan one `ciess submit` sends to Slurm, decided from the files on disk
/// (`StatusReport`, the same classification as `ciess status` and make) and the Slurm state of
/// each stage's newest task.
///
/// - Never sent: finished stages (cached), stale results (make does not redo them either: delete
///   the result.json), stages whose newest task is still queued or running.
/// - `.pending` (the default): every other stage — pending or failed.
/// - `.onlyFailed`: stages with a failed.json or whose newest task ended FAILED, CANCELLED,
///   TIMEOUT, OUT_OF_MEMORY …, plus the not-finished cells of a search sent again (their tasks were
///   cancelled when the search failed).
/// A cell goes only when its search is finished, sent in the same submission, or queued in an
/// earlier one (then it depends on that task).
public struct SlurmSelection: Sendable {
    public enum Mode: Sendable { case pending, onlyFailed }

    public var searches: [SearchID] = []
    public var cells: [CellID] = []
    /// Searches queued or running in an earlier submission that selected cells wait for.
    public var activeSearches: [SearchID: SlurmTaskRef] = [:]
    /// Reason → how many stages were left out for it.
    public var skipped: [String: Int] = [:]

    public var isEmpty: Bool { searches.isEmpty && cells.isEmpty }

    static let finished = "finished"
    static let stale = "stale (result.json from other settings; delete it to recompute)"
    static let active = "queued or running in Slurm"
    static let notFailed = "not failed"
    static let searchMissing = "search neither finished nor submitted"

    public init(report: StatusReport, latestTask: [String: SlurmTaskRef], queue: SlurmQueue, mode: Mode) {
        var slurm: [String: SlurmTaskState] = [:]
        for (stage, ref) in latestTask { if let s = queue.state(ref) { slurm[stage] = s } }
        var chosen = Set<String>()
        var open: [StageID] = []  // not finished, not stale, not active
        for row in report.rows {
            let key = row.id.description
            if row.state == .cached { skip(Self.finished); continue }
            if row.state == .stale { skip(Self.stale); continue }
            if slurm[key]?.isActive == true { skip(Self.active); continue }
            open.append(row.id)
            if mode == .pending || row.state == .failed || slurm[key]?.isFailed == true { chosen.insert(key) }
        }
        let done = Set(report.rows.filter { $0.state == .cached }.map { $0.id.description })
        for id in open {
            switch id {
            case .search(let s):
                if chosen.contains(id.description) { searches.append(s) } else { skip(Self.notFailed) }
            case .cell(let c):
                let search = c.search.description
                let wanted = chosen.contains(id.description) || chosen.contains(search)
                guard wanted else { skip(Self.notFailed); continue }
                if done.contains(search) || chosen.contains(search) {
                    cells.append(c)
                } else if let ref = latestTask[search], slurm[search]?.isActive == true {
                    activeSearches[c.search] = ref
                    cells.append(c)
                } else {
                    skip(Self.searchMissing)
                }
            }
        }
    }

    private mutating func skip(_ reason: String) { skipped[reason, default: 0] += 1 }

    /// "12 finished, 3 queued or running in Slurm" (sorted by reason), or "" when nothing was left out.
    public var skippedSummary: String {
        skipped.keys.sorted().map { "\(skipped[$0]!) \($0)" }.joined(separator: ", ")
    }
}
