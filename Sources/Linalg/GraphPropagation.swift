/// The LightGCN layer mean as one operator on N × `stride` row-major `Float` matrices:
///
///     P·X = (X + ÂX + Â²X + … + Â^L X) / (L + 1)          (L = `layers`, 3 for LightGCN)
///
/// The forward pass is F = P·X0 and, Â being symmetric, the backward pass is dX0 = P·G with the
/// same operator. Implementation (all buffers preallocated, nothing allocated per call):
///
/// * column tiles of 32 (`TiledSpMM`): the 32-column slice of the source side stays L2-resident;
/// * Â·X is computed factorised as D^{-1/2}(A(D^{-1/2}X)): out_r = d_r^{-1/2} Σ_{c∈N(r)} d_c^{-1/2} X_c,
///   with side-local 16-bit neighbour ids (`BipartiteNeighborLists`), so the only stream per
///   entry is 2 bytes and the weights come from a small L1-resident array. (The rounding differs
///   from multiplying by a stored Float(d_r^{-1/2} d_c^{-1/2}) by ~1 ulp; it is still a fixed
///   function of the graph and X.)
/// * rows cut into a fixed number of nnz-balanced parts; work items are (tile, part) pairs,
///   handed out dynamically (`DynamicParallel`), one parallel region per layer. Each output
///   element is computed by one thread in a fixed order, so results are bit-identical for any
///   thread count and schedule;
/// * the layer mean is fused into the last layer: F = (((X + H1) + H2) + Â·H2) / 4, the order of
///   the reference; H_1 … H_{L−1} are written once and H_L is never stored, so the layers before
///   the last write one stream each (no read-modify-write of F per layer);
/// * `inputIsMasked`: when X is a prefix-masked layer 0 (row c is zero beyond `maskWidths[c]`),
///   layer 1 uses a per-tile CSR that omits source rows whose tile is all zero;
/// * `outputWidths`: when only the first w_r columns of output row r are wanted (a masked
///   gradient, or w_r = 0 for rows a batch does not touch), the last layer skips the tiles past
///   w_r. Those output elements are then left unspecified;
/// * `nonzeroInputRows`: a row-sparse input (a BPR gradient) lets layer 1 skip zero sources.
///
/// Layout: `columns` is the logical width rounded up to a multiple of 32 (the tiles); the row
/// stride is `columns + 16` floats. The extra 64 bytes per row matter: with a 512-byte stride
/// the 32-column tiles of all rows would map to a quarter of the L2 sets and the tile would not
/// stay resident. Padding columns of the input must be zero; output columns ≥ `columns` are
/// never written.
public final class GraphPropagation: @unchecked Sendable {
    public let adjacency: SymmetricNormalizedAdjacency
    public let nodeCount: Int
    public let userCount: Int
    public let stride: Int
    public let columns: Int
    public let layers: Int
    public static let rowParts = 48

    let tiles: Int
    let parts: [Range<Int>]
    /// d_n^{-1/2} = 1/√(degree + 1e−9) per node, as Float.
    let scale: PinnedArray<Float>
    let degrees: PinnedArray<Int32>
    /// Index 0: all entries; index 1 + t: entries whose source has `maskWidths[c] > 32·t`.
    /// Exactly one of the two is non-empty (16-bit ids when both sides have ≤ 65 536 nodes).
    let lists16: [BipartiteNeighborLists<UInt16>]
    let lists32: [BipartiteNeighborLists<UInt32>]
    /// H_1 … H_{L−1} (H_L is consumed directly by the layer mean).
    let layerBuffers: [AlignedFloatBuffer]
    let hiddenPointers: [SendablePointer<Float>]
    let hasMaskedTiles: Bool
    let scratch16: CompactedNeighbors<UInt16>?
    let scratch32: CompactedNeighbors<UInt32>?
    /// `nonzeroInputRows` is used when the entries it keeps are below this share of nnz.
    public static let sparseInputThreshold = 0.75

    /// The number of computed columns for a logical row width (a multiple of 32).
    public static func paddedColumns(_ width: Int) -> Int { (width + 31) / 32 * 32 }
    /// The row stride (floats) of every matrix this operator reads or writes.
    public static func paddedStride(_ width: Int) -> Int { paddedColumns(width) + 16 }

