import Recommenders

/// ES (docs/method.md §3.1): every user and item gets `d = ⌊(1 − c)·dMax⌋` — 25 / 12 / 6 for
/// c = 0.80 / 0.90 / 0.95 at dMax = 128, i.e. sparsity 80.47 / 90.63 / 95.31 %.
///
/// The floor (not rounding: 26 / 13 would exceed the 80 % and 90 % budgets) keeps ES within budget.
public enum EqualSizes {
    public static func size(targetSparsity c: Double, dMax: Int = 128) -> Int {
        precondition(c >= 0 && c < 1, "target sparsity must lie in [0, 1)")
        return max(1, Int(((1 - c) * Double(dMax)).rounded(.down) + 1e-9))
    }

    public static func sizes(userCount: Int, itemCount: Int, targetSparsity c: Double, dMax: Int = 128) -> EmbeddingSizes {
        .uniform(userCount: userCount, itemCount: itemCount, size: size(targetSparsity: c, dMax: dMax), dMax: dMax)
    }
}
