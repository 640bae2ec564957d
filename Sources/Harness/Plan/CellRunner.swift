import Foundation
import Linalg
import RecData
import Recommenders
import SizeSearch

/// Runs one stage of a plan with the profile's settings (`ciess run`): a search stage
/// (CIESS: `CIESSSearch` + `CIESSCandidates.write`; ES/MR: `FixedSizeSearch`) or a retrain cell
/// (`SelectiveRetraining`, then a `CellResult`). Idempotent: a finished search (search.json and
/// its candidates) or a valid result.json with the same config hash is left alone. Every file is
/// written atomically; a success removes a stale failed.json.
public struct CellRunner {
    public let plan: ExperimentPlan
    public let layout: ResultLayout

    public init(plan: ExperimentPlan, layout: ResultLayout) {
        self.plan = plan
        self.layout = layout
    }

    public enum Outcome: Equatable, Sendable {
        case cached
        case ran(String)
    }

    /// Runs `id` unless it is already done. `load` supplies the dataset (loaded only when needed).
    /// One writer per stage: the stage's `FileLock` is held throughout; with `waitForLock` a second writer
    /// waits for it (Slurm tasks), else it is refused with the holder's pid. Temporary files a killed
    /// writer left in the stage directory are removed once the lock is held.
    ///
    /// `restart` first moves the stage directory aside (`<dir>.set-aside-<UTC time>`, nothing is deleted):
    /// the one recovery for a stage whose state cannot be resumed, which the errors name.
    public func run(_ id: StageID, load: (String) throws -> SplitDataset, progress: ProgressReporter?,
                    waitForLock: Bool = false, restart: Bool = false) throws -> Outcome {
        guard plan.isPlanned(id) else { throw RunnerError.notInPlan(id.description, plan.profileName) }
        let lock = try FileLock.acquire(FileLock.lockFile(for: layout.directory(id)), wait: waitForLock)
        defer { lock.release() }
        if restart, let moved = try setAside(layout.directory(id)) { progress?.log("moved the previous state to \(moved.path)") }
        for name in AtomicFile.removeLeftoverTemporaries(in: layout.directory(id)) {
            progress?.log("removed \(name), left by a killed write")
        }
        // A search's own state that cannot be resumed: the recovery is to restart the stage. (A damaged retrain
        // checkpoint's own message names the one file to delete.)
        do { return try runLocked(id, load: load, progress: progress) } catch let e as SearchStageError {
            throw RunnerError.unresumable(id: id.description, profile: plan.profileName, problem: e.description)
        }
    }

