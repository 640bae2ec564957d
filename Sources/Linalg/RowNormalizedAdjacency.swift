/// The row-normalised adjacency with self loops L = D⁻¹(A + I) of a user–item bipartite graph
/// (NGCF, docs/method.md §2.2), in CSR form with `Int32` column indices.
///
/// Nodes: user `u` is node `u`, item `i` is node `U + i`. A = [[0, R], [Rᵀ, 0]] with binary R;
/// D = diag(rowsum(A + I)) = degree + 1. Entry (r, c) of L has value `Float(1 / D_r)` (computed in
/// `Double`, as the PyTorch reference does). nnz = 2·|train| + N. Columns ascend within each row
/// (a user row is its self loop then its items; an item row is its users then its self loop).
///
/// L is symmetric in *pattern* but not in value, so the backward product needs Lᵀ. Lᵀ has the
/// same CSR pattern as L; its value at L's position k = (r, c) is L[c, r] = 1 / D_c
/// (`transposeValues[k]`), and `transposeIndex[k]` is the position of (c, r) in L's arrays. A
/// per-entry quantity of L (such as a dropout keep decision at entry k) is the quantity of Lᵀ at
/// position k' with `transposeIndex[k'] = k`, so Lᵀ products need no second CSR.
public struct RowNormalizedAdjacency: CSRStructure, Sendable {
    public let userCount: Int
    public let itemCount: Int
    /// Row `r` holds entries `rowStart[r]..<rowStart[r+1]`.
    public let rowStart: [Int]
    public let colIndices: [Int32]
    /// L[r, colIndices[k]] = 1 / D_r.
    public let values: [Float]
    /// Lᵀ at the same position: L[colIndices[k], r] = 1 / D_{colIndices[k]}.
    public let transposeValues: [Float]
    /// The position of (colIndices[k], r) in these arrays (an involution).
    public let transposeIndex: [Int32]

    public var nodeCount: Int { userCount + itemCount }
    public var nnz: Int { colIndices.count }

    /// Builds L from training interactions (each user's items sorted and distinct).
    public init(train: UserItemListsView) {
        let U = train.userCount, I = train.itemCount, n = U + I
        var degree = [Double](repeating: 1, count: n)
        for u in 0..<U { degree[u] += Double(train.offsets[u + 1] - train.offsets[u]) }
        for i in train.items { degree[U + Int(i)] += 1 }
        let dinv = degree.map { Float(1 / $0) }

        var itemStart = [Int](repeating: 0, count: I + 1)
        for i in train.items { itemStart[Int(i) + 1] += 1 }
        for i in 0..<I { itemStart[i + 1] += itemStart[i] }
        var fill = itemStart
        var itemUsers = [Int32](repeating: 0, count: train.items.count)
        for u in 0..<U {
            for k in train.offsets[u]..<train.offsets[u + 1] {
                let i = Int(train.items[k])
                itemUsers[fill[i]] = Int32(u)
                fill[i] += 1
            }
        }

        let nnz = 2 * train.items.count + n
        var rs = [Int](repeating: 0, count: n + 1)
        var ci = [Int32](repeating: 0, count: nnz)
        var e = 0
        for u in 0..<U {
            ci[e] = Int32(u); e += 1
            for k in train.offsets[u]..<train.offsets[u + 1] { ci[e] = Int32(U) + train.items[k]; e += 1 }
            rs[u + 1] = e
        }
        for i in 0..<I {
            for k in itemStart[i]..<itemStart[i + 1] { ci[e] = itemUsers[k]; e += 1 }
            ci[e] = Int32(U + i); e += 1
            rs[U + i + 1] = e
        }
        var vv = [Float](repeating: 0, count: nnz)
        var tv = [Float](repeating: 0, count: nnz)
        for r in 0..<n {
            for k in rs[r]..<rs[r + 1] {
                vv[k] = dinv[r]
                tv[k] = dinv[Int(ci[k])]
            }
        }
        // Rows are visited in ascending order, and row c lists its columns in ascending order, so
        // the next unused slot of row c is the position of (c, r).
        var cursor = Array(rs[0..<n])
        var tp = [Int32](repeating: 0, count: nnz)
        for r in 0..<n {
            for k in rs[r]..<rs[r + 1] {
                let c = Int(ci[k])
                tp[k] = Int32(cursor[c])
                cursor[c] += 1
            }
        }
        userCount = U
        itemCount = I
        rowStart = rs
        colIndices = ci
        values = vv
        transposeValues = tv
        transposeIndex = tp
    }
}
