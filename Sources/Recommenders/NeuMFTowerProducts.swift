import CBLAS
import Linalg

/// The dense products of NeuMF's tower on a batch's width-sorted slots (`NeuMFBatchIndex`),
/// skipping the masked columns of the embedding rows:
///
/// * forward      A[s, :]  (+)= X[s, 0..<K] · W[:, 0..<K]ᵀ         per width bin (K = bin columns)
/// * input grad   ∂X[s, 0..<K] = ∂A[s, :] · W[:, 0..<K]             per width bin
/// * weight grad  ∂W[:, 16j..<16j+16] = ∂A[0..<n_j, :]ᵀ · X[0..<n_j, 16j..<16j+16]
///   with n_j = the number of slots of width > 16j (a prefix, since slots are width-sorted).
///
/// Exact: X is zero beyond each row's width, so the skipped terms are zeros. ∂X beyond K is left
/// unwritten (the caller masks to the width). Each call is a single-threaded OpenBLAS sgemm on a
/// fixed row block; the calls run in parallel on `Threads.count` workers (OpenBLAS is pinned to
/// one thread meanwhile). Every output element is produced by one call whose shape depends only on
/// the batch and the widths, so results do not depend on the thread count.
enum NeuMFTowerProducts {
    static let rowBlock = 512

    struct Call: @unchecked Sendable {
        var m: Int, n: Int, k: Int
        var a: UnsafePointer<Float>, lda: Int, transA: Bool
        var b: UnsafePointer<Float>, ldb: Int, transB: Bool
        var beta: Float
        var c: UnsafeMutablePointer<Float>, ldc: Int
        var cost: Int { m * n * k }
    }

    /// One side (users or items) of the tower: its slots' rows and the W columns it multiplies.
    struct Side {
        var bins: [(slots: Range<Int>, columns: Int)]
        var prefix: [Int]
        var x: UnsafeMutablePointer<Float>
        var y: UnsafeMutablePointer<Float>
        var dy: UnsafeMutablePointer<Float>
        var dx: UnsafeMutablePointer<Float>
        /// W_u or W_v: d rows, leading dimension 2d.
        var weight: UnsafePointer<Float>
        /// ∂W_u or ∂W_v (leading dimension 2d).
        var weightGrad: UnsafeMutablePointer<Float>
        /// β of the forward product (1 when y is pre-filled with the bias).
        var forwardBeta: Float
    }

    static func forward(_ sides: [Side], d: Int, stride: Int) {
        var calls: [Call] = []
        for s in sides {
            for bin in s.bins {
                for r0 in Swift.stride(from: bin.slots.lowerBound, to: bin.slots.upperBound, by: rowBlock) {
                    let rows = min(rowBlock, bin.slots.upperBound - r0)
                    calls.append(Call(m: rows, n: d, k: bin.columns, a: s.x + r0 * stride, lda: stride, transA: false,
                                      b: s.weight, ldb: 2 * d, transB: true, beta: s.forwardBeta,
                                      c: s.y + r0 * stride, ldc: stride))
                }
            }
        }
        run(calls)
    }

    static func backward(_ sides: [Side], d: Int, stride: Int) {
        var calls: [Call] = []
        for s in sides {
            for bin in s.bins {
                for r0 in Swift.stride(from: bin.slots.lowerBound, to: bin.slots.upperBound, by: rowBlock) {
                    let rows = min(rowBlock, bin.slots.upperBound - r0)
                    calls.append(Call(m: rows, n: bin.columns, k: d, a: s.dy + r0 * stride, lda: stride, transA: false,
                                      b: s.weight, ldb: 2 * d, transB: false, beta: 0,
                                      c: s.dx + r0 * stride, ldc: stride))
                }
            }
            for (j, n) in s.prefix.enumerated() {
                let c0 = 16 * j, cols = min(16, d - c0)
                if n == 0 {
                    for o in 0..<d { (s.weightGrad + o * 2 * d + c0).update(repeating: 0, count: cols) }
                    continue
                }
                calls.append(Call(m: d, n: cols, k: n, a: s.dy, lda: stride, transA: true,
                                  b: s.x + c0, ldb: stride, transB: false, beta: 0,
                                  c: s.weightGrad + c0, ldc: 2 * d))
            }
        }
        run(calls)
    }

    /// Runs the calls, largest first, round-robin over the workers, OpenBLAS single-threaded.
    static func run(_ unsorted: [Call]) {
        let calls = unsorted.enumerated().sorted { ($0.element.cost, $1.offset) > ($1.element.cost, $0.offset) }
            .map(\.element)
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(Int32(Threads.count)) }
        calls.withUnsafeBufferPointer { cb in
            let list = SendablePointer(UnsafeMutablePointer(mutating: cb.baseAddress!))
            Parallel.forEachChunk(count: cb.count, grain: 1) { i, _ in
                let c = list[i]
                Sgemm.raw(m: c.m, n: c.n, k: c.k, alpha: 1, a: c.a, lda: c.lda, transposeA: c.transA,
                          b: c.b, ldb: c.ldb, transposeB: c.transB, beta: c.beta, c: c.c, ldc: c.ldc)
            }
        }
    }
}
