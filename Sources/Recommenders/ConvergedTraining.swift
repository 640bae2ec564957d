import Foundation
import Evaluation
import Linalg
import RecData

/// A fresh backbone trained with CONVERGE on one training set, monitored on one split, and restored
/// to its best chunk — the common core of pretraining (docs/method.md §1.3) and final training (§4.5).
public enum ConvergedTraining {
    public struct Result {
        public var model: any Backbone
        public var outcome: ConvergeTrainer.Outcome
        /// Wall time spent by earlier, interrupted runs this one continued (0 for a fresh run).
        public var resumedSeconds: Double = 0
    }

    /// - Parameters:
    ///   - monitor: the split whose AVG drives CONVERGE and the lists excluded from its ranking.
    ///   - monitorName: how progress lines name the monitor ("VAL", "TEST").
    public static func train(kind: BackboneKind, trainSet: UserItemLists, sizes: EmbeddingSizes, seed: UInt64,
                             batchSize: Int, converge: ConvergeConfig,
                             monitor: (positives: UserItemLists, exclude: [UserItemLists]), monitorName: String,
                             progress: ProgressReporter? = nil) -> Result {
        train(model: kind.make(train: trainSet, sizes: sizes, seed: seed), schedule: kind.schedule, trainSet: trainSet,
              seed: seed, batchSize: batchSize, converge: converge, monitor: monitor, monitorName: monitorName,
              progress: progress)
    }

    /// The same for a model built by the caller (an element-masked or method-specific backbone);
    /// `schedule` is the learning-rate schedule of its backbone kind.
    public static func train(model: any Backbone, schedule: StepDecaySchedule, trainSet: UserItemLists, seed: UInt64,
                             batchSize: Int, converge: ConvergeConfig,
                             monitor: (positives: UserItemLists, exclude: [UserItemLists]), monitorName: String,
                             progress: ProgressReporter? = nil) -> Result {
        // Without a checkpoint file nothing can throw, and without an interruption a result always comes back.
        try! train(model: model, schedule: schedule, trainSet: trainSet, seed: seed, batchSize: batchSize,
                   converge: converge, monitor: monitor, monitorName: monitorName, checkpoint: nil,
                   progress: progress, stopAfterChunk: nil)!
    }

    /// The same, resumable: after every chunk the whole state (model and optimiser, best chunk's
    /// model, sampler, CONVERGE bookkeeping) is written atomically to `checkpoint`; when that file
    /// exists at the start, training continues from it and gives bit for bit the result of an
    /// uninterrupted run. The file is left in place: the caller deletes it once its own result is
    /// stored. `stopAfterChunk` (tests) simulates an interruption after that chunk and returns nil.
    /// `trainThrough` keeps training, without selecting, until that many chunks have run
    /// (`ConvergeTrainer.trainThrough`; the fixed-budget number after K* chunks).
    public static func train(model: any Backbone, schedule: StepDecaySchedule, trainSet: UserItemLists, seed: UInt64,
                             batchSize: Int, converge: ConvergeConfig,
                             monitor: (positives: UserItemLists, exclude: [UserItemLists]), monitorName: String,
                             checkpoint: TrainingCheckpointFile?, progress: ProgressReporter? = nil,
                             trainThrough: Int = 0, stopAfterChunk: Int? = nil) throws -> Result? {
        var sampler = BPRSampler(train: trainSet, seed: seed)
        var best: BackboneCheckpoint? = nil
        var state = ConvergeTrainer.State.start
        var resumedSeconds = 0.0
        if let file = checkpoint, let saved = try file.read() {
            try file.restore(saved, model: model, sampler: &sampler, best: &best)
            state = saved.converge
            resumedSeconds = saved.elapsedSeconds
            progress?.log("resuming after chunk \(state.history.count) from \(file.url.path)")
        }
        let started = Date()
        let outcome = try ConvergeTrainer(config: converge, trainThrough: trainThrough).run(
            from: state,
            trainBatch: { b in
                let lr = schedule.rate(afterBatches: b)
                return (model.trainStep(sampler.nextBatch(size: batchSize), learningRate: lr), lr)
            },
            evaluate: {
                let summary = FullRankingEvaluator.evaluate(scorer: model.makeScorer(), positives: monitor.positives,
                                                            exclude: monitor.exclude).summary
                return (summary.avg, summary)
            },
            saveBest: { best = model.checkpoint() },
            restoreBest: {
                // A checkpoint taken from this very model always restores; failure is a programming error.
                if let b = best { try! model.restore(b) }
            },
            onBatch: { i in
                if i == 1 { progress?.beginPhase() }
                progress?.update(done: i, total: converge.chunkBatches, "batches of the chunk")
            },
            onChunk: { c in
                progress?.log(String(format: "chunk %d/%d  loss %.5f  %@ AVG %.5f R@20 %.4f N@20 %.4f%@  lr %.5f  (train %.0fs, eval %.1fs)",
                                     c.chunk, max(converge.maxChunks, trainThrough), c.meanLoss, monitorName, c.monitorAvg,
                                     c.monitor?.recall20 ?? .nan, c.monitor?.ndcg20 ?? .nan,
                                     c.improved ? " *" : (c.afterStop == true ? " (after the stop, to reach the fixed chunk)" : ""),
                                     Double(c.learningRate), c.trainSeconds, c.evalSeconds))
            },
            afterChunk: { now in
                try checkpoint?.write(converge: now, model: model, sampler: sampler.state, best: best,
                                      elapsedSeconds: resumedSeconds + Date().timeIntervalSince(started))
                return stopAfterChunk.map { now.history.count < $0 } ?? true
            })
        return outcome.map { Result(model: model, outcome: $0, resumedSeconds: resumedSeconds) }
    }
}
