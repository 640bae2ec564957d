import CBLAS

/// `C ← α·op(A)·op(B) + β·C` on row-major `Float` matrices through OpenBLAS `cblas_sgemm`.
///
/// op(X) is X or Xᵀ. Shapes: op(A) is m×k, op(B) is k×n, C is m×n. OpenBLAS computes each
/// element of C within one thread, so results do not depend on the thread count in practice.
public enum Sgemm {
    public static func multiply(_ a: Matrix, transposeA: Bool = false,
                                _ b: Matrix, transposeB: Bool = false,
                                into c: inout Matrix, alpha: Float = 1, beta: Float = 0) {
        let m = transposeA ? a.cols : a.rows
        let k = transposeA ? a.rows : a.cols
        let kb = transposeB ? b.cols : b.rows
        let n = transposeB ? b.rows : b.cols
        precondition(k == kb, "sgemm: inner dimensions \(k) and \(kb) differ")
        precondition(c.rows == m && c.cols == n, "sgemm: C is \(c.rows)×\(c.cols), expected \(m)×\(n)")
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    raw(m: m, n: n, k: k, alpha: alpha,
                        a: pa.baseAddress!, lda: a.cols, transposeA: transposeA,
                        b: pb.baseAddress!, ldb: b.cols, transposeB: transposeB,
                        beta: beta, c: pc.baseAddress!, ldc: n)
                }
            }
        }
    }

    /// Pointer form, for sub-blocks of larger buffers (row-major, explicit leading dimensions).
    public static func raw(m: Int, n: Int, k: Int, alpha: Float,
                           a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
                           b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
                           beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc))
    }
}
