import Dispatch
import Linalg
import RecData
import Recommenders

/// The `lightgcn_step` benchmark workload (shared/bench/README.md): one timed iteration is one
/// full LightGCN training step at batch size B.
///
/// - Untimed set-up: Â (CSR) from `train`, E ~ N(0, 0.01²) (`LightGCN`, stream "init"), prefix
///   mask with d_r uniform in {1..128} per node (stream "lightgcn_step/mask"), Adam, and the
///   W + R batches drawn in advance with `BPRSampler` (stream "sampler"), one per iteration.
/// - Timed, per iteration: gradient reset, E0 = E ⊙ M, three propagation layers and the layer
///   mean, the row gather, BPR loss + L2 on the masked layer-0 rows, the backward pass (three
///   more products with Â) and the Adam update of E at lr 0.03 (`LightGCN.trainStep`).
/// - `extra`: `nnz`, `dim`, `layers`, `loss_first`/`loss_last` (losses of the first and last
///   iteration, warm-up included), and `spmm_s`: median time of one sparse × dense product
///   (a full, unmasked 3-layer propagation of an N × 128 matrix divided by 3), measured after the
///   timed iterations.
public enum LightGCNStepWorkload {
    public static let dimension = BackboneStepTiming.dimension

    public static func run(train: UserItemLists, batch: Int, warmup: Int, repeat count: Int,
                           seed: UInt64) -> WorkloadTiming {
        let r = BackboneStepTiming.run(workload: "lightgcn_step", train: train, batch: batch, warmup: warmup,
                                       repeat: count, seed: seed) { LightGCN(train: train, sizes: $0, seed: seed) }
        return WorkloadTiming(times: r.times, extra: r.lossExtras.merging([
            "nnz": Double(2 * train.interactionCount), "dim": Double(dimension), "layers": 3,
            "spmm_s": spmmSeconds(train: train, repeat: max(3, count)),
        ]) { a, _ in a })
    }

    /// Median seconds of one N × 128 sparse × dense product with Â (a 3-layer propagation / 3).
    public static func spmmSeconds(train: UserItemLists, repeat count: Int) -> Double {
        let adjacency = SymmetricNormalizedAdjacency(train: train)
        let p = GraphPropagation(adjacency: adjacency, width: dimension)
        let x = AlignedFloatBuffer(count: adjacency.nodeCount * p.stride)
        let y = AlignedFloatBuffer(count: adjacency.nodeCount * p.stride)
        var rng = RandomStream(seed: 1, purpose: "spmm")
        for k in 0..<x.count { x.base[k] = rng.unitFloat() - 0.5 }
        let times = BenchTimer.time(warmup: 1, repeat: count) { _ in p.apply(input: x.base, output: y.base) }
        return times.median / Double(p.layers)
    }
}
