import Evaluation
import Foundation
import Linalg
import RecData
import Recommenders

/// OptEmbed as a resumable search stage on disk (docs/method.md §3.5).
///
/// 1. Supernet (`OptEmbedSupernet`): CONVERGE-like on VAL AVG (row mask only) with `configuration.supernet`
///    (chunk 3000 / patience 1 / cap 30): after every chunk the monitor is evaluated; a strictly larger value
///    is an improvement; stop after `patience` non-improving chunks or at the cap; restore the best chunk.
///    Batch b (0-based, global) trains at `backbone.schedule.rate(afterBatches: b)`; chunk k samples its
///    triples from its own `BPRSampler` seeded by stream "optembed/sampler/chunk<k>", so a resumed chunk
///    draws exactly what an uninterrupted run draws.
/// 2. Evolution (`OptEmbedEvolution`) on the frozen best supernet: fitness(d_U, d_I) = VAL AVG with the row
///    mask and the prefix dims, cached by candidate. The result is the best candidate ever evaluated.
/// 3. Final mask: kept rows × prefix d_U / d_I per layer-0 table, written to `masks/optembed.mask`.
///
/// Directory: `config.json`; `history.jsonl` (`OptEmbedChunkRecord` per supernet chunk, then
/// `OptEmbedGenerationRecord` per generation); `checkpoint.plist` (the stage state, written after every chunk
/// and every generation) with `supernet/chunk-KKK.bin` (the supernet after chunk K: the current one and the
/// best are kept); `masks/optembed.mask`; `candidates.json` (one Selection, targetSparsity = the achieved
/// sparsity); and last `search.json` (`OptEmbedSummary`): its presence means "done".
public struct OptEmbedSearch {
    public let configuration: OptEmbedConfig
    public let directory: URL

    public init(configuration: OptEmbedConfig, directory: URL) {
        self.configuration = configuration
        self.directory = directory
    }

    public static let maskPath = "masks/optembed.mask"
    var configURL: URL { directory.appendingPathComponent("config.json") }
    public var historyURL: URL { directory.appendingPathComponent("history.jsonl") }
    var stateURL: URL { directory.appendingPathComponent("checkpoint.plist") }
    public var doneURL: URL { directory.appendingPathComponent("search.json") }
    func chunkURL(_ k: Int) -> URL { directory.appendingPathComponent(String(format: "supernet/chunk-%03d.bin", k)) }

    /// Runs (or resumes, or returns the finished) search.
    public func run(dataset: SplitDataset, progress: ProgressReporter?) throws -> OptEmbedSummary {
        try run(dataset: dataset, progress: progress, stopAfterCheckpoints: nil)!
    }