    /// - Parameters:
    ///   - width: the logical row width (e.g. dMax = 128); rows are stored with `paddedStride(width)`.
    ///   - maskWidths: optional per-node prefix widths of masked inputs (see `inputIsMasked`).
    public init(adjacency: SymmetricNormalizedAdjacency, width: Int, layers: Int = 3, maskWidths: [Int]? = nil) {
        precondition(layers >= 1 && width >= 1)
        self.adjacency = adjacency
        nodeCount = adjacency.nodeCount
        userCount = adjacency.userCount
        stride = GraphPropagation.paddedStride(width)
        self.layers = layers
        columns = GraphPropagation.paddedColumns(width)
        tiles = columns / TiledSpMM.tileWidth
        parts = adjacency.balancedRowRanges(parts: GraphPropagation.rowParts)
        var degree = [Double](repeating: 0, count: adjacency.nodeCount)
        for r in 0..<adjacency.nodeCount { degree[r] = Double(adjacency.rowStart[r + 1] - adjacency.rowStart[r]) }
        scale = PinnedArray(degree.map { Float(1 / ($0 + 1e-9).squareRoot()) })
        degrees = PinnedArray(degree.map { Int32($0) })
        layerBuffers = (1..<layers).map { _ in AlignedFloatBuffer(count: adjacency.nodeCount * GraphPropagation.paddedStride(width)) }
        hiddenPointers = layerBuffers.map(\.pointer)
        var keeps: [(Int) -> Bool] = [{ _ in true }]
        if let w = maskWidths {
            precondition(w.count == adjacency.nodeCount, "maskWidths: one width per node")
            for t in 0..<tiles { keeps.append { w[$0] > t * TiledSpMM.tileWidth } }
        }
        hasMaskedTiles = maskWidths != nil
        if max(adjacency.userCount, adjacency.itemCount) <= 65_536 {
            lists16 = keeps.map { BipartiteNeighborLists<UInt16>(adjacency, keep: $0) }
            lists32 = []
            scratch16 = CompactedNeighbors(nnz: adjacency.nnz, rows: adjacency.nodeCount)
            scratch32 = nil
        } else {
            lists16 = []
            lists32 = keeps.map { BipartiteNeighborLists<UInt32>(adjacency, keep: $0) }
            scratch16 = nil
            scratch32 = CompactedNeighbors(nnz: adjacency.nnz, rows: adjacency.nodeCount)
        }
    }

    /// output = P·input (N × stride each, row-major, distinct from each other and from the
    /// internal buffers).
    ///
    /// `nonzeroInputRows` (optional, not with `inputIsMasked`): 0 marks input rows that are
    /// entirely zero (e.g. a BPR gradient, nonzero only at the batch's nodes). When the entries
    /// with a nonzero source are few enough (`sparseInputThreshold`), layer 1 first compacts each
    /// row's neighbour list to those and skips the rest. Skipped terms are exact zeros, and the
    /// kept ones are summed in the same relative order, so the result equals the dense path up to
    /// the grouping of the four partial sums (still a fixed function of the inputs).
    public func apply(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                      inputIsMasked: Bool = false, outputWidths: UnsafePointer<Int32>? = nil,
                      nonzeroInputRows: UnsafePointer<Int32>? = nil) {
        precondition(!inputIsMasked || hasMaskedTiles, "inputIsMasked needs maskWidths at init")
        precondition(!(inputIsMasked && nonzeroInputRows != nil), "a masked input is not row-sparse")
        var sparse = nonzeroInputRows
        if let nz = sparse {
            var kept = 0
            let deg = degrees.base
            for r in 0..<nodeCount where nz[r] != 0 { kept &+= Int(deg[r]) }
            if Double(kept) >= GraphPropagation.sparseInputThreshold * Double(max(1, adjacency.nnz)) { sparse = nil }
        }
        if !lists16.isEmpty {
            apply(lists16, scratch: scratch16!, input: input, output: output, inputIsMasked: inputIsMasked,
                  outputWidths: outputWidths, nonzeroInputRows: sparse)
        } else {
            apply(lists32, scratch: scratch32!, input: input, output: output, inputIsMasked: inputIsMasked,
                  outputWidths: outputWidths, nonzeroInputRows: sparse)
        }
    }

