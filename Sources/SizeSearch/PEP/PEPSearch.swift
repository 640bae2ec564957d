import Evaluation
import Foundation
import Linalg
import RecData
import Recommenders

/// The PEP search run (docs/method.md §3.3) as a resumable stage on disk.
///
/// Train a `PEPModel` (θ₀ = the backbone's seeded init for `seed`, thresholds at −15) on TRAIN,
/// batch b (0-based) at the backbone's rate `schedule.rate(afterBatches: b)`, in chunks of
/// `chunkBatches` batches; after every batch report Σ_t #{Ṽ_t ≠ 0} to `PEPMaskCapture` and write
/// the mask of every newly captured target. Stop when every target is captured or after
/// `maxChunks · chunkBatches` batches (the cap; uncaptured targets are "not reached").
/// Triples come from `BPRSampler(train:, seed: s_k)` with one sampler per chunk k, s_k the first
/// draw of `RandomStream(seed:, purpose: "pep/sampler/chunk<k>")`, so a resumed chunk draws the
/// same batches without storing the sampler.
///
/// Directory: `config.json` (the `PEPConfig`); `history.jsonl` (one `PEPSearch.Record` at step 0,
/// every `logEvery` batches, at every capture and at the last step); `masks/pep-c0.80.mask` …
/// (`ElementMaskFile`); `checkpoint.plist` after every chunk (model, optimisers, captures,
/// history length); `candidates.json`; and last `search.json` (the `PEPSummary`).
public struct PEPSearch {
    public let configuration: PEPConfig
    public let directory: URL

    public init(configuration: PEPConfig, directory: URL) {
        self.configuration = configuration
        self.directory = directory
    }

    /// One history line.
    public struct Record: Sendable, Codable, Equatable {
        /// Batches completed (0 = the initial tables).
        public var step: Int
        /// #{Ṽ_t ≠ 0} per table, in `PEPModel.tableNames` order.
        public var nonzeros: [Int]
        public var totalNonzeros: Int
        /// totalNonzeros / (tables · N · dMax).
        public var density: Double
        /// Mean of s over all entries of all tables (σ of it is the typical threshold).
        public var thresholdMean: Double
        /// The batch loss (BPR + L2) before the update; nil at step 0.
        public var loss: Float?
        /// The rate V and the network were trained at in this step (the backbone schedule, or
        /// the constant `thresholdLR` under `useOwnOptimizer`).
        public var learningRate: Float?
        /// Targets captured at this step.
        public var captured: [Double]
    }

    var configURL: URL { directory.appendingPathComponent("config.json") }
    public var historyURL: URL { directory.appendingPathComponent("history.jsonl") }
    var checkpointURL: URL { directory.appendingPathComponent("checkpoint.plist") }
    public var doneURL: URL { directory.appendingPathComponent("search.json") }

    /// Runs (or resumes, or returns the finished) search for `targets` (e.g. [0.80, 0.90, 0.95]).
    public func run(dataset d: SplitDataset, targets: [Double], progress: ProgressReporter?) throws -> PEPSummary {
        try run(dataset: d, targets: targets, progress: progress, stopAfterChunk: nil)!
    }

