import Linalg
import Recommenders

/// MR, random mixed sizes (docs/method.md §3.2).
///
/// 1. Draw d_n i.i.d. uniform on {1, …, H_c} with H_c = round(2·(1−c)·dMax) − 1 (50 / 25 / 12 for
///    c = 0.80 / 0.90 / 0.95), the range of the authors' commented-out MR.
/// 2. Repair to the budget B_c = ⌊(1−c)·dMax·N⌋ exactly: while Σd > B_c decrement a uniformly random
///    entity with d_n > 1; while Σd < B_c increment a uniformly random entity with d_n < H_c.
///
/// Sizes stay in [1, H_c] and nearly uniform, and ρ = B_c/(dMax·N) ≤ 1 − c exactly.
public enum MixedRandom {
    public static func upperSize(targetSparsity c: Double, dMax: Int = 128) -> Int {
        Int((2 * (1 - c) * Double(dMax)).rounded(.toNearestOrEven)) - 1
    }

    public static func sizes(userCount: Int, itemCount: Int, targetSparsity c: Double, seed: UInt64,
                             dMax: Int = 128) -> EmbeddingSizes {
        let n = userCount + itemCount
        let high = min(dMax, max(1, upperSize(targetSparsity: c, dMax: dMax)))
        let budget = Budget.entries(targetSparsity: c, entities: n, dMax: dMax)
        precondition(budget >= n, "budget below one entry per entity")
        precondition(budget <= high * n, "budget above the largest sizes MR can draw")
        var rng = RandomStream(seed: seed, purpose: "mixed-random c=\(c)")
        var d = (0..<n).map { _ in 1 + rng.below(high) }
        var total = d.reduce(0, +)
        while total > budget {
            let k = rng.below(n)
            if d[k] > 1 { d[k] -= 1; total -= 1 }
        }
        while total < budget {
            let k = rng.below(n)
            if d[k] < high { d[k] += 1; total += 1 }
        }
        return EmbeddingSizes(users: d[..<userCount].map { UInt8($0) }, items: d[userCount...].map { UInt8($0) },
                              dMax: dMax)
    }
}