    private func apply<Index>(_ lists: [BipartiteNeighborLists<Index>], scratch: CompactedNeighbors<Index>,
                              input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, inputIsMasked: Bool,
                              outputWidths: UnsafePointer<Int32>?, nonzeroInputRows: UnsafePointer<Int32>?) {
        let x = SendablePointer(UnsafeMutablePointer(mutating: input))
        let f = SendablePointer(output)
        let ow = outputWidths.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
        let hidden = hiddenPointers
        if let nz = nonzeroInputRows {
            let flags = SendablePointer(UnsafeMutablePointer(mutating: nz))
            let parts = self.parts, full = lists[0], U = userCount
            DynamicParallel.forEach(count: parts.count) { p in
                scratch.compact(full, rows: parts[p], userCount: U, nonzero: UnsafePointer(flags.base))
            }
        }
        for layer in 1...layers {
            let compacted = layer == 1 && nonzeroInputRows != nil
            layerPass(lists: lists, tileOffset: layer == 1 && inputIsMasked ? 1 : 0,
                      compacted: compacted ? scratch : nil,
                      source: layer == 1 ? x : hidden[layer - 2],
                      target: layer < layers ? hidden[layer - 1] : nil,
                      input: x, hidden: hidden, output: f, outputWidths: layer == layers ? ow : nil)
        }
    }

    /// One layer over all (tile, part) items. Intermediate layers store H_k = Â·H_{k−1} into
    /// `target`; the last layer writes output = (((X + H_1) + H_2) + … + Â·H_{L−1}) / (L + 1),
    /// the summation order of the reference, skipping tiles past `outputWidths[r]`.
    private func layerPass<Index>(lists: [BipartiteNeighborLists<Index>], tileOffset: Int,
                                  compacted: CompactedNeighbors<Index>?, source: SendablePointer<Float>,
                                  target: SendablePointer<Float>?, input: SendablePointer<Float>,
                                  hidden: [SendablePointer<Float>], output: SendablePointer<Float>,
                                  outputWidths: SendablePointer<Int32>?) {
        let stride = self.stride, partCount = parts.count, parts = self.parts, U = userCount
        let mean = SIMD16<Float>(repeating: 1 / Float(layers + 1))
        let earlier = hidden
        let sp = SendablePointer(scale.base)
        DynamicParallel.forEach(count: tiles * partCount) { item in
            let t = item / partCount, c0 = t * TiledSpMM.tileWidth
            let l = lists[tileOffset == 0 ? 0 : tileOffset + t]
            let rs = l.rowStart.base, s = sp.base
            let nb = compacted.map { UnsafePointer($0.neighbors) } ?? UnsafePointer(l.neighbors.base)
            let ends = compacted.map { UnsafePointer($0.ends) }
            let userSide = UnsafePointer(source.base + c0)              // sources of item rows
            let itemSide = UnsafePointer(source.base + U &* stride + c0)  // sources of user rows
            for r in parts[item % partCount] {
                if let ow = outputWidths, Int(ow[r]) <= c0 { continue }
                let isUser = r < U
                var acc = TiledSpMM.rowTile(neighbors: nb, from: Int(rs[r]), to: Int(ends?[r] ?? rs[r + 1]),
                                            weights: isUser ? s + U : s,
                                            source: isUser ? itemSide : userSide, stride: stride)
                let sr = SIMD16<Float>(repeating: s[r])
                acc.0 *= sr
                acc.1 *= sr
                let at = r &* stride &+ c0
                if let tp = target {
                    TiledSpMM.store(acc, tp.base + at)
                    continue
                }
                var sum = TiledSpMM.load(input.base + at)
                for h in earlier {
                    let v = TiledSpMM.load(h.base + at)
                    sum.0 += v.0
                    sum.1 += v.1
                }
                sum.0 = (sum.0 + acc.0) * mean
                sum.1 = (sum.1 + acc.1) * mean
                TiledSpMM.store(sum, output.base + at)
            }
        }
    }
}
