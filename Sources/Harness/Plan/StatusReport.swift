import Foundation
import SizeSearch

/// `ciess status`: every stage of a plan classified from the files on disk.
///
/// - cached: search.json and candidates.json exist (search), or result.json is valid for the
///   current settings (cell);
/// - failed: failed.json exists and the stage is not done;
/// - stale: the stage's files were made with other settings (result.json of another config hash, or a
///   search stamped with another one); `make reproduce` recomputes it, keeping the old files aside;
/// - pending: none of these (a CIESS search reports how far its history got).
public struct StatusReport: Sendable {
    public enum State: String, Sendable, CaseIterable {
        case cached, pending, failed, stale
    }

    public struct Row: Sendable, Equatable {
        public var id: StageID
        public var state: State
        public var detail: String
        /// The share of a pending CIESS search already in history.jsonl.
        public var fractionDone: Double
    }

    public let rows: [Row]
    public let slice: PlanSlice

    public init(plan: ExperimentPlan, layout: ResultLayout, slice: PlanSlice = .whole) {
        let runner = CellRunner(plan: plan, layout: layout)
        let (searches, cells) = slice.stages(of: plan)
        var rows: [Row] = searches.map { Self.classify(search: $0, runner: runner) }
        rows += cells.map { Self.classify(cell: $0, runner: runner) }
        self.rows = rows
        self.slice = slice
    }

    public func count(_ s: State) -> Int { rows.filter { $0.state == s }.count }
    public var failures: [Row] { rows.filter { $0.state == .failed } }
    public var stale: [Row] { rows.filter { $0.state == .stale } }
    /// Stages still to compute (pending, failed, stale).
    public var remaining: [Row] { rows.filter { [.pending, .failed, .stale].contains($0.state) } }

    static func classify(search s: SearchID, runner: CellRunner) -> Row {
        let id = StageID.search(s)
        if runner.isSearchDone(s) { return Row(id: id, state: .cached, detail: "", fractionDone: 1) }
        if runner.isSearchStale(s) {
            return Row(id: id, state: .stale, detail: "made with other settings (stamps \(runner.layout.stampHashes(id).joined(separator: ", ")), "
                       + "now \(runner.plan.searchConfigHash(s))); make reproduce moves it aside and runs it afresh", fractionDone: 0)
        }
        if let f = failure(id, runner.layout) { return Row(id: id, state: .failed, detail: f, fractionDone: 0) }
        var fraction = 0.0
        var detail = ""
        if s.method == "ciess" {
            let history = runner.layout.directory(s).appendingPathComponent("history.jsonl")
            let total = runner.plan.profile.ciess.episodes * runner.plan.profile.ciess.iterations
            if let data = FileManager.default.contents(atPath: history.path) {
                let lines = data.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
                fraction = min(1, Double(lines) / Double(max(total, 1)))
                detail = "\(lines)/\(total) iterations logged"
            }
        }
        return Row(id: id, state: .pending, detail: detail, fractionDone: fraction)
    }

    static func classify(cell c: CellID, runner: CellRunner) -> Row {
        let id = StageID.cell(c)
        if let r = runner.cachedResult(c) { return Row(id: id, state: .cached, detail: CellRunner.summary(r), fractionDone: 1) }
        if FileManager.default.fileExists(atPath: runner.layout.doneFile(id).path) {
            return Row(id: id, state: .stale, detail: "result.json was made with other settings or is unreadable; make reproduce "
                       + "recomputes it (the old file is kept as result.stale-<hash>.json)", fractionDone: 0)
        }
        if let f = failure(id, runner.layout) { return Row(id: id, state: .failed, detail: f, fractionDone: 0) }
        let blocked = FileManager.default.fileExists(atPath: runner.layout.failedFile(.search(c.search)).path)
            && !runner.isSearchDone(c.search)
        return Row(id: id, state: .pending, detail: blocked ? "waits for its failed search" : "", fractionDone: 0)
    }

    static func failure(_ id: StageID, _ layout: ResultLayout) -> String? {
        guard let data = FileManager.default.contents(atPath: layout.failedFile(id).path) else { return nil }
        guard let f = try? JSONOutput.decoder.decode(CellFailure.self, from: data) else {
            return "failed.json is unreadable (\(layout.failedFile(id).path))"
        }
        return "exit \(f.exitStatus) at \(f.time); last log line: \(f.logTail.last ?? "(empty log)")"
    }

    /// The per-stage lines (`verbose`: also the cached ones) and the summary.
    public func render(plan: ExperimentPlan, layout: ResultLayout, cost: CostModel?, verbose: Bool) -> String {
        var lines: [String] = []
        for r in rows where verbose || r.state != .cached {
            let state = r.state.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)
            lines.append("\(state) \(r.id)\(r.detail.isEmpty ? "" : "  — \(r.detail)")")
        }
        if !lines.isEmpty { lines.append("") }
        let searches = rows.filter { if case .search = $0.id { return true }; return false }
        let cells = rows.filter { if case .cell = $0.id { return true }; return false }
        func counts(_ rs: [Row]) -> String {
            State.allCases.compactMap { s in
                let n = rs.filter { $0.state == s }.count
                return n == 0 ? nil : "\(n) \(s.rawValue)"
            }.joined(separator: ", ")
        }
        lines.append("profile \(plan.profileName)\(slice.isWhole ? "" : ", slice: \(slice)") (\(layout.root.path)): \(searches.count) search stages (\(counts(searches))); "
                     + "\(cells.count) retrain cells (\(counts(cells)))")
        if let cost {
            let left = remaining.map { ($0.id, $0.fractionDone) }
            let all = rows.map { ($0.id, 0.0) }
            let cores = ProcessInfo.processInfo.activeProcessorCount
            func fmt(_ h: Double) -> String { String(format: h < 10 ? "%.2f" : h < 100 ? "%.1f" : "%.0f", h) }
            let leftT = cost.coreHours(left, .typical), leftU = cost.coreHours(left, .upperBound)
            let allT = cost.coreHours(all, .typical), allU = cost.coreHours(all, .upperBound)
            lines.append("estimated core-hours left: \(fmt(leftT)) (upper bound \(fmt(leftU))); "
                         + "≈ \(fmt(leftT / Double(cores))) h on \(cores) cores with make -j\(cores)")
            lines.append("\(slice.isWhole ? "whole profile" : "this slice") from scratch: \(fmt(allT)) core-hours (upper bound \(fmt(allU))); "
                         + "cost model: calibration at 1 thread in \(cost.calibration.cpu), CONVERGE stops at min(cap, best 3 + patience) chunks (upper bound: at the cap)")
        }
        if !stale.isEmpty {
            lines.append("STALE (\(stale.count), made with other settings; not published): "
                         + stale.map { $0.id.description }.joined(separator: ", "))
        }
        if !failures.isEmpty {
            lines.append("FAILED (\(failures.count)): " + failures.map { $0.id.description }.joined(separator: ", "))
            lines.append("logs: \(layout.logs.path)/<id with / as __>.log")
        }
        return lines.joined(separator: "\n")
    }
}
