/// The pattern of a bipartite adjacency with *side-local* neighbour ids: a user row lists item
/// ids `0..<I` and an item row lists user ids `0..<U`, in CSR order. With `UInt16` ids (both
/// sides ≤ 65 536 nodes, e.g. ML-1M and Yelp2018) the index stream of a sparse product is 2 bytes
/// per entry instead of the 8 bytes of a (column, value) CSR — the values are not stored at all,
/// because Â = D^{-1/2} A D^{-1/2} factorises (see `GraphPropagation`).
/// `keep` filters entries by their global source node (for masked layer-0 tiles).
public final class BipartiteNeighborLists<Index: FixedWidthInteger & UnsignedInteger & Sendable>: @unchecked Sendable {
    public let rowStart: PinnedArray<Int32>
    public let neighbors: PinnedArray<Index>

    public init(_ a: SymmetricNormalizedAdjacency, keep: (Int) -> Bool = { _ in true }) {
        let U = a.userCount
        precondition(a.nnz < Int(Int32.max))
        precondition(max(a.userCount, a.itemCount) - 1 <= Int(Index.max), "side too large for \(Index.self) ids")
        var rs = [Int32](repeating: 0, count: a.nodeCount + 1)
        var nb: [Index] = []
        nb.reserveCapacity(a.nnz)
        for r in 0..<a.nodeCount {
            for k in a.rowStart[r]..<a.rowStart[r + 1] {
                let c = Int(a.colIndices[k])
                guard keep(c) else { continue }
                nb.append(Index(r < U ? c - U : c))
            }
            rs[r + 1] = Int32(nb.count)
        }
        rowStart = PinnedArray(rs)
        neighbors = PinnedArray(nb)
    }
}

/// Per-call scratch for a row-sparse source: each row's neighbours whose source row is nonzero,
/// compacted to the front of the row's original slot (`rowStart[r]..<ends[r]`), in CSR order.
public final class CompactedNeighbors<Index: FixedWidthInteger & UnsignedInteger & Sendable>: @unchecked Sendable {
    public let neighbors: UnsafeMutablePointer<Index>
    public let ends: UnsafeMutablePointer<Int32>
    let count: Int
    let rows: Int

    public init(nnz: Int, rows: Int) {
        count = max(1, nnz)
        self.rows = rows
        neighbors = .allocate(capacity: count)
        neighbors.initialize(repeating: 0, count: count)
        ends = .allocate(capacity: max(1, rows))
        ends.initialize(repeating: 0, count: max(1, rows))
    }

    deinit {
        neighbors.deallocate()
        ends.deallocate()
    }

    /// Fills the compacted lists of `rows` from `lists`, keeping entry (r, c) iff
    /// `nonzero[global(c)] != 0`, where global(c) = U + c for user rows and c for item rows.
    @inline(__always)
    public func compact(_ lists: BipartiteNeighborLists<Index>, rows range: Range<Int>, userCount U: Int,
                        nonzero: UnsafePointer<Int32>) {
        let rs = lists.rowStart.base, nb = lists.neighbors.base
        for r in range {
            let flags = r < U ? nonzero + U : nonzero
            var w = Int(rs[r])
            for k in Int(rs[r])..<Int(rs[r + 1]) {
                let c = nb[k]
                neighbors[w] = c
                w &+= flags[Int(c)] != 0 ? 1 : 0
            }
            ends[r] = Int32(w)
        }
    }
}
