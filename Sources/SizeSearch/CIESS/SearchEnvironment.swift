import Evaluation
import Foundation
import Linalg
import RecData
import Recommenders

/// One CIESS environment step (docs/method.md §1.7): a fresh backbone (new initialisation, new Adam at
/// lr_max) with the chosen sizes, `batchesPerStep` BPR batches on TRAIN with the backbone's
/// step-decay schedule, then one full-ranking evaluation on VAL (TRAIN excluded).
///
/// Returns eval(u) for every user, eval(v) for every item (mean of eval(u) over v's TRAIN users,
/// 0 if none) and the metric means. Seeds of initialisation and sampling are derived from the
/// search seed and the (episode, iteration), so a resumed search repeats the same steps.
public struct SearchEnvironment: Sendable {
    public let dataset: SplitDataset
    public let backbone: BackboneKind
    public let batchesPerStep: Int
    public let batchSize: Int

    public init(dataset: SplitDataset, backbone: BackboneKind, batchesPerStep: Int, batchSize: Int = 10_000) {
        precondition(batchesPerStep >= 1 && batchSize >= 1)
        self.dataset = dataset
        self.backbone = backbone
        self.batchesPerStep = batchesPerStep
        self.batchSize = batchSize
    }

    public struct Outcome: Sendable {
        public var userEval: [Double]
        public var itemEval: [Double]
        public var valid: MetricSummary
        public var meanLoss: Double
        public var trainSeconds: Double
        public var evalSeconds: Double
    }

    public func step(sizes: EmbeddingSizes, seed: UInt64, progress: ((Int) -> Void)? = nil) -> Outcome {
        let t0 = Date()
        let model = backbone.make(train: dataset.train, sizes: sizes, seed: seed)
        var sampler = BPRSampler(train: dataset.train, seed: seed)
        let schedule = backbone.schedule
        var lossSum = 0.0
        for b in 0..<batchesPerStep {
            lossSum += Double(model.trainStep(sampler.nextBatch(size: batchSize), learningRate: schedule.rate(afterBatches: b)))
            progress?(b + 1)
        }
        let t1 = Date()
        let report = FullRankingEvaluator.evaluate(scorer: model.makeScorer(), positives: dataset.valid,
                                                   exclude: [dataset.train])
        return Outcome(userEval: report.userEval, itemEval: report.itemScores(trainByUser: dataset.train),
                       valid: report.summary, meanLoss: lossSum / Double(batchesPerStep),
                       trainSeconds: t1.timeIntervalSince(t0), evalSeconds: Date().timeIntervalSince(t1))
    }
}
