import Foundation

/// A selection laid out as Slurm job arrays over one task list.
///
/// `tasks[k]` is the stage of array index k (tasks.txt line k + 1); every array covers a
/// contiguous range of indices, so one task list serves all arrays and a task's index names its
/// stage. Layout and dependencies:
/// - `search`: every selected search, indices 0 ..< S, no dependency;
/// - `retrain`: the cells whose search is already finished, no dependency;
/// - `retrain-after-<k>`: the cells of the search at index k, `afterok:<search job>_<k>` — each
///   cell waits for its own search only, so a failed search blocks its own cells and nothing else
///   (they are cancelled: the scripts set `--kill-on-invalid-dep=yes`);
/// - `retrain-after-<job>_<i>`: cells of a search queued by an earlier submission, `afterok` on it.
/// The aggregation job (not an array) depends `afterany` on every array.
public struct SlurmSubmission: Sendable, Equatable {
    public enum Dependency: Sendable, Equatable {
        /// The task of the search array at this index (same submission).
        case searchTask(Int)
        /// A task of an earlier submission.
        case task(SlurmTaskRef)
    }

    public struct Array: Sendable, Equatable {
        public var name: String
        public var kind: SlurmStageKind
        public var range: ClosedRange<Int>
        public var dependency: Dependency?
    }

    public var tasks: [StageID]
    public var arrays: [Array]

    public init(_ selection: SlurmSelection) {
        var tasks: [StageID] = selection.searches.map(StageID.search)
        var arrays: [Array] = []
        func append(_ name: String, _ kind: SlurmStageKind, _ ids: [StageID], _ dep: Dependency?) {
            guard !ids.isEmpty else { return }
            arrays.append(Array(name: name, kind: kind, range: tasks.count...(tasks.count + ids.count - 1), dependency: dep))
            tasks += ids
        }
        if !selection.searches.isEmpty {
            arrays.append(Array(name: "search", kind: .search, range: 0...(selection.searches.count - 1), dependency: nil))
        }
        let searchIndex = Dictionary(uniqueKeysWithValues: selection.searches.enumerated().map { ($1, $0) })
        let groups = Dictionary(grouping: selection.cells) { $0.search }
        let ready = selection.cells.filter { searchIndex[$0.search] == nil && selection.activeSearches[$0.search] == nil }
        append("retrain", .retrain, ready.map(StageID.cell), nil)
        for (k, s) in selection.searches.enumerated() {
            append("retrain-after-\(k)", .retrain, (groups[s] ?? []).map(StageID.cell), .searchTask(k))
        }
        for (s, ref) in selection.activeSearches.sorted(by: { $0.key < $1.key }) {
            append("retrain-after-\(ref)", .retrain, (groups[s] ?? []).map(StageID.cell), .task(ref))
        }
        self.tasks = tasks
        self.arrays = arrays
    }

    /// tasks.txt: one stage id per line.
    public var taskList: String { tasks.map { $0.description + "\n" }.joined() }

    /// The `--dependency` value of an array, given the search array's job id.
    public static func dependency(_ d: Dependency?, searchJob: String) -> String {
        switch d {
        case nil: return ""
        case .searchTask(let k): return "afterok:\(searchJob)_\(k)"
        case .task(let ref): return "afterok:\(ref)"
        }
    }
}