    /// `stopAfterCheckpoints`: return nil after this many stage checkpoints in this process (tests simulate a kill).
    func run(dataset d: SplitDataset, progress: ProgressReporter?, stopAfterCheckpoints: Int?) throws -> OptEmbedSummary? {
        if let data = FileManager.default.contents(atPath: doneURL.path),
           let done = try? SearchHistoryFile.decoder().decode(OptEmbedSummary.self, from: data), done.configuration == configuration {
            return done
        }
        try prepareDirectory()
        let started = Date()
        let c = configuration
        var state = try resumeOrStart()
        try SearchHistoryFile.truncate(historyURL, toLines: state.historyLines)
        let history = try FileHandle(forWritingTo: historyURL)
        defer { try? history.close() }
        try history.seekToEnd()
        func append<T: Encodable>(_ record: T) throws {
            history.write(Data((try Self.jsonLine(record) + "\n").utf8))
            try history.synchronize()
            state.historyLines += 1
        }
        var checkpoints = 0
        func saveState() throws -> Bool {
            try state.write(to: stateURL)
            checkpoints += 1
            return stopAfterCheckpoints.map { checkpoints >= $0 } ?? false
        }

        let supernet = OptEmbedSupernet(kind: c.backbone, train: d.train, seed: c.seed, thresholdLR: c.thresholdLR,
                                        alpha: c.alpha)
        if state.chunksDone > 0 {
            try supernet.restore(try Self.readSupernet(chunkURL(state.supernetDone ? state.bestChunk : state.chunksDone)))
        }
        func validAVG(_ scorer: any BlockScorer) -> Double {
            FullRankingEvaluator.evaluate(scorer: scorer, positives: d.valid, exclude: [d.train]).summary.avg
        }

        // 1. Supernet.
        while !state.supernetDone {
            let k = state.chunksDone + 1
            let record = trainChunk(k, supernet: supernet, dataset: d, state: &state, progress: progress, validAVG: validAVG)
            try Self.writeSupernet(supernet.checkpoint(), to: chunkURL(k))
            try append(record)
            progress?.log(String(format: "supernet chunk %d  loss %.4f  t_U %.5f  t_I %.5f  kept users %@ items %@  VAL AVG %.4f%@",
                                 k, record.meanLoss, record.userThreshold, record.itemThreshold,
                                 "\(record.keptUsers)", "\(record.keptItems)", record.validAVG, record.improved ? "  *" : ""))
            let stop = try saveState()
            removeStaleChunks(keeping: [state.bestChunk, state.chunksDone])
            if state.supernetDone { try supernet.restore(try Self.readSupernet(chunkURL(state.bestChunk))) }
            if stop { return nil }   // the evolution (≥ 1 generation) is still to run
        }
        if state.evolution == nil { state.evolution = OptEmbedEvolution(config: c.evolution, dMax: supernet.dMax, seed: c.seed) }

        // 2. Evolution on the frozen supernet.
        while !state.evolution!.isFinished {
            let t0 = Date()
            let g = state.evolution!.advance { validAVG(supernet.makeScorer(dims: $0)) }
            let record = OptEmbedGenerationRecord(g, seconds: Date().timeIntervalSince(t0))
            try append(record)
            progress?.log(String(format: "generation %d/%d  new evaluations %d  best %@ %.4f  best ever %@ %.4f",
                                 g.generation + 1, c.evolution.generations, g.newEvaluations,
                                 "\(g.best.candidate)", g.best.fitness, "\(g.bestEver.candidate)", g.bestEver.fitness))
            if try saveState() && !state.evolution!.isFinished { return nil }
        }

        // 3. Results.
        let evolution = state.evolution!
        let best = evolution.best!
        let mask = supernet.elementMask(dims: best.candidate)
        try ElementMaskFile.write(mask, to: directory.appendingPathComponent(Self.maskPath))
        let kept = supernet.keptCounts()
        let summary = OptEmbedSummary(
            configuration: c, supernetChunks: state.chunksDone, bestChunk: state.bestChunk,
            supernetValidAVG: state.bestAVG, userThreshold: supernet.rowMask.userThreshold,
            itemThreshold: supernet.rowMask.itemThreshold, tableNames: supernet.tableNames,
            keptUsers: kept.map(\.users), keptItems: kept.map(\.items), dUser: best.candidate.dUser,
            dItem: best.candidate.dItem, fitness: best.fitness, evaluations: evolution.evaluated.count,
            nonzeros: mask.nonzeroCount, density: mask.density, sparsity: mask.sparsity, maskFile: Self.maskPath,
            wallSeconds: Date().timeIntervalSince(started))
        let selection = CIESSCandidates.Selection(targetSparsity: mask.sparsity, candidates: [
            .init(episode: 0, iteration: 0, density: mask.density, validAVG: best.fitness, sizesFile: Self.maskPath)])
        try CIESSCandidates.save([selection], to: directory.appendingPathComponent(CIESSCandidates.fileName))
        try AtomicFile.write(Data(try Self.json(summary).utf8), to: doneURL)
        progress?.log(String(format: "OptEmbed: (d_U, d_I) = (%d, %d), kept users %@ items %@, sparsity %.4f, VAL AVG %.4f",
                             best.candidate.dUser, best.candidate.dItem, "\(summary.keptUsers)", "\(summary.keptItems)",
                             mask.sparsity, best.fitness))
        return summary
    }

    // MARK: - Supernet chunks

