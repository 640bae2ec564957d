import Linalg
import RecData
import Recommenders

/// The protocol the three `*_step` workloads share (bench/README "Timing protocol"): a prefix mask
/// with d_r uniform in {1..128} per node (stream "<workload>/mask"), a fresh model, the W + R BPR
/// batches drawn before timing (`BPRSampler`, stream "sampler"), then one timed `trainStep` per
/// iteration at the reference's lr 0.03.
enum BackboneStepTiming {
    static let dimension = 128
    static let learningRate: Float = 0.03

    struct Run {
        var times: [Double]
        var losses: [Float]
        var lastBatch: BPRBatch?

        /// `loss_first` / `loss_last`: the first and last iteration's loss, warm-up included.
        var lossExtras: [String: Double] {
            ["loss_first": Double(losses.first ?? .nan), "loss_last": Double(losses.last ?? .nan)]
        }
    }

    static func run(workload: String, train: UserItemLists, batch: Int, warmup: Int, repeat count: Int,
                    seed: UInt64, make: (EmbeddingSizes) -> any Backbone) -> Run {
        var maskRandom = RandomStream(seed: seed, purpose: "\(workload)/mask")
        let users = (0..<train.userCount).map { _ in UInt8(1 + maskRandom.below(dimension)) }
        let items = (0..<train.itemCount).map { _ in UInt8(1 + maskRandom.below(dimension)) }
        let model = make(EmbeddingSizes(users: users, items: items, dMax: dimension))
        var sampler = BPRSampler(train: train, seed: seed)
        let batches = (0..<(warmup + count)).map { _ in sampler.nextBatch(size: batch) }
        var losses: [Float] = []
        losses.reserveCapacity(warmup + count)
        let times = BenchTimer.time(warmup: warmup, repeat: count) { k in
            losses.append(model.trainStep(batches[k], learningRate: learningRate))
        }
        return Run(times: times, losses: losses, lastBatch: batches.last)
    }
}
