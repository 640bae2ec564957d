import Dispatch
import Linalg
import RecData
import Recommenders

/// The `neumf_step` benchmark workload (shared/bench/README.md): one timed iteration is one full
/// NeuMF training step at batch size B.
///
/// - Untimed set-up: the GMF and MLP tables (Xavier-uniform), tower Linear(256→128) and predictor
///   Linear(256→1) (default init) (`NeuMF`, stream "init"); the prefix mask with d_r uniform in
///   {1..128} per node, the same row on both tables (D30; stream "neumf_step/mask"); Adam; and the
///   W + R batches drawn in advance with `BPRSampler` (stream "sampler"), one per iteration.
/// - Timed, per iteration (`NeuMF.trainStep` at lr 0.03): gather of the masked user and item rows
///   of both tables, the tower and predictor on all 2B pairs, BPR loss + L2 on the masked rows,
///   the backward pass, and Adam on all parameters including the full embedding tables.
/// - `extra`: `dim`, `loss_first`/`loss_last` (losses of the first and last iteration, warm-up
///   included), `distinct_users`/`distinct_items` of the last batch.
public enum NeuMFStepWorkload {
    public static let dimension = BackboneStepTiming.dimension

    public static func run(train: UserItemLists, batch: Int, warmup: Int, repeat count: Int,
                           seed: UInt64) -> WorkloadTiming {
        let r = BackboneStepTiming.run(workload: "neumf_step", train: train, batch: batch, warmup: warmup,
                                       repeat: count, seed: seed) { NeuMF(train: train, sizes: $0, seed: seed) }
        let last = r.lastBatch
        return WorkloadTiming(times: r.times, extra: r.lossExtras.merging([
            "dim": Double(dimension),
            "distinct_users": Double(Set(last?.users ?? []).count),
            "distinct_items": Double(Set((last?.positives ?? []) + (last?.negatives ?? [])).count),
        ]) { a, _ in a })
    }
}
