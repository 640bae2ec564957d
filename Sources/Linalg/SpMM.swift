/// Sparse × dense products `Y = A·X` with `A` in CSR form and `X`, `Y` row-major `Float`.
///
/// This is the plain reference kernel: rows in nnz-balanced blocks, one output row at a time.
/// Each output row is computed by one thread in a fixed order, so results do not depend on the
/// thread count.
public enum SpMM {
    /// `Y[r, 0..<width] = Σ_k A[r, k] · X[k, 0..<width]` for all rows; `X.cols == Y.cols`.
    public static func multiply(_ a: CSRMatrix, _ x: Matrix, into y: inout Matrix) {
        precondition(a.cols == x.rows && y.rows == a.rows && y.cols == x.cols, "SpMM: shape mismatch")
        let width = x.cols
        let ranges = a.balancedRowRanges(parts: max(1, Threads.count * 8))
        a.rowStart.withUnsafeBufferPointer { rsB in
            a.colIndices.withUnsafeBufferPointer { ciB in
                a.values.withUnsafeBufferPointer { vB in
                    x.storage.withUnsafeBufferPointer { xB in
                        y.storage.withUnsafeMutableBufferPointer { yB in
                            let rs = SendablePointer(UnsafeMutablePointer(mutating: rsB.baseAddress!))
                            let ci = SendablePointer(UnsafeMutablePointer(mutating: ciB.baseAddress ?? UnsafePointer(bitPattern: 16)!))
                            let vv = SendablePointer(UnsafeMutablePointer(mutating: vB.baseAddress ?? UnsafePointer(bitPattern: 16)!))
                            let xp = SendablePointer(UnsafeMutablePointer(mutating: xB.baseAddress!))
                            let yp = yB.sendable
                            Parallel.forEachRange(ranges) { _, rows in
                                for r in rows {
                                    let out = yp.advanced(by: r * width)
                                    out.update(repeating: 0, count: width)
                                    for k in rs[r]..<rs[r + 1] {
                                        let v = vv[k]
                                        let src = xp.advanced(by: Int(ci[k]) * width)
                                        for c in 0..<width { out[c] += v * src[c] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
