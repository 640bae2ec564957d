import Evaluation
import Foundation
import Linalg
import RecData
import Recommenders

/// What an ESAPN search did (written last, as `search.json`).
public struct ESAPNSummary: Sendable, Codable, Equatable {
    public var configuration: ESAPNConfig
    public var chunksRun: Int
    /// K*: the chunk whose state was restored (its levels give the sizes).
    public var bestChunk: Int
    public var bestValidAVG: Double
    public var batches: Int
    /// Entities per level at the best chunk (|S| counts).
    public var userLevels: [Int]
    public var itemLevels: [Int]
    public var density: Double
    public var sparsity: Double
    public var sizesFile: String
    public var wallSeconds: Double
}

/// One line of `history.jsonl`: every `logEvery` batches (`kind` "batches": mean loss of those
/// batches) and after every chunk (`kind` "chunk": mean loss of the chunk, VAL AVG, improvement), with
/// the number of users and items at each level and the density Σ S_level/(128N) at that time.
public struct ESAPNHistoryRecord: Sendable, Codable, Equatable {
    public var kind: String
    public var chunk: Int
    public var batches: Int
    public var meanLoss: Double
    public var learningRate: Float
    public var userLevels: [Int]
    public var itemLevels: [Int]
    public var density: Double
    public var validAVG: Double?
    public var improved: Bool?
    /// Wall time of the chunk (training + evaluation); nil on "batches" lines.
    public var seconds: Double?
}

/// The ESAPN search stage (docs/method.md §3.4) on disk.
///
/// CONVERGE(train = TRAIN, monitor = VAL AVG of the ESAPN model): chunks of `converge.chunkBatches`
/// `ESAPNModel.trainStep`s with the backbone's LR schedule carried across chunks; after each chunk VAL
/// AVG; a strictly better value saves the whole model state (levels included) to `best.plist`; stop
/// after `patience` non-improving chunks or `maxChunks`; restore the best. Result: prefix sizes
/// d_n = S_{level_n} → `sizes/esapn.bin`, one candidate in `candidates.json` (target = the achieved
/// sparsity; validAVG = the searched model's best VAL AVG), then `search.json`.
///
/// Resume: `checkpoint.plist` (model state + loop state + history line count) is written after every
/// chunk; chunk k's sampler is seeded from (seed, k), so a re-run continues exactly.
public struct ESAPNSearch {
    public let configuration: ESAPNConfig
    public let directory: URL

    public init(configuration: ESAPNConfig, directory: URL) {
        self.configuration = configuration
        self.directory = directory
    }

    public static let sizesPath = "sizes/esapn.bin"
    var configURL: URL { directory.appendingPathComponent("config.json") }
    public var historyURL: URL { directory.appendingPathComponent("history.jsonl") }
    var checkpointURL: URL { directory.appendingPathComponent("checkpoint.plist") }
    var bestURL: URL { directory.appendingPathComponent("best.plist") }
    public var doneURL: URL { directory.appendingPathComponent("search.json") }

    /// Runs (or resumes, or returns the finished) search.
    public func run(dataset: SplitDataset, progress: ProgressReporter?) throws -> ESAPNSummary {
        try run(dataset: dataset, progress: progress, stopAfterChunk: nil)!
    }

