import Crypto
import Evaluation
import Foundation
import Linalg
import RecData
import Recommenders

/// One final training of a backbone with fixed sizes under a final protocol (docs/method.md §4.5):
/// fresh model, CONVERGE on the protocol's monitor, restore the best chunk, report.
public struct TrainingRequest: Sendable, Codable, Equatable {
    public var dataset: String
    public var backbone: BackboneKind
    public var sizes: SizesSpec
    public var finalProtocol: FinalProtocol
    public var seed: UInt64
    public var batchSize: Int
    public var converge: ConvergeConfig
    /// K* (docs/method.md §4.5): also record the monitor after exactly this many chunks, training past the
    /// CONVERGE stop when needed (never selecting there). Only under P-code, where the monitor is TEST
    /// with TRAIN ∪ VAL excluded, so that record is the fixed-budget, selection-free TEST number.
    /// nil: not recorded (and absent from the JSON, so earlier requests keep their fingerprints).
    public var fixedChunk: Int?

    public init(dataset: String, backbone: BackboneKind, sizes: SizesSpec, finalProtocol: FinalProtocol,
                seed: UInt64, batchSize: Int = 10_000, converge: ConvergeConfig = ConvergeConfig(), fixedChunk: Int? = nil) {
        self.dataset = dataset
        self.backbone = backbone
        self.sizes = sizes
        self.finalProtocol = finalProtocol
        self.seed = seed
        self.batchSize = batchSize
        self.converge = converge
        self.fixedChunk = fixedChunk
    }
}

/// The TEST metrics after exactly `chunk` = K* chunks of a P-code training: a fixed training budget
/// and no selection on TEST (docs/method.md §4.5), reported beside the test-selected value.
public struct FixedChunkTest: Sendable, Codable, Equatable {
    public var chunk: Int
    public var test: MetricSummary
}

/// What a training run reports (one JSON object).
public struct TrainingOutcome: Sendable, Codable, Equatable {
    public var request: TrainingRequest
    public var protocolLabel: String
    /// VAL metrics at the selected chunk (P-clean only: under P-code VAL is training data).
    public var valid: MetricSummary?
    /// TEST metrics at the selected chunk (TRAIN ∪ VAL excluded from the ranking).
    public var test: MetricSummary
    public var sparsity: Double
    public var bestChunk: Int
    public var chunksRun: Int
    /// TEST after exactly K* chunks (P-code with `request.fixedChunk`), else nil.
    public var fixedChunkTest: FixedChunkTest?
    public var history: [ChunkRecord]
    public var wallSeconds: Double
    public var rawDigest: String
    public var splitDigest: String
    public var provenance: Provenance
    /// How the raw rows were ordered before the split (`SplitDataset.sourceOrder`).
    public var sourceOrder: String = "as distributed"
}

public enum TrainingRun {
    /// Trains and evaluates; `progress` receives the per-batch and per-chunk status. With
    /// `checkpoint`, the training is resumable (`TrainingCheckpointFile`: written after every chunk,
    /// continued from when present); the caller deletes the file once it has stored the outcome.
    ///
    /// One writer per checkpoint: its `FileLock` (`<checkpoint>.lock`) is held throughout; with
    /// `waitForLock` a second writer waits (two cells retraining the same mask), else it is refused.
    public static func run(_ request: TrainingRequest, dataset d: SplitDataset, checkpoint: URL? = nil,
                           progress: ProgressReporter? = nil, waitForLock: Bool = true) throws -> TrainingOutcome {
        // Only an interruption (stopAfterChunk, tests) yields nil.
        try run(request, dataset: d, checkpoint: checkpoint, progress: progress, stopAfterChunk: nil, waitForLock: waitForLock)!
    }

