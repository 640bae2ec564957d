/// Large `cblas_sgemm` products split into fixed chunks that run on `Parallel`'s workers, each
/// chunk a single-threaded OpenBLAS call (row-major `Float`, explicit leading dimensions).
///
/// Why: (1) the cut depends only on the shapes, never on the thread count, and each element of C
/// is computed by one single-threaded call (or, for `reducingK`, summed over fixed k-chunks in
/// chunk order), so results are bit-identical for any thread count; (2) OpenBLAS's own worker
/// threads busy-wait (`sched_yield`) for a long time after each threaded call, stealing the cores
/// from the sparse and elementwise kernels that run between sgemms on a 2-core machine. Callers
/// must run these inside `OpenBLASSingleThreaded.run` (or otherwise with OpenBLAS at one thread).
public enum ChunkedSgemm {
    /// Rows of C (and of op(A)) per chunk.
    public static let rowChunk = 512

    /// C (m × n) ← op(A)·op(B) + β·C, A untransposed (m × k, lda), chunked over rows of A and C.
    public static func rows(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let ap = SendablePointer(UnsafeMutablePointer(mutating: a))
        let bp = SendablePointer(UnsafeMutablePointer(mutating: b))
        let cp = SendablePointer(c)
        Parallel.forEachChunk(count: m, grain: rowChunk) { _, range in
            Sgemm.raw(m: range.count, n: n, k: k, alpha: 1, a: ap.base + range.lowerBound * lda, lda: lda,
                      transposeA: false, b: bp.base, ldb: ldb, transposeB: transposeB, beta: beta,
                      c: cp.base + range.lowerBound * ldc, ldc: ldc)
        }
    }

    /// C (m × n, dense, ldc = n) ← Aᵀ·B with A (k × m, lda) and B (k × n, ldb) and a long k: k is cut
    /// into chunks of `kChunk` rows, each chunk's product goes to its own slice of `scratch`
    /// (⌈k / kChunk⌉ · m · n floats), and the slices are added in chunk order.
    public static func reducingK(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                                 b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>,
                                 scratch: UnsafeMutablePointer<Float>, kChunk: Int) {
        let chunks = (k + kChunk - 1) / kChunk
        let ap = SendablePointer(UnsafeMutablePointer(mutating: a))
        let bp = SendablePointer(UnsafeMutablePointer(mutating: b))
        let sp = SendablePointer(scratch)
        let size = m * n
        Parallel.forEachChunk(count: k, grain: kChunk) { chunk, range in
            Sgemm.raw(m: m, n: n, k: range.count, alpha: 1, a: ap.base + range.lowerBound * lda, lda: lda,
                      transposeA: true, b: bp.base + range.lowerBound * ldb, ldb: ldb, transposeB: false,
                      beta: 0, c: sp.base + chunk * size, ldc: n)
        }
        let cp = SendablePointer(c)
        Parallel.forEachChunk(count: size, grain: 1 << 13) { _, range in
            for i in range { cp[i] = sp[i] }
            for q in 1..<max(chunks, 1) {
                let part = sp.base + q * size
                for i in range { cp[i] += part[i] }
            }
        }
    }
}
