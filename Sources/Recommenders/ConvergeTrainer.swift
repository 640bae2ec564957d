import Evaluation
import Foundation
import Linalg

/// The CONVERGE loop of docs/method.md §1.3, independent of the model: the caller supplies how to train
/// one batch, how to evaluate the monitor and how to save and restore the best state.
///
/// Chunk k (1-based) runs batches `(k−1)·chunkBatches ..< k·chunkBatches`. After it, the monitor
/// AVG is computed; a strictly larger value than the best so far is an improvement and is saved.
/// The loop stops after `patience` consecutive non-improving chunks or `maxChunks` chunks, then
/// restores the best state. `bestChunk` is K* of docs/method.md §1.3.
///
/// `trainThrough` (default 0: off) keeps training past the stop, without selecting, until that many
/// chunks have run: the fixed-budget, selection-free number of §4.5 reads the monitor after exactly K*
/// chunks, which may lie beyond where CONVERGE stopped. Chunks after the stop are logged
/// (`ChunkRecord.afterStop`) but can never become the best, so the selected chunk and its state are
/// those of the plain CONVERGE run.
public struct ConvergeTrainer {
    public struct Outcome: Sendable, Codable, Equatable {
        public var bestChunk: Int
        public var bestMonitorAvg: Double
        /// Chunks CONVERGE ran up to its stop (chunks trained only for `trainThrough` are not counted).
        public var chunksRun: Int
        public var history: [ChunkRecord]
    }

    /// The loop's position after a chunk: enough, with the model, optimiser and sampler state, to
    /// continue exactly where an interrupted run stopped. `best` is −∞ before the first chunk.
    public struct State: Sendable, Codable, Equatable {
        public var best: Double
        public var bestChunk: Int
        public var sinceImprovement: Int
        public var history: [ChunkRecord]

        public static let start = State(best: -.infinity, bestChunk: 0, sinceImprovement: 0, history: [])
    }

    public var config: ConvergeConfig
    public var trainThrough: Int
    public init(config: ConvergeConfig, trainThrough: Int = 0) {
        precondition(trainThrough >= 0, "trainThrough must be non-negative")
        self.config = config
        self.trainThrough = trainThrough
    }

    /// Whether CONVERGE itself would run another chunk (its stop rule, without `trainThrough`).
    func selecting(chunksDone: Int, sinceImprovement: Int) -> Bool {
        chunksDone < config.maxChunks && sinceImprovement < config.patience
    }

    /// - Parameters:
    ///   - trainBatch: trains global batch `b` (0-based) and returns its loss and learning rate.
    ///   - evaluate: the monitor AVG of the current model and, optionally, all its metrics (logged).
    ///   - saveBest / restoreBest: snapshot and restore of the model (and optimiser) state.
    ///   - onChunk: called after every chunk with its record (progress, logs).
    ///   - state: where to continue (`.start`, or what `afterChunk` last received before an interruption).
    ///   - afterChunk: called after every chunk (and after `saveBest`) with the loop's state; returning
    ///     false stops the loop there without restoring the best state (an interruption, for tests), and
    ///     `run` returns nil.
    public func run(from state: State = .start,
                    trainBatch: (Int) -> (loss: Float, lr: Float),
                    evaluate: () -> (avg: Double, metrics: MetricSummary?),
                    saveBest: () -> Void,
                    restoreBest: () -> Void,
                    onBatch: (Int) -> Void = { _ in },
                    onChunk: (ChunkRecord) -> Void = { _ in },
                    afterChunk: (State) throws -> Bool = { _ in true }) throws -> Outcome? {
        var best = state.best
        var bestChunk = state.bestChunk
        var sinceImprovement = state.sinceImprovement
        var history = state.history
        var chunk = history.count
        while selecting(chunksDone: chunk, sinceImprovement: sinceImprovement) || chunk < trainThrough {
            let selects = selecting(chunksDone: chunk, sinceImprovement: sinceImprovement)
            chunk += 1
            let t0 = Date()
            var lossSum = 0.0
            var lr: Float = 0
            for i in 0..<config.chunkBatches {
                let step = trainBatch((chunk - 1) * config.chunkBatches + i)
                lossSum += Double(step.loss)
                lr = step.lr
                onBatch(i + 1)
            }
            let t1 = Date()
            let (avg, metrics) = evaluate()
            try NonFiniteValueError.check([("the mean training loss of chunk \(chunk)", lossSum / Double(config.chunkBatches)),
                                           ("the monitor AVG after chunk \(chunk)", avg)])
            let improved = selects && avg > best
            if improved {
                best = avg
                bestChunk = chunk
                sinceImprovement = 0
                saveBest()
            } else if selects {
                sinceImprovement += 1
            }
            var record = ChunkRecord(chunk: chunk, meanLoss: lossSum / Double(config.chunkBatches),
                                     monitorAvg: avg, monitor: metrics, learningRate: lr,
                                     trainSeconds: t1.timeIntervalSince(t0),
                                     evalSeconds: Date().timeIntervalSince(t1), improved: improved)
            record.afterStop = selects ? nil : true
            history.append(record)
            onChunk(record)
            let now = State(best: best, bestChunk: bestChunk, sinceImprovement: sinceImprovement, history: history)
            if try !afterChunk(now) { return nil }
        }
        restoreBest()
        return Outcome(bestChunk: bestChunk, bestMonitorAvg: best,
                       chunksRun: history.filter { $0.afterStop != true }.count, history: history)
    }
}
