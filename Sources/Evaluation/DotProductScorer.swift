import Linalg

/// s(u, i) = ⟨U[u], I[i]⟩ for embedding matrices U (users × d) and I (items × d), computed per
/// block with one `cblas_sgemm` call: S_block = U[users] · Iᵀ[:, items].
///
/// Iᵀ (d × items, contiguous) is prepared once at init, as the PyTorch reference does; OpenBLAS
/// packs that layout slightly faster than I with a transposed operand.
public struct DotProductScorer: BlockScorer {
    public let users: Matrix
    /// Iᵀ: d × itemCount, row-major.
    public let itemsTransposed: Matrix

    public init(users: Matrix, items: Matrix) {
        precondition(users.cols == items.cols, "user and item embeddings differ in width: \(users.cols) vs \(items.cols)")
        self.users = users
        var t = Matrix(rows: items.cols, cols: items.rows)
        for i in 0..<items.rows {
            for k in 0..<items.cols { t.storage[k * items.rows + i] = items.storage[i * items.cols + k] }
        }
        self.itemsTransposed = t
    }

    public var userCount: Int { users.rows }
    public var itemCount: Int { itemsTransposed.cols }
    public var supportsItemTiles: Bool { true }

    public func scores(users range: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        scores(users: range, items: 0..<itemCount, into: out)
    }

    public func scores(users userRange: Range<Int>, items itemRange: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        precondition(userRange.lowerBound >= 0 && userRange.upperBound <= userCount)
        precondition(itemRange.lowerBound >= 0 && itemRange.upperBound <= itemCount)
        guard !userRange.isEmpty, !itemRange.isEmpty else { return }
        let d = users.cols
        if d == 0 { out.update(repeating: 0, count: userRange.count * itemRange.count); return }
        users.storage.withUnsafeBufferPointer { pu in
            itemsTransposed.storage.withUnsafeBufferPointer { pt in
                Sgemm.raw(m: userRange.count, n: itemRange.count, k: d, alpha: 1,
                          a: pu.baseAddress! + userRange.lowerBound * d, lda: d, transposeA: false,
                          b: pt.baseAddress! + itemRange.lowerBound, ldb: itemCount, transposeB: false,
                          beta: 0, c: out, ldc: itemRange.count)
            }
        }
    }
}