    /// Trains chunk k, evaluates it and updates the CONVERGE bookkeeping in `state`.
    func trainChunk(_ k: Int, supernet: OptEmbedSupernet, dataset d: SplitDataset, state: inout OptEmbedStageState,
                    progress: ProgressReporter?, validAVG: (any BlockScorer) -> Double) -> OptEmbedChunkRecord {
        let cfg = configuration.supernet
        var seeds = RandomStream(seed: configuration.seed, purpose: "optembed/sampler/chunk\(k)")
        var sampler = BPRSampler(train: d.train, seed: seeds.next())
        let schedule = configuration.backbone.schedule
        let t0 = Date()
        var lossSum = 0.0
        var lr: Float = 0
        for i in 0..<cfg.chunkBatches {
            lr = schedule.rate(afterBatches: (k - 1) * cfg.chunkBatches + i)
            lossSum += Double(supernet.trainStep(sampler.nextBatch(size: configuration.batchSize), learningRate: lr))
            progress?.update(done: i + 1, total: cfg.chunkBatches, "supernet chunk \(k)")
        }
        let t1 = Date()
        let avg = validAVG(supernet.makeScorer())
        let improved = state.bestChunk == 0 || avg > state.bestAVG
        if improved {
            state.bestChunk = k
            state.bestAVG = avg
            state.sinceImprovement = 0
        } else {
            state.sinceImprovement += 1
        }
        state.chunksDone = k
        state.supernetDone = state.sinceImprovement >= cfg.patience || k >= cfg.maxChunks
        let kept = supernet.keptCounts()
        return OptEmbedChunkRecord(chunk: k, meanLoss: lossSum / Double(cfg.chunkBatches), learningRate: lr,
                                   userThreshold: supernet.rowMask.userThreshold,
                                   itemThreshold: supernet.rowMask.itemThreshold,
                                   keptUsers: kept.map(\.users), keptItems: kept.map(\.items), validAVG: avg,
                                   improved: improved, trainSeconds: t1.timeIntervalSince(t0),
                                   evalSeconds: Date().timeIntervalSince(t1))
    }

    func removeStaleChunks(keeping: Set<Int>) {
        let dir = directory.appendingPathComponent("supernet")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return }
        let keep = Set(keeping.map { chunkURL($0).lastPathComponent })
        for n in names where n.hasPrefix("chunk-") && !keep.contains(n) {
            try? FileManager.default.removeItem(at: dir.appendingPathComponent(n))
        }
    }

    // MARK: - Stage state

    func prepareDirectory() throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory.appendingPathComponent("supernet"), withIntermediateDirectories: true)
        if let data = fm.contents(atPath: configURL.path) {
            guard let old = try? JSONDecoder().decode(OptEmbedConfig.self, from: data), old == configuration else {
                throw SearchStageError.configurationChanged(directory.path)
            }
        } else {
            try AtomicFile.write(Data(try Self.json(configuration).utf8), to: configURL)
        }
        if !fm.fileExists(atPath: historyURL.path) { _ = fm.createFile(atPath: historyURL.path, contents: nil) }
    }

    func resumeOrStart() throws -> OptEmbedStageState {
        guard FileManager.default.fileExists(atPath: stateURL.path) else { return OptEmbedStageState(configuration: configuration) }
        let s = try OptEmbedStageState.read(stateURL)
        guard s.configuration == configuration else { throw SearchStageError.configurationChanged(stateURL.path) }
        return s
    }

    static func writeSupernet(_ c: BackboneCheckpoint, to url: URL) throws {
        try SearchStateFile.write(PackedBackboneCheckpoint(c), to: url)
    }

    static func readSupernet(_ url: URL) throws -> BackboneCheckpoint {
        let packed = try SearchStateFile.read(PackedBackboneCheckpoint.self, from: url, absent: .missing(url.path))
        do { return try packed.unpacked() } catch { throw SearchStageError.corrupt(url.path, "\(error)") }
    }

    // MARK: - JSON

    static func json<T: Encodable>(_ v: T) throws -> String { try SearchHistoryFile.json(v) }
    static func jsonLine<T: Encodable>(_ v: T) throws -> String { try SearchHistoryFile.jsonLine(v) }

    /// The supernet chunk records and the generation records of a history file, in order.
    public static func readHistory(_ url: URL) throws -> (chunks: [OptEmbedChunkRecord], generations: [OptEmbedGenerationRecord]) {
        let text = try String(contentsOf: url, encoding: .utf8)
        let d = SearchHistoryFile.decoder()
        var chunks: [OptEmbedChunkRecord] = [], generations: [OptEmbedGenerationRecord] = []
        for (n, line) in text.split(separator: "\n").enumerated() {
            if let r = try? d.decode(OptEmbedChunkRecord.self, from: Data(line.utf8)), r.kind == "supernet" {
                chunks.append(r)
            } else if let r = try? d.decode(OptEmbedGenerationRecord.self, from: Data(line.utf8)), r.kind == "generation" {
                generations.append(r)
            } else {
                throw SearchStageError.corrupt("\(url.path):\(n + 1)", "expected an OptEmbed history record")
            }
        }
        return (chunks, generations)
    }
}

