import Foundation
import Linalg

/// The benchmark workloads of the PyTorch reference (bench/README), by name, run on one graph.
///
/// Names, order and batch sizes follow the reference: `lightgcn` → `lightgcn_step` at B = 2048 and
/// 10 000, `ngcf` → `ngcf_step`, `neumf` → `neumf_step` (B = 10 000), `eval` → `full_rank_eval`,
/// `td3` → `td3_update` and `td3_critic_update` (B = 4096, buffer of 100 × users rows).
/// Each figure is `warmup` untimed and `repeat` timed iterations.
public enum BenchSuite {
    public static let workloadNames = ["lightgcn", "ngcf", "neumf", "eval", "td3"]

    public struct Options: Sendable {
        public var workloads: [String]
        public var lightGCNBatches: [Int]
        public var batch: Int
        public var td3Batch: Int
        public var warmup: Int
        public var evalWarmup: Int
        public var repeatCount: Int
        public var seed: UInt64

        public init(workloads: [String] = BenchSuite.workloadNames, lightGCNBatches: [Int] = [2048, 10000],
                    batch: Int = 10_000, td3Batch: Int = 4096,
                    warmup: Int = 2, evalWarmup: Int = 1, repeatCount: Int = 10, seed: UInt64 = 2024) {
            self.workloads = workloads
            self.lightGCNBatches = lightGCNBatches
            self.batch = batch
            self.td3Batch = td3Batch
            self.warmup = warmup
            self.evalWarmup = evalWarmup
            self.repeatCount = repeatCount
            self.seed = seed
        }
    }

    /// Runs the selected workloads and hands each finished figure to `emit` (as soon as it is done).
    public static func run(graph: BenchGraph, options o: Options, emit: (BenchRecord) -> Void) {
        let provenance = Provenance.current(threads: Threads.count)
        let started = ISO8601DateFormatter().string(from: Date())
        func record(_ workload: String, _ batch: Int?, _ warmup: Int, _ t: WorkloadTiming) -> BenchRecord {
            BenchRecord(workload: workload, batch: batch, dataset: graph.name, users: graph.userCount,
                        items: graph.itemCount, interactions: graph.train.interactionCount,
                        testInteractions: graph.heldOut.interactionCount, graphSHA256: graph.digest,
                        seed: o.seed, warmup: warmup, timing: t, provenance: provenance, started: started)
        }
        if o.workloads.contains("lightgcn") {
            for b in o.lightGCNBatches {
                let t = LightGCNStepWorkload.run(train: graph.train, batch: b, warmup: o.warmup,
                                                 repeat: o.repeatCount, seed: o.seed)
                emit(record("lightgcn_step", b, o.warmup, t))
            }
        }
        if o.workloads.contains("ngcf") {
            let t = NGCFStepWorkload.run(train: graph.train, batch: o.batch, warmup: o.warmup, repeat: o.repeatCount, seed: o.seed)
            emit(record("ngcf_step", o.batch, o.warmup, t))
        }
        if o.workloads.contains("neumf") {
            let t = NeuMFStepWorkload.run(train: graph.train, batch: o.batch, warmup: o.warmup, repeat: o.repeatCount, seed: o.seed)
            emit(record("neumf_step", o.batch, o.warmup, t))
        }
        if o.workloads.contains("eval") {
            let t = FullRankEvalWorkload.run(train: graph.train, heldOut: graph.heldOut, warmup: o.evalWarmup,
                                             repeat: o.repeatCount, seed: o.seed)
            emit(record("full_rank_eval", nil, o.evalWarmup, t))
        }
        if o.workloads.contains("td3") {
            for actorUpdate in [true, false] {
                let t = TD3UpdateWorkload.run(entities: graph.userCount, batch: o.td3Batch, actorUpdate: actorUpdate,
                                              warmup: o.warmup, repeat: o.repeatCount, seed: o.seed)
                emit(record(actorUpdate ? "td3_update" : "td3_critic_update", o.td3Batch, o.warmup, t))
            }
        }
    }
}
