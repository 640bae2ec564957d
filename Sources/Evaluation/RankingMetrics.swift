import Foundation

/// Recall@k and NDCG@k for one user, from the hit pattern of a top-`RankingMetrics.depth` list (docs/method.md §4.3).
///
/// Contract, for a user with `|P_u|` positives in the target split and a ranking of depth 20:
/// - rel_r = 1 if the item at rank r (1-based) is in P_u; here bit r−1 of `hits`.
/// - Recall@k = (Σ_{r ≤ k} rel_r) / max(|P_u|, 1) — the denominator is the full |P_u|.
/// - DCG@k = Σ_{r ≤ k} rel_r / log₂(r+1); IDCG@k = Σ_{r ≤ min(k, |P_u|)} 1/log₂(r+1);
///   NDCG@k = DCG@k / IDCG@k, and 0 when |P_u| = 0.
/// - k ∈ {5, 10, 20}; eval(u) = (R@5 + R@10 + R@20 + N@5 + N@10 + N@20) / 6.
/// All arithmetic is in `Double`, summed in ascending rank order.
public enum RankingMetrics {
    /// The ranking depth (top-20).
    public static let depth = 20
    /// The cut-offs k, in the order metrics are stored and averaged.
    public static let cutoffs = [5, 10, 20]

    /// `discount[r]` = 1/log₂(r+1) for rank r in 1...depth (index 0 unused, 0).
    public static let discount: [Double] = (0...depth).map { r in r == 0 ? 0 : 1 / log2(Double(r + 1)) }

    /// `idealPrefix[m]` = Σ_{r ≤ m} 1/log₂(r+1) for m in 0...depth (the IDCG of m leading positives).
    public static let idealPrefix: [Double] = {
        var out = [Double](repeating: 0, count: depth + 1)
        for m in 1...depth { out[m] = out[m - 1] + discount[m] }
        return out
    }()

    /// The six metrics of one user. `hits` has bit r−1 set when rank r is a positive
    /// (bits ≥ `depth` are ignored); `positiveCount` = |P_u|.
    public static func userMetrics(hits: UInt32, positiveCount: Int) -> UserMetrics {
        precondition(positiveCount >= 0)
        let d = discount
        let ideal = idealPrefix
        var recall = (0.0, 0.0, 0.0)
        var ndcg = (0.0, 0.0, 0.0)
        let denominator = Double(max(positiveCount, 1))
        var hitCount = 0
        var dcg = 0.0
        for r in 1...depth {
            if hits & (1 << UInt32(r - 1)) != 0 {
                hitCount += 1
                dcg += d[r]
            }
            let idcg = ideal[min(r, positiveCount)]
            let n = positiveCount == 0 ? 0 : dcg / idcg
            let rc = Double(hitCount) / denominator
            switch r {
            case 5: recall.0 = rc; ndcg.0 = n
            case 10: recall.1 = rc; ndcg.1 = n
            case 20: recall.2 = rc; ndcg.2 = n
            default: break
            }
        }
        return UserMetrics(recall5: recall.0, recall10: recall.1, recall20: recall.2,
                           ndcg5: ndcg.0, ndcg10: ndcg.1, ndcg20: ndcg.2)
    }

    /// The hit pattern of `ranking` (item ids, best first; negative ids = empty slots) against the
    /// sorted positive list `positives`.
    public static func hitPattern<C: Collection>(ranking: C, positives: ArraySlice<Int32>) -> UInt32 where C.Element == Int32 {
        var hits: UInt32 = 0
        for (r, item) in ranking.prefix(depth).enumerated() where item >= 0 && sortedContains(positives, item) {
            hits |= 1 << UInt32(r)
        }
        return hits
    }

    /// Binary search in an ascending slice.
    @inlinable static func sortedContains(_ list: ArraySlice<Int32>, _ item: Int32) -> Bool {
        var lo = list.startIndex, hi = list.endIndex
        while lo < hi {
            let mid = (lo + hi) >> 1
            let v = list[mid]
            if v == item { return true }
            if v < item { lo = mid + 1 } else { hi = mid }
        }
        return false
    }
}
