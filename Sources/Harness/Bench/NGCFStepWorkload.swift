import Dispatch
import Linalg
import RecData
import Recommenders

/// The `ngcf_step` benchmark workload (shared/bench/README.md): one timed iteration is one full
/// NGCF training step at batch size B (10 000).
///
/// - Untimed set-up: L = D⁻¹(A + I) (CSR and its transpose index, `NGCF`), Xavier-uniform
///   parameters (stream "init"), prefix mask with d_r uniform in {1..128} per node (stream
///   "ngcf_step/mask"), Adam, and the W + R batches drawn in advance with `BPRSampler` (stream
///   "sampler"), one per iteration.
/// - Timed, per iteration (`NGCF.trainStep`): the per-step dropout draws (node/edge dropout of L
///   and L′ᵀ values, message dropout keys), E0 = E ⊙ M, three layers (L′X, the bi-interaction,
///   one sgemm, LeakyReLU, message dropout, row normalisation), BPR + L2 on the 512-d rows of the
///   batch, the full backward pass (three L′ᵀ products, the sgemms) and Adam on every parameter at
///   lr 0.03.
/// - `extra`: `nnz` (of L, 2·|train| + N), `dim`, `layers`, `node_dropout`, `message_dropout`,
///   `loss_first`/`loss_last` (first and last iteration, warm-up included).
public enum NGCFStepWorkload {
    public static let dimension = BackboneStepTiming.dimension

    public static func run(train: UserItemLists, batch: Int, warmup: Int, repeat count: Int,
                           seed: UInt64) -> WorkloadTiming {
        let r = BackboneStepTiming.run(workload: "ngcf_step", train: train, batch: batch, warmup: warmup,
                                       repeat: count, seed: seed) { NGCF(train: train, sizes: $0, seed: seed) }
        return WorkloadTiming(times: r.times, extra: r.lossExtras.merging([
            "nnz": Double(2 * train.interactionCount + train.userCount + train.itemCount),
            "dim": Double(dimension), "layers": Double(NGCF.layers),
            "node_dropout": NGCF.nodeDropout, "message_dropout": NGCF.messageDropout,
        ]) { a, _ in a })
    }
}