    /// Renames `dir` to `<dir>.set-aside-<UTC time>`; nil when there is nothing to move.
    func setAside(_ dir: URL) throws -> URL? {
        guard FileManager.default.fileExists(atPath: dir.path) else { return nil }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withYear, .withMonth, .withDay, .withTime]
        let target = dir.deletingLastPathComponent().appendingPathComponent("\(dir.lastPathComponent).set-aside-\(f.string(from: Date()))")
        do { try FileManager.default.moveItem(at: dir, to: target) } catch {
            throw DataError.io(file: dir.path, problem: IOErrorText.sentence(error, action: "move it aside to \(target.lastPathComponent)"))
        }
        return target
    }

    func runLocked(_ id: StageID, load: (String) throws -> SplitDataset, progress: ProgressReporter?) throws -> Outcome {
        let outcome: Outcome
        switch id {
        case .search(let s):
            if isSearchDone(s) { try writeStamp(id); return .cached }
            if isSearchStale(s), let moved = try setAside(layout.directory(s)) {
                progress?.log("the search was made with other settings; moved it to \(moved.path) and running it afresh")
            }
            outcome = .ran(try runSearch(s, dataset: try load(s.dataset), progress: progress))
        case .cell(let c):
            if cachedResult(c) != nil { try writeStamp(id); return .cached }
            for s in plan.prerequisites(c) { try requireSearch(s) }
            let result = try retrain(c, dataset: try load(c.dataset), useCache: true, progress: progress)
            try keepStaleResult(c)
            try Self.writeJSON(result, to: layout.doneFile(id))
            outcome = .ran(Self.summary(result))
        }
        try? FileManager.default.removeItem(at: layout.failedFile(id))
        try writeStamp(id)
        return outcome
    }

    /// Writes the stage's `done-<config hash>` stamp (the make target) and removes stamps of other settings.
    func writeStamp(_ id: StageID) throws {
        let hash = plan.configHash(id)
        for other in layout.stampHashes(id) where other != hash {
            try? FileManager.default.removeItem(at: layout.stampFile(id, configHash: other))
        }
        try AtomicFile.write(Data((id.description + "\n").utf8), to: layout.stampFile(id, configHash: hash))
    }

    /// A result.json made with other settings is renamed `result.stale-<its hash>.json` before the new one
    /// is written: nothing is lost, and it no longer counts anywhere.
    func keepStaleResult(_ c: CellID) throws {
        let url = layout.doneFile(.cell(c))
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let hash = (FileManager.default.contents(atPath: url.path).flatMap { try? JSONOutput.decoder.decode(CellResult.self, from: $0) })?
            .configHash ?? "unreadable"
        let target = url.deletingLastPathComponent().appendingPathComponent("result.stale-\(hash).json")
        try? FileManager.default.removeItem(at: target)
        do { try FileManager.default.moveItem(at: url, to: target) } catch {
            throw DataError.io(file: url.path, problem: IOErrorText.sentence(error, action: "move it aside to \(target.lastPathComponent)"))
        }
    }

    // MARK: - Search stages

    /// Finished for the current settings: search.json and candidates.json, and either the stamp of the current
    /// config hash or no stamp at all (a search finished before stamps existed is adopted as current).
    public func isSearchDone(_ s: SearchID) -> Bool {
        let dir = layout.directory(s)
        let fm = FileManager.default
        return fm.fileExists(atPath: dir.appendingPathComponent("search.json").path)
            && fm.fileExists(atPath: dir.appendingPathComponent(CIESSCandidates.fileName).path)
            && !isSearchStale(s)
    }

    /// The search directory carries stamps, none of them for the current settings: made with another profile.
    public func isSearchStale(_ s: SearchID) -> Bool {
        let stamps = layout.stampHashes(.search(s))
        return !stamps.isEmpty && !stamps.contains(plan.searchConfigHash(s))
    }

    func runSearch(_ s: SearchID, dataset d: SplitDataset, progress: ProgressReporter?) throws -> String {
        let dir = layout.directory(s)
        let kind = BackboneKind(rawValue: s.backbone)!
        let targets = plan.profile.budgets
        switch s.method {
        case "pep", "esapn", "optembed":
            try SearchDescriptor(method: s.method, dataset: s.dataset, backbone: kind, seed: s.seed).write(to: dir)
            return try runBaselineSearch(s, dataset: d, directory: dir, progress: progress)
        case "ciess": break
        default:
            let selections = try FixedSizeSearch.run(method: s.method, dataset: d, backbone: kind, targets: targets,
                                                     seed: s.seed, directory: dir)
            return selections.map { String(format: "c=%.2f sparsity %.4f", $0.targetSparsity, 1 - $0.candidates[0].density) }
                .joined(separator: ", ")
        }
        try SearchDescriptor(method: "ciess", dataset: s.dataset, backbone: kind, seed: s.seed).write(to: dir)
        let summary = try CIESSSearch(configuration: plan.ciessConfig(s), directory: dir).run(dataset: d, progress: progress)
        let selections = try CIESSCandidates.write(searchDirectory: dir, targets: targets, limit: plan.candidateLimit("ciess"))
        let reached = selections.filter { !$0.candidates.isEmpty }.map { String(format: "%.2f", $0.targetSparsity) }
        return "\(summary?.iterations ?? 0) iterations; targets reached: \(reached.isEmpty ? "none" : reached.joined(separator: ", "))"
    }

    /// PEP (one mask per target), ESAPN and OptEmbed (one uncontrolled result each).
    func runBaselineSearch(_ s: SearchID, dataset d: SplitDataset, directory dir: URL, progress: ProgressReporter?) throws -> String {
        switch s.method {
        case "pep":
            _ = try PEPSearch(configuration: plan.pepConfig(s), directory: dir).run(dataset: d, targets: plan.profile.budgets,
                                                                                     progress: progress)
        case "esapn":
            _ = try ESAPNSearch(configuration: plan.esapnConfig(s), directory: dir).run(dataset: d, progress: progress)
        default:
            _ = try OptEmbedSearch(configuration: plan.optembedConfig(s), directory: dir).run(dataset: d, progress: progress)
        }
        let selections = try CIESSCandidates.read(searchDirectory: dir)
        return selections.map { sel in
            let what = sel.candidates.first.map { String(format: "sparsity %.4f", 1 - $0.density) } ?? "not reached"
            return s.method == "pep" ? String(format: "c=%.2f %@", sel.targetSparsity, what) : what
        }.joined(separator: ", ")
    }

    // MARK: - Retrain cells

    /// The stored result of a cell if it is valid for the current settings.
    public func cachedResult(_ c: CellID) -> CellResult? {
        guard let data = FileManager.default.contents(atPath: layout.doneFile(.cell(c)).path),
              let r = try? JSONOutput.decoder.decode(CellResult.self, from: data),
              r.cell == c.description, r.configHash == plan.settings(c).configHash else { return nil }
        return r
    }

    /// Retrains a cell's candidates and builds its result (not written). `useCache: false` trains
    /// every candidate afresh (`make verify`).
    public func retrain(_ c: CellID, dataset d: SplitDataset, useCache: Bool, progress: ProgressReporter?) throws -> CellResult {
        let started = Date()
        let dir = layout.directory(c.search)
        try requireSearch(c.search)
        try ensureCandidates(c, searchDirectory: dir)
        let settings = plan.settings(c)
        let proto = FinalProtocol(rawValue: c.finalProtocol)!
        let r = try SelectiveRetraining.run(
            searchDirectory: dir, dataset: d, backbone: BackboneKind(rawValue: c.backbone)!, targetSparsity: c.target,
            finalProtocol: proto, seed: c.seed, converge: plan.profile.retrain.config, batchSize: plan.profile.batchSize,
            candidatesFile: plan.candidatesFile(c), useCache: useCache, fixedChunk: try fixedChunk(c), progress: progress)
        let status: CellResult.Status = r.chosen == nil ? .notReached : (r.audit?.withinBudget == false ? .overBudget : .ok)
        return CellResult(
            cell: c.description, profile: plan.profileName, dataset: c.dataset, backbone: c.backbone, method: c.method,
            variant: c.variant, targetSparsity: c.target, lambda: settings.ciess?.lambda, seed: c.seed,
            finalProtocol: c.finalProtocol, protocolLabel: proto.label, status: status,
            achievedSparsity: r.audit?.achievedSparsity, valid: r.chosen?.valid, test: r.chosen?.test,
            bestChunk: r.chosen?.bestChunk, chunksRun: r.chosen?.chunksRun, fixedChunkTest: r.fixedChunkTest, audit: r.audit,
            searchDirectory: ResultLayout.relativeSearchPath(c.search), configHash: settings.configHash,
            rawDigest: d.rawDigest, splitDigest: d.splitDigest, provenance: .current(threads: Threads.count),
            wallSeconds: Date().timeIntervalSince(started), sourceOrder: d.sourceOrder)
    }

    /// K* of a P-code cell: the best chunk of the full-size pretraining of `plan.fixedChunkSource(c)`.
    func fixedChunk(_ c: CellID) throws -> Int? {
        guard let source = plan.fixedChunkSource(c) else { return nil }
        let file = layout.directory(source).appendingPathComponent("pretrain.json")
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw RunnerError.fixedChunkMissing(cell: c.description, search: source.description)
        }
        do { return try JSONDecoder().decode(PeakQualities.self, from: data).bestChunk } catch {
            throw RunnerError.fixedChunkUnreadable(file: file.path, problem: "\(error)")
        }
    }

    func requireSearch(_ s: SearchID) throws {
        guard FileManager.default.fileExists(atPath: layout.directory(s).appendingPathComponent("search.json").path) else {
            throw RunnerError.searchMissing(s.description)
        }
    }

    /// Writes the cell's candidates file when absent: `candidates.json` of a CIESS search killed
    /// between search.json and candidates.json, or Figure 5's interval pool `candidates-i<k>.json`.
    func ensureCandidates(_ c: CellID, searchDirectory dir: URL) throws {
        let file = dir.appendingPathComponent(plan.candidatesFile(c))
        guard !FileManager.default.fileExists(atPath: file.path) else { return }
        guard c.method == "ciess" else { throw SearchStageError.missing(file.path) }
        let history = try CIESSSearch.readHistory(dir.appendingPathComponent("history.jsonl"))
        let selections = CIESSCandidates.select(history: history, targets: plan.profile.budgets,
                                                limit: plan.candidateLimit("ciess"),
                                                episodes: c.interval.map { plan.episodes(ofInterval: $0) })
        try CIESSCandidates.save(selections, to: file)
    }

    // MARK: - Failures and output

    /// Records a failed stage: exit status and the last `tailLines` lines of its log.
    public static func recordFailure(_ id: StageID, layout: ResultLayout, exitStatus: Int32, log: URL?,
                                     tailLines: Int = 40, now: Date = Date()) throws {
        let text = log.flatMap { try? String(contentsOf: $0, encoding: .utf8) } ?? ""
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let tail = Array((lines.last == "" ? lines.dropLast() : lines[...]).suffix(tailLines))
        let stage: String
        if case .search = id { stage = "search" } else { stage = "retrain" }
        let f = ISO8601DateFormatter()
        let failure = CellFailure(cell: id.description, stage: stage, exitStatus: exitStatus, logTail: tail, time: f.string(from: now))
        try writeJSON(failure, to: layout.failedFile(id))
    }

    static func writeJSON<T: Encodable>(_ value: T, to url: URL) throws {
        try AtomicFile.write(Data((try JSONOutput.encode(value) + "\n").utf8), to: url)
    }

    public static func summary(_ r: CellResult) -> String {
        switch r.status {
        case .notReached: return "not reached (no candidate with ρ ≤ 1 − c)"
        case .overBudget: return String(format: "over budget (sparsity %.4f)", r.achievedSparsity ?? .nan)
        case .ok:
            return String(format: "TEST R@20 %.4f N@20 %.4f at sparsity %.4f", r.test?.recall20 ?? .nan, r.test?.ndcg20 ?? .nan,
                          r.achievedSparsity ?? .nan)
        }
    }
}

public enum RunnerError: Error, CustomStringConvertible, Equatable {
    case notInPlan(String, String)
    case searchMissing(String)
    case fixedChunkMissing(cell: String, search: String)
    case fixedChunkUnreadable(file: String, problem: String)
    case unresumable(id: String, profile: String, problem: String)

    public var description: String {
        switch self {
        case .notInPlan(let id, let p): return "'\(id)' is not a stage of profile '\(p)' (see `ciess status --profile \(p)` for the list)"
        case .searchMissing(let s): return "the search '\(s)' has not finished (no search.json); run it first"
        case .fixedChunkMissing(let c, let s):
            return "the P-code cell '\(c)' reads K* from the pretraining of '\(s)', which has no pretrain.json yet; run that search first"
        case .unresumable(let id, let profile, let problem):
            return "\(problem)\nTo recover, run this stage afresh (its current state is moved aside, not deleted): "
                + "ciess run --profile \(profile) --cell \(id) --restart"
        case .fixedChunkUnreadable(let f, let p):
            return "\(f): cannot read K* from this pretraining record (\(p)); delete it and rerun its search to pretrain again"
        }
    }
}