/// The stage state written after every supernet chunk and every generation.
struct OptEmbedStageState: Codable {
    var configuration: OptEmbedConfig
    var chunksDone = 0
    /// 0 until the first chunk is evaluated.
    var bestChunk = 0
    var bestAVG = 0.0
    var sinceImprovement = 0
    var supernetDone = false
    var historyLines = 0
    var evolution: OptEmbedEvolution?

    init(configuration: OptEmbedConfig) { self.configuration = configuration }

    func write(to url: URL) throws { try SearchStateFile.write(self, to: url) }

    static func read(_ url: URL) throws -> OptEmbedStageState { try SearchStateFile.read(OptEmbedStageState.self, from: url) }
}

/// One supernet chunk in `history.jsonl`.
public struct OptEmbedChunkRecord: Sendable, Codable, Equatable {
    public var kind = "supernet"
    public var chunk: Int
    public var meanLoss: Double
    public var learningRate: Float
    public var userThreshold: Float
    public var itemThreshold: Float
    /// Kept rows per layer-0 table.
    public var keptUsers: [Int]
    public var keptItems: [Int]
    public var validAVG: Double
    public var improved: Bool
    public var trainSeconds: Double
    public var evalSeconds: Double
}

/// One generation of the evolution in `history.jsonl`.
public struct OptEmbedGenerationRecord: Sendable, Codable, Equatable {
    public var kind = "generation"
    /// 0-based.
    public var generation: Int
    public var populationSize: Int
    public var newEvaluations: Int
    public var bestFitness: Double
    public var bestUser: Int
    public var bestItem: Int
    public var bestEverFitness: Double
    public var bestEverUser: Int
    public var bestEverItem: Int
    public var worstFitness: Double
    public var seconds: Double

    init(_ g: OptEmbedEvolution.Generation, seconds: Double) {
        generation = g.generation
        populationSize = g.populationSize
        newEvaluations = g.newEvaluations
        bestFitness = g.best.fitness
        bestUser = g.best.candidate.dUser
        bestItem = g.best.candidate.dItem
        bestEverFitness = g.bestEver.fitness
        bestEverUser = g.bestEver.candidate.dUser
        bestEverItem = g.bestEver.candidate.dItem
        worstFitness = g.worstFitness
        self.seconds = seconds
    }
}

/// What an OptEmbed search produced (`search.json`).
public struct OptEmbedSummary: Sendable, Codable, Equatable {
    public var configuration: OptEmbedConfig
    public var supernetChunks: Int
    public var bestChunk: Int
    /// VAL AVG of the restored supernet (row mask only).
    public var supernetValidAVG: Double
    public var userThreshold: Float
    public var itemThreshold: Float
    public var tableNames: [String]
    /// Kept rows per table.
    public var keptUsers: [Int]
    public var keptItems: [Int]
    public var dUser: Int
    public var dItem: Int
    /// VAL AVG of the supernet with the row mask and (d_U, d_I).
    public var fitness: Double
    /// Distinct candidates evaluated.
    public var evaluations: Int
    /// Non-zeros of the final element mask, over all tables.
    public var nonzeros: Int
    public var density: Double
    public var sparsity: Double
    public var maskFile: String
    public var wallSeconds: Double
}
