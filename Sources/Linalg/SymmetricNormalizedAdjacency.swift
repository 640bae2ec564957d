/// The symmetric normalised adjacency Â = D^{-1/2} A D^{-1/2} of a user–item bipartite graph
/// (LightGCN, docs/method.md §2.1), in CSR form with `Int32` column indices.
///
/// Nodes: user `u` is node `u`, item `i` is node `U + i`. A = [[0, R], [Rᵀ, 0]] with binary R,
/// D = diag(row sums of A) + 1e−9, no self loops. The value of entry (r, c) is
/// `Float(d_r^{-1/2} · d_c^{-1/2})` computed in `Double` (as the PyTorch reference does).
/// Columns ascend within each row, so a user row lists its items, an item row its users.
/// Â is symmetric in pattern and value, so Âᵀ·G = Â·G (the backward of a product is a product).
public struct SymmetricNormalizedAdjacency: CSRStructure, Sendable {
    public let userCount: Int
    public let itemCount: Int
    /// Row `r` holds entries `rowStart[r]..<rowStart[r+1]`.
    public let rowStart: [Int]
    public let colIndices: [Int32]
    public let values: [Float]

    public var nodeCount: Int { userCount + itemCount }
    public var nnz: Int { colIndices.count }

    /// Builds Â from training interactions (each user's items sorted and distinct).
    public init(train: UserItemListsView) {
        let U = train.userCount, I = train.itemCount, n = U + I
        var degree = [Double](repeating: 0, count: n)
        for u in 0..<U { degree[u] = Double(train.offsets[u + 1] - train.offsets[u]) }
        for i in train.items { degree[U + Int(i)] += 1 }
        let dinv = degree.map { 1 / ($0 + 1e-9).squareRoot() }

        // Item → users transpose (users ascending within each item).
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

        let nnz = 2 * train.items.count
        var rs = [Int](repeating: 0, count: n + 1)
        var ci = [Int32](repeating: 0, count: nnz)
        var vv = [Float](repeating: 0, count: nnz)
        var e = 0
        for u in 0..<U {
            for k in train.offsets[u]..<train.offsets[u + 1] {
                let c = U + Int(train.items[k])
                ci[e] = Int32(c)
                vv[e] = Float(dinv[u] * dinv[c])
                e += 1
            }
            rs[u + 1] = e
        }
        for i in 0..<I {
            let r = U + i
            for k in itemStart[i]..<itemStart[i + 1] {
                let c = Int(itemUsers[k])
                ci[e] = Int32(c)
                vv[e] = Float(dinv[r] * dinv[c])
                e += 1
            }
            rs[r + 1] = e
        }
        userCount = U
        itemCount = I
        rowStart = rs
        colIndices = ci
        values = vv
    }
}

/// The minimal view of per-user sorted item lists the adjacency needs (Linalg does not depend
/// on RecData; `UserItemLists` provides this through `SymmetricNormalizedAdjacency(train:)`
/// overloads in the modules above).
public struct UserItemListsView: Sendable {
    public let userCount: Int
    public let itemCount: Int
    public let offsets: [Int]
    public let items: [Int32]

    public init(userCount: Int, itemCount: Int, offsets: [Int], items: [Int32]) {
        precondition(offsets.count == userCount + 1 && offsets.first == 0 && offsets.last == items.count)
        self.userCount = userCount
        self.itemCount = itemCount
        self.offsets = offsets
        self.items = items
    }
}
