import Evaluation
import Foundation
import Linalg

/// The CONVERGE loop of specs §1.3, independent of the model: the caller supplies how to train
/// one batch, how to evaluate the monitor and how to save and restore the best state.
///
/// Chunk k (1-based) runs batches `(k−1)·chunkBatches ..< k·chunkBatches`. After it, the monitor
/// AVG is computed; a strictly larger value than the best so far is an improvement and is saved.
/// The loop stops after `patience` consecutive non-improving chunks or `maxChunks` chunks, then
/// restores the best state. `bestChunk` is K* of specs §1.3.
public struct ConvergeTrainer {
    public struct Outcome: Sendable, Codable, Equatable {
        public var bestChunk: Int
        public var bestMonitorAvg: Double
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
    public init(config: ConvergeConfig) { self.config = config }

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
        while chunk < config.maxChunks && sinceImprovement < config.patience {
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
            let improved = avg > best
            if improved {
                best = avg
                bestChunk = chunk
                sinceImprovement = 0
                saveBest()
            } else {
                sinceImprovement += 1
            }
            let record = ChunkRecord(chunk: chunk, meanLoss: lossSum / Double(config.chunkBatches),
                                     monitorAvg: avg, monitor: metrics, learningRate: lr,
                                     trainSeconds: t1.timeIntervalSince(t0),
                                     evalSeconds: Date().timeIntervalSince(t1), improved: improved)
            history.append(record)
            onChunk(record)
            let now = State(best: best, bestChunk: bestChunk, sinceImprovement: sinceImprovement, history: history)
            if try !afterChunk(now) { return nil }
        }
        restoreBest()
        return Outcome(bestChunk: bestChunk, bestMonitorAvg: best, chunksRun: history.count, history: history)
    }
}
