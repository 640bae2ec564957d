/// Sparse × dense products with the NGCF adjacency after edge ("node") dropout, and with its
/// transpose, without building a CSR per step:
///
///     L′[r, c] = keep_k · L[r, c] / (1 − p)     (k = the position of (r, c) in L's CSR)
///     Y = L′·X   or   Y = L′ᵀ·X
///
/// keep_k comes from a `HashedDropoutMask` (a pure function of (key, k)); with no mask L′ = L
/// (evaluation, decision D31). Dropped entries stay in the structure with value 0, so both
/// products run over L's fixed CSR: `setDropout` writes the per-step values of L′ in CSR order and
/// the values of L′ᵀ in the same order (position k of Lᵀ is entry `transposeIndex[k]` of L, whose
/// keep decision is re-evaluated from the hash there — no gather, no sort). A dropped entry costs
/// one multiply-add by zero.
///
/// Products are column-tiled like `GraphPropagation` (32-column tiles of the source stay
/// L2-resident; `TiledSpMM.rowTile` sums each row in CSR order) over a fixed number of
/// nnz-balanced row parts; every output element is computed by one thread in a fixed order, so
/// results are bit-identical for any thread count. `forEachTile` exposes the tile loop so callers
/// can fuse elementwise epilogues.
public final class DropoutSpMM: @unchecked Sendable {
    public let adjacency: RowNormalizedAdjacency
    public let nodeCount: Int
    public let nnz: Int
    public static let rowParts = 48
    public let parts: [Range<Int>]

    @usableFromInline let rowStart: PinnedArray<Int>
    @usableFromInline let colIndices: PinnedArray<Int32>
    let baseValues: PinnedArray<Float>
    let baseTransposeValues: PinnedArray<Float>
    let transposeIndex: PinnedArray<Int32>
    /// Values of L′ in CSR order (this step).
    public let forwardValues: AlignedFloatBuffer
    /// Values of L′ᵀ in CSR order (this step).
    public let transposeValues: AlignedFloatBuffer
    public private(set) var mask: HashedDropoutMask?

    public init(adjacency: RowNormalizedAdjacency) {
        self.adjacency = adjacency
        nodeCount = adjacency.nodeCount
        nnz = adjacency.nnz
        parts = adjacency.balancedRowRanges(parts: DropoutSpMM.rowParts)
        rowStart = PinnedArray(adjacency.rowStart)
        colIndices = PinnedArray(adjacency.colIndices)
        baseValues = PinnedArray(adjacency.values)
        baseTransposeValues = PinnedArray(adjacency.transposeValues)
        transposeIndex = PinnedArray(adjacency.transposeIndex)
        forwardValues = AlignedFloatBuffer(count: adjacency.nnz)
        transposeValues = AlignedFloatBuffer(count: adjacency.nnz)
        setDropout(nil)
    }

    /// Sets L′ for the following products: `nil` = no dropout (L′ = L).
    public func setDropout(_ mask: HashedDropoutMask?) {
        self.mask = mask
        let fv = forwardValues.pointer, tv = transposeValues.pointer
        let bv = baseValues, btv = baseTransposeValues, tp = transposeIndex
        let nnz = self.nnz
        guard let mask else {
            fv.base.update(from: bv.base, count: nnz)
            tv.base.update(from: btv.base, count: nnz)
            return
        }
        let scale = mask.keepScale
        let scale16 = SIMD16<Float>(repeating: scale)
        Parallel.forEachChunk(count: nnz, grain: 1 << 16) { _, range in
            var k = range.lowerBound
            while k + 16 <= range.upperBound {
                let keepF = mask.keeps16(from: k)
                let idx = UnsafeRawPointer(tp.base + k).loadUnaligned(as: SIMD16<Int32>.self)
                let keepT = mask.keeps16(indices: SIMD16<UInt32>(truncatingIfNeeded: idx))
                var a = SIMD16<Float>(), b = SIMD16<Float>()
                a.replace(with: UnsafeRawPointer(bv.base + k).loadUnaligned(as: SIMD16<Float>.self) * scale16,
                          where: keepF)
                b.replace(with: UnsafeRawPointer(btv.base + k).loadUnaligned(as: SIMD16<Float>.self) * scale16,
                          where: keepT)
                UnsafeMutableRawPointer(fv.base + k).storeBytes(of: a, as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(tv.base + k).storeBytes(of: b, as: SIMD16<Float>.self)
                k += 16
            }
            while k < range.upperBound {
                fv[k] = mask.keeps(k) ? bv[k] * scale : 0
                tv[k] = mask.keeps(Int(tp[k])) ? btv[k] * scale : 0
                k += 1
            }
        }
    }

    /// Calls `body(row, c0, acc)` with acc = (L′ or L′ᵀ)[row, :] · X[:, c0..<c0+32] for every row
    /// and every 32-column tile c0 < `width` (a multiple of 32) — except, when `outputWidths` is
    /// given, the tiles with c0 ≥ outputWidths[row] (output columns the caller does not need). X is
    /// row-major with row stride `sourceStride` floats. Tiles of one (tile, row part) pair run on
    /// one thread, in row order.
    @inlinable
    public func forEachTile(transposed: Bool, source: UnsafePointer<Float>, sourceStride: Int, width: Int,
                            outputWidths: UnsafePointer<Int32>? = nil,
                            _ body: @Sendable (_ row: Int, _ c0: Int, _ acc: (SIMD16<Float>, SIMD16<Float>)) -> Void) {
        precondition(width % TiledSpMM.tileWidth == 0)
        let tiles = width / TiledSpMM.tileWidth, parts = self.parts, partCount = parts.count
        let rs = rowStart, ci = colIndices
        let vv = transposed ? transposeValues.pointer : forwardValues.pointer
        let src = SendablePointer(UnsafeMutablePointer(mutating: source))
        let ow = outputWidths.map { SendablePointer(UnsafeMutablePointer(mutating: $0)) }
        Parallel.forEachChunk(count: tiles * partCount, grain: 1) { item, _ in
            let t = item / partCount
            let c0 = t * TiledSpMM.tileWidth
            let tileSource = UnsafePointer(src.base + c0)
            for r in parts[item % partCount] {
                if let w = ow, Int(w[r]) <= c0 { continue }
                let acc = TiledSpMM.rowTile(colIndices: ci.base, values: vv.base, from: rs.base[r], to: rs.base[r + 1],
                                            source: tileSource, stride: sourceStride)
                body(r, c0, acc)
            }
        }
    }

    /// Y[:, 0..<width] = (L′ or L′ᵀ)·X[:, 0..<width] (row strides `sourceStride`, `outputStride`).
    public func multiply(transposed: Bool, source: UnsafePointer<Float>, sourceStride: Int, width: Int,
                         output: UnsafeMutablePointer<Float>, outputStride: Int) {
        let out = SendablePointer(output)
        forEachTile(transposed: transposed, source: source, sourceStride: sourceStride, width: width) { r, c0, acc in
            TiledSpMM.store(acc, out.base + r * outputStride + c0)
        }
    }
}
