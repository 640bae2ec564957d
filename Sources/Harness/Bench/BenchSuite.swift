import Foundation
import Linalg

/// The benchmark workloads of the PyTorch reference (bench/README), by name, run on one graph.
///
/// Names and batch sizes follow the reference: `lightgcn` → `lightgcn_step` at B = 2048 and
/// 10 000, `eval` → `full_rank_eval`. Each figure is `warmup` untimed and `repeat` timed iterations.
public enum BenchSuite {
    public static let workloadNames = ["lightgcn", "eval"]

    public struct Options: Sendable {
        public var workloads: [String]
        public var lightGCNBatches: [Int]
        public var warmup: Int
        public var evalWarmup: Int
        public var repeatCount: Int
        public var seed: UInt64

        public init(workloads: [String] = BenchSuite.workloadNames, lightGCNBatches: [Int] = [2048, 10000],
                    warmup: Int = 2, evalWarmup: Int = 1, repeatCount: Int = 10, seed: UInt64 = 2024) {
            self.workloads = workloads
            self.lightGCNBatches = lightGCNBatches
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
        if o.workloads.contains("eval") {
            let t = FullRankEvalWorkload.run(train: graph.train, heldOut: graph.heldOut, warmup: o.evalWarmup,
                                             repeat: o.repeatCount, seed: o.seed)
            emit(record("full_rank_eval", nil, o.evalWarmup, t))
        }
    }
}
