import Evaluation
import Foundation
import Linalg
import RecData
import Recommenders

/// Pretraining and peak qualities (docs/method.md §1.3): a full-size backbone trained with CONVERGE on TRAIN
/// (monitor VAL AVG), restored to its best chunk, then evaluated on VAL:
/// `peak_u = max(eval(u), 1e−5)`, `peak_v = max(eval(v), 1e−5)` with eval(v) the mean of eval(u)
/// over v's TRAIN users. `bestChunk` is K*.
public struct PeakQualities: Sendable, Codable, Equatable {
    public static let floor = 1e-5
    public var users: [Double]
    public var items: [Double]
    public var bestChunk: Int
    public var chunksRun: Int
    public var valid: MetricSummary
    public var history: [ChunkRecord]

    public static func pretrain(dataset d: SplitDataset, backbone: BackboneKind, seed: UInt64, batchSize: Int = 10_000,
                                converge: ConvergeConfig = ConvergeConfig(),
                                progress: ProgressReporter? = nil) -> PeakQualities {
        let sizes = EmbeddingSizes.full(userCount: d.userCount, itemCount: d.itemCount)
        let trained = ConvergedTraining.train(kind: backbone, trainSet: d.train, sizes: sizes, seed: seed,
                                              batchSize: batchSize, converge: converge,
                                              monitor: (d.valid, [d.train]), monitorName: "VAL", progress: progress)
        let report = FullRankingEvaluator.evaluate(scorer: trained.model.makeScorer(), positives: d.valid,
                                                   exclude: [d.train])
        return PeakQualities(users: report.userEval.map { max($0, floor) },
                             items: report.itemScores(trainByUser: d.train).map { max($0, floor) },
                             bestChunk: trained.outcome.bestChunk, chunksRun: trained.outcome.chunksRun,
                             valid: report.summary, history: trained.outcome.history)
    }
}