    static func run(_ request: TrainingRequest, dataset d: SplitDataset, checkpoint: URL?,
                    progress: ProgressReporter?, stopAfterChunk: Int?, waitForLock: Bool = true) throws -> TrainingOutcome? {
        let lock = try checkpoint.map { try FileLock.acquire(FileLock.lockFile(for: $0), wait: waitForLock) }
        defer { lock?.release() }
        if let checkpoint {
            for name in AtomicFile.removeLeftoverTemporaries(in: checkpoint.deletingLastPathComponent(),
                                                             of: checkpoint.lastPathComponent) {
                progress?.log("removed \(name), left by a killed checkpoint write")
            }
        }
        let start = Date()
        let trainSet = request.finalProtocol.trainingSet(of: d)
        let initial: any Backbone, sparsity: Double
        if let mask = try elementMask(request, dataset: d) {
            initial = MaskedTableBackbone(kind: request.backbone, train: trainSet, mask: mask, seed: request.seed)
            sparsity = mask.sparsity
        } else {
            let sizes = try request.sizes.resolve(userCount: d.userCount, itemCount: d.itemCount)
            initial = request.backbone.make(train: trainSet, sizes: sizes, seed: request.seed)
            sparsity = sizes.sparsity
        }
        let file = try checkpoint.map { TrainingCheckpointFile(url: $0, fingerprint: try fingerprint(request, dataset: d)) }
        guard let trained = try ConvergedTraining.train(
            model: initial, schedule: request.backbone.schedule, trainSet: trainSet,
            seed: request.seed, batchSize: request.batchSize, converge: request.converge,
            monitor: request.finalProtocol.monitor(of: d),
            monitorName: request.finalProtocol == .clean ? "VAL" : "TEST", checkpoint: file, progress: progress,
            trainThrough: fixedChunk(request), stopAfterChunk: stopAfterChunk) else { return nil }
        let model = trained.model, outcome = trained.outcome
        let scorer = model.makeScorer()
        let test = FullRankingEvaluator.evaluate(scorer: scorer, positives: d.test, exclude: [d.train, d.valid]).summary
        let valid = request.finalProtocol == .clean
            ? FullRankingEvaluator.evaluate(scorer: scorer, positives: d.valid, exclude: [d.train]).summary : nil
        return TrainingOutcome(request: request, protocolLabel: request.finalProtocol.label, valid: valid, test: test,
                               sparsity: sparsity, bestChunk: outcome.bestChunk, chunksRun: outcome.chunksRun,
                               fixedChunkTest: fixedChunkTest(request, history: outcome.history),
                               history: outcome.history,
                               wallSeconds: trained.resumedSeconds + Date().timeIntervalSince(start),
                               rawDigest: d.rawDigest, splitDigest: d.splitDigest,
                               provenance: .current(threads: Threads.count), sourceOrder: d.sourceOrder)
    }

    /// The chunk count to train through: K* under P-code, else 0 (plain CONVERGE).
    static func fixedChunk(_ request: TrainingRequest) -> Int {
        request.finalProtocol == .code ? request.fixedChunk ?? 0 : 0
    }

    /// Under P-code the monitor of chunk K* is TEST with TRAIN ∪ VAL excluded: the selection-free number.
    static func fixedChunkTest(_ request: TrainingRequest, history: [ChunkRecord]) -> FixedChunkTest? {
        let k = fixedChunk(request)
        guard k >= 1, history.count >= k, let test = history[k - 1].monitor else { return nil }
        return FixedChunkTest(chunk: k, test: test)
    }

    /// What a resumable training must have been started with: the request, the data (raw and split
    /// digests) and, for `file:` sizes, the file's content.
    static func fingerprint(_ request: TrainingRequest, dataset d: SplitDataset) throws -> String {
        var parts = [String(decoding: try JSONOutput.encodeRaw(request), as: UTF8.self), d.rawDigest, d.splitDigest]
        if case .file(let path) = request.sizes {
            guard let data = FileManager.default.contents(atPath: path) else { throw SizesSpecError.invalid("\(path): cannot read the sizes file") }
            parts.append(SHA256.hex([UInt8](data)))
        }
        return SHA256.hex(Array(parts.joined(separator: "\n").utf8))
    }

    /// The element mask of a `file:` spec that names an `ElementMaskFile` (PEP, OptEmbed), checked
    /// against the dataset and the backbone's tables; nil for prefix sizes.
    public static func elementMask(_ request: TrainingRequest, dataset d: SplitDataset) throws -> ElementMask? {
        guard case .file(let path) = request.sizes, let data = FileManager.default.contents(atPath: path),
              ElementMaskFile.hasMagic(data) else { return nil }
        let mask = try ElementMaskFile.decode([UInt8](data), path: path)
        let tables = request.backbone == .neumf ? ["gmf", "mlp"] : ["embedding"]
        guard mask.userCount == d.userCount, mask.itemCount == d.itemCount, mask.dMax == 128, mask.tableNames == tables else {
            throw SizesSpecError.invalid("\(path): an element mask of \(mask.userCount) users, \(mask.itemCount) items, tables \(mask.tableNames) at dMax \(mask.dMax); \(request.backbone.rawValue) on \(d.name) needs \(d.userCount), \(d.itemCount), \(tables) at 128")
        }
        return mask
    }
}