    /// `run`, ending early after the checkpoint of chunk `stopAfterChunk` (0-based) when that is
    /// not the last chunk (returns nil then); tests use it to simulate an interruption.
    public func run(dataset d: SplitDataset, targets: [Double], progress: ProgressReporter?,
                    stopAfterChunk: Int?) throws -> PEPSummary? {
        let c = configuration
        precondition(!targets.isEmpty && targets.allSatisfy { $0 >= 0 && $0 < 1 }, "PEPSearch: targets must lie in [0, 1)")
        precondition(d.name == c.dataset, "PEPSearch: configured for \(c.dataset), given \(d.name)")
        if let data = FileManager.default.contents(atPath: doneURL.path),
           let done = try? JSONDecoder().decode(PEPSummary.self, from: data) {
            guard done.configuration == c, done.targets == targets else { throw SearchStageError.configurationChanged(directory.path) }
            return done
        }
        try prepareDirectory()
        let started = Date()
        var state = try resumeOrStart(d, targets: targets)
        try SearchHistoryFile.truncate(historyURL, toLines: state.historyLines)
        let history = try FileHandle(forWritingTo: historyURL)
        defer { try? history.close() }
        try history.seekToEnd()
        func append(_ r: Record) throws {
            history.write(Data((try SearchHistoryFile.jsonLine(r) + "\n").utf8))
            state.historyLines += 1
        }
        let model = state.model
        let entries = model.tableNames.count * model.nodeCount * model.dMax
        func record(step: Int, loss: Float?, lr: Float?, captured: [Double]) -> Record {
            let nnz = model.nonzeroCounts, total = nnz.reduce(0, +)
            return Record(step: step, nonzeros: nnz, totalNonzeros: total, density: Double(total) / Double(entries),
                          thresholdMean: model.thresholdMean, loss: loss, learningRate: lr, captured: captured)
        }
        if state.batches == 0 && state.historyLines == 0 {
            let newly = try capture(model: model, step: 0, state: &state)
            try append(record(step: 0, loss: nil, lr: nil, captured: newly))
        }

        let schedule = c.backbone.schedule
        while state.completedChunks < c.maxChunks && !state.capture.isComplete {
            let k = state.completedChunks
            var seeds = RandomStream(seed: c.seed, purpose: "pep/sampler/chunk\(k)")
            var sampler = BPRSampler(train: d.train, seed: seeds.next())
            var lossSum = 0.0, batchesRun = 0
            progress?.beginPhase()
            for i in 0..<c.chunkBatches {
                let b = k * c.chunkBatches + i
                let scheduled = schedule.rate(afterBatches: b)
                let lr = model.valueLearningRate(scheduled: scheduled)  // the rate used, for the history
                let loss = model.trainStep(sampler.nextBatch(size: c.batchSize), learningRate: scheduled)
                lossSum += Double(loss)
                batchesRun += 1
                state.batches = b + 1
                let newly = try capture(model: model, step: b + 1, state: &state)
                let last = state.capture.isComplete || b + 1 == c.maxBatches
                if (b + 1) % c.logEvery == 0 || !newly.isEmpty || last {
                    let r = record(step: b + 1, loss: loss, lr: lr, captured: newly)
                    try append(r)
                    if !newly.isEmpty {
                        progress?.log(String(format: "step %d: captured c = %@ (nnz %d, density %.4f)", b + 1,
                                             newly.map { String(format: "%.2f", $0) }.joined(separator: ", "),
                                             r.totalNonzeros, r.density))
                    }
                }
                progress?.update(done: i + 1, total: c.chunkBatches, "chunk \(k + 1)/\(c.maxChunks)")
                if state.capture.isComplete { break }
            }
            try NonFiniteValueError.check([("the mean training loss of PEP chunk \(k + 1)", lossSum / Double(max(batchesRun, 1)))],
                                          advice: "the thresholds or embeddings diverged; lower --threshold-lr")
            try history.synchronize()
            state.completedChunks = k + 1
            state.elapsedSeconds += Date().timeIntervalSince(started) - state.countedSeconds
            state.countedSeconds = Date().timeIntervalSince(started)
            try state.checkpoint().write(to: checkpointURL)
            let nnz = model.nonzeroCounts.reduce(0, +)
            progress?.log(String(format: "chunk %d/%d: %d batches, mean loss %.5f, nnz %d (density %.4f), captured %d/%d",
                                 k + 1, c.maxChunks, state.batches, lossSum / Double(max(batchesRun, 1)), nnz,
                                 Double(nnz) / Double(entries), state.capture.targets.filter { $0.step != nil }.count,
                                 state.capture.targets.count))
            if let stop = stopAfterChunk, k >= stop, state.completedChunks < c.maxChunks, !state.capture.isComplete {
                return nil
            }
        }
        state.elapsedSeconds += Date().timeIntervalSince(started) - state.countedSeconds
        return try finish(state: state, targets: targets, model: model)
    }

    // MARK: - Captures and results

    /// Observes the model's nnz at `step`; writes the mask of every newly captured target.
    func capture(model: PEPModel, step: Int, state: inout LoopState) throws -> [Double] {
        let newly = state.capture.observe(nonzeros: model.nonzeroCounts.reduce(0, +), step: step)
        guard !newly.isEmpty else { return [] }
        let mask = model.currentMask()
        // A mask with no entry left is not a model; a target "captured" at nnz 0 means the pruning ran away.
        guard mask.nonzeroCount > 0 else {
            throw PEPSearchError.prunedEverything(step: step, targets: newly.map(\.targetSparsity))
        }
        for t in newly {
            try ElementMaskFile.write(mask, to: directory.appendingPathComponent(PEPMaskCapture.maskPath(t.targetSparsity)))
        }
        return newly.map(\.targetSparsity)
    }

    func finish(state: LoopState, targets: [Double], model: PEPModel) throws -> PEPSummary {
        var selections: [CIESSCandidates.Selection] = []
        for c in targets {
            guard let t = state.capture.target(c), let step = t.step else {
                selections.append(.init(targetSparsity: c, candidates: []))
                continue
            }
            let path = PEPMaskCapture.maskPath(c)
            let mask = try ElementMaskFile.read(directory.appendingPathComponent(path))
            selections.append(.init(targetSparsity: c, candidates: [
                .init(episode: 0, iteration: step, density: mask.density, validAVG: 0, sizesFile: path)]))
        }
        try CIESSCandidates.save(selections, to: directory.appendingPathComponent(CIESSCandidates.fileName))
        let nnz = model.nonzeroCounts
        let summary = PEPSummary(configuration: configuration, targets: targets, batches: state.batches,
                                 allCaptured: state.capture.isComplete, captures: state.capture.targets,
                                 finalNonzeros: nnz,
                                 finalDensity: Double(nnz.reduce(0, +)) / Double(nnz.count * model.nodeCount * model.dMax),
                                 wallSeconds: state.elapsedSeconds)
        try AtomicFile.write(Data(try SearchHistoryFile.json(summary).utf8), to: doneURL)
        return summary
    }

