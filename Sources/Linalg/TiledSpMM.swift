/// The inner kernel of the tiled sparse × dense products: one 32-column tile of one output row,
///
///     acc[0..<32] = Σ_{k ∈ k0..<k1} values[k] · X[colIndices[k], c0..<c0+32],
///
/// with `src` = X + c0 (row-major, row stride `stride` floats). The sum runs over the row's
/// entries in CSR order with four interleaved partial sums (entries k ≡ 0,1,2,3 mod 4 from k0,
/// combined as (s0 + s1) + (s2 + s3)), so it is a fixed function of the row: the result never
/// depends on the thread count or on which thread computes it.
///
/// Keeping the 32-column slice of the source (N × 128 bytes; for the bipartite graph each side
/// reads only the other side's rows) resident in the 1 MiB L2 is what makes the column-tiled
/// product faster than a whole-row CSR SpMM, whose 512-byte source rows stream from L3.
public enum TiledSpMM {
    public static let tileWidth = 32

    /// Y = A·X for a general CSR matrix (values stored, e.g. NGCF's D^{-1}(A + I)) on row-major
    /// matrices with row stride `stride` (a multiple of 16 and ≥ `columns`; use
    /// `GraphPropagation.paddedStride` to avoid L2 set conflicts), computing columns
    /// `0..<columns` (`columns` a multiple of 32) tile by tile over fixed nnz-balanced row parts.
    /// Each output element is computed by one thread in a fixed order (thread-count independent).
    public static func multiply(_ a: CSRMatrix, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
                                columns: Int, stride: Int, parts: Int = 48) {
        precondition(columns % tileWidth == 0 && stride >= columns && stride % 16 == 0)
        let ranges = a.balancedRowRanges(parts: parts)
        let tiles = columns / tileWidth
        let rs = PinnedArray(a.rowStart), ci = PinnedArray(a.colIndices), vv = PinnedArray(a.values)
        let xs = SendablePointer(UnsafeMutablePointer(mutating: x)), ys = SendablePointer(y)
        DynamicParallel.forEach(count: tiles * ranges.count) { item in
            let c0 = (item / ranges.count) * tileWidth
            let src = UnsafePointer(xs.base + c0)
            for r in ranges[item % ranges.count] {
                let acc = rowTile(colIndices: ci.base, values: vv.base, from: rs[r], to: rs[r + 1],
                                  source: src, stride: stride)
                store(acc, ys.base + (r &* stride &+ c0))
            }
        }
    }

