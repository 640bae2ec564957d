/// A source of user × item scores for full ranking; any backbone plugs in through it.
///
/// Contract: `scores(users:items:into:)` writes s(u, i) for u ∈ `users`, i ∈ `items` into `out`,
/// row-major with `items.count` columns (element (u − users.lowerBound, i − items.lowerBound)).
/// The evaluator calls it **concurrently** from several workers on disjoint user ranges, with
/// OpenBLAS pinned to one thread; an implementation must be safe for that and should not
/// parallelise internally. It must be deterministic for given ranges: the evaluator's ranges depend
/// only on its block and tile sizes, never on the thread count, so reports are bit-identical for
/// any thread count. (A score may differ in the last bits between different ranges, e.g. BLAS
/// edge kernels; the tile size is therefore part of the evaluation's configuration.)
/// Whole rows (all items) are always requested through `scores(users:into:)`.
public protocol BlockScorer: Sendable {
    var userCount: Int { get }
    var itemCount: Int { get }
    /// Writes scores of `users` against all items into `out` (row-major, users.count × itemCount).
    func scores(users: Range<Int>, into out: UnsafeMutablePointer<Float>)
    /// Writes scores of `users` against `items` into `out` (row-major, users.count × items.count).
    func scores(users: Range<Int>, items: Range<Int>, into out: UnsafeMutablePointer<Float>)
    /// Whether `scores(users:items:into:)` is efficient for item sub-ranges, so the evaluator may
    /// tile the item axis to keep the score block in cache.
    var supportsItemTiles: Bool { get }
}

extension BlockScorer {
    public var supportsItemTiles: Bool { false }

    /// Default for scorers that only score whole rows: scores all items, then copies the tile.
    public func scores(users: Range<Int>, items: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        if items == 0..<itemCount { scores(users: users, into: out); return }
        let full = UnsafeMutablePointer<Float>.allocate(capacity: users.count * itemCount)
        defer { full.deallocate() }
        scores(users: users, into: full)
        for r in 0..<users.count {
            (out + r * items.count).update(from: full + r * itemCount + items.lowerBound, count: items.count)
        }
    }
}
