import Evaluation
import Linalg
import RecData

/// The `full_rank_eval` benchmark workload (shared/bench/README.md): one timed iteration is one
/// full-ranking evaluation of all users with fixed random embeddings.
///
/// - U_e ∈ R^{U×128}, I_e ∈ R^{I×128}: fixed N(0, 0.1²) entries (`RandomStream.normal`, purposes
///   "full_rank_eval/users" and "full_rank_eval/items"), made before timing.
/// - Per iteration: scores U_e·I_eᵀ for all users, training pairs set to −∞, top-20 (ties by
///   ascending item index), Recall/NDCG@{5,10,20} against the held-out set, eval(u), the item
///   scores eval(v) over training interactors, and the means over all users.
/// - Blocking: the reference's blocks of 2000 users define the result; the per-user values do not
///   depend on blocking, and this implementation uses `FullRankingEvaluator`'s own blocks
///   (`blockSize` users × an item tile bounding the score buffer, both reported in `extra`).
/// - `extra`: the metric means under the reference's names (`recall@K`, `ndcg@K`,
///   `avg_eval_user`, `avg_eval_item`) and the shape constants (`dim`, `block`, `item_tile`, `topk`).
public enum FullRankEvalWorkload {
    public static let dimension = 128
    public static let standardDeviation = 0.1

    public static func run(train: UserItemLists, heldOut: UserItemLists, warmup: Int, repeat count: Int,
                           seed: UInt64, blockSize: Int = FullRankingEvaluator.defaultBlockSize,
                           itemTile: Int? = nil) -> WorkloadTiming {
        precondition(train.userCount == heldOut.userCount && train.itemCount == heldOut.itemCount,
                     "train and held-out sets differ in shape")
        let scorer = DotProductScorer(users: embeddings(rows: train.userCount, seed: seed, purpose: "full_rank_eval/users"),
                                      items: embeddings(rows: train.itemCount, seed: seed, purpose: "full_rank_eval/items"))
        var summary = MetricSummary(recall5: 0, recall10: 0, recall20: 0, ndcg5: 0, ndcg10: 0, ndcg20: 0, avg: 0)
        var itemMean = 0.0
        let times = BenchTimer.time(warmup: warmup, repeat: count) { _ in
            let report = FullRankingEvaluator.evaluate(scorer: scorer, positives: heldOut, exclude: [train],
                                                       blockSize: blockSize, itemTile: itemTile)
            let itemScores = report.itemScores(trainByUser: train)
            summary = report.summary
            itemMean = itemScores.isEmpty ? 0 : itemScores.reduce(0, +) / Double(itemScores.count)
        }
        let tile = FullRankingEvaluator.itemTileSize(scorer: scorer, blockSize: blockSize, requested: itemTile)
        return WorkloadTiming(times: times, extra: [
            "recall@5": summary.recall5, "recall@10": summary.recall10, "recall@20": summary.recall20,
            "ndcg@5": summary.ndcg5, "ndcg@10": summary.ndcg10, "ndcg@20": summary.ndcg20,
            "avg_eval_user": summary.avg, "avg_eval_item": itemMean,
            "dim": Double(dimension), "block": Double(blockSize), "item_tile": Double(tile),
            "topk": Double(RankingMetrics.depth),
        ])
    }

    /// A rows × 128 matrix of N(0, 0.1²) draws from the stream (seed, purpose), row-major order.
    static func embeddings(rows: Int, seed: UInt64, purpose: String) -> Matrix {
        var rng = RandomStream(seed: seed, purpose: purpose)
        var m = Matrix(rows: rows, cols: dimension)
        for k in 0..<m.storage.count { m.storage[k] = Float(rng.normal() * standardDeviation) }
        return m
    }
}