    @inline(__always)
    public static func rowTile(colIndices ci: UnsafePointer<Int32>, values vv: UnsafePointer<Float>,
                               from k0: Int, to k1: Int,
                               source src: UnsafePointer<Float>, stride: Int) -> (SIMD16<Float>, SIMD16<Float>) {
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>()
        var b0 = SIMD16<Float>(), b1 = SIMD16<Float>()
        var c0 = SIMD16<Float>(), c1 = SIMD16<Float>()
        var d0 = SIMD16<Float>(), d1 = SIMD16<Float>()
        var k = k0
        while k + 4 <= k1 {
            let pa = UnsafeRawPointer(src + Int(ci[k]) &* stride)
            let pb = UnsafeRawPointer(src + Int(ci[k + 1]) &* stride)
            let pc = UnsafeRawPointer(src + Int(ci[k + 2]) &* stride)
            let pd = UnsafeRawPointer(src + Int(ci[k + 3]) &* stride)
            let va = SIMD16<Float>(repeating: vv[k]), vb = SIMD16<Float>(repeating: vv[k + 1])
            let vc = SIMD16<Float>(repeating: vv[k + 2]), vd = SIMD16<Float>(repeating: vv[k + 3])
            a0.addProduct(va, pa.loadUnaligned(as: SIMD16<Float>.self))
            a1.addProduct(va, pa.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
            b0.addProduct(vb, pb.loadUnaligned(as: SIMD16<Float>.self))
            b1.addProduct(vb, pb.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
            c0.addProduct(vc, pc.loadUnaligned(as: SIMD16<Float>.self))
            c1.addProduct(vc, pc.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
            d0.addProduct(vd, pd.loadUnaligned(as: SIMD16<Float>.self))
            d1.addProduct(vd, pd.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
            k += 4
        }
        if k < k1 {
            let p = UnsafeRawPointer(src + Int(ci[k]) &* stride), v = SIMD16<Float>(repeating: vv[k])
            a0.addProduct(v, p.loadUnaligned(as: SIMD16<Float>.self))
            a1.addProduct(v, p.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
        }
        if k + 1 < k1 {
            let p = UnsafeRawPointer(src + Int(ci[k + 1]) &* stride), v = SIMD16<Float>(repeating: vv[k + 1])
            b0.addProduct(v, p.loadUnaligned(as: SIMD16<Float>.self))
            b1.addProduct(v, p.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
        }
        if k + 2 < k1 {
            let p = UnsafeRawPointer(src + Int(ci[k + 2]) &* stride), v = SIMD16<Float>(repeating: vv[k + 2])
            c0.addProduct(v, p.loadUnaligned(as: SIMD16<Float>.self))
            c1.addProduct(v, p.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
        }
        return ((a0 + b0) + (c0 + d0), (a1 + b1) + (c1 + d1))
    }

    /// The factorised variant for Â = D^{-1/2} A D^{-1/2}: with side-local neighbour ids and the
    /// per-node weights w = d^{-1/2} of the source side,
    ///
    ///     acc[0..<32] = Σ_k w[n_k] · X_side[n_k, c0..<c0+32]
    ///
    /// (the caller multiplies by d_r^{-1/2}). Same fixed four-way interleaved summation order.
    @inline(__always)
    public static func rowTile<Index: FixedWidthInteger>(neighbors nb: UnsafePointer<Index>, from k0: Int, to k1: Int,
                                                         weights w: UnsafePointer<Float>,
                                                         source src: UnsafePointer<Float>, stride: Int) -> (SIMD16<Float>, SIMD16<Float>) {
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>()
        var b0 = SIMD16<Float>(), b1 = SIMD16<Float>()
        var c0 = SIMD16<Float>(), c1 = SIMD16<Float>()
        var d0 = SIMD16<Float>(), d1 = SIMD16<Float>()
        var k = k0
        while k + 4 <= k1 {
            let ia = Int(nb[k]), ib = Int(nb[k + 1]), ic = Int(nb[k + 2]), id = Int(nb[k + 3])
            let pa = UnsafeRawPointer(src + ia &* stride), pb = UnsafeRawPointer(src + ib &* stride)
            let pc = UnsafeRawPointer(src + ic &* stride), pd = UnsafeRawPointer(src + id &* stride)
            let va = SIMD16<Float>(repeating: w[ia]), vb = SIMD16<Float>(repeating: w[ib])
            let vc = SIMD16<Float>(repeating: w[ic]), vd = SIMD16<Float>(repeating: w[id])
            a0.addProduct(va, pa.loadUnaligned(as: SIMD16<Float>.self))
            a1.addProduct(va, pa.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
            b0.addProduct(vb, pb.loadUnaligned(as: SIMD16<Float>.self))
            b1.addProduct(vb, pb.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
            c0.addProduct(vc, pc.loadUnaligned(as: SIMD16<Float>.self))
            c1.addProduct(vc, pc.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
            d0.addProduct(vd, pd.loadUnaligned(as: SIMD16<Float>.self))
            d1.addProduct(vd, pd.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
            k += 4
        }
        if k < k1 {
            let i = Int(nb[k]), p = UnsafeRawPointer(src + i &* stride), v = SIMD16<Float>(repeating: w[i])
            a0.addProduct(v, p.loadUnaligned(as: SIMD16<Float>.self))
            a1.addProduct(v, p.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
        }
        if k + 1 < k1 {
            let i = Int(nb[k + 1]), p = UnsafeRawPointer(src + i &* stride), v = SIMD16<Float>(repeating: w[i])
            b0.addProduct(v, p.loadUnaligned(as: SIMD16<Float>.self))
            b1.addProduct(v, p.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
        }
        if k + 2 < k1 {
            let i = Int(nb[k + 2]), p = UnsafeRawPointer(src + i &* stride), v = SIMD16<Float>(repeating: w[i])
            c0.addProduct(v, p.loadUnaligned(as: SIMD16<Float>.self))
            c1.addProduct(v, p.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
        }
        return ((a0 + b0) + (c0 + d0), (a1 + b1) + (c1 + d1))
    }

    @inline(__always)
    public static func load(_ p: UnsafePointer<Float>) -> (SIMD16<Float>, SIMD16<Float>) {
        let r = UnsafeRawPointer(p)
        return (r.loadUnaligned(as: SIMD16<Float>.self), r.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
    }

    @inline(__always)
    public static func store(_ v: (SIMD16<Float>, SIMD16<Float>), _ p: UnsafeMutablePointer<Float>) {
        let r = UnsafeMutableRawPointer(p)
        r.storeBytes(of: v.0, as: SIMD16<Float>.self)
        r.storeBytes(of: v.1, toByteOffset: 64, as: SIMD16<Float>.self)
    }
}
