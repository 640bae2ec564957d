import Evaluation

/// CONVERGE (docs/method.md §1.3): train in chunks of `chunkBatches` batches with the learning-rate
/// schedule carrying on across chunks; after each chunk evaluate the monitor (AVG on the monitor
/// split); keep the best checkpoint; stop after `patience` consecutive chunks without improvement
/// or after `maxChunks` chunks; restore the best. Defaults: 3000 / 2 / 30.
public struct ConvergeConfig: Sendable, Codable, Equatable {
    public var chunkBatches: Int
    public var patience: Int
    public var maxChunks: Int

    public init(chunkBatches: Int = 3000, patience: Int = 2, maxChunks: Int = 30) {
        precondition(chunkBatches >= 1 && patience >= 1 && maxChunks >= 1)
        self.chunkBatches = chunkBatches
        self.patience = patience
        self.maxChunks = maxChunks
    }
}

/// One CONVERGE chunk as logged: mean BPR loss over its batches, the monitor value after it (and,
/// when the caller supplies them, all six monitor metrics), the learning rate at its end, and its
/// wall time (training and evaluation separately).
public struct ChunkRecord: Sendable, Codable, Equatable {
    public var chunk: Int
    public var meanLoss: Double
    public var monitorAvg: Double
    public var monitor: MetricSummary?
    public var learningRate: Float
    public var trainSeconds: Double
    public var evalSeconds: Double
    public var improved: Bool
    /// true for a chunk trained after CONVERGE's stop only to reach a fixed chunk count
    /// (`ConvergeTrainer.trainThrough`); absent otherwise. Such a chunk is never selected.
    public var afterStop: Bool?

    public init(chunk: Int, meanLoss: Double, monitorAvg: Double, monitor: MetricSummary? = nil, learningRate: Float,
                trainSeconds: Double, evalSeconds: Double, improved: Bool) {
        self.chunk = chunk
        self.meanLoss = meanLoss
        self.monitorAvg = monitorAvg
        self.monitor = monitor
        self.learningRate = learningRate
        self.trainSeconds = trainSeconds
        self.evalSeconds = evalSeconds
        self.improved = improved
    }
}