    /// As `run(dataset:progress:)`; `stopAfterChunk` returns nil right after that chunk's checkpoint
    /// (tests simulate an interruption with it).
    public func run(dataset d: SplitDataset, progress: ProgressReporter?, stopAfterChunk: Int?) throws -> ESAPNSummary? {
        if let data = FileManager.default.contents(atPath: doneURL.path),
           let done = try? JSONDecoder().decode(ESAPNSummary.self, from: data), done.configuration == configuration {
            return done
        }
        try prepareDirectory()
        let started = Date()
        let c = configuration
        let model = ESAPNModel(configuration: c, train: d.train)
        var state = try resumeOrStart(model)
        try SearchHistoryFile.truncate(historyURL, toLines: state.historyLines)
        let history = try FileHandle(forWritingTo: historyURL)
        defer { try? history.close() }
        try history.seekToEnd()
        let schedule = c.backbone.schedule
        let cb = c.converge.chunkBatches

        while state.nextChunk <= c.converge.maxChunks && state.sinceImprovement < c.converge.patience {
            let k = state.nextChunk
            let t0 = Date()
            var sampler = BPRSampler(train: d.train, seed: Self.samplerSeed(c.seed, chunk: k))
            var chunkLoss = 0.0, windowLoss = 0.0, windowCount = 0
            var lr: Float = 0
            for i in 0..<cb {
                let b = (k - 1) * cb + i
                lr = schedule.rate(afterBatches: b)
                let loss = Double(model.trainStep(sampler.nextBatch(size: c.batchSize), learningRate: lr))
                chunkLoss += loss; windowLoss += loss; windowCount += 1
                if (b + 1) % c.logEvery == 0 {
                    try append(record(model, kind: "batches", chunk: k, loss: windowLoss / Double(windowCount), lr: lr),
                               to: history, state: &state)
                    windowLoss = 0; windowCount = 0
                }
                progress?.update(done: i + 1, total: cb, "chunk \(k)")
            }
            let avg = FullRankingEvaluator.evaluate(scorer: model.makeScorer(), positives: d.valid,
                                                    exclude: [d.train]).summary.avg
            let improved = state.bestChunk == 0 || avg > state.bestAVG
            if improved {
                state.bestAVG = avg; state.bestChunk = k; state.sinceImprovement = 0
                try Self.write(PackedBackboneCheckpoint(model.checkpoint()), to: bestURL)
            } else {
                state.sinceImprovement += 1
            }
            var line = record(model, kind: "chunk", chunk: k, loss: chunkLoss / Double(cb), lr: lr)
            line.validAVG = avg; line.improved = improved; line.seconds = Date().timeIntervalSince(t0)
            try append(line, to: history, state: &state)
            try history.synchronize()
            state.nextChunk = k + 1
            state.model = PackedBackboneCheckpoint(model.checkpoint())
            try Self.write(state, to: checkpointURL)
            progress?.log(String(format: "ESAPN chunk %d  loss %.4f  VAL AVG %.4f%@  density %.4f  users/level %@  items/level %@",
                                 k, line.meanLoss, avg, improved ? " (best)" : "", line.density,
                                 line.userLevels.description, line.itemLevels.description))
            if let stop = stopAfterChunk, k >= stop { return nil }
        }

        let best: PackedBackboneCheckpoint = try Self.read(bestURL)
        try model.restore(try best.unpacked())
        guard model.batches == state.bestChunk * cb else {
            throw SearchStageError.corrupt(bestURL.path, "holds batch \(model.batches), expected chunk \(state.bestChunk)")
        }
        let sizes = model.sizes
        try SizeVectorFile.write(sizes, to: directory.appendingPathComponent(Self.sizesPath))
        let selection = CIESSCandidates.Selection(targetSparsity: sizes.sparsity, candidates: [
            .init(episode: 0, iteration: state.bestChunk, density: sizes.density, validAVG: state.bestAVG,
                  sizesFile: Self.sizesPath)])
        try CIESSCandidates.save([selection], to: directory.appendingPathComponent(CIESSCandidates.fileName))
        let counts = model.levelCounts
        let summary = ESAPNSummary(configuration: c, chunksRun: state.nextChunk - 1, bestChunk: state.bestChunk,
                                   bestValidAVG: state.bestAVG, batches: model.batches, userLevels: counts.users,
                                   itemLevels: counts.items, density: sizes.density, sparsity: sizes.sparsity,
                                   sizesFile: Self.sizesPath, wallSeconds: Date().timeIntervalSince(started))
        try AtomicFile.write(try SearchHistoryFile.encoder(pretty: true).encode(summary), to: doneURL)
        return summary
    }

    static func samplerSeed(_ seed: UInt64, chunk k: Int) -> UInt64 {
        var r = RandomStream(seed: seed, purpose: "esapn/sampler/chunk\(k)")
        return r.next()
    }

    func record(_ model: ESAPNModel, kind: String, chunk: Int, loss: Double, lr: Float) -> ESAPNHistoryRecord {
        let counts = model.levelCounts
        return ESAPNHistoryRecord(kind: kind, chunk: chunk, batches: model.batches, meanLoss: loss, learningRate: lr,
                                  userLevels: counts.users, itemLevels: counts.items, density: model.sizes.density,
                                  validAVG: nil, improved: nil, seconds: nil)
    }

    func append(_ r: ESAPNHistoryRecord, to h: FileHandle, state: inout StageState) throws {
        var data = try SearchHistoryFile.encoder(pretty: false).encode(r)
        data.append(UInt8(ascii: "\n"))
        h.write(data)
        state.historyLines += 1
    }

    // MARK: - Stage state

    /// The loop state after a finished chunk, with the model state (`checkpoint.plist`).
    struct StageState: Codable {
        var configuration: ESAPNConfig
        var nextChunk: Int
        var bestAVG: Double
        var bestChunk: Int
        var sinceImprovement: Int
        var historyLines: Int
        var model: PackedBackboneCheckpoint?
    }

    func prepareDirectory() throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory.appendingPathComponent("sizes"), withIntermediateDirectories: true)
        if let data = fm.contents(atPath: configURL.path) {
            guard let old = try? JSONDecoder().decode(ESAPNConfig.self, from: data), old == configuration else {
                throw SearchStageError.configurationChanged(directory.path)
            }
        } else {
            try AtomicFile.write(try SearchHistoryFile.encoder(pretty: true).encode(configuration), to: configURL)
        }
        if !fm.fileExists(atPath: historyURL.path) { _ = fm.createFile(atPath: historyURL.path, contents: nil) }
    }

    func resumeOrStart(_ model: ESAPNModel) throws -> StageState {
        guard FileManager.default.fileExists(atPath: checkpointURL.path) else {
            return StageState(configuration: configuration, nextChunk: 1, bestAVG: 0, bestChunk: 0, sinceImprovement: 0,
                              historyLines: 0, model: nil)
        }
        let s: StageState = try Self.read(checkpointURL)
        guard s.configuration == configuration else { throw SearchStageError.configurationChanged(checkpointURL.path) }
        if let m = s.model {
            do { try model.restore(try m.unpacked()) } catch { throw SearchStageError.corrupt(checkpointURL.path, "\(error)") }
        }
        return s
    }

    // MARK: - Files

    static func write<T: Encodable>(_ v: T, to url: URL) throws { try SearchStateFile.write(v, to: url) }

    static func read<T: Decodable>(_ url: URL) throws -> T {
        try SearchStateFile.read(T.self, from: url, absent: .missing(url.path))
    }

    public static func readHistory(_ url: URL) throws -> [ESAPNHistoryRecord] {
        try SearchHistoryFile.read(url, as: ESAPNHistoryRecord.self, what: "an ESAPN history record")
    }
}