    // MARK: - Stage state

    struct LoopState {
        var model: PEPModel
        var capture: PEPMaskCapture
        var targets: [Double]
        var completedChunks: Int
        var batches: Int
        var historyLines: Int
        var elapsedSeconds: Double
        /// Seconds of this process already added to `elapsedSeconds`.
        var countedSeconds = 0.0

        func checkpoint() -> PEPSearchCheckpoint {
            PEPSearchCheckpoint(targets: targets, completedChunks: completedChunks, batches: batches,
                                historyLines: historyLines, elapsedSeconds: elapsedSeconds, capture: capture,
                                model: PackedBackboneCheckpoint(model.checkpoint()))
        }
    }

    func prepareDirectory() throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory.appendingPathComponent("masks"), withIntermediateDirectories: true)
        if let data = fm.contents(atPath: configURL.path) {
            guard let old = try? JSONDecoder().decode(PEPConfig.self, from: data), old == configuration else {
                throw SearchStageError.configurationChanged(directory.path)
            }
        } else {
            try AtomicFile.write(Data(try SearchHistoryFile.json(configuration).utf8), to: configURL)
        }
        if !fm.fileExists(atPath: historyURL.path) { _ = fm.createFile(atPath: historyURL.path, contents: nil) }
    }

    func resumeOrStart(_ d: SplitDataset, targets: [Double]) throws -> LoopState {
        let model = PEPModel(configuration: configuration, train: d.train)
        if FileManager.default.fileExists(atPath: checkpointURL.path) {
            let cp = try PEPSearchCheckpoint.read(checkpointURL)
            guard cp.targets == targets else { throw SearchStageError.configurationChanged(checkpointURL.path) }
            do { try model.restore(try cp.model.unpacked()) } catch {
                throw SearchStageError.corrupt(checkpointURL.path, "\(error)")
            }
            return LoopState(model: model, capture: cp.capture, targets: targets, completedChunks: cp.completedChunks,
                             batches: cp.batches, historyLines: cp.historyLines, elapsedSeconds: cp.elapsedSeconds)
        }
        let capture = PEPMaskCapture(targets: targets, entitiesPerTable: model.nodeCount,
                                     tableCount: model.tableNames.count, dMax: model.dMax)
        return LoopState(model: model, capture: capture, targets: targets, completedChunks: 0, batches: 0,
                         historyLines: 0, elapsedSeconds: 0)
    }

    public static func readHistory(_ url: URL) throws -> [Record] {
        try SearchHistoryFile.read(url, as: Record.self, what: "a PEP history record")
    }
}

/// What a PEP search did (`search.json`).
public struct PEPSummary: Sendable, Codable, Equatable {
    public var configuration: PEPConfig
    public var targets: [Double]
    /// Batches trained in total.
    public var batches: Int
    /// True when every target was captured before the cap.
    public var allCaptured: Bool
    /// Per target (smallest c first): the budget, and the step and nnz of its capture (nil: not reached).
    public var captures: [PEPMaskCapture.Target]
    public var finalNonzeros: [Int]
    public var finalDensity: Double
    /// Wall time summed over the runs that produced it.
    public var wallSeconds: Double
}

/// The state a PEP search resumes from, stored as a binary property list (float arrays as raw
/// bytes, `FloatArrayCoding`), written atomically after every chunk.
struct PEPSearchCheckpoint: Codable {
    var targets: [Double]
    var completedChunks: Int
    var batches: Int
    var historyLines: Int
    var elapsedSeconds: Double
    var capture: PEPMaskCapture
    var model: PackedBackboneCheckpoint

    func write(to url: URL) throws { try SearchStateFile.write(self, to: url) }

    static func read(_ url: URL) throws -> PEPSearchCheckpoint { try SearchStateFile.read(PEPSearchCheckpoint.self, from: url) }
}

/// A PEP search that cannot produce a usable mask.
public enum PEPSearchError: Error, Equatable, CustomStringConvertible {
    case prunedEverything(step: Int, targets: [Double])

    public var description: String {
        switch self {
        case let .prunedEverything(step, targets):
            return "PEP pruned every embedding entry by step \(step) (targets \(targets.map { String(format: "%.2f", $0) }.joined(separator: ", ")) "
                + "would be captured at 0 entries); the threshold learning rate is too high: lower --threshold-lr (or baselines.pep.threshold_lr)"
        }
    }
}
